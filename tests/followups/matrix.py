"""Foreign objects of the follow-ups app for the access matrix (tests/test_access_matrix.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def _outcome(world):
    from waishi.followups.models import Outcome

    found = Outcome.objects.filter(responsible_unit=world.foreign_unit).first()
    if found is not None:
        return found
    return Outcome.objects.create(
        kind="agreement",
        title="外单位合作意向",
        description="外单位成果",
        responsible_person=world.foreign_person,
        responsible_unit=world.foreign_unit,
        due_date=timezone.localdate() + dt.timedelta(days=30),
        created_by=world.cast["outsider"],
    )


def _update(world):
    from django.core.files.base import ContentFile

    from waishi.followups.models import ProgressUpdate

    outcome = _outcome(world)
    update = ProgressUpdate(outcome=outcome, text="外单位进展", recorded_by=world.cast["outsider"])
    update.evidence_name = "纪要.pdf"
    update.evidence_type = "application/pdf"
    update.evidence.save("evidence.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    update.save()
    return update


BUILDERS = {
    "followups.outcome": _outcome,
    "followups.progressupdate": _update,
}
