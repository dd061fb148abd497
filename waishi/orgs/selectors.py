"""Reads of units and people shared by pages and the API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from waishi.orgs import scoping
from waishi.orgs.models import Person, Unit, User


def person_search(
    user, *, q: str = "", unit_id: int | None = None, include_inactive: bool = False
) -> QuerySet[Person]:
    """People ``user`` may see, matching a name, pinyin or pinyin initials.

    "zs" finds 张三 by initials, "zhangs" by full pinyin. ID numbers are not searched
    here: this query travels in URLs and access logs (see ``person_by_id_number``)."""
    people = scoping.visible(user, Person).select_related("unit")
    if not include_inactive:
        people = people.filter(is_active=True)
    if unit_id:
        people = people.filter(unit_id=unit_id)
    q = q.strip()
    if q:
        lowered = q.lower().replace(" ", "")
        condition = Q(name__icontains=q)
        if lowered.isascii() and lowered.isalpha():
            condition |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
        people = people.filter(condition)
    return people.order_by("unit__code", "name_pinyin", "pk")


def person_by_id_number(user, number: str) -> Person | None:
    """Exact search through the blind index, among the people ``user`` may see."""
    return (
        scoping.visible(user, Person)
        .select_related("unit")
        .filter(id_number_index=Person.index_id_number(number))
        .first()
    )


def unit_search(user, *, q: str = "", kind: str = "") -> QuerySet[Unit]:
    units = scoping.visible(user, Unit).select_related("parent", "district")
    if q.strip():
        units = units.filter(
            Q(name__icontains=q.strip())
            | Q(short_name__icontains=q.strip())
            | Q(code__icontains=q.strip())
        )
    if kind:
        units = units.filter(kind=kind)
    visible_people = scoping.visible(user, Person).filter(is_active=True)
    return units.annotate(
        people_count=Count(
            "people", filter=Q(people__in=visible_people.values("pk")), distinct=True
        )
    ).order_by("code")


def users_holding(roles, *, unit_id: int | None = None, district_id: int | None = None):
    """The active accounts with one of ``roles`` (a role or a set of roles), of the unit
    ``unit_id`` or the district ``district_id`` when given: whom a notice about a unit's
    or a district's record goes to."""
    roles = [roles] if isinstance(roles, str) else sorted(roles)
    users = User.objects.filter(is_active=True, role__in=roles)
    if unit_id is not None:
        users = users.filter(unit_id=unit_id)
    if district_id is not None:
        users = users.filter(district_id=district_id)
    return users.order_by("pk")
