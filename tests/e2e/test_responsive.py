"""The pages people use most, on a phone (390×844) and at 200 % zoom, in the browser.

200 % zoom is what a browser does when one zooms a 1366×768 screen to 200 %: the layout
viewport halves to 683×384 CSS pixels and each CSS pixel takes two device pixels; media
queries see 683 px. So the test opens a 683×384 viewport with a device scale factor of 2.
(CSS ``zoom`` on the body would scale the page but leave the viewport at 1366 px, so the
media queries, the layout that matters, would not change.)

On each page and size: the page does not scroll sideways, the main content starts on the
first screen, the menu button opens the navigation, 退出登录 is in view, the user's name
is one line, and axe finds no serious or critical violation; the wizard's rows of fields
(stops, days, budget lines) stand one field under another, each under its label. And at
1366×768 the budget step keeps its layout after 添加预算行.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.axe import describe, violations
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.demo import demo_city, log_in_demo  # noqa: F401 - a fixture
from tests.missions.conftest import build_mission
from waishi.approvals import selectors as approval_selectors
from waishi.missions.models import Mission
from waishi.orgs.models import Person

pytestmark = pytest.mark.e2e

SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2},
    "zoom200": {"viewport": {"width": 683, "height": 384}, "device_scale_factor": 2},
}

_GEOMETRY = """() => {
  const box = (el) => el ? el.getBoundingClientRect().toJSON() : null;
  const user = document.querySelector('[data-testid=current-user]');
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    innerHeight: window.innerHeight,
    main: box(document.querySelector('main')),
    heading: box(document.querySelector('main h1')),
    logout: box(document.querySelector('[data-testid=logout]')),
    user: box(user),
    userLine: user ? parseFloat(getComputedStyle(user).lineHeight) : null,
    userTitle: user ? user.title : null,
  };
}"""


def _draft(clerk) -> Mission:
    people = list(Person.objects.filter(unit=clerk.unit)[:2])
    return build_mission(clerk, people, title="赴日本经贸交流（手机版检查）")


def _decision_path(approver) -> str:
    steps = approval_selectors.queue_for(approver).steps.filter(
        subject_type=Mission._meta.label_lower
    )
    step = steps.first()
    assert step is not None, f"the demo gives {approver.username} no trip to decide"
    return f"/missions/{step.subject_id}/decide/"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _check_shell(page, name: str) -> list[str]:
    """The shell's promises on a narrow screen; the problems found, as sentences."""
    problems = []
    g = page.evaluate(_GEOMETRY)
    if g["scrollWidth"] > g["innerWidth"] + 1:
        problems.append(f"the page scrolls sideways: {g['scrollWidth']} > {g['innerWidth']} px")
    if g["main"]["top"] > g["innerHeight"] / 2:
        problems.append(f"the content starts {g['main']['top']:.0f} px down")
    if g["heading"] and g["heading"]["bottom"] > g["innerHeight"]:
        problems.append(f"the page's heading ends {g['heading']['bottom']:.0f} px down")
    logout = g["logout"]
    if not (
        logout
        and logout["left"] >= 0
        and logout["right"] <= g["innerWidth"]
        and logout["top"] >= 0
        and logout["bottom"] <= g["innerHeight"]
    ):
        problems.append(f"退出登录 is not in view: {logout}")
    if g["user"]["height"] > 1.5 * g["userLine"]:
        problems.append(
            f"the user's name takes {g['user']['height']:.0f} px, lines of {g['userLine']} px"
        )
    if g["userTitle"].split(" · ")[0] not in page.inner_text("[data-testid=current-user]"):
        problems.append("the user's name is not where its title says")

    # The navigation is behind the menu button, and the button opens it.
    first_link = page.locator("#site-nav a.nav-link").first
    if first_link.is_visible():
        problems.append("the navigation is open before the menu button is pressed")
    page.click("[data-testid=nav-toggle]")
    try:
        first_link.wait_for(state="visible", timeout=3000)
    except PlaywrightTimeout:
        problems.append("the menu button does not open the navigation")
    else:
        # Opened (the slide over): the focus is in the panel, and Escape closes it.
        page.locator("#site-nav.show:not(.showing)").wait_for()
        _shot(page, f"{name}-menu")
        if not page.evaluate(
            "document.getElementById('site-nav').contains(document.activeElement)"
        ):
            problems.append("the open menu does not take the focus")
        found = violations(page)
        if found:
            problems.append("with the menu open: " + describe(found))
        page.keyboard.press("Escape")
        try:
            first_link.wait_for(state="hidden", timeout=3000)
        except PlaywrightTimeout:
            problems.append("Escape does not close the menu")

    found = violations(page)
    if found:
        problems.append(describe(found))
    return problems


def _check_reflow(page) -> list[str]:
    """The wizard's rows of fields, below md: each field under its visible label, no
    sideways scrolling inside the table either."""
    tables = page.evaluate("""() => [...document.querySelectorAll('.table-reflow')].map((t) => {
      const box = t.closest('.table-responsive');
      const label = t.querySelector('tbody td > label');
      const field = label && document.getElementById(label.htmlFor);
      return {
        overflow: box.scrollWidth - box.clientWidth,
        label: label && label.getBoundingClientRect().toJSON(),
        field: field && field.getBoundingClientRect().toJSON(),
      };
    })""")
    problems = []
    if not tables:
        problems.append("no table of fields on the step")
    for i, t in enumerate(tables):
        if t["overflow"] > 1:
            problems.append(f"table {i + 1} scrolls sideways by {t['overflow']} px")
        if t["label"] is None:
            continue  # no row yet
        if t["label"]["width"] <= 1 or t["label"]["bottom"] > t["field"]["top"] + 1:
            problems.append(f"table {i + 1}: the first field has no visible label above it ({t})")
    return problems


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("size", SIZES)
def test_the_main_pages_on_a_phone_and_at_200_percent_zoom(
    live_server,
    browser,
    demo_city,  # noqa: F811
    size,
):
    base = live_server.url
    draft = _draft(demo_city["clerk"])
    pages = {
        "clerk": {
            "home": "/",
            "wizard-itinerary": f"/missions/{draft.pk}/itinerary/",
            "wizard-budget": f"/missions/{draft.pk}/budget/",
        },
        "leader": {"decision": _decision_path(demo_city["leader"])},
        "district": {"arrivals-board": "/arrivals/"},
    }
    problems = []
    for username, paths in pages.items():
        context = browser.new_context(locale="zh-CN", is_mobile=size == "phone", **SIZES[size])
        page = context.new_page()
        try:
            log_in_demo(page, base, demo_city[username])
            for name, path in paths.items():
                response = page.goto(base + path)
                assert response.status == 200, f"{path} answered {response.status}"
                _shot(page, f"responsive-{size}-{name}")
                problems += [f"{name} ({path}): {p}" for p in _check_shell(page, f"{size}-{name}")]
                if name.startswith("wizard"):
                    problems += [f"{name} ({path}): {p}" for p in _check_reflow(page)]
            if "wizard-budget" in paths:
                # Adding a budget line must not widen the page either.
                page.click("button[name=add][value=line]")
                page.wait_for_load_state()
                _shot(page, f"responsive-{size}-budget-added")
                g = page.evaluate(_GEOMETRY)
                if g["scrollWidth"] > g["innerWidth"] + 1:
                    problems.append(f"after 添加预算行 the page scrolls sideways ({g})")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_budget_step_keeps_its_layout_after_adding_a_line_at_1366(
    live_server,
    browser,
    demo_city,  # noqa: F811
):
    base = live_server.url
    draft = _draft(demo_city["clerk"])
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in_demo(page, base, demo_city["clerk"])
        page.goto(f"{base}/missions/{draft.pk}/budget/")
        rows = page.locator("[data-testid=budget-row]").count()
        for _ in range(2):
            page.click("button[name=add][value=line]")
            page.wait_for_load_state()
        assert page.locator("[data-testid=budget-row]").count() == rows + 2
        _shot(page, "budget-step-1366-lines-added")
        g = page.evaluate("""() => {
          const box = (s) => document.querySelector(s).getBoundingClientRect().toJSON();
          return {sidebar: box('#site-nav'), main: box('main'), form: box('main form .col-lg-8'),
                  aside: box('main aside'), table: box('main .table-responsive'),
                  scrollWidth: document.scrollingElement.scrollWidth, innerWidth: innerWidth};
        }""")
    finally:
        context.close()
    # The content stays beside the sidebar, not below it; the policy check beside the form;
    # the table inside its column; the page no wider than the window.
    assert g["main"]["left"] >= g["sidebar"]["right"] - 1, g
    assert g["main"]["top"] < g["sidebar"]["top"] + 5, g
    assert g["aside"]["left"] >= g["form"]["right"] - 1, g
    assert g["aside"]["top"] < g["form"]["top"] + 5, g
    assert g["table"]["right"] <= g["form"]["right"] + 1, g
    assert g["scrollWidth"] <= g["innerWidth"] + 1, g


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_axe_reports_a_violation_it_is_shown(live_server, browser, demo_city):  # noqa: F811
    """The check can fail: text made unreadable on the page is reported with its selector."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    try:
        log_in_demo(page, live_server.url, demo_city["clerk"])
        assert violations(page) == []
        page.evaluate("""() => {
          const p = document.createElement('p');
          p.id = 'pale'; p.textContent = '浅灰色的字';
          p.style.color = '#bbbbbb'; p.style.background = '#ffffff';
          document.querySelector('main').append(p);
        }""")
        found = violations(page)
    finally:
        context.close()
    assert [v["id"] for v in found] == ["color-contrast"]
    assert [n["target"] for n in found[0]["nodes"]] == ["#pale"]
