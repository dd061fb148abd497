"""The API's routes of the annual plan (``plan_views``), put into ``waishi.api.urls``
before its catch-all 404. Names start with ``plan-``; the URL arguments name the models
scoping registered (``plan_pk``, ``entry_pk``, ``quota_pk``)."""

from django.urls import path

from waishi.api import plan_views as v

PLAN = "v1/plans/<int:plan_pk>/"
ENTRY = "v1/plans/entries/<int:entry_pk>/"

urlpatterns = [
    path("v1/plans/", v.PlanCollectionView.as_view(), name="plan-list"),
    path(PLAN, v.PlanView.as_view(), name="plan-detail"),
    path(f"{PLAN}consolidate/", v.PlanConsolidateView.as_view(), name="plan-consolidate"),
    path(f"{PLAN}reopen/", v.PlanReopenView.as_view(), name="plan-reopen"),
    path(f"{PLAN}approve/", v.PlanApproveView.as_view(), name="plan-approve"),
    path(f"{PLAN}entries/", v.EntryCollectionView.as_view(), name="plan-entry-list"),
    path(f"{PLAN}quotas/", v.QuotaCollectionView.as_view(), name="plan-quota-list"),
    path(
        f"{PLAN}entries/copy-last-year/",
        v.EntryCopyLastYearView.as_view(),
        name="plan-entry-copy-last-year",
    ),
    path(
        f"{PLAN}quotas/copy-last-year/",
        v.QuotaCopyLastYearView.as_view(),
        name="plan-quota-copy-last-year",
    ),
    path(ENTRY, v.EntryView.as_view(), name="plan-entry-detail"),
    path(f"{ENTRY}submit/", v.EntrySubmitView.as_view(), name="plan-entry-submit"),
    path(f"{ENTRY}accept/", v.EntryAcceptView.as_view(), name="plan-entry-accept"),
    path(f"{ENTRY}return/", v.EntryReturnView.as_view(), name="plan-entry-return"),
    path(f"{ENTRY}approve/", v.EntryApproveView.as_view(), name="plan-entry-approve"),
    path(f"{ENTRY}amend/", v.EntryAmendView.as_view(), name="plan-entry-amend"),
    path(f"{ENTRY}discard/", v.EntryDiscardView.as_view(), name="plan-entry-discard"),
    path("v1/plans/quotas/<int:quota_pk>/", v.QuotaView.as_view(), name="plan-quota-detail"),
]
