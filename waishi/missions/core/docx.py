"""What the Word documents of several rooms share (the application's approval form and
notice, the report's documents): where the templates are, and the values every document
fills in from the trip (number, title, unit, head, countries, dates, members, budget)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from waishi.missions.core import checking
from waishi.missions.core.selectors import country_names
from waishi.missions.models import Mission
from waishi.orgs.models import Rank, Unit, UnitKind

TEMPLATES = Path(__file__).resolve().parents[1] / "documents"


DEFAULT_OFFICE = "外事办公室"


def _date(value) -> str:
    return value.isoformat() if value else ""


def _office() -> str:

    fao = Unit.objects.filter(kind=UnitKind.FAO, is_active=True).order_by("pk").first()
    return fao.name if fao else DEFAULT_OFFICE


def _countries(mission: Mission) -> str:

    codes: list[str] = []
    for stop in mission.stops.order_by("order", "pk"):
        if stop.country and stop.country not in codes:
            codes.append(stop.country)
    return country_names(codes)


def rank_label(code: str | None) -> str:
    """A rank code as the documents print it (empty for none given)."""
    return str(dict(Rank.choices).get(code, code or "")) if code else ""


def _member_rows(mission: Mission) -> list[dict]:

    rows = []
    for no, member in enumerate(checking.members_data(mission), start=1):
        rows.append(
            {
                "no": no,
                "name": member.get("name", ""),
                "unit": member.get("unit", ""),
                "post": member.get("title", ""),
                "rank": rank_label(member.get("rank")),
                "task": member.get("task", ""),
            }
        )
    return rows


def objections_line(whom: str) -> str:
    """The publicity notices' last line: to whom objections go, with the FAO's telephone
    number when one is set (``FAO_PHONE``); without one the line names whom to contact
    and prints no empty number."""
    phone = settings.FAO_PHONE.strip()
    if phone:
        return f"公示期间如有异议，请向{whom}反映（电话：{phone}）。"
    return f"公示期间如有异议，请向{whom}反映。"


def _leader(mission: Mission) -> str:
    head = mission.members.filter(is_leader=True).select_related("person").first()
    head = head or mission.members.select_related("person").order_by("order", "pk").first()
    return head.person.name if head else ""


def _budget(mission: Mission) -> str:
    if mission.budget_total_cny is None:
        return ""
    return f"{mission.budget_total_cny:,.2f}元"


def _common(mission: Mission) -> dict:
    return {
        "number": f"WS-{(mission.submitted_at or mission.created_at).year}-{mission.pk:05d}",
        "title": mission.title,
        "unit": mission.unit.name,
        "leader": _leader(mission),
        "size": mission.members.count(),
        "category": mission.get_category_display(),
        "countries": _countries(mission),
        "departure": _date(mission.departure_date),
        "return_date": _date(mission.return_date),
        "days": mission.days_abroad or "",
        "inviter": mission.inviter,
        "tasks": mission.tasks,
        "funding": mission.funding_source,
        "budget": _budget(mission),
        "office": _office(),
    }


def _countries_one(code: str) -> str:

    return country_names([code]) if code else ""
