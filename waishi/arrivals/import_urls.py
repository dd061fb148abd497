"""The arrival list import (part of the "arrivals" namespace, mounted at /arrivals/)."""

from django.urls import path

from waishi.arrivals import import_views

urlpatterns = [
    path("imports/", import_views.import_list, name="import-list"),
    path("imports/upload/", import_views.import_upload, name="import-upload"),
    path("imports/progress/", import_views.import_progress, name="import-progress"),
    path("imports/template.xlsx", import_views.batch_template, name="batch-template"),
    path("imports/<int:batch_pk>/", import_views.batch_detail, name="batch-detail"),
    path("imports/<int:batch_pk>/confirm/", import_views.batch_confirm, name="batch-confirm"),
]
