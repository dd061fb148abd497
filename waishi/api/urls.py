from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from waishi.api import (
    change_urls,
    followup_views,
    mission_views,
    pages,
    passport_views,
    policy_views,
    report_views,
    trip_views,
    views,
)

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
    # The trip after approval (waishi.missions.trip.services). The approver's "return" of an
    # application has missions/<id>/return/ already: the delegation's return is come-back.
    path(
        "v1/missions/<int:mission_pk>/readiness/",
        trip_views.MissionReadinessView.as_view(),
        name="mission-readiness",
    ),
    path(
        "v1/missions/<int:mission_pk>/education/",
        trip_views.MissionEducationView.as_view(),
        name="mission-education",
    ),
    path(
        "v1/missions/<int:mission_pk>/depart/",
        trip_views.MissionDepartView.as_view(),
        name="mission-depart",
    ),
    path(
        "v1/missions/<int:mission_pk>/come-back/",
        trip_views.MissionComeBackView.as_view(),
        name="mission-come-back",
    ),
    path(
        "v1/missions/<int:mission_pk>/close/",
        trip_views.MissionCloseView.as_view(),
        name="mission-close",
    ),
    path(
        "v1/missions/<int:mission_pk>/incidents/",
        trip_views.IncidentCollectionView.as_view(),
        name="incident-list",
    ),
    path(
        "v1/missions/<int:mission_pk>/incidents/<int:incident_pk>/",
        trip_views.IncidentView.as_view(),
        name="incident-detail",
    ),
    # The trip report (waishi.missions.report.services), reached through its trip.
    path("v1/reports/", report_views.ReportListView.as_view(), name="report-list"),
    path(
        "v1/missions/<int:mission_pk>/report/",
        report_views.ReportView.as_view(),
        name="report-detail",
    ),
    path(
        "v1/missions/<int:mission_pk>/report/document/",
        report_views.ReportDocumentView.as_view(),
        name="report-document",
    ),
    path(
        "v1/missions/<int:mission_pk>/report/publish/",
        report_views.ReportPublishView.as_view(),
        name="report-publish",
    ),
    path(
        "v1/missions/<int:mission_pk>/report/submit/",
        report_views.ReportSubmitView.as_view(),
        name="report-submit",
    ),
    path(
        "v1/missions/<int:mission_pk>/report/accept/",
        report_views.ReportAcceptView.as_view(),
        name="report-accept",
    ),
    path(
        "v1/missions/<int:mission_pk>/report/return/",
        report_views.ReportReturnView.as_view(),
        name="report-return",
    ),
    # Official passports (waishi.passports).
    path("v1/passports/", passport_views.PassportListView.as_view(), name="passport-list"),
    path(
        "v1/passports/<int:passport_pk>/",
        passport_views.PassportView.as_view(),
        name="passport-detail",
    ),
    path(
        "v1/passports/return/",
        passport_views.PassportReturnManyView.as_view(),
        name="passport-return-many",
    ),
    path(
        "v1/passports/<int:passport_pk>/return/",
        passport_views.PassportReturnView.as_view(),
        name="passport-return",
    ),
    path(
        "v1/passports/<int:passport_pk>/issue/",
        passport_views.PassportIssueView.as_view(),
        name="passport-issue",
    ),
    path(
        "v1/passports/<int:passport_pk>/number/",
        passport_views.PassportNumberView.as_view(),
        name="passport-number",
    ),
    path("v1/custody/", passport_views.CustodyListView.as_view(), name="custody-list"),
    # Outcomes followed to done (waishi.followups).
    path("v1/followups/", followup_views.OutcomeCollectionView.as_view(), name="followup-list"),
    path(
        "v1/followups/<int:outcome_pk>/",
        followup_views.OutcomeView.as_view(),
        name="followup-detail",
    ),
    path(
        "v1/followups/<int:outcome_pk>/progress/",
        followup_views.OutcomeProgressView.as_view(),
        name="followup-progress",
    ),
    path(
        "v1/followups/<int:outcome_pk>/complete/",
        followup_views.OutcomeCompleteView.as_view(),
        name="followup-complete",
    ),
    path(
        "v1/followups/<int:outcome_pk>/drop/",
        followup_views.OutcomeDropView.as_view(),
        name="followup-drop",
    ),
    path(
        "v1/followups/<int:outcome_pk>/reassign/",
        followup_views.OutcomeReassignView.as_view(),
        name="followup-reassign",
    ),
    path(
        "v1/followups/updates/<int:update_pk>/evidence/",
        followup_views.EvidenceView.as_view(),
        name="followup-evidence",
    ),
    *change_urls.urlpatterns,
    # Any other v1 path ending in "/": the API's JSON 404. A path without the slash is
    # left to APPEND_SLASH, so /api/v1/me still finds /api/v1/me/.
    re_path(r"^v1/(?:.*/)?$", views.NotFoundView.as_view(), name="not-found"),
]

# The annual plan and arrivals, before the catch-all 404 (the last pattern).
from waishi.api import arrival_urls, plan_urls  # noqa: E402

urlpatterns[-1:-1] = [*plan_urls.urlpatterns, *arrival_urls.urlpatterns]
from waishi.api import committee_urls  # noqa: E402

urlpatterns[-1:-1] = committee_urls.urlpatterns
