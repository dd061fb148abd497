"""The outcomes recorded before supervised tasks existed keep their records: the migration
makes each a trip outcome's follow-up (track "outcome"), its source kind "trip" when it
comes from a trip abroad, else "other"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("followups", "0002_outcome_due_order")]
AFTER = [("followups", "0003_tasks")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_outcomes_become_the_outcome_track(cast, home_person):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Outcome = old.get_model("followups", "Outcome")
    common = {
        "responsible_person_id": home_person.pk,
        "responsible_unit_id": home_person.unit_id,
        "due_date": dt.date(2026, 6, 30),
        "kind": "agreement",
    }
    trip = Outcome.objects.create(
        title="出访成果", source_type="missions.mission", source_id=7, source_title="访德", **common
    )
    other = Outcome.objects.create(title="其他成果", **common)
    visit = Outcome.objects.create(
        title="来访成果", source_type="visits.reception", source_id=3, source_title="接待", **common
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    from waishi.followups.models import Outcome as Current

    rows = {
        o.pk: (o.track, o.source_kind, o.state, o.number, o.colour) for o in Current.objects.all()
    }
    assert rows == {
        trip.pk: ("outcome", "trip", "open", "", ""),
        other.pk: ("outcome", "other", "open", "", ""),
        visit.pk: ("outcome", "other", "open", "", ""),
    }
    assert not Current.objects.get(pk=trip.pk).supporting_units.exists()
