"""The public declaration form on a phone (issue 6, deliverable 8): a traveller opens the
campaign's link on a phone-sized screen, fills the form in Chinese with taps, sends it
and sees the confirmation code; then switches to English, where the labels are English,
and opens the declaration again with the code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.e2e.conftest import ARTIFACTS
from waishi.arrivals.models import Arrival, Campaign, HealthDeclaration

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_declaring_on_a_phone_in_chinese_then_english(live_server, browser, cast, district):
    cache.clear()
    campaign = Campaign.objects.create(name="手机申报", created_by=cast["city_command"])
    today = timezone.localdate()
    base = live_server.url
    context = browser.new_context(**PHONE)
    page = context.new_page()

    page.goto(f"{base}/declare/{campaign.token}/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert _fits_the_screen(page)
    submit = page.locator('[data-testid="declare-submit"]')
    assert submit.bounding_box()["height"] >= 44  # a thumb-sized target

    # Sending it empty: the messages come back, nothing is stored.
    submit.tap()
    page.locator('[data-testid="form-errors"]').wait_for()
    assert Arrival.objects.count() == 0

    page.locator("#id_category_0").tap()  # returning Chinese citizen
    page.fill("#id_name", "林晓海")
    page.select_option("#id_nationality", "CN")
    page.fill("#id_passport", "E87654321")
    page.fill("#id_phone", "13800138000")
    page.select_option("#id_origin_country", "DE")
    page.fill("#id_origin_city", "Frankfurt")
    page.fill("#id_route", "LH720")
    page.fill("#id_departs_on", (today + dt.timedelta(days=4)).isoformat())
    page.fill("#id_arrival_date", (today + dt.timedelta(days=5)).isoformat())
    page.fill("#id_arrival_time", "09:40")
    page.fill("#id_port", "首都国际机场")
    page.select_option("#id_district", str(district.pk))
    page.fill("#id_address", "示范路12号")
    page.select_option("#id_purpose", "home")
    page.locator('input[name="symptoms"][value="cough"]').tap()
    page.select_option("#id_test_outcome", "negative")
    page.fill("#id_test_on", today.isoformat())
    page.locator("#id_consent").tap()
    _shot(page, "declare-phone-form-zh")
    submit.tap()

    code_box = page.locator('[data-testid="confirmation-code"]')
    code_box.wait_for()
    code = code_box.inner_text().strip()
    assert len(code) == 10
    assert _fits_the_screen(page)
    _shot(page, "declare-phone-done-zh")
    arrival = Arrival.objects.get()
    assert arrival.name == "林晓海" and arrival.district == district
    assert HealthDeclaration.objects.get(arrival=arrival).symptoms == ["cough"]

    # English: the switch on the form, the labels in English, the choice remembered.
    page.goto(f"{base}/declare/{campaign.token}/")
    page.locator('[data-testid="lang-en"]').tap()
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert (
        page.locator('label[for="id_name"]')
        .inner_text()
        .startswith("Full name (as in the passport)")
    )
    assert page.locator('label[for="id_passport"]').inner_text().startswith("Passport number")
    assert "Germany" in page.locator("#id_origin_country").inner_text()
    assert page.get_by_text("How your personal information is used").is_visible()
    assert _fits_the_screen(page)
    _shot(page, "declare-phone-form-en")

    page.goto(f"{base}/declare/check/")
    page.fill("#id_code", code.lower())
    page.fill("#id_passport", "E87654321")
    page.locator('[data-testid="lookup-submit"]').tap()
    declared = page.locator('[data-testid="declared"]')
    declared.wait_for()
    text = declared.inner_text()
    assert "LH720" in text and "Germany" in text and "E******21" in text
    assert "E87654321" not in page.content()
    _shot(page, "declare-phone-lookup-en")
    context.close()
