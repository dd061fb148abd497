"""Readable sentences for the annual plan's audit actions."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import reference_words, register, register_data, register_fields
from waishi.plans.exports import ranks_text
from waishi.plans.forms import country_names
from waishi.plans.models import PlanEntry

register(
    {
        "plans.plan.open": _("{actor} opened {object}"),
        "plans.plan.update": _("{actor} changed the deadline of {object}"),
        "plans.plan.consolidate": _("{actor} sent {object} to the committee"),
        "plans.plan.reopen": _("{actor} sent {object} back to the FAO: {comment}"),
        "plans.plan.approve": _("{actor} approved {object}; it now binds"),
        "plans.plan.amended": _("{actor} approved an amendment of {object}: now version {version}"),
        "plans.plan.export": _("{actor} exported {object} ({format})"),
        "plans.entry.create": _("{actor} drafted the plan entry {object}"),
        "plans.entry.update": _("{actor} changed the plan entry {object}"),
        "plans.entry.delete": _("{actor} deleted the plan entry {object}"),
        "plans.entry.submit": _("{actor} submitted the plan entry {object}"),
        "plans.entry.accept": _("{actor} accepted the plan entry {object}"),
        "plans.entry.return": _("{actor} returned the plan entry {object}: {comment}"),
        "plans.entry.approve": _(
            "{actor} approved the plan entry {object} (plan version {plan_version})"
        ),
        "plans.entry.amend": _("{actor} reopened the approved plan entry {object} to amend it"),
        "plans.entry.discard": _("{actor} discarded the amendment of the plan entry {object}"),
        "plans.quota.set": _("{actor} set the quota {object}"),
        "plans.quota.consume": _(
            "{actor} used the quota {object} for {reference}: 1 batch, {person_trips} person-trips"
        ),
        "plans.quota.release": _("{actor} released the quota {object} used by {reference}"),
    }
)

# An entry's lists of codes in words in its history: "德国、法国", "厅局级 1、县处级 2".
register_fields(
    "plans.planentry",
    {
        "countries": (PlanEntry._meta.get_field("countries").verbose_name, country_names),
        "ranks": (PlanEntry._meta.get_field("ranks").verbose_name, ranks_text),
    },
)
for _action in ("plans.quota.consume", "plans.quota.release"):
    register_data(_action, "reference", reference_words)
