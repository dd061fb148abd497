"""URLs of the trip application: the list and its export, the record, its decisions,
publicity and documents, and the six steps of the form (included by ``missions/urls.py``:
the steps come last, after every other room's URLs)."""

from __future__ import annotations

from django.urls import path

from waishi.missions.application import steps, views

urlpatterns = [
    path("", views.mission_list, name="list"),
    path("export.xlsx", views.mission_export, name="export"),
    path("new/", views.mission_create, name="create"),
    path("workflow/", views.workflow_help, name="workflow"),
    path("<int:mission_pk>/", views.mission_detail, name="detail"),
    path("<int:mission_pk>/letter/", views.mission_letter, name="letter"),
    path("<int:mission_pk>/check/", views.mission_check, name="check"),
    path("<int:mission_pk>/submit/", views.mission_submit, name="submit"),
    path("<int:mission_pk>/withdraw/", views.mission_withdraw, name="withdraw"),
    path("<int:mission_pk>/decide/", views.mission_decide, name="decide"),
    path("<int:mission_pk>/cancel/", views.mission_cancel, name="cancel"),
    path("<int:mission_pk>/publicity/", views.mission_publicity, name="publicity"),
    path(
        "<int:mission_pk>/publicity/publish/",
        views.mission_publicity_publish,
        name="publicity-publish",
    ),
    path(
        "<int:mission_pk>/publicity/exempt/",
        views.mission_publicity_exempt,
        name="publicity-exempt",
    ),
    path("<int:mission_pk>/publicity.docx", views.mission_publicity_docx, name="publicity-docx"),
    path(
        "<int:mission_pk>/approval-form.docx",
        views.mission_approval_form,
        name="approval-form",
    ),
    path(
        "<int:mission_pk>/approval-notice.docx",
        views.mission_approval_notice,
        name="approval-notice",
    ),
]

step_urlpatterns = [
    path(
        f"<int:mission_pk>/{step.slug}/",
        views.mission_step,
        {"step": step.slug},
        name=step.slug,
    )
    for step in steps.STEPS
]
