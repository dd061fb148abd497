"""The six steps of the trip application form: for each, build its forms (bound when
posted) and save them through the services. ``views.mission_step`` runs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from waishi.approvals.selectors import chain_preview
from waishi.audit.services import client_ip
from waishi.missions.application import forms, services
from waishi.missions.core import checking, selectors, uploads
from waishi.missions.models import Mission
from waishi.orgs import selectors as org_selectors
from waishi.plans.models import PlanEntry
from waishi.plans.selectors import binding_entries
from waishi.policy import live


@dataclass(frozen=True)
class Step:
    number: int
    slug: str
    label: str


STEPS = [
    Step(1, "basics", gettext_lazy("Basics and tasks")),
    Step(2, "invitation", gettext_lazy("Invitation")),
    Step(3, "itinerary", gettext_lazy("Itinerary and schedule")),
    Step(4, "members", gettext_lazy("Members")),
    Step(5, "budget", gettext_lazy("Budget")),
    Step(6, "review", gettext_lazy("Review and submit")),
]
STEP_BY_SLUG = {s.slug: s for s in STEPS}


def check_of(
    mission: Mission, rows: checking.TripRows | None = None
) -> tuple[live.LiveCheck, list[str]]:
    """The findings to show: the stored check of a submitted application, else a live
    check of what is saved now. Also the members' names by index. ``rows``: the trip's
    rows when the page reads them too (``checking.TripRows``)."""
    if not mission.is_editable and mission.check_result:
        names = [m.get("name", "") for m in (mission.check_input or {}).get("members", [])]
        return live.LiveCheck(result=mission.check_result), names
    data = checking.trip_data(mission, rows=rows)
    return checking.live_check(mission, data), [m["name"] for m in data["members"]]


def budget_rows(mission: Mission, rows: checking.TripRows | None = None) -> list[tuple]:
    """Each budget line with the standard for its place (None when none is on file)."""
    lines = (rows or checking.TripRows(mission)).budget_lines
    standards = checking.budget_standards([(line.country, line.city) for line in lines])
    return list(zip(lines, standards, strict=True))


def posted_version(request) -> int | None:
    raw = request.POST.get("version")
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return -1  # never matches: refused as stale


class Invalid(Exception):
    """The posted forms do not validate; their errors are on the forms."""


def _rows(formset, *, remove: str = "", prefix: str = "") -> list[dict]:
    if not formset.is_valid():
        raise Invalid
    rows = []
    for data in formset.cleaned_data:
        if not data:
            continue
        row = dict(data)
        if remove and row.get("id") is not None and f"{prefix}-{row['id']}" == remove:
            row["DELETE"] = True
        rows.append(row)
    return rows


# Each step: build its forms (bound when posted) and save them through the services.


def plan_entries(unit_id: int, mission: Mission | None):
    """The unit's binding plan entries of the departure's year, else of this year and the
    next (in November a clerk prepares next spring's trips), and the entry already linked."""
    departure = mission.departure_date if mission else None
    this_year = timezone.localdate().year
    years = [departure.year] if departure else [this_year, this_year + 1]
    wanted = Q(pk__in=[])
    for year in years:
        wanted |= Q(pk__in=binding_entries(unit_id, year).values("pk"))
    if mission is not None and mission.plan_entry_id:
        wanted |= Q(pk=mission.plan_entry_id)
    return PlanEntry.objects.filter(wanted).select_related("plan").order_by("plan__year", "pk")


def _basics(request, mission, bound):
    data = request.POST if bound else None
    initial = {f: getattr(mission, f) for f in forms.BasicsForm.base_fields}
    form = forms.BasicsForm(data, initial=initial, entries=plan_entries(mission.unit_id, mission))
    return {"form": form}


def _basics_save(request, mission, ctx, version):
    form = ctx["form"]
    if not form.is_valid():
        raise Invalid
    values = dict(form.cleaned_data)
    if not values.get("category"):
        values.pop("category")
    return services.mission_update_basics(
        actor=request.user, mission=mission, version=version, ip=client_ip(request), **values
    )


def _invitation(request, mission, bound):
    initial = {"invitation_source": mission.invitation_source, "inviter": mission.inviter}
    form = forms.InvitationForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        initial=initial,
        max_mb=f"{uploads.max_bytes() / 1024 / 1024:g}",
    )
    return {"form": form}


def _invitation_save(request, mission, ctx, version):
    form = ctx["form"]
    if not form.is_valid():
        raise Invalid
    data = form.cleaned_data
    return services.mission_update_invitation(
        actor=request.user,
        mission=mission,
        version=version,
        ip=client_ip(request),
        invitation_source=data["invitation_source"],
        inviter=data["inviter"],
        letter=data["invitation_letter"] or None,
        remove_letter=data["remove_letter"],
    )


def _itinerary(request, mission, bound):
    data = request.POST if bound else None
    stops = [
        {f: getattr(s, f) for f in ("country", "city", "arrive", "depart", "transit_airside")}
        | {"id": s.pk}
        for s in mission.stops.order_by("order", "pk")
    ]
    days = [
        {"id": d.pk, "date": d.date, "kind": d.kind, "activities": d.activities}
        for d in mission.days.order_by("date", "pk")
    ]
    return {
        "stops": forms.StopFormSet(data, prefix="stops", initial=stops),
        "days": forms.DayFormSet(data, prefix="days", initial=days),
    }


def _itinerary_save(request, mission, ctx, version):
    remove = request.POST.get("remove", "")
    stops = _rows(ctx["stops"], remove=remove, prefix="stop")
    days = _rows(ctx["days"], remove=remove, prefix="day")
    for i, row in enumerate(stops, start=1):
        row["order"] = i
    add = request.POST.get("add")
    if add == "stop":
        stops.append({"order": len(stops) + 1})
    elif add == "day":
        days.append({})
    elif add == "days-from-dates" and mission.departure_date and mission.return_date:
        have = {row.get("date") for row in days if not row.get("DELETE")}
        day = mission.departure_date
        while day <= mission.return_date and len(days) < 60:
            if day not in have:
                kind = "travel" if day in (mission.departure_date, mission.return_date) else ""
                days.append({"date": day, **({"kind": kind} if kind else {})})
            day += timedelta(days=1)
    return services.mission_update_itinerary(
        actor=request.user,
        mission=mission,
        version=version,
        ip=client_ip(request),
        stops=stops,
        days=days,
    )


def _members(request, mission, bound):
    rows = selectors.member_rows(mission)
    initial = [
        {
            "id": r.member.pk,
            "task": r.member.task,
            "role": r.member.role,
            "is_leader": r.member.is_leader,
            "relation": r.member.relation,
        }
        for r in rows
    ]
    formset = forms.MemberFormSet(
        request.POST if bound else None, prefix="members", initial=initial
    )
    pick = forms.PersonPickForm(request.GET or None)
    return {
        "members": formset,
        "member_rows": list(zip(rows, formset.forms, strict=False)),
        "pick": pick,
        "results": _person_results(request, mission, pick),
    }


def _person_results(request, mission, pick) -> list:
    if not pick.is_valid() or not pick.cleaned_data["q"].strip():
        return []
    taken = mission.members.values("person_id")
    people = org_selectors.person_search(request.user, q=pick.cleaned_data["q"]).exclude(
        pk__in=taken
    )
    return list(people[:20])


def _members_save(request, mission, ctx, version):
    remove = request.POST.get("remove", "")
    rows = _rows(ctx["members"])
    mission = services.mission_update_members(
        actor=request.user, mission=mission, version=version, rows=rows, ip=client_ip(request)
    )
    if remove.startswith("member-"):
        member_id = remove.removeprefix("member-")
        if member_id.isdigit():
            mission = services.mission_member_remove(
                actor=request.user,
                mission=mission,
                version=mission.version,
                member_id=int(member_id),
                ip=client_ip(request),
            )
    person = request.POST.get("add_person", "")
    if person.isdigit():
        services.mission_member_add(
            actor=request.user,
            mission=mission,
            version=mission.version,
            person=int(person),
            ip=client_ip(request),
        )
        mission.refresh_from_db()
    return mission


def _budget(request, mission, bound):
    data = request.POST if bound else None
    stops = list(mission.stops.order_by("order", "pk"))
    lines = list(mission.budget_lines.order_by("pk"))
    initial = [
        {
            "id": line.pk,
            "stop": str(line.stop_id or ""),
            "country": line.country,
            "city": line.city,
            "currency": line.currency,
            "lodging_per_day": line.lodging_per_day,
            "meals_per_day": line.meals_per_day,
            "incidentals_per_day": line.incidentals_per_day,
            "days": line.days,
            "international_fares": line.international_fares,
            "other_costs": line.other_costs,
        }
        for line in lines
    ]
    formset = forms.BudgetFormSet(
        data, prefix="lines", initial=initial, form_kwargs={"stops": stops}
    )
    total = forms.BudgetTotalForm(data, initial={"budget_total_cny": mission.budget_total_cny})
    standards = checking.budget_standards([(line.country, line.city) for line in lines])
    return {
        "lines": formset,
        "total": total,
        "line_rows": list(
            zip(formset.forms, standards + [None] * len(formset.forms), strict=False)
        ),
        "totals": checking.budget_totals(mission),
    }


def _budget_save(request, mission, ctx, version):
    remove = request.POST.get("remove", "")
    rows = _rows(ctx["lines"], remove=remove, prefix="line")
    if not ctx["total"].is_valid():
        raise Invalid
    add = request.POST.get("add")
    if add == "line":
        rows.append({})
    elif add == "lines-from-stops":
        covered = {str(row.get("stop") or "") for row in rows if not row.get("DELETE")}
        for stop in mission.stops.order_by("order", "pk"):
            if str(stop.pk) in covered or stop.transit_airside:
                continue
            (standard,) = checking.budget_standards([(stop.country, stop.city)])
            days = (stop.depart - stop.arrive).days or 1 if stop.arrive and stop.depart else None
            rows.append(
                {
                    "stop": stop.pk,
                    "currency": standard.currency if standard else "",
                    "days": days,
                }
            )
    return services.mission_update_budget(
        actor=request.user,
        mission=mission,
        version=version,
        rows=rows,
        budget_total_cny=ctx["total"].cleaned_data["budget_total_cny"],
        ip=client_ip(request),
    )


def review_build(request, mission, bound):
    check, names = check_of(mission)
    saved = mission.justifications or {}
    items = []
    for finding in check.findings:
        if not checking.needs_justification(finding):
            continue
        key = checking.finding_key(finding)
        field = f"j:{key}"
        value = request.POST.get(field, saved.get(key, "")) if bound else saved.get(key, "")
        items.append(
            {
                "finding": finding,
                "key": key,
                "field": field,
                "value": value,
                "principle": checking.is_principle(finding),
                "by_plan_reason": finding["rule"] == "NOT_IN_PLAN",
            }
        )
    preview = []
    if check.result is not None:
        data = checking.trip_data(mission)
        facts = services.chain_facts(mission, data, check.result, len(data["members"]))
        preview = chain_preview("missions.mission", facts)
    return {
        "summary": _summary(mission),
        "chain_preview": preview,
        "justify": items,
        "blocking": checking.blocking(check.result) if check.result else [],
        "review_check": check,
        "member_names": names,
        "completeness": services.completeness(mission),
    }


def _summary(mission: Mission) -> dict:
    """The whole application as the review step shows it before submission: each step's
    values, the budget lines with their totals, the attachments."""
    rows = checking.TripRows(mission)
    members = selectors.member_rows(mission, rows)
    lines = [
        (line, standard, checking.line_total(line, len(members)) if line.currency else None)
        for line, standard in budget_rows(mission, rows)
    ]
    return {
        "stops": rows.stops,
        "days": rows.days,
        "members": members,
        "lines": lines,
        "totals": checking.budget_totals(mission, len(members), lines=rows.budget_lines),
    }


def typed_justifications(request) -> dict[str, str]:
    """The justifications typed on the review page, finding key -> text (as typed: a
    blank one clears what was saved)."""
    return {
        field[len("j:") :]: value
        for field, value in request.POST.items()
        if field.startswith("j:") and field != "j:"
    }


def review_save(request, mission, ctx, version):
    values = {
        item["key"]: request.POST.get(item["field"], "")
        for item in ctx["justify"]
        if not item["by_plan_reason"]
    }
    return services.mission_update_justifications(
        actor=request.user,
        mission=mission,
        version=version,
        justifications=values,
        ip=client_ip(request),
    )


HANDLERS = {
    "basics": (_basics, _basics_save),
    "invitation": (_invitation, _invitation_save),
    "itinerary": (_itinerary, _itinerary_save),
    "members": (_members, _members_save),
    "budget": (_budget, _budget_save),
    "review": (review_build, review_save),
}
