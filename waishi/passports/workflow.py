"""The passports' transition tables, applied by ``waishi.lib.workflow``.

A passport is registered in custody; the FAO issues it for an approved trip and takes it
back (expired if it expired while out); it may be reported lost (also while out) or
cancelled (in custody, lost or expired: not while out); the daily sweep marks a passport
in custody expired past its date. What an issue needs besides the passport's state (the
trip, its members, the validity) is ``services.issue_refusal``, asked by the service.

An application for a new or renewed passport is approved or rejected once, by the FAO,
never by whoever applied.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.audit.services import record
from waishi.lib.roles import Role
from waishi.lib.workflow import Forbidden, Transition, Workflow
from waishi.passports.models import ApplicationState, PassportState

MANAGES_PASSPORTS = frozenset({Role.FAO_REVIEWER, Role.FAO_HEAD})
SYSTEM: frozenset[str] = frozenset()  # the daily sweep, never a person
NOT_ALLOWED = gettext_lazy("You are not allowed to do this.")
# What ``services.passport_mark`` marks a passport.
MARKS = ("lost", "cancelled")


def _not_now(passport, action: str) -> str:
    state = passport.get_state_display()
    if action == "issue":
        return _("The passport is %(state)s, not in custody.") % {"state": state}
    if action in MARKS:
        return _("A passport that is %(state)s cannot be marked so.") % {"state": state}
    return _("“%(action)s” is not possible while the record is %(state)s.") % {
        "action": action,
        "state": state,
    }


def _fao(source: str, action: str, target: str) -> Transition:
    return Transition(source, action, target, MANAGES_PASSPORTS, forbidden=NOT_ALLOWED)


P = PassportState
PASSPORT = Workflow(
    name="passports.passport",
    states=dict(PassportState.choices),
    transitions=[
        _fao(P.IN_CUSTODY, "issue", P.ISSUED),
        _fao(P.ISSUED, "return", P.IN_CUSTODY),
        # Back after its date of expiry: recorded as a return (passports.passport.return).
        _fao(P.ISSUED, "return_expired", P.EXPIRED),
        _fao(P.IN_CUSTODY, "lost", P.LOST),
        _fao(P.ISSUED, "lost", P.LOST),
        _fao(P.IN_CUSTODY, "cancelled", P.CANCELLED),
        _fao(P.LOST, "cancelled", P.CANCELLED),
        _fao(P.EXPIRED, "cancelled", P.CANCELLED),
        Transition(P.IN_CUSTODY, "expired", P.EXPIRED, SYSTEM),
    ],
    recorder=record,
    not_now=_not_now,
)


def not_own(application, actor) -> str | None:
    if application.created_by_id == actor.pk:
        return Forbidden(_("Nobody decides their own application."))
    return None


S = ApplicationState
APPLICATION = Workflow(
    name="passports.application",
    states=dict(ApplicationState.choices),
    transitions=[
        Transition(
            S.SUBMITTED, "approve", S.APPROVED, MANAGES_PASSPORTS, not_own, forbidden=NOT_ALLOWED
        ),
        Transition(
            S.SUBMITTED, "reject", S.REJECTED, MANAGES_PASSPORTS, not_own, forbidden=NOT_ALLOWED
        ),
    ],
    recorder=record,
    not_now=lambda application, action: _("This application has been decided already."),
)
