"""What the drafting services of the trip application share: who may draft, and the lock
with its state and version checks (the converters and ``StaleVersion`` are
``core.common``'s, shared with the other rooms)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from waishi.lib.roles import Role, has
from waishi.missions.core.common import StaleVersion
from waishi.missions.models import EDITABLE_STATES, Mission

DRAFTS = frozenset({Role.UNIT_CLERK})


LAST_STEP = 6


def _require_drafter(actor, unit_id: int | None) -> None:
    """Only a clerk of the application's own unit drafts and edits it."""
    if not has(actor, DRAFTS) or actor.unit_id is None or actor.unit_id != unit_id:
        raise PermissionDenied(_("Only a clerk of the unit may edit its trip applications."))


def _lock(actor, mission: Mission, version: int | None) -> Mission:
    """The mission re-read under a row lock, after the permission, state and version
    checks. Call inside ``transaction.atomic()``."""
    _require_drafter(actor, mission.unit_id)
    locked = Mission.objects.select_for_update().get(pk=mission.pk)
    _require_drafter(actor, locked.unit_id)
    if locked.state not in EDITABLE_STATES:
        raise ValidationError(
            _("The application is %(state)s and can no longer be edited.")
            % {"state": locked.get_state_display()},
            code="state",
        )
    if version is not None and int(version) != locked.version:
        raise StaleVersion(
            _(
                "This application was changed in another window or by someone else since you "
                "opened it. Nothing was saved: reload the page to see the current version, "
                "then make your change again."
            ),
            code="stale",
        )
    return locked


def _bump(locked: Mission, fields: Iterable[str] = (), step: int | None = None) -> None:
    locked.version += 1
    names = {*fields, "version", "updated_at"}
    if step is not None and step > locked.step:
        locked.step = min(step, LAST_STEP)
        names.add("step")
    locked.save(update_fields=sorted(names))


def _bump_step_only(locked: Mission, step: int) -> None:
    """Record the furthest step reached without counting it as a change of content."""
    if step > locked.step:
        locked.step = step
        locked.save(update_fields=["step"])
