"""URLs of change requests and itinerary versions (included by ``missions/urls.py``)."""

from __future__ import annotations

from django.urls import path

from waishi.missions.changes import views as change_views

urlpatterns = [
    path("<int:mission_pk>/changes/", change_views.mission_changes, name="changes"),
    path("<int:mission_pk>/changes/new/", change_views.change_create, name="change-create"),
    path("<int:mission_pk>/changes/check/", change_views.change_check, name="change-check"),
    path(
        "<int:mission_pk>/changes/<int:change_pk>/",
        change_views.change_detail,
        name="change-detail",
    ),
    path(
        "<int:mission_pk>/changes/<int:change_pk>/edit/",
        change_views.change_edit,
        name="change-edit",
    ),
    path(
        "<int:mission_pk>/changes/<int:change_pk>/withdraw/",
        change_views.change_withdraw,
        name="change-withdraw",
    ),
    path(
        "<int:mission_pk>/changes/<int:change_pk>/decide/",
        change_views.change_decide,
        name="change-decide",
    ),
    path(
        "<int:mission_pk>/changes/<int:change_pk>/compare/",
        change_views.change_compare,
        name="change-compare",
    ),
    path(
        "<int:mission_pk>/versions/<int:version_pk>/",
        change_views.version_compare,
        name="version-compare",
    ),
]
