"""The key points pages, included by the committee's URLs (names "committee:keypoint-…")."""

from django.urls import path

from waishi.committee import keypoint_views as views

urlpatterns = [
    path("", views.plan_list, name="keypoints"),
    path("new/", views.plan_create, name="keypoint-plan-create"),
    path("import/", views.import_upload, name="keypoint-import"),
    path("import/confirm/", views.import_confirm, name="keypoint-import-confirm"),
    path("<int:kplan_pk>/", views.plan_detail, name="keypoint-plan"),
    path("<int:kplan_pk>/add/", views.point_add, name="keypoint-add"),
    path("items/<int:keypoint_pk>/edit/", views.point_edit, name="keypoint-edit"),
    path("items/<int:keypoint_pk>/task/", views.point_task, name="keypoint-task"),
    path("items/<int:keypoint_pk>/delete/", views.point_delete, name="keypoint-delete"),
]
