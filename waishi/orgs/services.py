"""Every change to units and people: check permission, validate, change, audit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waishi.audit.services import diff, record, snapshot
from waishi.lib.pinyin import pinyin_of
from waishi.orgs import scoping
from waishi.orgs.models import Person, Unit

UNIT_FIELDS = ("code", "name", "short_name", "kind", "parent", "district", "is_active")
PERSON_FIELDS = (
    "name",
    "unit",
    "post",
    "rank",
    "is_party_member",
    "is_unit_leadership",
    "is_city_leader",
    "is_econ_tech",
    "is_retired",
    "phone",
    "is_active",
)


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(_("You are not allowed to do this."))


# --- units ----------------------------------------------------------------------------------


def _check_parent(unit: Unit, parent: Unit | None) -> None:
    seen = {unit.pk}
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
        seen.add(parent.pk)
        parent = parent.parent


def unit_create(*, actor, ip: str = "", **values: Any) -> Unit:
    _require(actor, "orgs.add_unit")
    unit = Unit(**{k: values[k] for k in UNIT_FIELDS if k in values})
    unit.full_clean()
    with transaction.atomic():
        unit.save()
        record(
            action="orgs.unit.create",
            actor=actor,
            obj=unit,
            ip=ip,
            after=snapshot(unit, UNIT_FIELDS),
        )
    return unit


def unit_update(*, actor, unit: Unit, ip: str = "", **values: Any) -> Unit:
    _require(actor, "orgs.change_unit", unit)
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        before = snapshot(unit, UNIT_FIELDS)
        for key in UNIT_FIELDS:
            if key in values:
                setattr(unit, key, values[key])
        if unit.pk:
            _check_parent(unit, unit.parent)
        unit.full_clean()
        old, new = diff(before, snapshot(unit, UNIT_FIELDS))
        if not new:
            return unit
        unit.save(update_fields=list(new))
        record(action="orgs.unit.update", actor=actor, obj=unit, ip=ip, before=old, after=new)
    return unit


# --- people ---------------------------------------------------------------------------------


def _check_unit_allowed(actor, unit: Unit | None) -> None:
    """A unit clerk files people into their own unit only."""
    if unit is not None and not scoping.is_reader_of_everything(actor) and unit.pk != actor.unit_id:
        raise ValidationError({"unit": _("You can only add people to your own unit.")})


def _id_number_clash(number: str, exclude_pk: int | None = None) -> bool:
    qs = Person.objects.with_id_number(number)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _clean_person(person: Person, id_number: str, *, exclude_pk: int | None = None) -> None:
    """Normalise the name, set pinyin and the encrypted ID number, validate every field;
    raise one ValidationError that names every bad field."""
    person.name = (person.name or "").strip()
    person.name_pinyin, person.name_initials = pinyin_of(person.name)
    errors: dict[str, list[str]] = {}
    if id_number:
        try:
            person.set_id_number(id_number)
            if exclude_pk is not None and _id_number_clash(id_number, exclude_pk=exclude_pk):
                errors["id_number"] = [_("A person with this ID number exists.")]
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    try:
        person.full_clean(exclude=["id_number_enc", "id_number_index"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _person_state(person: Person) -> dict[str, Any]:
    """What the audit chain keeps of a person: the fields, and the ID number masked."""
    state = snapshot(person, PERSON_FIELDS)
    state["id_number"] = person.id_number_masked
    return state


def person_build(*, id_number: str = "", **values: Any) -> Person:
    """A validated, unsaved person (also used row by row by the spreadsheet import)."""
    person = Person(**{k: values[k] for k in PERSON_FIELDS if k in values})
    _clean_person(person, id_number)
    return person


def person_create(*, actor, id_number: str = "", ip: str = "", **values: Any) -> Person:
    _require(actor, "orgs.add_person")
    person = person_build(id_number=id_number, **values)
    _check_unit_allowed(actor, person.unit)
    with transaction.atomic():
        if id_number and _id_number_clash(id_number):
            raise ValidationError({"id_number": _("A person with this ID number exists.")})
        person.save()
        record(
            action="orgs.person.create", actor=actor, obj=person, ip=ip, after=_person_state(person)
        )
    return person


def person_update(
    *, actor, person: Person, id_number: str | None = None, ip: str = "", **values: Any
) -> Person:
    _require(actor, "orgs.change_person", person)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = _person_state(person)
        for key in PERSON_FIELDS:
            if key in values:
                setattr(person, key, values[key])
        _check_unit_allowed(actor, person.unit)
        _clean_person(person, id_number or "", exclude_pk=person.pk)
        after = _person_state(person)
        old, new = diff(before, after)
        if not new:
            return person
        person.save()
        record(action="orgs.person.update", actor=actor, obj=person, ip=ip, before=old, after=new)
    return person


def person_reveal_id_number(*, actor, person: Person, ip: str = "") -> str:
    """The full number for a role allowed to see it; every call leaves an audit event.

    The caller (a view) has already demanded a fresh second factor (security.md S2)."""
    _require(actor, "orgs.unmask_person", person)
    if not scoping.can_see(actor, person):
        raise PermissionDenied(_("You are not allowed to do this."))
    number = person.reveal_id_number()
    record(action="orgs.person.unmask", actor=actor, obj=person, ip=ip, data={"field": "id_number"})
    return number


@dataclass
class ImportResult:
    created: list[Person]


def people_import(
    *,
    actor,
    rows: list[dict[str, Any]],
    filename: str,
    ip: str = "",
) -> ImportResult:
    """Create the people of validated rows in one transaction: all of them or none.

    ``rows`` come from ``orgs.importer`` which has already checked each one; this
    re-checks the ID numbers under the transaction, so two imports racing cannot both
    insert the same person (the unique blind index backs that up)."""
    _require(actor, "orgs.import_people")
    created = []
    with transaction.atomic():
        for row in rows:
            person = person_build(**row)
            _check_unit_allowed(actor, person.unit)
            if row.get("id_number") and _id_number_clash(row["id_number"]):
                raise ValidationError(_("A person with this ID number exists."))
            person.save()
            record(
                action="orgs.person.create",
                actor=actor,
                obj=person,
                ip=ip,
                after=_person_state(person),
                data={"source": filename},
            )
            created.append(person)
        record(
            action="orgs.person.import",
            actor=actor,
            ip=ip,
            object_type="orgs.person",
            object_repr=filename,
            data={"file": filename, "count": len(created)},
        )
    return ImportResult(created=created)
