from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from waishi.api import mission_views, pages, policy_views, views

app_name = "api"

urlpatterns = [
    # Pages for people.
    path("tokens/", pages.token_list, name="token-list"),
    path("tokens/new/", pages.token_create, name="token-create"),
    path("tokens/<str:token_prefix>/revoke/", pages.token_revoke, name="token-revoke"),
    # The schema and its documentation, for signed-in users and token holders only.
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path(
        "docs/",
        # The split view serves its start-up script as a file, not inline.
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", permission_classes=[IsAuthenticated]
            )
        ),
        name="docs",
    ),
    # Version 1 of the API.
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/districts/", views.DistrictListView.as_view(), name="district-list"),
    path("v1/units/", views.UnitListView.as_view(), name="unit-list"),
    path("v1/units/<int:unit_pk>/", views.UnitDetailView.as_view(), name="unit-detail"),
    path("v1/people/", views.PersonListView.as_view(), name="person-list"),
    path("v1/people/<int:person_pk>/", views.PersonDetailView.as_view(), name="person-detail"),
    # The contract spells it without the slash; a POST cannot follow APPEND_SLASH's redirect.
    path("v1/policy/check", policy_views.PolicyCheckView.as_view(), name="policy-check"),
    path("v1/policy/check/", policy_views.PolicyCheckSlashView.as_view()),
    # Trip applications (waishi.missions).
    path("v1/missions/", mission_views.MissionCollectionView.as_view(), name="mission-list"),
    path(
        "v1/missions/<int:mission_pk>/",
        mission_views.MissionView.as_view(),
        name="mission-detail",
    ),
    path(
        "v1/missions/<int:mission_pk>/letter/",
        mission_views.MissionLetterView.as_view(),
        name="mission-letter",
    ),
    path(
        "v1/missions/<int:mission_pk>/submit/",
        mission_views.MissionSubmitView.as_view(),
        name="mission-submit",
    ),
    path(
        "v1/missions/<int:mission_pk>/approve/",
        mission_views.MissionApproveView.as_view(),
        name="mission-approve",
    ),
    path(
        "v1/missions/<int:mission_pk>/return/",
        mission_views.MissionReturnView.as_view(),
        name="mission-return",
    ),
    path(
        "v1/missions/<int:mission_pk>/reject/",
        mission_views.MissionRejectView.as_view(),
        name="mission-reject",
    ),
    # Any other v1 path ending in "/": the API's JSON 404. A path without the slash is
    # left to APPEND_SLASH, so /api/v1/me still finds /api/v1/me/.
    re_path(r"^v1/(?:.*/)?$", views.NotFoundView.as_view(), name="not-found"),
]
