"""The arrivals' transition tables, applied by ``waishi.lib.workflow``.

- An arrival is expected, under management from its first confirmed step, closed by its
  last (``services.step_confirm`` takes these transitions; its event records them).
- A step of its plan is confirmed once, in order, by the arrival's district; it is done
  when it has its time (no state column).
- A hand-over asked by the arrival's district is accepted or refused by the district
  asked, or withdrawn by the one that asked, once; the city command's reassignment voids
  it. The request itself is a new row, no transition (``services.handover_request``).
- An imported list is checked, then imported or refused, once (``importer``).

Who may: the district officer of the arrival's district confirms its steps; the city
command imports lists. A stranger is told so before the record's state (``who_first``),
as the services always did.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.arrivals.models import ArrivalState, Handover, ImportBatch, Step
from waishi.audit.services import record
from waishi.lib.roles import Role, has
from waishi.lib.workflow import Transition, Workflow

COMMAND = frozenset({Role.CITY_COMMAND})
DISTRICT = frozenset({Role.DISTRICT_OFFICER})

ANOTHER_DISTRICT = gettext_lazy("This arrival belongs to another district.")
ONLY_THE_DISTRICT_ASKED = gettext_lazy("Only the district asked may answer this hand-over.")
ONLY_THE_DISTRICT_ASKING = gettext_lazy("Only the district that asked may withdraw the request.")
ONLY_THE_COMMAND_IMPORTS = gettext_lazy("Only the city command imports arrival lists.")


def district_refusal(actor, district_id) -> str | None:
    """A district officer acts on the arrivals of their own district only."""
    if not has(actor, DISTRICT) or actor.district_id != district_id:
        return str(ANOTHER_DISTRICT)
    return None


def own_district(arrival, actor) -> str | None:
    return district_refusal(actor, arrival.district_id)


A = ArrivalState
ARRIVAL = Workflow(
    name="arrivals.arrival",
    states=dict(ArrivalState.choices),
    transitions=[
        Transition(
            A.EXPECTED, "manage", A.MANAGED, DISTRICT, who=own_district, forbidden=ANOTHER_DISTRICT
        ),
        Transition(
            A.EXPECTED, "close", A.CLOSED, DISTRICT, who=own_district, forbidden=ANOTHER_DISTRICT
        ),
        Transition(
            A.MANAGED, "close", A.CLOSED, DISTRICT, who=own_district, forbidden=ANOTHER_DISTRICT
        ),
    ],
    recorder=record,
    who_first=True,
)


def step_state(step) -> str:
    """A step is done once it has its time (and who confirmed it): no column of its own."""
    return "open" if step.done_at is None else "done"


def step_district(step, actor) -> str | None:
    return district_refusal(actor, step.arrival.district_id)


def in_order(step, actor) -> str | None:
    earlier = Step.objects.filter(
        arrival_id=step.arrival_id, sequence__lt=step.sequence, done_at__isnull=True
    ).first()
    if earlier is not None:
        return _("Confirm “%(step)s” first: the steps are done in order.") % {"step": earlier}
    return None


STEP = Workflow(
    name="arrivals.step",
    states={"open": gettext_lazy("To be confirmed"), "done": gettext_lazy("Confirmed")},
    transitions=[
        Transition(
            "open",
            "confirm",
            "done",
            DISTRICT,
            in_order,
            gettext_lazy("Confirm this step"),
            who=step_district,
            forbidden=ANOTHER_DISTRICT,
        ),
    ],
    recorder=record,
    not_now=lambda step, action: _("This step is already confirmed."),
    who_first=True,
    derive_state=step_state,
)


def district_asked(handover, actor) -> str | None:
    if not has(actor, DISTRICT) or actor.district_id != handover.to_district_id:
        return str(ONLY_THE_DISTRICT_ASKED)
    return None


def district_asking(handover, actor) -> str | None:
    if not has(actor, DISTRICT) or actor.district_id != handover.from_district_id:
        return str(ONLY_THE_DISTRICT_ASKING)
    return None


def not_moved(handover, actor) -> str | None:
    """A request is void once the arrival has left the district that asked."""
    if handover.arrival.district_id != handover.from_district_id:
        return _("The arrival has moved since the request: it is void.")
    return None


H = Handover.State
HANDOVER = Workflow(
    name="arrivals.handover",
    states=dict(Handover.State.choices),
    transitions=[
        Transition(
            H.PENDING,
            "accept",
            H.ACCEPTED,
            DISTRICT,
            not_moved,
            who=district_asked,
            forbidden=ONLY_THE_DISTRICT_ASKED,
        ),
        Transition(
            H.PENDING,
            "refuse",
            H.REFUSED,
            DISTRICT,
            who=district_asked,
            forbidden=ONLY_THE_DISTRICT_ASKED,
        ),
        Transition(
            H.PENDING,
            "withdraw",
            H.WITHDRAWN,
            DISTRICT,
            who=district_asking,
            forbidden=ONLY_THE_DISTRICT_ASKING,
        ),
        # The city command moved the arrival itself (``services.arrival_reassign``).
        Transition(H.PENDING, "void", H.WITHDRAWN, COMMAND),
    ],
    recorder=record,
    not_now=lambda handover, action: _("This hand-over has already been answered."),
    who_first=True,
)


B = ImportBatch.State
BATCH = Workflow(
    name="arrivals.batch",
    states=dict(ImportBatch.State.choices),
    transitions=[
        Transition(B.CHECKED, "import", B.IMPORTED, COMMAND, forbidden=ONLY_THE_COMMAND_IMPORTS),
        Transition(B.CHECKED, "refuse", B.REFUSED, COMMAND, forbidden=ONLY_THE_COMMAND_IMPORTS),
    ],
    recorder=record,
    not_now=lambda batch, action: _("This list has already been imported or refused."),
    who_first=True,
)
