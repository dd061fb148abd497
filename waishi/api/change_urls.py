"""The API's routes of change requests and itinerary versions (``change_views``), included
into ``waishi.api.urls`` (before its catch-all 404). Names start with ``change-``."""

from django.urls import path

from waishi.api import change_views

CHANGE = "v1/missions/<int:mission_pk>/changes/<int:change_pk>/"

urlpatterns = [
    path(
        "v1/missions/<int:mission_pk>/changes/",
        change_views.ChangeCollectionView.as_view(),
        name="change-list",
    ),
    path(CHANGE, change_views.ChangeView.as_view(), name="change-detail"),
    path(f"{CHANGE}submit/", change_views.ChangeSubmitView.as_view(), name="change-submit"),
    path(f"{CHANGE}approve/", change_views.ChangeApproveView.as_view(), name="change-approve"),
    path(f"{CHANGE}return/", change_views.ChangeReturnView.as_view(), name="change-return"),
    path(f"{CHANGE}reject/", change_views.ChangeRejectView.as_view(), name="change-reject"),
    path(f"{CHANGE}withdraw/", change_views.ChangeWithdrawView.as_view(), name="change-withdraw"),
    path(
        "v1/missions/<int:mission_pk>/itinerary/",
        change_views.ItineraryVersionListView.as_view(),
        name="change-itinerary",
    ),
    path(
        "v1/missions/<int:mission_pk>/itinerary/<int:version_pk>/compare/",
        change_views.ItineraryCompareView.as_view(),
        name="change-itinerary-compare",
    ),
]
