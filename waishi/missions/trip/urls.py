"""URLs of the pre-departure checklist, departure, return, closing and incidents (included
by ``missions/urls.py``)."""

from __future__ import annotations

from django.urls import path

from waishi.missions.trip import predeparture_views
from waishi.missions.trip import views as trip_views

urlpatterns = [
    path(
        "<int:mission_pk>/predeparture/",
        predeparture_views.mission_predeparture,
        name="predeparture",
    ),
    path(
        "<int:mission_pk>/predeparture/acknowledge/",
        predeparture_views.mission_leader_acknowledge,
        name="leader-acknowledge",
    ),
    path(
        "<int:mission_pk>/predeparture/education/",
        predeparture_views.mission_education_all,
        name="education-all",
    ),
    path(
        "<int:mission_pk>/predeparture/members/<int:member_pk>/education/",
        predeparture_views.mission_member_education,
        name="education",
    ),
    path(
        "<int:mission_pk>/predeparture/party-branch/",
        predeparture_views.mission_party_branch,
        name="party-branch",
    ),
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
