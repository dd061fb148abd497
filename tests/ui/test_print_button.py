"""A print button on the trip record and on the lists: one include, shown by a script the
CSP allows (no inline handler), with a hint when scripts do not run."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import PersonFactory
from tests.missions.conftest import build_mission

pytestmark = pytest.mark.django_db

PAGES = {
    "unit_clerk": ["missions:list", "passports:list", "orgs:person-list", "orgs:unit-list",
                   "plans:plan-list", "followups:list"],
    "city_command": ["arrivals:board"],
    "district_officer": ["arrivals:queue"],
}  # fmt: skip


def _has_button(body: str) -> bool:
    return (
        "data-print-button" in body
        and 'data-testid="print-hint"' in body  # inside <noscript>
        and "waishi/print.js" in body
        and "onclick" not in body.split("data-print-button", 1)[1].split(">", 1)[0]
    )


@pytest.mark.parametrize(("role", "name"), [(r, n) for r, ns in PAGES.items() for n in ns])
def test_each_list_has_the_print_button(as_user, role, name):
    response = as_user(role).get(reverse(name))
    assert response.status_code == 200, name
    assert _has_button(response.content.decode()), name


def test_the_trip_record_has_it(as_user, cast, home_unit):
    mission = build_mission(cast["unit_clerk"], [PersonFactory(unit=home_unit)])
    body = (
        as_user("unit_clerk")
        .get(reverse("missions:detail", kwargs={"mission_pk": mission.pk}))
        .content.decode()
    )
    assert _has_button(body)


def test_the_script_shows_the_button_and_prints(as_user):
    path = finders.find("waishi/print.js")
    assert path
    with open(path, encoding="utf-8") as handle:
        script = handle.read()
    assert "window.print()" in script and "hidden = false" in script
    # Hidden until the script runs, and never on paper.
    body = as_user("unit_clerk").get(reverse("missions:list")).content.decode()
    tag = body[body.rindex("<button", 0, body.index("data-print-button")) :].split(">", 1)[0]
    assert " hidden" in tag and "d-print-none" in tag
