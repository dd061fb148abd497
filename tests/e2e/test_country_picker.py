"""Country pickers in the browser: type a name, its pinyin or its initials and the country
is found; choose it with the mouse or the keyboard; the form saves it. The plan entry
takes several, each a chip with a button to remove it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import log_in
from tests.factories import PersonFactory
from tests.missions.conftest import build_mission
from waishi.missions.models import Stop
from waishi.plans import services as plan_services
from waishi.plans.models import PlanEntry


def _context(browser, **kwargs):
    return browser.new_context(
        viewport=kwargs.pop("viewport", {"width": 1366, "height": 900}), locale="zh-CN"
    )


def _results(page, select_id: str):
    return page.locator(f"#{select_id}-ts-dropdown .option")


def _open(page, select_id: str):
    """Click the picker (its box: the text field inside hides while a choice shows) and
    give back the text field, now focused."""
    field = page.locator(f"#{select_id}-ts-control")
    field.locator("..").click()
    return field


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_find_a_stop_country_by_pinyin_initials_or_name_and_save_it(
    live_server, browser, cast, home_unit
):
    base = live_server.url
    people = [PersonFactory(unit=home_unit, name="韦小宝")]
    mission = build_mission(cast["unit_clerk"], people)
    page = _context(browser).new_page()
    log_in(page, base, cast["unit_clerk"])
    page.goto(f"{base}/missions/{mission.pk}/itinerary/")

    page.locator("#id_stops-0-country-ts-control").wait_for(state="attached")
    assert page.locator("#id_stops-0-country").evaluate("e => e.tomselect !== undefined")
    for typed in ("meiguo", "美", "mg"):
        picker = _open(page, "id_stops-0-country")
        picker.fill(typed)
        found = _results(page, "id_stops-0-country")
        found.filter(has_text="美国").first.wait_for()
        assert "美国" in found.all_inner_texts(), typed
    # Choose it with the keyboard: the best match is the active option, Enter takes it.
    picker.fill("")
    picker.press_sequentially("meiguo")
    page.locator("#id_stops-0-country-ts-dropdown .option.active").filter(
        has_text="美国"
    ).wait_for()
    picker.press("Enter")
    assert page.locator("#id_stops-0-country").input_value() == "US"
    page.click('[data-testid="save"]')
    page.wait_for_url(f"{base}/missions/{mission.pk}/itinerary/")
    assert Stop.objects.get(mission=mission).country == "US"
    # The saved choice is shown in the picker when the page opens again.
    assert "美国" in page.locator("#id_stops-0-country-ts-control").locator("..").inner_text()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_options_come_in_pinyin_order(live_server, browser, cast, home_unit):
    base = live_server.url
    mission = build_mission(cast["unit_clerk"], [PersonFactory(unit=home_unit)])
    page = _context(browser).new_page()
    log_in(page, base, cast["unit_clerk"])
    page.goto(f"{base}/missions/{mission.pk}/itinerary/")
    _open(page, "id_stops-0-country")
    names = _results(page, "id_stops-0-country").all_inner_texts()
    names = [n for n in names if n != "—"]
    # The first countries of a Chinese list: 阿尔巴尼亚 (a er), 阿尔及利亚 (a er), 阿富汗 (a fu).
    assert names[:3] == ["阿尔巴尼亚", "阿尔及利亚", "阿富汗"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_plan_entry_takes_several_countries_as_chips(live_server, browser, cast):
    base = live_server.url
    plan = plan_services.plan_open(
        actor=cast["fao_head"],
        year=timezone.localdate().year + 5,
        deadline=timezone.localdate() + timedelta(days=30),
    )
    page = _context(browser, viewport={"width": 390, "height": 844}).new_page()
    log_in(page, base, cast["unit_clerk"])
    page.goto(f"{base}/plans/{plan.pk}/entries/new/")
    page.fill("#id_title", "赴美日经贸交流团")
    page.fill("#id_purpose", "拜访合作机构。")
    for typed, name in (("mg", "美国"), ("riben", "日本"), ("德", "德国")):
        picker = _open(page, "id_countries")
        picker.fill(typed)
        _results(page, "id_countries").filter(has_text=name).first.click()
    control = page.locator("#id_countries-ts-control").locator("..")
    chips = control.locator(".item")
    assert sorted(chips.evaluate_all("e => e.map(x => x.dataset.value)")) == ["DE", "JP", "US"]
    assert "美国" in chips.first.inner_text()
    # A chip's remove button (named for screen readers) takes that country off again.
    remove = control.locator('.item[data-value="DE"] .remove')
    assert remove.get_attribute("title") == "删除"
    remove.click()
    selected = page.locator("#id_countries").evaluate(
        "e => [...e.selectedOptions].map(o => o.value)"
    )
    assert sorted(selected) == ["JP", "US"]
    page.select_option("#id_category", "general")
    page.select_option("#id_expected_month", "5")
    page.fill("#id_budget_estimate", "60000")
    page.fill("#id_rank_section_below", "2")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/plans/entries/*/")
    entry = PlanEntry.objects.get(title="赴美日经贸交流团")
    assert sorted(entry.countries) == ["JP", "US"]
