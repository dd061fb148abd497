"""Readable sentences for the arrivals' audit actions."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register

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
