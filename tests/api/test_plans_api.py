"""The annual plan over the API: plans, entries, quotas and their decisions, through the
same services and scoping as the plan pages. Each operation is compared with what the page
(or the service it calls) leaves in the database; every role gets the status the pages'
rules give it; another unit's entry or quota is 404; a retry with the same Idempotency-Key
acts once; bad input is refused in the one error shape and changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.api.conftest import error, ok, send
from tests.plans.conftest import YEAR, accept, entry_values
from waishi.audit.models import AuditEvent
from waishi.plans import services
from waishi.plans.models import EntryState, PlanEntry, PlanState, PlanYear, Quota

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/plans/"
TOO_BIG = 2**63  # one more than a database key holds

ENTRY = {
    "title": "赴日本经贸交流团",
    "purpose": "拜访合作机构，推介投资环境。",
    "countries": ["jp", "KR"],
    "ranks": ["section_below", "county_division", "section_below"],
    "category": "econ_tech",
    "expected_month": 5,
    "budget_estimate": "98000.00",
}


def trail(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def entry_row(entry) -> dict:
    fields = (
        "title",
        "purpose",
        "countries",
        "size",
        "ranks",
        "expected_month",
        "budget_estimate",
        "category",
        "state",
        "unit_id",
        "plan_id",
        "review_comment",
    )
    return PlanEntry.objects.filter(pk=entry.pk).values(*fields).get()


def everything() -> tuple:
    """The plan's tables and the audit trail, to show a refusal changed nothing."""
    return (
        list(PlanYear.objects.order_by("pk").values()),
        list(PlanEntry.objects.order_by("pk").values()),
        list(Quota.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def plan(cast):
    return services.plan_open(
        actor=cast["fao_head"], year=YEAR, deadline=timezone.localdate() + timedelta(days=30)
    )


@pytest.fixture
def draft(cast, plan):
    return services.entry_create(actor=cast["unit_clerk"], plan=plan, **entry_values())


@pytest.fixture
def foreign_entry(cast, plan):
    return services.entry_create(actor=cast["outsider"], plan=plan, **entry_values())


# --- the whole way, through the API ---------------------------------------------------------


def test_a_plan_goes_from_opening_to_an_approved_amendment_through_the_api(api_as, cast, home_unit):
    head, clerk, leader = api_as("fao_head"), api_as("unit_clerk"), api_as("unit_leader")
    reviewer, committee = api_as("fao_reviewer"), api_as("committee")
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()

    plan = ok(send(head, "post", PLANS, {"year": YEAR, "deadline": deadline}), 201)
    assert plan["state"] == "open" and plan["version"] == 0
    assert plan["actions"]["edit"] and not plan["actions"]["approve"]
    base = f"{PLANS}{plan['id']}/"
    later = (timezone.localdate() + timedelta(days=40)).isoformat()
    assert ok(send(head, "patch", base, {"deadline": later}))["deadline"] == later

    entry = ok(send(clerk, "post", f"{base}entries/", ENTRY), 201)
    assert entry["state"] == "draft" and entry["size"] == 3
    assert entry["countries"] == ["JP", "KR"]
    assert entry["ranks"] == ["county_division", "section_below", "section_below"]
    assert entry["unit"]["id"] == home_unit.pk
    assert entry["actions"]["edit"] and entry["actions"]["delete"]
    url = f"{PLANS}entries/{entry['id']}/"
    assert ok(leader.get(url))["actions"]["submit"]

    assert ok(send(leader, "post", f"{url}submit/"))["state"] == "submitted"
    returned = ok(send(reviewer, "post", f"{url}return/", {"comment": "预算偏高"}))
    assert returned["state"] == "returned" and returned["review_comment"] == "预算偏高"
    changed = ok(send(clerk, "patch", url, {"budget_estimate": "80000", "ranks": ["bureau"]}))
    assert changed["budget_estimate"] == "80000.00" and changed["size"] == 1
    ok(send(leader, "post", f"{url}submit/"))
    assert ok(send(reviewer, "post", f"{url}accept/", {"comment": "同意"}))["state"] == "accepted"

    quota = ok(
        send(
            reviewer,
            "post",
            f"{base}quotas/",
            {"unit": home_unit.pk, "category": "econ_tech", "batches": 2, "person_trips": 6},
        ),
        201,
    )
    quota = ok(
        send(head, "patch", f"{PLANS}quotas/{quota['id']}/", {"batches": 3, "person_trips": 9})
    )
    assert (quota["batches"], quota["person_trips"], quota["batches_left"]) == (3, 9, 3)

    assert ok(send(head, "post", f"{base}consolidate/"))["state"] == "consolidated"
    approved = ok(send(committee, "post", f"{base}approve/"))
    assert (approved["state"], approved["version"]) == ("approved", 1)
    bound = ok(clerk.get(url))
    assert bound["state"] == "approved" and bound["is_bound"]
    assert [v["plan_version"] for v in bound["versions"]] == [1]

    # An amendment: re-opened, changed, submitted, accepted, approved by the committee.
    ok(send(clerk, "post", f"{url}amend/"))
    ok(send(clerk, "patch", url, {"expected_month": 9}))
    ok(send(leader, "post", f"{url}submit/"))
    ok(send(reviewer, "post", f"{url}accept/"))
    amended = ok(send(committee, "post", f"{url}approve/"))
    assert amended["state"] == "approved" and amended["expected_month"] == 9
    assert [v["plan_version"] for v in amended["versions"]] == [2, 1]
    assert PlanYear.objects.get(pk=plan["id"]).version == 2

    # What the services record, in order: the same events as the pages leave.
    stored = PlanEntry.objects.get(pk=entry["id"])
    assert trail(stored) == [
        "plans.entry.create",
        "plans.entry.submit",
        "plans.entry.return",
        "plans.entry.update",
        "plans.entry.submit",
        "plans.entry.accept",
        "plans.entry.approve",
        "plans.entry.amend",
        "plans.entry.update",
        "plans.entry.submit",
        "plans.entry.accept",
        "plans.entry.approve",
    ]
    assert trail(PlanYear.objects.get(pk=plan["id"])) == [
        "plans.plan.open",
        "plans.plan.update",
        "plans.plan.consolidate",
        "plans.plan.approve",
        "plans.plan.amended",
    ]


def test_an_entry_drafted_through_the_api_is_the_entry_the_page_drafts(api_as, as_user, plan, cast):
    ok(send(api_as("unit_clerk"), "post", f"{PLANS}{plan.pk}/entries/", ENTRY), 201)
    page = as_user("unit_clerk").post(
        f"/plans/{plan.pk}/entries/new/",
        {
            "title": ENTRY["title"],
            "purpose": ENTRY["purpose"],
            "countries": ["JP", "KR"],
            "category": "econ_tech",
            "expected_month": "5",
            "budget_estimate": "98000.00",
            "rank_section_below": "2",
            "rank_county_division": "1",
        },
    )
    assert page.status_code == 302, page.content
    by_api, by_page = PlanEntry.objects.filter(plan=plan).order_by("pk")
    assert entry_row(by_api) == entry_row(by_page)
    assert trail(by_api) == trail(by_page) == ["plans.entry.create"]


def test_the_plan_decisions_leave_what_the_page_buttons_leave(api_as, as_user, cast, plan, draft):
    accept(cast, draft)
    ok(send(api_as("fao_head"), "post", f"{PLANS}{plan.pk}/consolidate/"))
    ok(send(api_as("committee"), "post", f"{PLANS}{plan.pk}/reopen/", {"comment": "再议"}))
    as_user("fao_head").post(f"/plans/{plan.pk}/transition/", {"action": "consolidate"})
    as_user("committee").post(
        f"/plans/{plan.pk}/transition/", {"action": "reopen", "comment": "再议"}
    )
    events = list(
        AuditEvent.objects.filter(object_type="plans.planyear", object_id=str(plan.pk))
        .order_by("seq")
        .values_list("action", "data")
    )
    by_api, by_page = events[1:3], events[3:5]
    assert [a for a, _d in by_api] == [a for a, _d in by_page]
    assert by_api[1][1]["comment"] == by_page[1][1]["comment"] == "再议"
    assert PlanYear.objects.get(pk=plan.pk).state == PlanState.OPEN


def test_a_refused_transition_says_why_and_changes_nothing(api_as, plan, draft):
    head = api_as("fao_head")
    before = everything()
    body = error(send(head, "post", f"{PLANS}{plan.pk}/consolidate/"), 400)
    assert body["fields"]["non_field_errors"] == ["尚无已受理的计划条目。"]  # none accepted yet
    assert everything() == before


def test_deleting_a_draft_entry(api_as, draft):
    response = send(api_as("unit_clerk"), "delete", f"{PLANS}entries/{draft.pk}/")
    assert response.status_code == 204
    assert not PlanEntry.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="plans.entry.delete").count() == 1


def test_a_submitted_entry_is_neither_changed_nor_deleted(api_as, cast, draft):
    services.entry_submit(actor=cast["unit_leader"], entry=draft)
    clerk = api_as("unit_clerk")
    before = everything()
    error(send(clerk, "patch", f"{PLANS}entries/{draft.pk}/", {"title": "改"}), 400)
    error(send(clerk, "delete", f"{PLANS}entries/{draft.pk}/"), 400)
    assert everything() == before


# --- who may --------------------------------------------------------------------------------

READERS = {"unit_clerk", "unit_leader", "fao_reviewer", "fao_head", "committee", "auditor"}


@pytest.mark.parametrize(
    "role",
    [
        "unit_clerk",
        "unit_leader",
        "fao_reviewer",
        "fao_head",
        "committee",
        "auditor",
        "district_officer",
        "city_command",
        "sys_admin",
        "security_admin",
        "audit_admin",
        "outsider",
    ],
)
def test_each_role_gets_what_the_plan_pages_give_it(
    api_as, as_user, cast, role, plan, draft, foreign_entry, home_unit
):
    quota = services.quota_set(
        actor=cast["fao_head"],
        plan=plan,
        unit=home_unit,
        category="general",
        batches=1,
        person_trips=2,
    )
    client = api_as(role)
    reads = role in READERS or role == "outsider"
    own_unit = role in ("unit_clerk", "unit_leader")
    city = role in ("fao_reviewer", "fao_head", "committee", "auditor")
    expected_plan = 200 if reads else 403
    assert client.get(PLANS).status_code == expected_plan
    assert client.get(f"{PLANS}{plan.pk}/").status_code == expected_plan
    assert client.get(f"{PLANS}{plan.pk}/entries/").status_code == expected_plan
    home_entry = 200 if (own_unit or city) else (404 if reads else 403)
    foreign = 200 if (city or role == "outsider") else (404 if reads else 403)
    assert client.get(f"{PLANS}entries/{draft.pk}/").status_code == home_entry
    assert client.get(f"{PLANS}entries/{foreign_entry.pk}/").status_code == foreign
    assert client.get(f"{PLANS}quotas/{quota.pk}/").status_code == home_entry
    # The page answers the same way (the page's 403 and 404 for the same reasons).
    page = as_user(role).get(f"/plans/entries/{foreign_entry.pk}/")
    assert page.status_code == (foreign if foreign != 403 else page.status_code)
    if reads:
        ids = [e["id"] for e in ok(client.get(f"{PLANS}{plan.pk}/entries/"))["results"]]
        shown = (
            {draft.pk, foreign_entry.pk}
            if city
            else ({draft.pk} if own_unit else {foreign_entry.pk})
        )
        assert set(ids) == shown


def test_another_units_entry_and_quota_are_not_found_for_any_write(
    api_as, cast, plan, foreign_entry, foreign_unit
):
    quota = services.quota_set(
        actor=cast["fao_head"],
        plan=plan,
        unit=foreign_unit,
        category="general",
        batches=1,
        person_trips=2,
    )
    clerk, leader = api_as("unit_clerk"), api_as("unit_leader")
    before = everything()
    url = f"{PLANS}entries/{foreign_entry.pk}/"
    error(send(clerk, "patch", url, {"title": "改"}), 404)
    error(send(clerk, "delete", url), 404)
    error(send(leader, "post", f"{url}submit/"), 404)
    error(send(clerk, "post", f"{url}amend/"), 404)
    error(leader.get(f"{PLANS}quotas/{quota.pk}/"), 404)
    assert everything() == before


def test_a_role_that_never_takes_an_action_is_forbidden(api_as, plan, draft):
    clients = {
        r: api_as(r)
        for r in ("unit_clerk", "unit_leader", "auditor", "fao_reviewer", "fao_head", "committee")
    }
    before = everything()
    for role, path, data in (
        ("unit_clerk", f"{PLANS}entries/{draft.pk}/submit/", {}),  # the leader submits
        ("unit_leader", f"{PLANS}entries/{draft.pk}/", {"title": "改"}),  # the clerk edits
        ("auditor", f"{PLANS}entries/{draft.pk}/accept/", {}),  # reads only
        ("fao_reviewer", f"{PLANS}{plan.pk}/consolidate/", {}),  # the head's
        ("fao_head", f"{PLANS}{plan.pk}/approve/", {}),  # the committee's
        ("unit_clerk", PLANS, {"year": 2040, "deadline": "2040-01-31"}),  # the FAO's
        ("committee", f"{PLANS}{plan.pk}/quotas/", {}),
    ):
        method = "patch" if path.endswith(f"{draft.pk}/") else "post"
        assert error(send(clients[role], method, path, data), 403)["code"] == "permission_denied"
    assert everything() == before


# --- retries and bad input ------------------------------------------------------------------


def test_a_retried_entry_with_the_same_key_is_created_once(api_as, plan):
    clerk = api_as("unit_clerk")
    first = send(clerk, "post", f"{PLANS}{plan.pk}/entries/", ENTRY, key="entry-1")
    again = send(clerk, "post", f"{PLANS}{plan.pk}/entries/", ENTRY, key="entry-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert PlanEntry.objects.filter(plan=plan).count() == 1
    other = dict(ENTRY, title="另一个团组")
    reused = send(clerk, "post", f"{PLANS}{plan.pk}/entries/", other, key="entry-1")
    assert error(reused, 422)["code"] == "idempotency_key_reused"
    assert PlanEntry.objects.filter(plan=plan).count() == 1


def test_a_retried_decision_with_the_same_key_acts_once(api_as, cast, draft):
    leader = api_as("unit_leader")
    url = f"{PLANS}entries/{draft.pk}/submit/"
    ok(send(leader, "post", url, key="submit-1"))
    again = send(leader, "post", url, key="submit-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert trail(draft).count("plans.entry.submit") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"countries": ["CN"]}, "countries"),
        ({"countries": ["XX"]}, "countries"),
        ({"countries": []}, "countries"),
        ({"ranks": []}, "ranks"),
        ({"ranks": ["general"]}, "ranks[0]"),
        ({"expected_month": 13}, "expected_month"),
        ({"expected_month": TOO_BIG}, "expected_month"),
        ({"budget_estimate": "-1"}, "budget_estimate"),
        ({"budget_estimate": "1e20"}, "budget_estimate"),
        ({"category": "tourism"}, "category"),
        ({"title": ""}, "title"),
        ({"title": "长" * 101}, "title"),
    ],
)
def test_a_bad_entry_is_refused_by_field_and_changes_nothing(api_as, plan, draft, change, field):
    clerk = api_as("unit_clerk")
    before = everything()
    body = error(send(clerk, "post", f"{PLANS}{plan.pk}/entries/", dict(ENTRY, **change)), 400)
    assert body["code"] == "invalid" and field in body["fields"], body
    body = error(send(clerk, "patch", f"{PLANS}entries/{draft.pk}/", change), 400)
    assert field in body["fields"], body
    assert everything() == before


def test_integers_beyond_a_database_key_are_refused_with_400(api_as, plan, draft):
    fao = api_as("fao_head")
    before = everything()
    for query in ({"unit": TOO_BIG}, {"unit": 0}, {"unit": "x"}, {"state": "gone"}):
        body = error(fao.get(f"{PLANS}{plan.pk}/entries/", query), 400)
        assert set(body["fields"]) <= {"unit", "state"}
    error(fao.get(f"{PLANS}{plan.pk}/quotas/", {"unit": TOO_BIG}), 400)
    body = error(
        send(
            fao,
            "post",
            f"{PLANS}{plan.pk}/quotas/",
            {"unit": TOO_BIG, "category": "general", "batches": 1, "person_trips": 1},
        ),
        400,
    )
    assert "unit" in body["fields"]
    body = error(send(fao, "post", PLANS, {"year": TOO_BIG, "deadline": "2040-01-31"}), 400)
    assert "year" in body["fields"]
    # A path id beyond a database key is refused as every API path is (api.fields.check_path).
    for path in (f"{PLANS}{TOO_BIG}/", f"{PLANS}entries/{TOO_BIG}/", f"{PLANS}quotas/{TOO_BIG}/"):
        error(fao.get(path), 400)
    assert everything() == before


def test_a_quota_below_what_was_used_is_refused(api_as, cast, plan, home_unit):
    quota = services.quota_set(
        actor=cast["fao_head"],
        plan=plan,
        unit=home_unit,
        category="general",
        batches=3,
        person_trips=5,
    )
    Quota.objects.filter(pk=quota.pk).update(batches_used=2, person_trips_used=4)
    reviewer = api_as("fao_reviewer")
    before = everything()
    body = error(
        send(
            reviewer,
            "patch",
            f"{PLANS}quotas/{quota.pk}/",
            {"batches": 1, "person_trips": 5},
        ),
        400,
    )
    assert "batches" in body["fields"]
    assert everything() == before


def test_setting_an_existing_quota_through_the_collection_changes_it(api_as, cast, plan, home_unit):
    quota = services.quota_set(
        actor=cast["fao_head"],
        plan=plan,
        unit=home_unit,
        category="general",
        batches=3,
        person_trips=5,
    )
    response = send(
        api_as("fao_reviewer"),
        "post",
        f"{PLANS}{plan.pk}/quotas/",
        {"unit": home_unit.pk, "category": "general", "batches": 4, "person_trips": 6},
    )
    assert ok(response)["id"] == quota.pk
    quota.refresh_from_db()
    assert (quota.batches, quota.person_trips) == (4, 6)
    assert Quota.objects.filter(plan=plan).count() == 1


def test_a_second_plan_for_a_year_is_refused(api_as, plan):
    head = api_as("fao_head")
    before = everything()
    body = error(send(head, "post", PLANS, {"year": YEAR, "deadline": "2031-01-31"}), 400)
    assert "year" in body["fields"]
    assert everything() == before


def test_the_schema_describes_the_plan_endpoints(api_as):
    schema = json.loads(api_as("fao_head").get("/api/schema/", {"format": "json"}).content)
    paths = schema["paths"]
    assert {
        "/api/v1/plans/",
        "/api/v1/plans/{plan_pk}/",
        "/api/v1/plans/{plan_pk}/entries/",
        "/api/v1/plans/{plan_pk}/quotas/",
        "/api/v1/plans/entries/{entry_pk}/",
        "/api/v1/plans/entries/{entry_pk}/return/",
        "/api/v1/plans/quotas/{quota_pk}/",
    } <= set(paths)
    components = schema["components"]["schemas"]
    assert components["PlanEntryState"]["enum"] == [s.value for s in EntryState]
    assert components["PlanState"]["enum"] == [s.value for s in PlanState]
    create = components["EntryInput"]
    assert set(create["required"]) >= {"title", "countries", "ranks", "budget_estimate"}
    query = {p["name"]: p for p in paths["/api/v1/plans/{plan_pk}/entries/"]["get"]["parameters"]}
    assert query["unit"]["schema"]["maximum"] == 2**63 - 1
    assert query["state"]["schema"]["allOf"][0]["$ref"].endswith("/PlanEntryStateOrBlank")
    headers = [p["name"] for p in paths["/api/v1/plans/entries/{entry_pk}/"]["patch"]["parameters"]]
    assert "Idempotency-Key" in headers
    assert Decimal(ENTRY["budget_estimate"])  # the example is a valid amount
