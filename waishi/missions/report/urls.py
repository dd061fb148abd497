"""URLs of the trip report (included by ``missions/urls.py``). Every URL names the trip
(``mission_pk``); the report is reached through it."""

from __future__ import annotations

from django.urls import path

from waishi.missions.report import views as report_views

urlpatterns = [
    path("reports/", report_views.report_list, name="report-list"),
    path("<int:mission_pk>/report/", report_views.report_detail, name="report"),
    path("<int:mission_pk>/report/document/", report_views.report_upload, name="report-upload"),
    path(
        "<int:mission_pk>/report/document/download/",
        report_views.report_document,
        name="report-document",
    ),
    path("<int:mission_pk>/report/publish/", report_views.report_publish, name="report-publish"),
    path("<int:mission_pk>/report/submit/", report_views.report_submit, name="report-submit"),
    path("<int:mission_pk>/report/decide/", report_views.report_decide, name="report-decide"),
    path("<int:mission_pk>/report.docx", report_views.report_docx, name="report-docx"),
    path(
        "<int:mission_pk>/report/publicity.docx",
        report_views.report_publicity_docx,
        name="report-publicity-docx",
    ),
]
