"""Pre-trip publicity (公示, policy-rules.md ``PUBLICITY_BEFORE``): the unit publishes the
notice once the trip is submitted, for N working days; or the FAO head records one of
the exemptions with a reason. Final approval waits until the period has run
(``services.decisions``). Audited on the mission."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.approvals.services import final_step_due_refresh
from waishi.audit.services import record
from waishi.lib.roles import FAO_HEAD, UNIT_ROLES, has
from waishi.missions.core.publicity import publicity_period, publicity_working_days
from waishi.missions.models import Exemption, Mission, Publicity, State
from waishi.orgs import permissions

PUBLISHERS = UNIT_ROLES
EXEMPTERS = FAO_HEAD
# Publicity runs while the trip is in the approval chain.
PUBLISHABLE_STATES = frozenset({State.SUBMITTED, State.IN_REVIEW})


def _locked(mission: Mission) -> tuple[Mission, Publicity | None]:
    locked = Mission.objects.select_for_update().get(pk=mission.pk)
    existing = Publicity.objects.select_for_update().filter(mission=locked).first()
    return locked, existing


def _require_state(mission: Mission) -> None:
    if mission.state not in PUBLISHABLE_STATES:
        raise ValidationError(
            _("Publicity is possible only while the trip is being approved (it is %(state)s).")
            % {"state": mission.get_state_display()},
            code="state",
        )


def publicity_publish(*, actor, mission: Mission, ip: str = "") -> Publicity:
    """The unit (its clerk or leader) publishes the notice from today, once."""
    if not permissions.may(actor, PUBLISHERS, mission):
        raise PermissionDenied(_("Only the trip's own unit publishes its notice."))
    with transaction.atomic():
        locked, existing = _locked(mission)
        _require_state(locked)
        if existing is not None and existing.is_published:
            raise ValidationError(_("The notice has already been published."), code="published")
        if existing is not None and existing.is_exempt:
            raise ValidationError(_("The FAO exempted this trip from publicity."), code="exempt")
        now = timezone.now()
        days = publicity_working_days()
        starts_on, ends_on = publicity_period(timezone.localdate(now), days)
        publicity = existing or Publicity(mission=locked)
        publicity.starts_on = starts_on
        publicity.ends_on = ends_on
        publicity.working_days = days
        publicity.published_by = actor
        publicity.published_at = now
        publicity.save()
        record(
            action="missions.mission.publish",
            actor=actor,
            obj=locked,
            ip=ip,
            after={"starts_on": starts_on, "ends_on": ends_on, "working_days": days},
        )
        # The final approval waits for the period: its step is not due before.
        final_step_due_refresh(subject_type="missions.mission", subject_id=locked.pk)
    return publicity


def publicity_exempt(
    *, actor, mission: Mission, exemption: str, reason: str, ip: str = ""
) -> Publicity:
    """The FAO head records that the trip needs no publicity (one of the exemptions of
    ``PUBLICITY_BEFORE``), with the reason."""
    if not has(actor, EXEMPTERS):
        raise PermissionDenied(_("Only the FAO head may exempt a trip from publicity."))
    reason = (reason or "").strip()
    errors = {}
    if exemption not in Exemption.values:
        errors["exemption"] = _("Choose the ground for the exemption.")
    if not reason:
        errors["exemption_reason"] = _("Give the reason for the exemption.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked, existing = _locked(mission)
        _require_state(locked)
        if existing is not None and existing.is_exempt:
            raise ValidationError(_("This trip is already exempted."), code="exempt")
        publicity = existing or Publicity(mission=locked)
        publicity.exemption = exemption
        publicity.exemption_reason = reason
        publicity.exempted_by = actor
        publicity.exempted_at = timezone.now()
        publicity.save()
        record(
            action="missions.mission.exempt",
            actor=actor,
            obj=locked,
            ip=ip,
            after={"exemption": exemption, "exemption_reason": reason},
        )
    return publicity
