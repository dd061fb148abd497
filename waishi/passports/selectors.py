"""Reads of passports, custody and applications shared by pages, reports and jobs."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from waishi.orgs import scoping
from waishi.passports.models import (
    Passport,
    PassportApplication,
    PassportCustody,
)


def passport_search(
    user, *, q: str = "", state: str = "", unit_id: int | None = None
) -> QuerySet[Passport]:
    """Passports ``user`` may see, by the holder's name, pinyin or initials. Numbers are
    not searched here (a query travels in URLs and logs)."""
    rows = scoping.visible(user, Passport).select_related("holder__unit")
    if state:
        rows = rows.filter(state=state)
    if unit_id:
        rows = rows.filter(holder__unit_id=unit_id)
    q = (q or "").strip()
    if q:
        lowered = q.lower().replace(" ", "")
        condition = Q(holder__name__icontains=q)
        if lowered.isascii() and lowered.isalpha():
            condition |= Q(holder__name_initials__startswith=lowered) | Q(
                holder__name_pinyin__startswith=lowered
            )
        rows = rows.filter(condition)
    open_custody = PassportCustody.objects.filter(passport=OuterRef("pk"), returned_at__isnull=True)
    return rows.annotate(is_out=Exists(open_custody)).order_by(
        "holder__unit__code", "holder__name_pinyin", "pk"
    )


def passport_by_number(user, number: str) -> Passport | None:
    """Exact search through the blind index, among the passports ``user`` may see."""
    return (
        scoping.visible(user, Passport)
        .filter(number_index=Passport.index_number(number))
        .select_related("holder__unit")
        .first()
    )


def custody_history(passport: Passport) -> QuerySet[PassportCustody]:
    return passport.custodies.select_related("mission", "issued_by", "received_by").order_by(
        "-issued_at", "-pk"
    )


def open_custody(passport: Passport) -> PassportCustody | None:
    return passport.custodies.filter(returned_at__isnull=True).select_related("mission").first()


def custody_report_rows(user) -> QuerySet[PassportCustody]:
    return (
        scoping.visible(user, PassportCustody)
        .select_related("passport__holder__unit", "mission", "issued_by", "received_by")
        .order_by("-issued_at", "-pk")
    )


def mission_passports(mission) -> list[dict]:
    """For each member of ``mission``: the person, their usable passports and the
    custody row of this trip, if any (the issue page)."""
    from waishi.missions.models import Member

    members = list(
        Member.objects.filter(mission=mission).select_related("person").order_by("order", "pk")
    )
    person_ids = [m.person_id for m in members]
    passports: dict[int, list[Passport]] = {}
    for passport in Passport.objects.filter(holder_id__in=person_ids).order_by("-expires_on"):
        passports.setdefault(passport.holder_id, []).append(passport)
    custodies = {
        c.passport.holder_id: c
        for c in PassportCustody.objects.filter(mission=mission)
        .select_related("passport")
        .order_by("issued_at", "pk")
    }
    return [
        {
            "member": member,
            "passports": passports.get(member.person_id, []),
            "custody": custodies.get(member.person_id),
        }
        for member in members
    ]


def passports_issued(mission) -> bool:
    """Every member has had a passport issued for this trip."""
    from waishi.missions.models import Member

    people = set(Member.objects.filter(mission=mission).values_list("person_id", flat=True))
    if not people:
        return False
    covered = set(
        PassportCustody.objects.filter(mission=mission, lost=False).values_list(
            "passport__holder_id", flat=True
        )
    )
    return people <= covered


def passports_back(mission) -> bool:
    """No passport issued for this trip is still out (a trip closes only then)."""
    return not PassportCustody.objects.filter(mission=mission, returned_at__isnull=True).exists()


def close_lines(mission) -> list[tuple[str, bool]]:
    """The line this app adds to what a trip needs before it closes
    (``missions.core.readiness``)."""
    return [(_("Every passport issued for the trip is back in custody"), passports_back(mission))]


def departure_lines(mission) -> list[tuple[str, bool]]:
    """The line this app adds to the pre-departure checklist (``missions.core.readiness``)."""
    return [(_("Every member's official passport has been issued"), passports_issued(mission))]


def application_list(user, *, state: str = "") -> QuerySet[PassportApplication]:
    rows = scoping.visible(user, PassportApplication).select_related(
        "person__unit", "created_by", "decided_by"
    )
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at", "-pk")


def out_of_custody(user) -> QuerySet[PassportCustody]:
    return scoping.visible(user, PassportCustody).filter(returned_at__isnull=True)


def obligations(unit) -> list:
    """For the unit's obligations page (``followups.obligations``): every passport of the
    unit out of custody, due back on its date, overdue once that date has passed."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from waishi.followups.obligations import Obligation
    from waishi.passports.models import PassportCustody

    today = timezone.localdate()
    rows = (
        PassportCustody.objects.filter(
            passport__holder__unit_id=unit.pk, returned_at__isnull=True, lost=False
        )
        .select_related("passport__holder", "mission")
        .order_by("due_back", "pk")
    )
    return [
        Obligation(
            kind=_("Passport to return"),
            title=f"{row.passport.holder.name}（{row.mission}）",
            due_date=row.due_back,
            url=reverse("passports:detail", kwargs={"passport_pk": row.passport_id}),
            overdue=row.due_back < today,
        )
        for row in rows
    ]
