"""The allowance table's export (which is also its import template) writes every text
as text, never a formula: city names come from an imported file."""

from __future__ import annotations

from tests.xlsx_check import HOSTILE, assert_text_cells
from waishi.policy import allowances
from waishi.policy.reference import BudgetTable

COUNTRIES = ("JP", "KR", "US", "GB", "FR", "DE", "IT", "ES")


def test_the_table_writes_city_names_and_the_title_as_text():
    rows = [
        {"country": country, "cities": [value], "currency": "USD", "lodging": 1, "meals": 1,
         "incidentals": 1}
        for country, value in zip(COUNTRIES, HOSTILE, strict=True)
    ]  # fmt: skip
    data = allowances.workbook(BudgetTable(rows), title="=cmd|' /C notepad'!A0")
    assert_text_cells(data, [*HOSTILE, "=cmd|' /C notepad'!A0"])
