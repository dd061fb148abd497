"""The district's actions on an arrival (``waishi.arrivals.action_views``): confirming
steps, hand-overs between districts, the city command's reassignment."""

from django.urls import path

from waishi.arrivals import action_views as views

urlpatterns: list = [
    path("steps/<int:arrival_step_pk>/confirm/", views.step_confirm, name="step-confirm"),
    path("handovers/", views.handover_list, name="handover-list"),
    path("handovers/<int:handover_pk>/", views.handover_detail, name="handover-detail"),
    path("<int:arrival_pk>/handover/", views.handover_request, name="handover-request"),
    path("<int:arrival_pk>/reassign/", views.arrival_reassign, name="arrival-reassign"),
]
