"""A district officer cannot see another district's arrivals by any URL or export
(issue 6, "done when"); the auditor reads arrivals but not their health data; the FAO
and the units see nothing of arrivals (security.md Z1, P2).

Every URL of the "arrivals" namespace is walked (``tests/lib/urlwalk.py``), so the pages
added later by any part of the app are held to the same rule without editing this file.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from tests.arrivals import matrix
from tests.lib.urlwalk import NON_MODEL_KWARGS, endpoints
from waishi.arrivals import services
from waishi.arrivals.models import HealthDeclaration
from waishi.orgs import scoping

DENIED = {401, 403, 404, 405}
DETOURS = ("/accounts/login/", "/accounts/otp/", "/accounts/reauth/")
SECRET_NAME = "邻区保密入境者"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# URL argument -> the matrix's builder of an object in another district (or in none).
KWARG_MODELS = {
    "arrival_pk": "arrivals.arrival",
    "arrival_step_pk": "arrivals.step",
    "source_pk": "arrivals.arrivalsource",
    "handover_pk": "arrivals.handover",
    "batch_pk": "arrivals.importbatch",
    "declaration_pk": "arrivals.healthdeclaration",
    "resident_pk": "arrivals.resident",
    "mplan_pk": "arrivals.managementplan",
    "plan_rule_pk": "arrivals.planrule",
    "campaign_pk": "arrivals.campaign",
}


def arrivals_endpoints():
    return [e for e in endpoints() if e.name.startswith("arrivals:")]


def _body(response) -> str:
    """A page's text, or an .xlsx's cells (a zip's bytes would hide any name)."""
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if response.get("Content-Type", "").startswith(XLSX):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return content.decode(errors="replace")


def _refused(response) -> bool:
    return response.status_code in DENIED or (
        response.status_code in (301, 302) and response["Location"].startswith(DETOURS)
    )


def _snapshot(obj) -> dict:
    return type(obj)._default_manager.filter(pk=obj.pk).values().first() or {}


def _tampering_payload(objects) -> dict[str, str]:
    from tests.test_access_matrix import _tampering_payload as payload

    return payload(objects)


@pytest.fixture
def foreign(cast, arrival, other_district, third_district):
    """Objects of other districts: {url kwarg: object}, plus a named arrival with a
    health declaration and a hand-over between two other districts."""
    world = SimpleNamespace(cast=cast)
    targets = {kwarg: matrix.BUILDERS[label](world) for kwarg, label in KWARG_MODELS.items()}
    secret = arrival(name=SECRET_NAME, district=other_district, route="ZZ999")
    HealthDeclaration.objects.create(
        arrival=secret, source=secret.sources.first(), symptoms=["fever"]
    )
    services.arrival_reassign(
        actor=cast["city_command"], arrival=secret, district=third_district, reason="核实住址"
    )
    return targets | {"secret": secret}


def _path(endpoint, targets) -> str:
    values = {p: targets[p].pk for p in endpoint.model_params}
    return endpoint.path(
        values | {p: NON_MODEL_KWARGS[p] for p in endpoint.params if p not in values}
    )


def _walk_refusals(client, user, targets, *, skip=lambda e: False) -> tuple[list[str], set[str]]:
    """GET and POST every arrivals URL that carries an object ``user`` may not see:
    each must be refused and change nothing. (failures, names of the URLs walked)"""
    failures: list[str] = []
    walked: set[str] = set()
    for endpoint in arrivals_endpoints():
        if not endpoint.model_params or skip(endpoint):
            continue
        objects = [targets[p] for p in endpoint.model_params]
        if all(scoping.can_see(user, o) for o in objects):
            continue  # configuration the role may read: not foreign
        walked.add(endpoint.name)
        path = _path(endpoint, targets)
        for method in ("get", "post"):
            before = [_snapshot(o) for o in objects]
            kwargs = {"data": _tampering_payload(objects)} if method == "post" else {}
            response = getattr(client, method)(path, **kwargs)
            if not _refused(response):
                failures.append(f"{method.upper()} {path} -> {response.status_code}")
            if [_snapshot(o) for o in objects] != before:
                failures.append(f"{method.upper()} {path} changed a foreign object")
    return failures, walked


# -- the district officer ----------------------------------------------------------------


def test_a_district_officer_reaches_no_foreign_arrival_by_any_url(foreign, cast, as_user):
    officer = cast["district_officer"]
    failures, walked = _walk_refusals(as_user("district_officer"), officer, foreign)
    assert failures == []
    # The walk covered the arrival's own pages and those of its parts.
    assert {
        "arrivals:arrival-detail",
        "arrivals:arrival-health",
        "arrivals:step-confirm",
        "arrivals:handover-detail",
    } <= walked


def test_no_list_or_export_of_an_officer_names_a_foreign_arrival(foreign, arrival, as_user):
    mine = arrival(name="本区入境者")
    client = as_user("district_officer")
    foreign_names = (SECRET_NAME, foreign["arrival_pk"].name)
    checked = []
    for endpoint in arrivals_endpoints():
        if endpoint.params:
            continue
        path = endpoint.path({})
        for query in (
            {},
            {"q": SECRET_NAME},
            {"q": "ZZ999"},
            {"district": foreign["secret"].district_id},
        ):
            response = client.get(path, query)
            if response.status_code != 200:
                continue
            body = _body(response).replace(f'value="{SECRET_NAME}"', "")
            for name in foreign_names:
                assert name not in body, f"{path} {query} shows {name}"
            checked.append(path)
    assert {"/arrivals/queue/", "/arrivals/export.xlsx"} <= set(checked)
    # The officer's own arrival is there: the check above can fail.
    assert mine.name in _body(client.get("/arrivals/queue/"))
    assert mine.name in _body(client.get("/arrivals/export.xlsx"))


def test_the_city_command_sees_every_district(foreign, as_user):
    client = as_user("city_command")
    assert SECRET_NAME in _body(client.get("/arrivals/"))
    assert SECRET_NAME in _body(client.get("/arrivals/export.xlsx"))
    secret = foreign["secret"]
    assert client.get(f"/arrivals/{secret.pk}/health/").status_code == 200


def test_the_officer_of_the_district_sees_its_arrival(foreign, third_officer):
    from django.test import Client

    from tests.conftest import login

    client = login(Client(), third_officer)
    secret = foreign["secret"]
    assert SECRET_NAME in _body(client.get("/arrivals/queue/"))
    assert client.get(f"/arrivals/{secret.pk}/").status_code == 200
    assert client.get(f"/arrivals/{secret.pk}/health/").status_code == 200


# -- the auditor, the FAO, the units -------------------------------------------------------


def test_the_auditor_reads_arrivals_but_not_health(foreign, as_user):
    client = as_user("auditor")
    secret = foreign["secret"]
    assert SECRET_NAME in _body(client.get("/arrivals/"))
    assert SECRET_NAME in _body(client.get("/arrivals/queue/"))
    assert SECRET_NAME in _body(client.get("/arrivals/export.xlsx"))
    assert client.get(f"/arrivals/{secret.pk}/").status_code == 200
    health = client.get(f"/arrivals/{secret.pk}/health/")
    assert health.status_code == 403
    # Nor can the auditor act.
    step = secret.steps.order_by("sequence").first()
    assert client.post(f"/arrivals/steps/{step.pk}/confirm/").status_code in DENIED
    step.refresh_from_db()
    assert step.done_at is None


@pytest.mark.parametrize(
    "role", ["fao_reviewer", "fao_head", "committee", "unit_clerk", "unit_leader", "sys_admin"]
)
def test_the_fao_and_the_units_see_nothing_of_arrivals(foreign, arrival, cast, as_user, role):
    """Every arrivals URL is refused, with the arrival of the officer's own district or of
    another. The FAO follows foreign residents (their pages apart)."""
    mine = arrival(name="本区入境者")
    client = as_user(role)
    reads_residents = role in ("fao_reviewer", "fao_head")
    targets = foreign | {"arrival_pk": mine}
    failures = []
    for endpoint in arrivals_endpoints():
        if reads_residents and "resident" in endpoint.name:
            continue
        path = _path(endpoint, targets)
        response = client.get(path)
        if not _refused(response):
            failures.append(f"GET {path} -> {response.status_code}")
        elif response.status_code == 200:
            body = _body(response)
            assert SECRET_NAME not in body and mine.name not in body
    assert failures == []
