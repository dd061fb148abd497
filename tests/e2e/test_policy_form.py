"""The policy parameter form as the FAO head sees it: every parameter by its label with
its unit and help, and the groups of ticks laid out without covering another field."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in
from tests.leaks import find_leaks

# Each field of the form is one block: a labelled input, a tick, or a group of ticks.
BLOCKS = "form[novalidate] > div.mb-3, form[novalidate] > fieldset"
PARTS = ", ".join(
    f"form[novalidate] {part}"
    for part in (
        "input:not([type=hidden])",
        "select",
        "textarea",
        "label",
        "legend",
        ".form-text",
        "button",
    )
)


def _overlap(a: dict, b: dict) -> bool:
    """Whether two boxes share any area (touching edges do not count)."""
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


def _boxes(page, selector: str) -> list[tuple[str, dict]]:
    found = []
    for handle in page.query_selector_all(selector):
        box = handle.bounding_box()
        if box and box["width"] and box["height"]:
            found.append((handle.inner_text()[:40].replace("\n", " "), box))
    return found


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_lead_time_form_reads_in_words_and_nothing_overlaps(
    live_server, page, cast, screenshot, width
):
    base = live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, base, cast["fao_head"])
    page.goto(f"{base}/policy/change/?rule=LEAD_TIME")
    screenshot(f"policy-change-lead-time-{width}")

    form = page.locator("form[novalidate]")
    text = form.inner_text()
    assert "提前报批天数（申根地区）（天）" in text
    assert "适用的团组类别" in text and "远途地区" in text
    assert [line for line in text.splitlines() if find_leaks(line, chinese=True)] == []

    blocks = _boxes(page, BLOCKS)
    assert len(blocks) >= 8, blocks
    for i, (name_a, a) in enumerate(blocks):
        for name_b, b in blocks[i + 1 :]:
            assert not _overlap(a, b), f"«{name_a}» overlaps «{name_b}»"

    # What a person reads or uses: no two of them cover each other (a tick's label
    # squeezed into a column of single characters runs over the fields below it).
    parts = _boxes(page, PARTS)
    assert len(parts) >= 30, len(parts)
    for i, (name_a, a) in enumerate(parts):
        for name_b, b in parts[i + 1 :]:
            assert not _overlap(a, b), f"«{name_a}» overlaps «{name_b}»"
