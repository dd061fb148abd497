"""Readable sentences for the follow-up actions."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register, register_fields
from waishi.followups.models import Outcome
from waishi.followups.sources import label_of

register(
    {
        "followups.outcome.create": _("{actor} recorded the outcome {object}"),
        "followups.outcome.update": _("{actor} changed the outcome {object}"),
        "followups.outcome.reassign": _("{actor} gave the outcome {object} to {unit}"),
        "followups.outcome.start": _("{actor} started work on the outcome {object}"),
        "followups.outcome.complete": _("{actor} marked the outcome {object} done"),
        "followups.outcome.drop": _("{actor} dropped the outcome {object}: {reason}"),
        "followups.outcome.reschedule": _(
            "{actor} gave the overdue outcome {object} a new due date"
        ),
        "followups.outcome.overdue": _(
            "The outcome {object} is overdue: {recipients} unit leaders told"
        ),
        "followups.outcome.escalate": _(
            "The overdue outcome {object} was escalated: {recipients} FAO reviewers told"
        ),
        "followups.outcome.export": _("{actor} exported {count} outcomes"),
        "followups.progress.add": _("{actor} recorded progress on {object}: {text}"),
        "followups.evidence.download": _(
            "{actor} downloaded the evidence {evidence} of the outcome {object}"
        ),
    }
)

# An outcome's source named by what it is ("出访报告"), never by its model's label.
register_fields(
    "followups.outcome",
    {"source_type": (Outcome._meta.get_field("source_type").verbose_name, label_of)},
)
