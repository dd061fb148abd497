"""Drafting a trip application: the basics, the invitation and its letter, the written
justifications. Each saves what was typed (complete or not) and records one event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waishi.audit.services import diff, record, snapshot
from waishi.lib.roles import has
from waishi.missions.application.services.common import DRAFTS, _bump, _bump_step_only, _lock
from waishi.missions.core import uploads
from waishi.missions.core.common import _choice, _date, _decimal, _text
from waishi.missions.models import Category, InvitationSource, Mission
from waishi.plans.selectors import binding_entries

BASICS_FIELDS = (
    "title",
    "purpose",
    "tasks",
    "category",
    "departure_date",
    "return_date",
    "out_of_plan",
    "out_of_plan_reason",
    "funding_source",
    "budget_total_cny",
)
INVITATION_FIELDS = ("invitation_source", "inviter")


# -- create and basics -----------------------------------------------------------------------


def mission_create_draft(*, actor, ip: str = "", **values: Any) -> Mission:
    """A new draft of the actor's unit, with whatever basics were typed (may be none)."""
    if not has(actor, DRAFTS) or actor.unit_id is None:
        raise PermissionDenied(_("Only a unit clerk drafts trip applications."))
    mission = Mission(unit_id=actor.unit_id, created_by=actor)
    if values.get("plan_entry") is not None:
        _check_plan_entry(mission, values["plan_entry"])
    _apply_basics(mission, values)
    with transaction.atomic():
        mission.save()
        record(
            action="missions.mission.create",
            actor=actor,
            obj=mission,
            ip=ip,
            after=snapshot(mission, ("unit", *BASICS_FIELDS, "plan_entry")),
        )
    return mission


def _apply_basics(mission: Mission, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key in ("title", "purpose", "tasks", "out_of_plan_reason", "funding_source"):
            limit = mission._meta.get_field(key).max_length
            text = _text(value)
            setattr(mission, key, text[:limit] if limit else text)
        elif key == "category":
            mission.category = _choice(value, Category.values, mission.category)
        elif key in ("departure_date", "return_date"):
            setattr(mission, key, _date(value))
        elif key == "budget_total_cny":
            mission.budget_total_cny = _decimal(value)
        elif key == "out_of_plan":
            mission.out_of_plan = bool(value)
        elif key == "plan_entry":
            mission.plan_entry = value or None


def mission_update_basics(
    *, actor, mission: Mission, version: int | None, ip: str = "", **values: Any
) -> Mission:
    """Step 1: title, purpose, tasks, category, dates, plan link or 计划外 + reason,
    funding. Only the keys given change."""
    fields = [k for k in (*BASICS_FIELDS, "plan_entry") if k in values]
    with transaction.atomic():
        locked = _lock(actor, mission, version)
        if "plan_entry" in fields and values["plan_entry"] is not None:
            _check_plan_entry(locked, values["plan_entry"])
        before = snapshot(locked, fields)
        _apply_basics(locked, {k: values[k] for k in fields})
        old, new = diff(before, snapshot(locked, fields))
        if not new:
            _bump_step_only(locked, 1)
            return locked
        _bump(locked, new, step=1)
        record(
            action="missions.mission.update",
            actor=actor,
            obj=locked,
            ip=ip,
            before=old,
            after=new,
            data={"step": 1},
        )
    return locked


def _check_plan_entry(mission: Mission, entry) -> None:
    """A plan entry must be one of the unit's entries binding in the approved plan."""
    if (
        entry.unit_id != mission.unit_id
        or not binding_entries(mission.unit_id, entry.plan.year).filter(pk=entry.pk).exists()
    ):
        raise ValidationError(
            {"plan_entry": _("Choose an entry of your unit's approved annual plan.")}
        )


# -- invitation ------------------------------------------------------------------------------


def mission_update_invitation(
    *,
    actor,
    mission: Mission,
    version: int | None,
    ip: str = "",
    letter=None,
    remove_letter: bool = False,
    **values: Any,
) -> Mission:
    """Step 2: the source and the inviter; ``letter`` (an uploaded file) replaces the
    letter on file after its content was checked (PDF, JPEG, PNG or .docx)."""
    kind = uploads.detect(letter) if letter is not None else None
    fields = [k for k in INVITATION_FIELDS if k in values]
    with transaction.atomic():
        locked = _lock(actor, mission, version)
        tracked = [*fields, "invitation_letter_name"]
        before = snapshot(locked, tracked)
        if "invitation_source" in values:
            locked.invitation_source = _choice(values["invitation_source"], InvitationSource.values)
        if "inviter" in values:
            locked.inviter = _text(values["inviter"])[:200]
        changed_file: list[str] = []
        old_file = locked.invitation_letter.name if locked.invitation_letter else ""
        if kind is not None:
            name = (getattr(letter, "name", "") or "letter")[-200:]
            stem = name.rsplit(".", 1)[0] if "." in name else name
            locked.invitation_letter.save(f"letter{kind.extension}", letter, save=False)
            locked.invitation_letter_name = f"{stem}{kind.extension}"[-200:]
            locked.invitation_letter_type = kind.content_type
            locked.invitation_letter_size = letter.size if hasattr(letter, "size") else None
            changed_file = ["invitation_letter"]
        elif remove_letter and old_file:
            locked.invitation_letter = ""
            locked.invitation_letter_name = ""
            locked.invitation_letter_type = ""
            locked.invitation_letter_size = None
            changed_file = ["invitation_letter"]
        old, new = diff(before, snapshot(locked, tracked))
        if not new and not changed_file:
            _bump_step_only(locked, 2)
            return locked
        _bump(
            locked,
            [
                *new,
                *(
                    [
                        "invitation_letter",
                        "invitation_letter_name",
                        "invitation_letter_type",
                        "invitation_letter_size",
                    ]
                    if changed_file
                    else []
                ),
            ],
            step=2,
        )
        record(
            action="missions.mission.invitation",
            actor=actor,
            obj=locked,
            ip=ip,
            before=old,
            after=new,
            data={
                "step": 2,
                "file": locked.invitation_letter_name,
                "content_type": locked.invitation_letter_type,
                "size": locked.invitation_letter_size,
                "removed": bool(remove_letter and not kind),
            },
        )
        if old_file and changed_file:
            # Delete the replaced file only once the new state is committed.
            storage = locked.invitation_letter.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return locked


def mission_letter_download(*, actor, mission: Mission, ip: str = "") -> None:
    """Record that ``actor`` downloaded the letter (the view checked they may see it)."""
    record(
        action="missions.mission.letter_download",
        actor=actor,
        obj=mission,
        ip=ip,
        data={"file": mission.invitation_letter_name},
    )


# -- justifications -----------------------------------------------------------


def mission_update_justifications(
    *, actor, mission: Mission, version: int | None, justifications: dict, ip: str = ""
) -> Mission:
    """Step 6: the written justifications, finding key -> text (saved as typed)."""
    with transaction.atomic():
        locked = _lock(actor, mission, version)
        merged = dict(locked.justifications or {})
        for key, text in (justifications or {}).items():
            text = _text(text)[:4000]
            if text:
                merged[str(key)[:100]] = text
            else:
                merged.pop(str(key), None)
        if merged == (locked.justifications or {}):
            _bump_step_only(locked, 6)
            return locked
        before = locked.justifications or {}
        locked.justifications = merged
        _bump(locked, ["justifications"], step=6)
        record(
            action="missions.mission.justify",
            actor=actor,
            obj=locked,
            ip=ip,
            before={"justifications": before},
            after={"justifications": merged},
            data={"step": 6},
        )
    return locked
