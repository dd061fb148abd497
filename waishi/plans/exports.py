"""The consolidated plan as an .xlsx (streamed, bounded memory) and as a .docx for the
committee meeting.

The consolidated plan is what the FAO has accepted and the committee approved: entries
accepted or approved, and, for an approved entry being amended, what was approved."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from waishi.lib import xlsx_stream
from waishi.orgs import scoping
from waishi.orgs.models import Rank
from waishi.plans import selectors
from waishi.plans.forms import country_names
from waishi.plans.models import Category, EntryState, PlanEntry, PlanYear

IN_PLAN = (EntryState.ACCEPTED, EntryState.APPROVED)


@dataclass
class Row:
    unit: str
    title: str
    purpose: str
    countries: str
    size: int
    ranks: str
    month: int
    budget: Decimal
    category: str
    status: str


def ranks_text(ranks: list[str]) -> str:
    """ "厅局级1人、县处级2人" in the reader's language."""
    labels = dict(Rank.choices)
    counts: dict[str, int] = {}
    for rank in ranks:
        counts[rank] = counts.get(rank, 0) + 1
    return "、".join(
        _("%(rank)s %(count)d") % {"rank": labels.get(rank, rank), "count": n}
        for rank, n in counts.items()
    )


def _status(entry: PlanEntry) -> str:
    if entry.state == EntryState.APPROVED:
        return _("Approved, version %(version)d") % {"version": entry.bound_version.plan_version}
    if entry.state == EntryState.ACCEPTED:
        return _("Amendment awaiting the committee") if entry.is_bound else _("Accepted")
    return _("Approved, version %(version)d (amendment in progress)") % {
        "version": entry.bound_version.plan_version
    }


def consolidated_rows(user, plan: PlanYear) -> Iterator[Row]:
    entries = (
        scoping.visible(user, PlanEntry)
        .filter(plan=plan)
        .filter(Q(state__in=IN_PLAN) | Q(bound_version__isnull=False))
        .select_related("unit", "bound_version", "plan")
        .order_by("unit__code", "expected_month", "pk")
    )
    categories = dict(Category.choices)
    for entry in entries.iterator(chunk_size=500):
        if entry.state in IN_PLAN:
            data = {
                "title": entry.title,
                "purpose": entry.purpose,
                "countries": entry.countries,
                "size": entry.size,
                "ranks": entry.ranks,
                "expected_month": entry.expected_month,
                "budget_estimate": entry.budget_estimate,
                "category": entry.category,
            }
        else:
            data = entry.bound_version.data
        yield Row(
            unit=entry.unit.short_name or entry.unit.name,
            title=data["title"],
            purpose=data["purpose"],
            countries=country_names(data["countries"]),
            size=int(data["size"]),
            ranks=ranks_text(data["ranks"]),
            month=int(data["expected_month"]),
            budget=Decimal(str(data["budget_estimate"])),
            category=str(categories.get(data["category"], data["category"])),
            status=_status(entry),
        )


def _headers() -> list[str]:
    return [
        _("Unit"),
        _("Delegation"),
        _("Purpose and tasks"),
        _("Countries and regions"),
        pgettext("plan entry", "Members"),
        _("Ranks"),
        _("Expected month"),
        _("Budget estimate (yuan)"),
        _("Category"),
        _("Status"),
    ]


def plan_title(plan: PlanYear) -> str:
    if plan.version:
        return _("Annual plan %(year)s for official trips abroad (version %(version)d)") % {
            "year": plan.year,
            "version": plan.version,
        }
    return _("Annual plan %(year)s for official trips abroad (draft)") % {"year": plan.year}


def xlsx(user, plan: PlanYear):
    """A temporary file holding the workbook, positioned at its start."""
    out = tempfile.TemporaryFile()
    with xlsx_stream.WorkbookWriter(out) as book:
        sheet = book.sheet(
            _("Entries"), widths=(16, 28, 48, 24, 8, 28, 10, 16, 18, 24), fit=True, freeze=2
        )
        sheet.append([xlsx_stream.title(plan_title(plan))])
        sheet.append([xlsx_stream.bold(text) for text in _headers()])
        for row in consolidated_rows(user, plan):
            sheet.append(
                [
                    row.unit,
                    row.title,
                    row.purpose,
                    row.countries,
                    row.size,
                    row.ranks,
                    row.month,
                    xlsx_stream.money(row.budget),
                    row.category,
                    row.status,
                ]
            )
        quotas = book.sheet(_("Quotas"), widths=(20, 18, 10, 10, 12, 12), fit=True, freeze=1)
        quotas.append(
            [
                xlsx_stream.bold(text)
                for text in (
                    _("Unit"),
                    _("Category"),
                    _("Batches"),
                    _("Batches used"),
                    _("Person-trips"),
                    _("Person-trips used"),
                )
            ]
        )
        for summary in selectors.quota_summary(plan, user=user):
            for label, cell in summary.cell_list():
                if cell.quota is None:
                    continue
                q = cell.quota
                quotas.append(
                    [
                        summary.unit.short_name or summary.unit.name,
                        label,
                        q.batches,
                        q.batches_used,
                        q.person_trips,
                        q.person_trips_used,
                    ]
                )
    out.seek(0)
    return out


def docx(user, plan: PlanYear):
    """The plan for the committee meeting: a title, a summary per unit, the entries."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(plan_title(plan), level=0)
    document.add_paragraph(
        _("Deadline for entries: %(date)s. State: %(state)s.")
        % {"date": plan.deadline.isoformat(), "state": plan.get_state_display()}
    )

    document.add_heading(_("Summary by unit"), level=1)
    summaries = selectors.quota_summary(plan, user=user)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        (
            _("Unit"),
            _("Entries in the plan"),
            _("Ordinary quota (batches / person-trips)"),
            _("Trade/technology quota (batches / person-trips)"),
            _("Budget estimate (yuan)"),
        ),
        strict=True,
    ):
        cell.text = text
    for s in summaries:
        cells = table.add_row().cells
        general, econ = s.cells[Category.GENERAL], s.cells[Category.ECON_TECH]
        cells[0].text = s.unit.short_name or s.unit.name
        cells[1].text = str(general.planned_batches + econ.planned_batches)
        for cell, quota in ((cells[2], general.quota), (cells[3], econ.quota)):
            cell.text = f"{quota.batches} / {quota.person_trips}" if quota else "—"
        cells[4].text = f"{s.budget:,.2f}"

    document.add_heading(_("Entries"), level=1)
    headers = _headers()
    table = document.add_table(rows=1, cols=len(headers) - 1)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, [h for i, h in enumerate(headers) if i != 2], strict=True
    ):
        cell.text = text
    count = 0
    for row in consolidated_rows(user, plan):
        count += 1
        cells = table.add_row().cells
        values = (
            row.unit,
            row.title,
            row.countries,
            str(row.size),
            row.ranks,
            str(row.month),
            f"{row.budget:,.2f}",
            row.category,
            row.status,
        )
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    if not count:
        document.add_paragraph(_("No entry has been accepted yet."))
    out = tempfile.TemporaryFile()
    document.save(out)
    out.seek(0)
    return out
