"""URLs of departure, return, closing and incidents (included by ``missions/urls.py``)."""

from __future__ import annotations

from django.urls import path

from waishi.missions import trip_views

urlpatterns = [
    path("<int:mission_pk>/travel/", trip_views.mission_travel, name="travel"),
    path("<int:mission_pk>/travel/depart/", trip_views.mission_depart, name="depart"),
    path("<int:mission_pk>/travel/return/", trip_views.mission_come_back, name="come-back"),
    path("<int:mission_pk>/travel/close/", trip_views.mission_close, name="close"),
    path("<int:mission_pk>/incidents/new/", trip_views.incident_create, name="incident-create"),
    path(
        "<int:mission_pk>/incidents/<int:incident_pk>/",
        trip_views.incident_edit,
        name="incident-edit",
    ),
]
