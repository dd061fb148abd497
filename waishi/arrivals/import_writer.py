"""The second pass of an arrival list import: writing the checked rows in bulk, inside
the caller's transaction (``waishi.arrivals.importer``).

Per chunk of rows: the arrivals already known for these people and dates are read (and
locked) in one query; a row naming one of them becomes another source of it and fills
only the fields it lacks; the other rows become new arrivals -- with the district they
name, the plan the rules choose and the plan's steps -- inserted with one prepared
statement per table. The same outcome as ``services.arrival_register`` row by row,
without a model instance or an audit event per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from waishi.arrivals import plans
from waishi.arrivals.import_rows import Record
from waishi.arrivals.models import (
    Arrival,
    ArrivalSettings,
    ArrivalSource,
    ArrivalState,
    ImportBatch,
    PlanRule,
    Purpose,
    Step,
)
from waishi.arrivals.services import ARRIVAL_FIELDS, source_details
from waishi.orgs.models import District

# Ids per query when looking sources up (under SQLite's 999 parameters).
LOOKUP_CHUNK = 500


def _adapter(model_field: models.Field):
    """The function that turns a Python value into what this database's driver takes
    for the column (what bulk_create does per field, done here once per column)."""
    ops = connection.ops
    if isinstance(model_field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(model_field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(model_field, models.TimeField):
        return ops.adapt_timefield_value
    if isinstance(model_field, models.JSONField):
        return lambda value: model_field.get_db_prep_save(value, connection)
    return None


class _Table:
    """INSERT of many rows with one prepared statement (executemany): for 100,000
    arrivals with 13 steps each, building model instances and bulk_create's SQL per
    object takes longer than the whole import may. The values of the columns named in
    ``adapt`` are turned into the driver's form here; the caller gives every other value
    in that form already (text, numbers, ids, a pre-adapted timestamp)."""

    def __init__(self, model: type[models.Model], names: Iterable[str], adapt: Iterable[str] = ()):
        names = list(names)
        fields = [model._meta.get_field(name) for name in names]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # Names from the model's metadata; every value is a parameter.
        table = quote(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        self.adapters = [(names.index(n), _adapter(model._meta.get_field(n))) for n in adapt]

    def insert(self, rows: list[list[Any]]) -> None:
        if not rows:
            return
        if self.adapters:
            for row in rows:
                for position, adapt in self.adapters:
                    if row[position] is not None:
                        row[position] = adapt(row[position])
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)


ARRIVAL_COLUMNS = (
    *ARRIVAL_FIELDS,
    "passport_enc",
    "passport_index",
    "passport_masked",
    "district",
    "plan",
    "state",
    "late_declaration",
    "created_at",
    "updated_at",
    "version",
)
# What an arrival holds when a list leaves the field out (the model's defaults).
ARRIVAL_DEFAULTS = {name: Arrival._meta.get_field(name).get_default() for name in ARRIVAL_FIELDS}
ARRIVAL_DEFAULTS["purpose"] = Purpose.HOME
SOURCE_COLUMNS = ("arrival", "kind", "batch", "row", "reported_at", "details")
STEP_COLUMNS = ("arrival", "sequence", "kind", "label", "day", "due_at", "note")


@dataclass
class _Fresh:
    """A person and date first seen in this chunk: the arrival to create."""

    record: Record
    data: dict[str, Any]  # the first row's fields, filled from later rows
    details: dict[str, Any]  # what the first row said
    rows: list[int]
    plan: Any = None


def _empty(value: Any) -> bool:
    return value is None or value == ""


class Writer:
    """Writes the checked rows of one list, chunk by chunk, inside the caller's
    transaction. The settings, rules and plans are read once."""

    def __init__(self, *, batch: ImportBatch, now: dt.datetime):
        self.batch = batch
        self.now = now
        self.settings = ArrivalSettings.current()
        self.rules = list(PlanRule.objects.filter(active=True).order_by("sequence", "pk"))
        self.plans = plans.current_plans()
        self.districts = {d.pk: d for d in District.objects.all()}
        self.arrivals = _Table(
            Arrival,
            ARRIVAL_COLUMNS,
            adapt=("birth_date", "departs_on", "arrival_date", "arrival_time"),
        )
        self.sources = _Table(ArrivalSource, SOURCE_COLUMNS, adapt=("details",))
        self.steps = _Table(Step, STEP_COLUMNS)
        self.now_db = connection.ops.adapt_datetimefield_value(now)
        self.plan_of: dict[tuple, Any] = {}
        self.steps_of: dict[tuple, list[tuple]] = {}
        self.step_specs: dict[int, list[tuple]] = {}
        self.probe = Arrival(arrival_date=now.date())
        # Arrivals this list already has a source for, and the later rows naming them.
        self.sourced: set[int] = set()
        self.also_rows: dict[int, list[int]] = {}
        self.done = 0
        self.new = 0
        self.merged = 0

    # -- choosing the plan and its steps, once per distinct case --

    def _plan(self, data: dict[str, Any]):
        key = (data.get("category"), data.get("origin_country"), data["arrival_date"])
        plan = self.plan_of.get(key)
        if plan is None:
            probe = Arrival(
                category=key[0] or ARRIVAL_DEFAULTS["category"],
                origin_country=key[1],
                arrival_date=key[2],
            )
            plan = plans.choose_plan(
                probe, rules=self.rules, plans=self.plans, settings=self.settings
            )
            self.plan_of[key] = plan
        return plan

    def _step_rows(self, plan, data: dict[str, Any]) -> list[tuple]:
        """The plan's steps for an arrival on this date and time, as ``plans.build_steps``
        makes them (its due times), without a model instance per step."""
        key = (plan.pk, data["arrival_date"], data.get("arrival_time"))
        rows = self.steps_of.get(key)
        if rows is None:
            if plan.pk not in self.step_specs:
                self.step_specs[plan.pk] = [
                    (n, spec, step.label, step.day)
                    for n, (spec, step) in enumerate(
                        zip(plan.steps, plans.build_steps(self.probe, plan), strict=True), start=1
                    )
                ]
            probe = Arrival(arrival_date=key[1], arrival_time=key[2])
            adapt = connection.ops.adapt_datetimefield_value
            rows = [
                (n, spec["kind"], label, day, adapt(plans.due_at(probe, spec)), "")
                for n, spec, label, day in self.step_specs[plan.pk]
            ]
            self.steps_of[key] = rows
        return rows

    # -- one chunk --

    def chunk(self, records: list[Record]) -> None:
        known = self._known(records)
        fresh: dict[tuple[str, dt.date], _Fresh] = {}
        sources: list[list[Any]] = []
        changed: dict[int, tuple[Arrival, set[str]]] = {}
        for r in records:
            key = r.key
            arrival = known.get(key)
            if arrival is not None:
                self.merged += 1
                if arrival.pk in self.sourced:
                    self.also_rows.setdefault(arrival.pk, []).append(r.row)
                else:
                    self.sourced.add(arrival.pk)
                    sources.append(self._source(arrival.pk, r, self._details(r)))
                filled = self._fill(arrival, r.data)
                if filled:
                    changed.setdefault(arrival.pk, (arrival, set()))[1].update(filled)
            elif key in fresh:
                self.merged += 1
                first = fresh[key]
                first.rows.append(r.row)
                for name, value in r.data.items():
                    if _empty(first.data.get(name)) and not _empty(value):
                        first.data[name] = value
            else:
                fresh[key] = _Fresh(r, dict(r.data), self._details(r), [r.row])
        self._create(fresh)
        self.sources.insert(sources)
        self._update(changed.values())
        self.done += len(records)

    def _known(self, records: list[Record]) -> dict[tuple[str, dt.date], Arrival]:
        """The arrivals already in the database (this list's earlier chunks included)
        for these rows' people, locked until the import commits."""
        indexes = list({r.passport_index for r in records})
        wanted = {r.key for r in records}
        found = (
            Arrival.objects.select_for_update()
            .filter(passport_index__in=indexes)
            .only("pk", "passport_index", *ARRIVAL_FIELDS)
        )
        return {
            (a.passport_index, a.arrival_date): a
            for a in found
            if (a.passport_index, a.arrival_date) in wanted
        }

    def _details(self, r: Record) -> dict[str, Any]:
        return source_details(r.data, self.districts[r.district_id], r.passport_masked)

    def _source(self, arrival_pk: int, r: Record, details: dict[str, Any]) -> list[Any]:
        return [arrival_pk, self.batch.kind, self.batch.pk, r.row, self.now_db, details]

    @staticmethod
    def _fill(arrival: Arrival, data: dict[str, Any]) -> list[str]:
        """A later report fills what the arrival lacks; it never changes what it has (nor
        its district, which only a hand-over moves)."""
        filled = []
        for name, value in data.items():
            if not _empty(value) and _empty(getattr(arrival, name)):
                setattr(arrival, name, value)
                filled.append(name)
        return filled

    def _create(self, fresh: dict[tuple[str, dt.date], _Fresh]) -> None:
        if not fresh:
            return
        rows = []
        for f in fresh.values():
            data = ARRIVAL_DEFAULTS | f.data
            f.plan = self._plan(data)
            rows.append(
                [
                    *(data[name] for name in ARRIVAL_FIELDS),
                    f.record.passport_enc,
                    f.record.passport_index,
                    f.record.passport_masked,
                    f.record.district_id,
                    f.plan.pk,
                    ArrivalState.EXPECTED,
                    False,
                    self.now_db,
                    self.now_db,
                    1,
                ]
            )
        self.arrivals.insert(rows)
        pk_of = self._pks(fresh)
        sources, steps = [], []
        for key, f in fresh.items():
            pk = pk_of[key]
            self.sourced.add(pk)
            details = f.details | ({"also_rows": f.rows[1:]} if len(f.rows) > 1 else {})
            sources.append(self._source(pk, f.record, details))
            steps.extend((pk, *template) for template in self._step_rows(f.plan, f.data))
        self.sources.insert(sources)
        self.steps.insert(steps)
        self.new += len(fresh)

    @staticmethod
    def _pks(fresh: dict[tuple[str, dt.date], _Fresh]) -> dict[tuple[str, dt.date], int]:
        indexes = list({key[0] for key in fresh})
        pk_of = {}
        for pk, index, day in Arrival.objects.filter(passport_index__in=indexes).values_list(
            "pk", "passport_index", "arrival_date"
        ):
            if (index, day) in fresh:
                pk_of[(index, day)] = pk
        return pk_of

    def _update(self, changed: Iterable[tuple[Arrival, set[str]]]) -> None:
        """The filled fields, one statement per set of fields filled."""
        groups: dict[tuple[str, ...], list[Arrival]] = {}
        for arrival, names in changed:
            groups.setdefault(tuple(sorted(names)), []).append(arrival)
        quote = connection.ops.quote_name
        for names, arrivals in groups.items():
            fields = [Arrival._meta.get_field(n) for n in (*names, "updated_at")]
            sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            table = quote(Arrival._meta.db_table)
            sql = f"UPDATE {table} SET {sets} WHERE {quote('id')} = %s"  # noqa: S608
            adapters = [_adapter(f) for f in fields]
            rows = []
            for arrival in arrivals:
                values = [getattr(arrival, n) for n in names] + [self.now]
                rows.append(
                    [a(v) if a else v for a, v in zip(adapters, values, strict=True)] + [arrival.pk]
                )
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)

    def finish(self) -> None:
        """Rows naming an arrival this list already had a source for, from an earlier
        chunk: listed in that source's details."""
        pks = list(self.also_rows)
        for start in range(0, len(pks), LOOKUP_CHUNK):
            found = list(
                ArrivalSource.objects.filter(
                    batch=self.batch, arrival_id__in=pks[start : start + LOOKUP_CHUNK]
                )
            )
            for source in found:
                rows = source.details.get("also_rows", []) + self.also_rows[source.arrival_id]
                source.details = source.details | {"also_rows": rows}
            ArrivalSource.objects.bulk_update(found, ["details"])
