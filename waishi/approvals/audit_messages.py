"""Readable sentences for the approval actions."""

from django.utils.translation import gettext_lazy as _

from waishi.approvals.conditions import described
from waishi.approvals.models import ApprovalRule
from waishi.approvals.subjects import label as subject_label
from waishi.audit.messages import register, register_fields

register(
    {
        "approval.chain.start": _("{actor} sent {object} for approval (round {round})"),
        "approval.chain.cancel": _("{actor} cancelled the open approval steps of {object}"),
        "approval.step.approve": _("{actor} approved {object} at step {sequence} of round {round}"),
        "approval.step.return": _(
            "{actor} returned {object} for changes at step {sequence} of round {round}: {comment}"
        ),
        "approval.step.reject": _(
            "{actor} rejected {object} at step {sequence} of round {round}: {comment}"
        ),
        "approval.step.remind": _(
            "Overdue approval of {object} (step {sequence}): {recipients} approvers reminded"
        ),
        "approval.step.escalate": _(
            "Overdue approval of {object} (step {sequence}) escalated: {recipients} told"
        ),
        "approval.rule.create": _("{actor} created the approval rule {object}"),
        "approval.rule.update": _("{actor} changed the approval rule {object}"),
        "approval.delegation.create": _("{actor} created the delegation {object}"),
        "approval.delegation.revoke": _("{actor} revoked the delegation {object}"),
    }
)

# A rule's conditions, and the record types it applies to, in words in its history.
register_fields(
    "approvals.approvalrule",
    {
        "conditions": (
            ApprovalRule._meta.get_field("conditions").verbose_name,
            lambda value: "；".join(described(value)) if isinstance(value, dict) else value,
        ),
        "applies_to": (
            ApprovalRule._meta.get_field("applies_to").verbose_name,
            lambda value: str(subject_label(value)),
        ),
    },
)
