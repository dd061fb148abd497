"""Login with the second factor, the home page, switching language, logging out."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import current_code
from tests.factories import PASSWORD


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_login_with_second_factor_switch_language_and_logout(
    live_server, page, cast, home_person, screenshot
):
    my_work_zh, my_work_en = _in("zh-hans", "My work"), _in("en", "My work")
    assert CJK.search(my_work_zh), "the zh_Hans catalogue lacks 'My work'"
    user = cast["fao_reviewer"]

    # The browser asks for English; the platform still answers in Chinese by default.
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    screenshot("01-login")

    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    assert "/accounts/otp/" in page.url

    # Wrong and replayed codes are covered by tests/accounts; here the happy path.
    page.fill("input[name=token]", current_code(user))
    page.click("[data-testid=otp-submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text().strip() == my_work_zh
    assert page.locator("[data-testid=current-user]").inner_text().find(user.full_name) >= 0
    screenshot("02-home-zh")

    page.click("[data-testid=switch-language]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == my_work_en
    assert page.locator("html").get_attribute("lang") == "en"
    user.refresh_from_db()
    assert user.language == "en"
    screenshot("03-home-en")

    # Keyboard: the skip link is the first tab stop and is visible when focused.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")

    page.click("[data-testid=logout]")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.goto(f"{live_server.url}/orgs/people/")
    assert "/accounts/login/" in page.url
