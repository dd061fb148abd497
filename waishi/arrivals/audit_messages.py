"""Readable sentences for the arrivals' audit actions."""

from django.utils.translation import gettext_lazy as _

from waishi.arrivals.models import Handover, SourceKind
from waishi.audit.messages import fields_of, register, register_data, register_fields

register(
    {
        "arrivals.arrival.create": _("A new arrival {object} was registered from a {source}"),
        "arrivals.arrival.report": _("Another report of the arrival {object} came in ({source})"),
        "arrivals.arrival.reassign": _("{actor} moved the arrival {object} to another district"),
        "arrivals.handover.request": _("{actor} asked another district to take over {object}"),
        "arrivals.handover.accept": _("{actor} took over the arrival {object}"),
        "arrivals.handover.refuse": _("{actor} refused to take over the arrival {object}"),
        "arrivals.handover.withdraw": _("{actor} withdrew the hand-over of {object}"),
        "arrivals.step.confirm": _("{actor} confirmed “{step}” of the arrival {object}"),
        "arrivals.step.escalate": _(
            "Escalated to the city command: “{step}” of {object} is {hours_late} hours late"
        ),
    }
)

# The codes and the hand-over's keys these events keep, in words: where an arrival was
# reported from, and a hand-over's districts and state (recorded on the arrival).
for _action in ("arrivals.arrival.create", "arrivals.arrival.report"):
    register_data(_action, "source", SourceKind.choices)
for _action in (
    "arrivals.handover.request",
    "arrivals.handover.accept",
    "arrivals.handover.refuse",
    "arrivals.handover.withdraw",
):
    register_fields(
        _action,
        {
            "from": Handover._meta.get_field("from_district").verbose_name,
            "to": Handover._meta.get_field("to_district").verbose_name,
            **fields_of(Handover, "state"),
        },
    )
