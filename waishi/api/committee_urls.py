"""The API's routes of the Foreign Affairs Committee (``committee_views``), put into
``waishi.api.urls`` before its catch-all 404. Names start with ``committee-``; the URL
arguments name the models scoping registered (``meeting_pk``, ``item_pk``,
``document_pk``, ``version_pk``, ``minutes_pk``, ``decision_pk``)."""

from django.urls import path

from waishi.api import committee_views as v

BASE = "v1/committee/"
MEETING = f"{BASE}meetings/<int:meeting_pk>/"
ITEM = f"{BASE}items/<int:item_pk>/"
MINUTES = f"{BASE}minutes/<int:minutes_pk>/"

urlpatterns = [
    path(f"{BASE}meetings/", v.MeetingCollectionView.as_view(), name="committee-meeting-list"),
    path(MEETING, v.MeetingView.as_view(), name="committee-meeting-detail"),
    path(f"{MEETING}hold/", v.MeetingHoldView.as_view(), name="committee-meeting-hold"),
    path(
        f"{MEETING}attendance/",
        v.MeetingAttendanceView.as_view(),
        name="committee-meeting-attendance",
    ),
    path(f"{MEETING}items/", v.MeetingItemsView.as_view(), name="committee-meeting-items"),
    path(f"{MEETING}minutes/", v.MeetingMinutesView.as_view(), name="committee-meeting-minutes"),
    path(f"{BASE}items/", v.ItemCollectionView.as_view(), name="committee-item-list"),
    path(ITEM, v.ItemView.as_view(), name="committee-item-detail"),
    path(f"{ITEM}opinion/", v.ItemOpinionView.as_view(), name="committee-item-opinion"),
    path(f"{ITEM}approve/", v.ItemApproveView.as_view(), name="committee-item-approve"),
    path(f"{ITEM}documents/", v.ItemDocumentsView.as_view(), name="committee-item-documents"),
    path(
        f"{BASE}documents/<int:document_pk>/versions/",
        v.DocumentVersionsView.as_view(),
        name="committee-document-versions",
    ),
    path(
        f"{BASE}versions/<int:version_pk>/download/",
        v.VersionDownloadView.as_view(),
        name="committee-version-download",
    ),
    path(f"{BASE}minutes/", v.MinutesCollectionView.as_view(), name="committee-minutes-list"),
    path(MINUTES, v.MinutesView.as_view(), name="committee-minutes-detail"),
    path(f"{MINUTES}submit/", v.MinutesSubmitView.as_view(), name="committee-minutes-submit"),
    path(f"{MINUTES}return/", v.MinutesReturnView.as_view(), name="committee-minutes-return"),
    path(f"{MINUTES}issue/", v.MinutesIssueView.as_view(), name="committee-minutes-issue"),
    path(f"{MINUTES}document/", v.MinutesDocumentView.as_view(), name="committee-minutes-document"),
    path(
        f"{BASE}decisions/<int:decision_pk>/task/",
        v.DecisionTaskView.as_view(),
        name="committee-decision-task",
    ),
]
