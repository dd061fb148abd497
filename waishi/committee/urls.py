from django.urls import include, path

from waishi.committee import views

app_name = "committee"

MEETING = "meetings/<int:meeting_pk>/"
ITEM = "items/<int:agenda_item_pk>/"
DOCUMENT = "documents/<int:document_pk>/"
MINUTES = "minutes/<int:minutes_pk>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path(MEETING, views.meeting_detail, name="meeting-detail"),
    path(f"{MEETING}edit/", views.meeting_edit, name="meeting-edit"),
    path(f"{MEETING}hold/", views.meeting_hold, name="meeting-hold"),
    path(f"{MEETING}attendance/", views.meeting_attendance, name="meeting-attendance"),
    path(f"{MEETING}items/new/", views.item_add, name="item-add"),
    path(f"{MEETING}minutes/new/", views.minutes_draft, name="minutes-draft"),
    path("items/", views.item_list, name="item-list"),
    path(ITEM, views.item_detail, name="item-detail"),
    path(f"{ITEM}edit/", views.item_edit, name="item-edit"),
    path(f"{ITEM}opinion/", views.item_opinion, name="item-opinion"),
    path(f"{ITEM}approve/", views.item_approve, name="item-approve"),
    path(f"{ITEM}documents/new/", views.document_add, name="document-add"),
    path(DOCUMENT, views.document_detail, name="document-detail"),
    path(f"{DOCUMENT}versions/new/", views.version_upload, name="version-upload"),
    path(f"{DOCUMENT}access/", views.document_access, name="document-access"),
    path(f"{DOCUMENT}compare/", views.document_compare, name="document-compare"),
    path(
        "versions/<int:document_version_pk>/download/",
        views.version_download,
        name="version-download",
    ),
    path("minutes/", views.minutes_list, name="minutes-list"),
    path(MINUTES, views.minutes_detail, name="minutes-detail"),
    path(f"{MINUTES}edit/", views.minutes_edit, name="minutes-edit"),
    path(f"{MINUTES}submit/", views.minutes_act, {"action": "submit"}, name="minutes-submit"),
    path(f"{MINUTES}return/", views.minutes_act, {"action": "return"}, name="minutes-return"),
    path(f"{MINUTES}issue/", views.minutes_act, {"action": "issue"}, name="minutes-issue"),
    path(f"{MINUTES}document/", views.minutes_document, name="minutes-document"),
    path("decisions/<int:decision_pk>/", views.decision_detail, name="decision"),
    path("members/", views.member_list, name="member-list"),
    path("members/new/", views.member_add, name="member-add"),
    path("members/<int:committee_member_pk>/edit/", views.member_edit, name="member-edit"),
    path("settings/", views.settings_edit, name="settings"),
    # The year's work key points (年度工作要点): waishi.committee.keypoint_urls.
    path("keypoints/", include("waishi.committee.keypoint_urls")),
]
