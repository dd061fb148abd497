"""The public declaration form's services: a traveller declares an arrival, looks it up
and corrects it with the confirmation code; a foreign resident registers once and
declares health periodically; the city command opens and closes the links (campaigns).

What a traveller is told never depends on what the city already knows (issue 6):

- a declaration of a person and date already reported (by a list, or by an earlier
  declaration) is merged by ``services.arrival_register`` into the same arrival, and the
  traveller gets the same answer as for a new one: a new code, and whether *this*
  declaration came late (computed from what they typed, not from the arrival);
- a lookup shows only what the declaration of that code said (its source's details and
  its health declaration), never what another source reported;
- a second registration of a resident's passport answers like the first, with a code
  that opens nothing, and the page says that an earlier registration stays in force.

The confirmation code is shown once and stored only as its blind index. Nothing here
writes a passport number or a health detail into the audit chain.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.arrivals import (
    audit_messages_public,  # noqa: F401 -- the sentences
    models,
)
from waishi.arrivals.models import (
    Arrival,
    ArrivalSettings,
    ArrivalSource,
    ArrivalState,
    Campaign,
    HealthDeclaration,
    Resident,
    SourceKind,
)
from waishi.arrivals.services import arrival_register, late_declaration
from waishi.audit.services import record
from waishi.lib.roles import COMMAND, has
from waishi.orgs.models import District

HEALTH_FIELDS = ("symptoms", "symptoms_note", "test_on", "test_outcome")
# What a traveller may correct: contact, journey and address. The person, the passport
# and the arrival date are what the arrival is (a new date is a new declaration); the
# district is changed in what the declaration says, never on the arrival, which only a
# hand-over moves.
CORRECTABLE = (
    "phone",
    "email",
    "origin_city",
    "route",
    "departs_on",
    "arrival_time",
    "port",
    "address",
    "purpose",
)


def _traveller() -> str:
    return _("traveller (public form)")


def _resident() -> str:
    return _("foreign resident (public form)")


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


# -- arrival declarations -----------------------------------------------------------


@dataclass
class Declared:
    code: str  # shown once, never stored
    late: bool  # this declaration came less than the lead time before departure
    source: ArrivalSource


def declaration_submit(
    *,
    data: dict,
    passport: str,
    district: District,
    health: dict,
    campaign: Campaign | None = None,
    now: dt.datetime | None = None,
) -> Declared:
    """A traveller's declaration: the arrival (new, or the one already known for this
    passport and date), a source with this declaration's code, and its health
    declaration, in one transaction. ``data`` holds the arrival's fields, validated."""
    now = now or timezone.now()
    code = models.new_confirmation_code()
    with transaction.atomic():
        registered = arrival_register(
            data=data,
            passport=passport,
            district=district,
            kind=SourceKind.DECLARATION,
            actor=None,
            code_index=models.code_index(code),
            now=now,
        )
        source = registered.source
        if campaign is not None:
            source.details = {**source.details, "campaign": campaign.pk}
            source.save(update_fields=["details"])
        HealthDeclaration.objects.create(
            arrival=registered.arrival,
            source=source,
            declared_at=now,
            **{name: health.get(name) for name in HEALTH_FIELDS if name in health},
        )
    lead = ArrivalSettings.current().declare_lead_hours
    return Declared(code, late_declaration(data.get("departs_on"), now, lead), source)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _passport_index_or_blank(passport: str) -> str:
    try:
        return models.passport_index(models.validate_passport(passport))
    except ValidationError:
        return ""


def declaration_find(*, code: str, passport: str) -> ArrivalSource | None:
    """The declaration of this code when ``passport`` is the declared number, else None
    (the caller says the same thing whichever was wrong)."""
    wanted = _passport_index_or_blank(passport)
    normalised = models.normalise_code(code)
    source = None
    if 0 < len(normalised) <= 40:
        source = (
            ArrivalSource.objects.filter(
                code_index=models.code_index(normalised), kind=SourceKind.DECLARATION
            )
            .select_related("arrival")
            .first()
        )
    if source is None or not wanted or not _same(source.arrival.passport_index, wanted):
        return None
    return source


def declaration_health(source: ArrivalSource) -> HealthDeclaration | None:
    """The health declaration made with this declaration (none other)."""
    return source.health_declarations.order_by("pk").first()


def declaration_viewed(*, source: ArrivalSource, ip: str = "") -> None:
    """A traveller opened their declaration with the code: recorded, since it shows
    health data (issue 6, item 7); the event says nothing of what was shown."""
    record(
        action="arrivals.declaration.view",
        actor_name=_traveller(),
        obj=source.arrival,
        ip=ip,
        data={"source": source.pk},
    )


def declaration_correctable(source: ArrivalSource) -> bool:
    return source.arrival.state != ArrivalState.CLOSED


def declaration_correct(
    *, source: ArrivalSource, data: dict, health: dict, district: District | None, ip: str = ""
) -> ArrivalSource:
    """The traveller corrects their declaration: what it says (its details and health
    declaration) and the arrival's contact, journey and address. The arrival stays in
    its district; the audit event names the fields, not the health values."""
    with transaction.atomic():
        arrival = Arrival.objects.select_for_update().get(pk=source.arrival_id)
        source = ArrivalSource.objects.select_for_update().get(pk=source.pk)
        if arrival.state == ArrivalState.CLOSED:
            raise ValidationError(
                _("The management of this arrival has ended: it can no longer be corrected.")
            )
        departs_on = data.get("departs_on")
        if departs_on is not None and departs_on > arrival.arrival_date:
            raise ValidationError(
                {"departs_on": _("The departure date cannot be after the arrival date.")}
            )
        details = dict(source.details)
        changed: list[str] = []
        for name in CORRECTABLE:
            if name not in data:
                continue
            value = data[name]
            stored = _jsonable(value) if value not in (None, "") else None
            if details.get(name) != stored:
                changed.append(name)
                if stored is None:
                    details.pop(name, None)
                else:
                    details[name] = stored
        if district is not None and details.get("district") != district.code:
            details["district"] = district.code
            changed.append("district")
        before: dict = {}
        after: dict = {}
        arrival_changed: list[str] = []
        for name in CORRECTABLE:
            if name not in data:
                continue
            value = data[name]
            if value in (None, "") or getattr(arrival, name) == value:
                continue  # a blank answer does not erase what another source gave
            before[name] = _jsonable(getattr(arrival, name))
            after[name] = _jsonable(value)
            setattr(arrival, name, value)
            arrival_changed.append(name)
        declaration = declaration_health(source)
        health_changed = declaration is None
        if declaration is None:
            declaration = HealthDeclaration(arrival=arrival, source=source)
        for name in HEALTH_FIELDS:
            if name in health and getattr(declaration, name) != health[name]:
                setattr(declaration, name, health[name])
                health_changed = True
        if health_changed:
            declaration.save()
        if not changed and not health_changed and not arrival_changed:
            return source
        source.details = details
        source.save(update_fields=["details"])
        if arrival_changed:
            arrival.version += 1
            arrival.save(update_fields=[*arrival_changed, "version", "updated_at"])
        record(
            action="arrivals.declaration.correct",
            actor_name=_traveller(),
            obj=arrival,
            ip=ip,
            before=before or None,
            after=after or None,
            data={
                "source": source.pk,
                "fields": sorted(set(changed) | set(arrival_changed)),
                "health": health_changed,
            },
        )
    return source


# -- foreign residents --------------------------------------------------------------


@dataclass
class ResidentRegistered:
    code: str  # shown once; for a passport already registered, a code that opens nothing
    next_due: dt.date


def _next_due(now: dt.datetime) -> dt.date:
    interval = ArrivalSettings.current().resident_interval_days
    return timezone.localdate(now) + dt.timedelta(days=interval)


def resident_register(
    *,
    data: dict,
    passport: str,
    district: District,
    health: dict,
    ip: str = "",
    now: dt.datetime | None = None,
) -> ResidentRegistered:
    """A foreign resident registers, with a first health declaration. A passport
    already registered gets the same answer and changes nothing (the registration in
    force keeps its code); the attempt is recorded for the FAO."""
    now = now or timezone.now()
    code = models.new_confirmation_code()
    next_due = _next_due(now)
    resident = Resident(
        name=data["name"],
        nationality=data["nationality"],
        phone=data.get("phone", ""),
        email=data.get("email", ""),
        address=data["address"],
        employer=data.get("employer", ""),
        district=district,
        code_index=models.code_index(code),
        registered_at=now,
        last_declared_at=now,
        next_due=next_due,
    )
    resident.set_passport(passport)
    try:
        with transaction.atomic():
            existing = Resident.objects.filter(passport_index=resident.passport_index).first()
            if existing is not None:
                _record_again(existing, ip)
                return ResidentRegistered(code, next_due)
            resident.save()
            HealthDeclaration.objects.create(
                resident=resident,
                declared_at=now,
                **{name: health.get(name) for name in HEALTH_FIELDS if name in health},
            )
            record(
                action="arrivals.resident.register",
                actor_name=_resident(),
                obj=resident,
                ip=ip,
                data={"district": district.name, "next_due": next_due},
            )
    except IntegrityError:
        # The same passport registered at the same moment by another request.
        with transaction.atomic():
            existing = Resident.objects.filter(passport_index=resident.passport_index).first()
            if existing is None:
                raise
            _record_again(existing, ip)
    return ResidentRegistered(code, next_due)


def _record_again(existing: Resident, ip: str) -> None:
    record(
        action="arrivals.resident.register_again",
        actor_name=_resident(),
        obj=existing,
        ip=ip,
    )


def resident_find(*, code: str, passport: str) -> Resident | None:
    wanted = _passport_index_or_blank(passport)
    normalised = models.normalise_code(code)
    resident = None
    if 0 < len(normalised) <= 40:
        resident = Resident.objects.filter(code_index=models.code_index(normalised)).first()
    if resident is None or not wanted or not _same(resident.passport_index, wanted):
        return None
    return resident


def resident_declare(
    *, code: str, passport: str, health: dict, ip: str = "", now: dt.datetime | None = None
) -> dt.date | None:
    """A periodic health declaration with the code and the passport number: the next
    one's due date, or None when the two do not match (whichever was wrong)."""
    now = now or timezone.now()
    resident = resident_find(code=code, passport=passport)
    if resident is None:
        return None
    next_due = _next_due(now)
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        HealthDeclaration.objects.create(
            resident=resident,
            declared_at=now,
            **{name: health.get(name) for name in HEALTH_FIELDS if name in health},
        )
        overdue = resident.next_due < timezone.localdate(now)
        resident.last_declared_at = now
        resident.next_due = next_due
        resident.save(update_fields=["last_declared_at", "next_due"])
        record(
            action="arrivals.resident.declare",
            actor_name=_resident(),
            obj=resident,
            ip=ip,
            data={"next_due": next_due, "overdue": overdue},
        )
    return next_due


# -- campaigns (the links to the form) ----------------------------------------------


def _require_command(actor) -> None:
    if not has(actor, COMMAND):
        raise PermissionDenied(_("You are not allowed to do this."))


def campaign_create(
    *, actor, name: str, variant: str, ends_on: dt.date | None = None, ip: str = ""
) -> Campaign:
    _require_command(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the campaign a name.")})
    if variant not in Campaign.Variant.values:
        raise ValidationError({"variant": _("Choose which form the link opens.")})
    if ends_on is not None and ends_on < timezone.localdate():
        raise ValidationError({"ends_on": _("The end date cannot be in the past.")})
    with transaction.atomic():
        campaign = Campaign(name=name, variant=variant, ends_on=ends_on, created_by=actor)
        campaign.save()
        record(
            action="arrivals.campaign.create",
            actor=actor,
            obj=campaign,
            ip=ip,
            after={"name": name, "variant": variant, "ends_on": ends_on},
        )
    return campaign


def campaign_switch_off(*, actor, campaign: Campaign, ip: str = "") -> Campaign:
    """The link stops taking declarations (what was declared stays)."""
    _require_command(actor)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not campaign.active:
            raise ValidationError(_("This link is already switched off."))
        campaign.active = False
        campaign.save(update_fields=["active"])
        record(
            action="arrivals.campaign.switch_off",
            actor=actor,
            obj=campaign,
            ip=ip,
            before={"active": True},
            after={"active": False},
        )
    return campaign


def campaign_declarations(campaign: Campaign) -> int:
    """How many declarations came in through this link."""
    return ArrivalSource.objects.filter(
        kind=SourceKind.DECLARATION, details__campaign=campaign.pk
    ).count()
