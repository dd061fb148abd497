"""Outcomes through the workflow: who may do what, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import PersonFactory
from tests.followups.conftest import pdf
from waishi.followups import services, sources
from waishi.followups.models import Outcome, State
from waishi.followups.workflow import OUTCOME
from waishi.lib.workflow import WorkflowError

pytestmark = pytest.mark.django_db


def test_unit_staff_and_fao_create_others_may_not(cast, make_outcome, home_person):
    for role in ("unit_clerk", "unit_leader", "fao_reviewer", "fao_head"):
        assert make_outcome(actor=cast[role]).state == State.OPEN
    for role in ("committee", "auditor", "district_officer", "sys_admin", "outsider"):
        with pytest.raises(PermissionDenied):
            make_outcome(actor=cast[role])
    assert Outcome.objects.count() == 4


def test_person_must_belong_to_the_unit_and_due_date_not_past(
    cast, make_outcome, foreign_person, home_unit
):
    with pytest.raises(ValidationError) as exc:
        make_outcome(actor=cast["fao_reviewer"], person=foreign_person, unit=home_unit)
    assert "responsible_person" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_outcome(days=-1)
    assert "due_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_outcome(title="  ")
    assert "title" in exc.value.message_dict


def test_unit_clerk_cannot_create_for_another_unit(cast, make_outcome, foreign_person):
    with pytest.raises(PermissionDenied):
        make_outcome(actor=cast["unit_clerk"], person=foreign_person)


def test_progress_moves_open_to_in_progress(cast, outcome):
    update = services.progress_add(actor=cast["unit_clerk"], outcome=outcome, text="已与对方通话")
    outcome.refresh_from_db()
    assert outcome.state == State.IN_PROGRESS
    assert update.recorded_by == cast["unit_clerk"]
    services.progress_add(actor=cast["unit_leader"], outcome=outcome, text="对方回函")
    outcome.refresh_from_db()
    assert outcome.state == State.IN_PROGRESS
    assert outcome.updates.count() == 2


def test_progress_only_by_the_responsible_units_staff(cast, outcome):
    for role in ("fao_reviewer", "fao_head", "auditor", "outsider"):
        with pytest.raises(PermissionDenied):
            services.progress_add(actor=cast[role], outcome=outcome, text="x")
    with pytest.raises(ValidationError) as exc:
        services.progress_add(actor=cast["unit_clerk"], outcome=outcome, text=" ")
    assert "text" in exc.value.message_dict
    outcome.refresh_from_db()
    assert outcome.state == State.OPEN and outcome.updates.count() == 0


def test_done_by_unit_leader_or_fao_not_clerk(cast, make_outcome):
    first = make_outcome()
    with pytest.raises(WorkflowError):
        services.outcome_complete(actor=cast["unit_clerk"], outcome=first)
    with pytest.raises(WorkflowError):
        services.outcome_complete(actor=cast["outsider"], outcome=first)
    done = services.outcome_complete(actor=cast["unit_leader"], outcome=first, comment="已签署")
    assert done.state == State.DONE and done.done_at is not None
    second = make_outcome()
    assert services.outcome_complete(actor=cast["fao_reviewer"], outcome=second).state == "done"


def test_unit_leader_of_another_unit_cannot_complete(cast, make_outcome, foreign_unit):
    from tests.factories import UserFactory

    other_leader = UserFactory(role="unit_leader", unit=foreign_unit)
    outcome = make_outcome()
    with pytest.raises(WorkflowError, match="其他单位"):
        services.outcome_complete(actor=other_leader, outcome=outcome)


def test_done_and_dropped_are_final(cast, make_outcome):
    done = services.outcome_complete(actor=cast["fao_head"], outcome=make_outcome())
    with pytest.raises(ValidationError):
        services.progress_add(actor=cast["unit_clerk"], outcome=done, text="x")
    with pytest.raises(WorkflowError):
        services.outcome_drop(actor=cast["fao_head"], outcome=done, reason="不再需要")
    with pytest.raises(ValidationError):
        services.outcome_update(actor=cast["fao_head"], outcome=done, title="新")
    dropped = services.outcome_drop(
        actor=cast["fao_head"], outcome=make_outcome(), reason="对方撤回"
    )
    with pytest.raises(WorkflowError):
        services.outcome_complete(actor=cast["fao_head"], outcome=dropped)


def test_drop_needs_a_reason_and_the_fao_head(cast, outcome):
    for role in ("fao_reviewer", "unit_leader"):
        with pytest.raises(PermissionDenied):
            services.outcome_drop(actor=cast[role], outcome=outcome, reason="不再需要")
    with pytest.raises(ValidationError) as exc:
        services.outcome_drop(actor=cast["fao_head"], outcome=outcome, reason="  ")
    assert "reason" in exc.value.message_dict
    outcome.refresh_from_db()
    assert outcome.state == State.OPEN
    dropped = services.outcome_drop(actor=cast["fao_head"], outcome=outcome, reason="对方撤回")
    assert dropped.state == State.DROPPED and dropped.drop_reason == "对方撤回"


def test_database_refuses_a_dropped_outcome_without_reason(outcome):
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.filter(pk=outcome.pk).update(state=State.DROPPED, drop_reason="")


def test_no_person_can_take_the_sweeps_transition(cast, outcome):
    for user in cast.values():
        assert OUTCOME.refusal(outcome, "overdue", user) is not None


def test_reassign_by_the_fao_only(cast, outcome, foreign_person, foreign_unit):
    with pytest.raises(PermissionDenied):
        services.outcome_reassign(
            actor=cast["unit_leader"],
            outcome=outcome,
            responsible_unit=foreign_unit,
            responsible_person=foreign_person,
        )
    with pytest.raises(ValidationError):
        services.outcome_reassign(
            actor=cast["fao_reviewer"],
            outcome=outcome,
            responsible_unit=foreign_unit,
            responsible_person=outcome.responsible_person,
        )
    moved = services.outcome_reassign(
        actor=cast["fao_reviewer"],
        outcome=outcome,
        responsible_unit=foreign_unit,
        responsible_person=foreign_person,
    )
    assert moved.responsible_unit == foreign_unit
    # The home unit's staff lose it; the foreign unit's clerk records progress now.
    with pytest.raises(PermissionDenied):
        services.progress_add(actor=cast["unit_clerk"], outcome=moved, text="x")
    services.progress_add(actor=cast["outsider"], outcome=moved, text="接手")


def test_update_and_overdue_due_date_only_by_fao(cast, outcome, home_unit):
    deputy = PersonFactory(name="李四", unit=home_unit)
    updated = services.outcome_update(
        actor=cast["unit_clerk"], outcome=outcome, title="合作备忘录落实", responsible_person=deputy
    )
    assert updated.title == "合作备忘录落实" and updated.responsible_person == deputy
    Outcome.objects.filter(pk=outcome.pk).update(
        state=State.OVERDUE, due_date=timezone.localdate() - dt.timedelta(days=3)
    )
    later = timezone.localdate() + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as exc:
        services.outcome_update(actor=cast["unit_clerk"], outcome=outcome, due_date=later)
    assert "due_date" in exc.value.message_dict
    # Other fields of an overdue outcome stay editable by the unit.
    services.outcome_update(actor=cast["unit_clerk"], outcome=outcome, description="补充说明")
    rescheduled = services.outcome_update(
        actor=cast["fao_reviewer"], outcome=outcome, due_date=later
    )
    assert rescheduled.state == State.IN_PROGRESS and rescheduled.due_date == later
    assert rescheduled.escalated_at is None and rescheduled.overdue_since is None
    with pytest.raises(PermissionDenied):
        services.outcome_update(actor=cast["outsider"], outcome=outcome, title="x")


def test_progress_with_evidence_and_bad_file_refused(cast, outcome):
    from django.core.files.uploadedfile import SimpleUploadedFile

    update = services.progress_add(
        actor=cast["unit_clerk"], outcome=outcome, text="签约仪式", evidence=pdf()
    )
    assert update.evidence_type == "application/pdf"
    assert update.evidence_name == "纪要.pdf"
    assert update.evidence.name.endswith(".pdf") and "纪要" not in update.evidence.name
    with update.evidence.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-")

    fake = SimpleUploadedFile(
        "合同.pdf", b"just some text, not a PDF", content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as exc:
        services.progress_add(actor=cast["unit_clerk"], outcome=outcome, text="x", evidence=fake)
    assert "evidence" in exc.value.message_dict
    empty = SimpleUploadedFile("a.png", b"", content_type="image/png")
    with pytest.raises(ValidationError):
        services.progress_add(actor=cast["unit_clerk"], outcome=outcome, text="x", evidence=empty)
    assert outcome.updates.count() == 1


def test_evidence_file_removed_when_the_update_fails(cast, outcome, settings, monkeypatch):
    from waishi.followups import services as svc

    def boom(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(svc, "record", boom)
    media = settings.MEDIA_ROOT
    with pytest.raises(RuntimeError):
        services.progress_add(actor=cast["unit_clerk"], outcome=outcome, text="x", evidence=pdf())
    stored = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    assert stored == []


def test_source_snapshot_and_registry(cast, make_outcome, home_person):
    sources.register(
        "tests.trip",
        sources.Source(
            label="测试出访",
            title=lambda ids: {pk: f"赴德国访问 #{pk}" for pk in ids if pk != 404},
            url=lambda pk: f"/trips/{pk}/",
            can_see=lambda user, pk: user.unit_id == home_person.unit_id,
        ),
    )
    try:
        made = make_outcome(source_type="tests.trip", source_id=7)
        assert made.source_title == "赴德国访问 #7"
        assert sources.url_of("tests.trip", 7) == "/trips/7/"
        with pytest.raises(ValidationError):
            make_outcome(actor=cast["fao_reviewer"], source_type="tests.trip", source_id=8)
        with pytest.raises(ValidationError):
            make_outcome(source_type="tests.trip", source_id=404)
    finally:
        sources.unregister("tests.trip")
    # Unregistered: the snapshot stays and is shown without a link.
    assert sources.url_of("tests.trip", 7) == ""
    unknown = make_outcome(source_type="gone.thing", source_id=3, source_title="旧记录")
    assert unknown.source_title == "旧记录"
    with pytest.raises(ValidationError):
        make_outcome(source_type="gone.thing", source_id=3)
