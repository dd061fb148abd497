"""The API's routes of arrivals from abroad (``arrival_views``), put into
``waishi.api.urls`` before its catch-all 404. Names start with ``arrival-``; the URL
arguments name the models scoping registered (``arrival_pk``, ``arrival_step_pk``,
``handover_pk``)."""

from django.urls import path

from waishi.api import arrival_views as v

ARRIVAL = "v1/arrivals/<int:arrival_pk>/"
HANDOVER = "v1/arrivals/handovers/<int:handover_pk>/"

urlpatterns = [
    path("v1/arrivals/", v.ArrivalCollectionView.as_view(), name="arrival-list"),
    path(ARRIVAL, v.ArrivalView.as_view(), name="arrival-detail"),
    path(f"{ARRIVAL}health/", v.ArrivalHealthView.as_view(), name="arrival-health"),
    path(f"{ARRIVAL}handover/", v.HandoverRequestView.as_view(), name="arrival-handover"),
    path(f"{ARRIVAL}reassign/", v.ReassignView.as_view(), name="arrival-reassign"),
    path(
        "v1/arrivals/steps/<int:arrival_step_pk>/confirm/",
        v.StepConfirmView.as_view(),
        name="arrival-step-confirm",
    ),
    path("v1/arrivals/handovers/", v.HandoverListView.as_view(), name="arrival-handover-list"),
    path(HANDOVER, v.HandoverView.as_view(), name="arrival-handover-detail"),
    path(f"{HANDOVER}accept/", v.HandoverAcceptView.as_view(), name="arrival-handover-accept"),
    path(f"{HANDOVER}refuse/", v.HandoverRefuseView.as_view(), name="arrival-handover-refuse"),
    path(
        f"{HANDOVER}withdraw/",
        v.HandoverWithdrawView.as_view(),
        name="arrival-handover-withdraw",
    ),
]
