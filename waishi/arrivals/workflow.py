"""The arrivals' transition tables, applied by ``waishi.lib.workflow``.

- An arrival is expected, under management from its first confirmed step, closed by its
  last (``services.step_confirm`` takes these transitions; its event records them).
- An imported list is checked, then imported or refused, once (``importer``).

Who may: the district officer of the arrival's district confirms its steps; the city
command imports lists. A stranger is told so before the record's state (``who_first``),
as the services always did.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.arrivals.models import ArrivalState, ImportBatch
from waishi.audit.services import record
from waishi.lib.roles import Role, has
from waishi.lib.workflow import Transition, Workflow

COMMAND = frozenset({Role.CITY_COMMAND})
DISTRICT = frozenset({Role.DISTRICT_OFFICER})

ANOTHER_DISTRICT = gettext_lazy("This arrival belongs to another district.")
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
