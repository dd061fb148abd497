"""What the trip report registers with other apps; called from ``MissionsConfig.ready()``:

- the readable sentences of its audit actions (``missions.report.*``);
- a ``followups.obligations`` provider: the reports a unit still owes, on its page;
- ``missions.mission`` as a ``followups`` source, so that an outcome of a trip (an
  agreement signed, an investment lead ...) is recorded against the trip ("登记成果" on
  the report page opens the follow-ups form with the trip chosen).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register as register_messages
from waishi.audit.messages import register_saves
from waishi.followups import obligations, sources
from waishi.missions.models import Mission
from waishi.missions.report import selectors as report_selectors
from waishi.orgs import scoping

AUDIT_MESSAGES = {
    "missions.report.update": _("{actor} changed the trip report {object}"),
    "missions.report.upload": _("{actor} filed the signed report {file} for {object}"),
    "missions.report.document_download": _(
        "{actor} downloaded the signed report {file} of {object}"
    ),
    "missions.report.docx": _("{actor} downloaded the {file} of {object}"),
    "missions.report.publish": _("{actor} published {object} inside the unit"),
    "missions.report.submit": _("{actor} submitted {object} to the FAO"),
    "missions.report.accept": _("{actor} accepted {object}"),
    "missions.report.return": _("{actor} returned {object} for changes"),
    "missions.report.remind": _("Reminder sent to the unit: {object} is due"),
    "missions.report.escalate": _("{object} is overdue: the unit leader was told"),
}


def _source():
    from django.urls import reverse

    return sources.Source(
        label=_("Trip abroad"),
        title=lambda ids: {m.pk: str(m) for m in Mission.objects.filter(pk__in=list(ids))},
        url=lambda pk: reverse("missions:detail", kwargs={"mission_pk": pk}),
        can_see=lambda user, pk: scoping.visible(user, Mission).filter(pk=pk).exists(),
    )


def ready() -> None:
    register_messages(AUDIT_MESSAGES)
    register_saves("missions.report.update")
    obligations.register(report_selectors.obligations)
    sources.register("missions.mission", _source())
