"""Readable sentences for the follow-up actions."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register, register_actors, register_data, register_fields
from waishi.followups.models import Outcome, UrgeMethod
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
        # Supervised tasks (督办事项).
        "followups.task.register": _("{actor} registered the supervised task {object}"),
        "followups.task.assign": _("{actor} assigned the task {object} as {number}"),
        "followups.task.accept": _("{actor} accepted the task {object}"),
        "followups.task.ask_redirect": _(
            "{actor} asked to redirect the task {object} to another unit: {reason}"
        ),
        "followups.task.redirect": _("{actor} redirected the task {object} to {unit}"),
        "followups.task.keep": _("{actor} kept the task {object} with its lead unit: {reason}"),
        "followups.task.progress": _("{actor} reported progress on the task {object}: {text}"),
        "followups.task.support": _(
            "{actor} reported the part of {unit} in the task {object}: {text}"
        ),
        "followups.task.urge": _("{actor} sent a reminder ({method}) about the task {object}"),
        "followups.task.feedback": _("{actor} reported the result of the task {object}"),
        "followups.task.close": _("{actor} closed the task {object}"),
        "followups.task.return": _("{actor} returned the task {object} as not solved: {reason}"),
        "followups.task.archive": _("{actor} archived the task {object}"),
        "followups.task.drop": _("{actor} dropped the task {object}: {reason}"),
        "followups.task.red": _(
            "The task {object} is past its deadline: red alert, {recipients} people told"
        ),
        "followups.extension.ask": _(
            "{actor} asked for more time on the task {object}: until {requested_date}"
        ),
        "followups.extension.grant": _(
            "{actor} granted more time on the task {object}: until {requested_date}"
        ),
        "followups.extension.refuse": _("{actor} refused more time on the task {object}: {reason}"),
    }
)

register_data("followups.task.urge", "method", UrgeMethod.choices)
register_actors({"supervision colour sweep": _("the daily colour warnings of supervised tasks")})

# An outcome's source named by what it is ("出访报告"), never by its model's label.
register_fields(
    "followups.outcome",
    {
        # "kind of record it comes from", apart from a task's kind of source (来源类型).
        "source_type": (_("kind of source record"), label_of),
        "supporting_units": Outcome._meta.get_field("supporting_units").verbose_name,
    },
)
