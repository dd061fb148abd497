"""The search in the header: trips, people, units and arrivals found by a name, its
pinyin or initials, or a number, each kind through its own list's selector and scoping
(``orgs.scoping``), so that nobody finds here what their lists would not show them. Each
kind shows its first ``PER_KIND`` matches and, when there are more, a link to its list
filtered by the same words.

Who searches what: trips the roles of the trip list (``roles.VIEWERS``: a unit its own,
the city's roles every unit's, but no unit's draft never submitted); people the business
roles (their list's); units everybody signed in (reference data); arrivals only the roles
of the arrivals' pages (the commands and the districts, and the auditor who reads them),
never the others, since the arrivals are health-related records.

Numbers: a trip by its number (``WS-2026-00012`` or 12), a unit by its code. ID and
passport numbers are not searched: a query travels in URLs and logs (security.md L4)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from waishi.arrivals import selectors as arrival_selectors
from waishi.lib import pinyin, roles
from waishi.missions.core import selectors as mission_selectors
from waishi.missions.models import Mission
from waishi.orgs import scoping
from waishi.orgs import selectors as org_selectors
from waishi.orgs.models import Unit

PER_KIND = 5
# The longest query read (longer is cut): a name, a number, a few words.
MAX_QUERY = 100
# "WS-2026-00012" (the trip's number on its documents), or the number alone.
TRIP_NUMBER = re.compile(r"^(?:WS-?\d{4}-?)?0*(\d{1,12})$", re.IGNORECASE)


@dataclass
class Hit:
    title: str
    detail: str
    url: str


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    more_url: str = ""  # the list filtered by the query, when there are more hits


def _list_url(name: str, q: str) -> str:
    return f"{reverse(name)}?{urlencode({'q': q})}"


def _capped(rows, n: int = PER_KIND) -> tuple[list, bool]:
    rows = list(rows[: n + 1])
    return rows[:n], len(rows) > n


def _trips(user, q: str) -> Group:
    group = Group("trips", str(_("Trips abroad")))
    found = mission_selectors.mission_list(user, mission_selectors.Filters(q=q))
    rows, more = _capped(found.prefetch_related(None))
    number = TRIP_NUMBER.match(q.replace(" ", ""))
    if number:
        by_number = (
            scoping.visible(user, Mission).select_related("unit").filter(pk=int(number[1])).first()
        )
        if by_number and by_number.pk not in {m.pk for m in rows}:
            rows = [by_number, *rows][:PER_KIND]
    for mission in rows:
        group.hits.append(
            Hit(
                title=mission.title,
                detail=" · ".join(
                    str(x)
                    for x in (
                        f"WS-{(mission.submitted_at or mission.created_at).year}-{mission.pk:05d}",
                        mission.unit.short_name or mission.unit.name,
                        mission.get_state_display(),
                    )
                ),
                url=reverse("missions:detail", kwargs={"mission_pk": mission.pk}),
            )
        )
    if more:
        group.more_url = _list_url("missions:list", q)
    return group


def _people(user, q: str) -> Group:
    group = Group("people", str(_("People")))
    rows, more = _capped(org_selectors.person_search(user, q=q))
    for person in rows:
        group.hits.append(
            Hit(
                title=person.name,
                detail=" · ".join(
                    x for x in (person.unit.short_name or person.unit.name, person.post) if x
                ),
                url=reverse("orgs:person-detail", kwargs={"person_pk": person.pk}),
            )
        )
    if more:
        group.more_url = _list_url("orgs:person-list", q)
    return group


def _units(user, q: str) -> Group:
    """By name, short name or code in the database; by pinyin or initials of the name or
    short name (units store none) among the visible active units' names, read in one
    query and spelled once per process (``lib.pinyin``)."""
    group = Group("units", str(_("Units")))
    units = scoping.visible(user, Unit).filter(is_active=True)
    ids = list(
        org_selectors.unit_search(user, q=q)
        .filter(is_active=True)
        .values_list("pk", flat=True)[: PER_KIND + 1]
    )
    if pinyin.latin_query(q) and len(ids) <= PER_KIND:
        for pk, name, short in units.order_by("code").values_list("pk", "name", "short_name"):
            if pk not in ids and pinyin.finds(q, name, short):
                ids.append(pk)
                if len(ids) > PER_KIND:
                    break
    more = len(ids) > PER_KIND
    found = {u.pk: u for u in units.filter(pk__in=ids[:PER_KIND])}
    for pk in ids[:PER_KIND]:
        unit = found[pk]
        group.hits.append(
            Hit(
                title=unit.name,
                detail=" · ".join(x for x in (unit.short_name, unit.code) if x),
                url=reverse("orgs:unit-detail", kwargs={"unit_pk": unit.pk}),
            )
        )
    if more:
        group.more_url = _list_url("orgs:unit-list", q)
    return group


def _arrivals(user, q: str) -> Group:
    group = Group("arrivals", str(_("Arrivals")))
    # The board's own list (its scoping, its search, overdue first).
    rows, more = _capped(arrival_selectors.arrival_list(user, arrival_selectors.Filters(q=q)))
    for arrival in rows:
        group.hits.append(
            Hit(
                title=arrival.name,
                detail=" · ".join(
                    str(x)
                    for x in (
                        arrival.arrival_date.isoformat() if arrival.arrival_date else "",
                        arrival.district.name if arrival.district else "",
                        arrival.get_state_display(),
                    )
                    if x
                ),
                url=reverse("arrivals:arrival-detail", kwargs={"arrival_pk": arrival.pk}),
            )
        )
    if more:
        board = "arrivals:queue" if roles.has(user, roles.DISTRICT_OFFICERS) else "arrivals:board"
        group.more_url = _list_url(board, q)
    return group


# Each kind with the roles that search it (their list's roles).
KINDS = (
    (_trips, roles.VIEWERS),
    (_people, roles.BUSINESS_ROLES),
    (_units, frozenset(roles.Role)),
    (_arrivals, roles.ARRIVALS_READERS),
)


def search(user, q: str) -> list[Group]:
    """The groups ``user`` may search, each with its hits (an empty group is kept: the
    page says nothing of that kind was found)."""
    q = (q or "").strip()[:MAX_QUERY]
    if not q:
        return []
    return [find(user, q) for find, allowed in KINDS if roles.has(user, allowed)]
