"""The trip report's workflow (出访报告, policy-rules.md ``REPORT_DUE``) as a transition
table, applied by the shared engine ``waishi.lib.workflow``.

The unit (its clerk or leader) submits the report once its structured fields are filled
in and its post-trip publicity is published; the FAO (reviewer or head) accepts it or
returns it with a comment; a returned report is corrected and submitted again. Accepting
is the trip's last step but one: it closes by itself once every passport is back too
(``trip.services.mission_close_if_ready``).

Writing the report (``report_update``), its signed document and its publicity are not
transitions: they are allowed in ``draft`` and ``returned`` (``EDITABLE_STATES``). Every
transition is one audit event on the report (``missions.report.<action>``), as every
other write of the report is.
"""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.audit.services import record
from waishi.lib.roles import CLERKS, FAO, UNIT_ROLES
from waishi.lib.workflow import Transition, Workflow
from waishi.missions.core.exclusion import excluded_user_ids
from waishi.missions.models import ReportState, TripReport
from waishi.orgs import permissions

# The unit writes and submits (its leader may submit what the clerk wrote).
WRITERS = CLERKS
SUBMITTERS = UNIT_ROLES
# The FAO decides.
REVIEWERS = FAO
# The states in which the unit edits the report.
EDITABLE_STATES = frozenset({ReportState.DRAFT, ReportState.RETURNED})
# The states in which the report is still owed by the unit (reminded, escalated).
OWED_STATES = EDITABLE_STATES


# Unit roles act only on their own unit's reports.
own_unit = permissions.unit_guard(gettext_lazy("This trip report belongs to another unit."))


def _submit_guard(report, actor) -> str | None:
    """Own unit; every required field filled in and the post-trip publicity published
    (``missing`` names what is not)."""
    refusal = own_unit(report, actor)
    if refusal is None:
        gaps = missing(report)
        if gaps:
            return _("The report cannot be submitted yet: %(what)s") % {
                "what": " ".join(str(m) for m in gaps.values())
            }
    return refusal


def _decide_guard(report, actor) -> str | None:
    """Nobody decides on the report of a trip they travelled on."""
    if actor.pk in excluded_user_ids(report.mission_id):
        return _("You travelled on this trip: another member of the FAO decides on its report.")
    return None


S = ReportState
REPORT = Workflow(
    name="missions.report",
    states=dict(ReportState.choices),
    transitions=[
        Transition(
            S.DRAFT, "submit", S.SUBMITTED, SUBMITTERS, _submit_guard, gettext_lazy("Submit")
        ),
        Transition(
            S.RETURNED,
            "submit",
            S.SUBMITTED,
            SUBMITTERS,
            _submit_guard,
            gettext_lazy("Submit again"),
        ),
        Transition(
            S.SUBMITTED,
            "accept",
            S.ACCEPTED,
            REVIEWERS,
            _decide_guard,
            gettext_lazy("Accept the report"),
        ),
        Transition(
            S.SUBMITTED,
            "return",
            S.RETURNED,
            REVIEWERS,
            _decide_guard,
            gettext_lazy("Return for changes"),
        ),
    ],
    recorder=record,
    changed_at_field="state_changed_at",
)


REQUIRED = ("tasks_done", "meetings", "outcomes", "costs")


def field_label(name: str) -> str:
    return capfirst(str(TripReport._meta.get_field(name).verbose_name))


def missing(report: TripReport) -> dict[str, str]:
    """What still keeps the report from being submitted, by field (empty: nothing): every
    required structured field left empty, and the post-trip publicity not published."""
    gaps: dict[str, str] = {}
    for name in REQUIRED:
        if not (getattr(report, name) or "").strip():
            gaps[name] = _("“%(field)s” is not filled in.") % {"field": field_label(name)}
    if report.publicity_starts_on is None:
        gaps["publicity"] = _("The report has not been published inside the unit (出访后公示).")
    return gaps
