from django.urls import path

from waishi.followups import views

app_name = "followups"

urlpatterns = [
    path("", views.outcome_list, name="list"),
    path("export.xlsx", views.outcome_export, name="export"),
    path("new/", views.outcome_create, name="create"),
    path("unit/", views.unit_obligations, name="unit"),
    path("<int:outcome_pk>/", views.outcome_detail, name="detail"),
    path("<int:outcome_pk>/edit/", views.outcome_edit, name="edit"),
    path("<int:outcome_pk>/progress/", views.outcome_progress, name="progress"),
    path("<int:outcome_pk>/complete/", views.outcome_complete, name="complete"),
    path("<int:outcome_pk>/drop/", views.outcome_drop, name="drop"),
    path("<int:outcome_pk>/reassign/", views.outcome_reassign, name="reassign"),
    path("updates/<int:update_pk>/evidence/", views.evidence_download, name="evidence"),
]
