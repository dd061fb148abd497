"""Readable sentences (and field labels) for the key points' audit events."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waishi.audit.messages import fields_of, register, register_fields
from waishi.committee.keypoint_models import KeyPoint

register(
    {
        "committee.keypoints.import": _(
            "{actor} imported the work key points {object} from {file}: {areas} areas, "
            "{points} key points, {tasks} tasks, {supervised} supervised tasks registered"
        ),
        "committee.keypoints.create": _("{actor} started the work key points {object}"),
        "committee.keypoint.add": _("{actor} added the key point item {object}"),
        "committee.keypoint.update": _("{actor} changed the key point item {object}"),
        "committee.keypoint.delete": _("{actor} removed the key point item {object}"),
    }
)

register_fields(
    "committee.keypointplan",
    {
        "file": pgettext_lazy("key points", "file"),
        "areas": pgettext_lazy("key points", "areas"),
        "points": pgettext_lazy("key points", "key points"),
        "tasks": _("tasks"),
        "supervised": pgettext_lazy("key points", "supervised tasks"),
    },
)
register_fields(
    "committee.keypoint",
    {
        **fields_of(KeyPoint, "title", "detail", "due_date", "lead_unit"),
        "supporting_units": pgettext_lazy("key points", "supporting units"),
    },
)
