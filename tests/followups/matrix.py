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


def _task(world):
    """A supervised task the foreign unit leads (no home unit supports it)."""
    from waishi.followups.models import Outcome

    found = Outcome.objects.filter(track="task", responsible_unit=world.foreign_unit).first()
    if found is not None:
        return found
    due = timezone.localdate() + dt.timedelta(days=30)
    return Outcome.objects.create(
        track="task",
        state="in_progress",
        source_kind="minutes",
        title="外单位督办事项",
        description="外单位督办",
        responsible_person=world.foreign_person,
        responsible_unit=world.foreign_unit,
        due_date=due,
        original_due_date=due,
        created_by=world.cast["fao_reviewer"],
    )


def _extension(world):
    from waishi.followups.models import Extension

    task = _task(world)
    return Extension.objects.filter(outcome=task).first() or Extension.objects.create(
        outcome=task,
        reason="外单位延期理由",
        asked_by=world.cast["outsider"],
        due_before=task.due_date,
        requested_date=task.due_date + dt.timedelta(days=10),
    )


def _urge(world):
    from waishi.followups.models import Urge

    task = _task(world)
    return Urge.objects.filter(outcome=task).first() or Urge.objects.create(
        outcome=task, method="phone", text="外单位催办", by=world.cast["fao_reviewer"]
    )


def _review(world):
    from waishi.followups.models import Review

    task = _task(world)
    return Review.objects.filter(outcome=task).first() or Review.objects.create(
        outcome=task, decision="returned", reason="外单位退回", by=world.cast["fao_reviewer"]
    )


BUILDERS = {
    "followups.outcome": _outcome,
    "followups.progressupdate": _update,
    "followups.extension": _extension,
    "followups.urge": _urge,
    "followups.review": _review,
}
