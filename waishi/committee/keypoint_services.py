"""Every change to the year's work key points: keyword-only functions taking ``actor=``,
for the committee office only, each one transaction and one audit event.

The import is two steps: ``keypoints_preview`` reads the outline (``lib.outline``), finds
each unit it names and each task's responsible person, and says every problem, writing
nothing; ``keypoints_import`` does it again and, only when nothing is wrong, makes the plan,
its tree and, for each leaf with a lead unit, a supervised task on the one tracker
(``followups.supervision.task_register``, source "committee.keypoint", due on the leaf's
date or else on 31 December of the year), all in one transaction: a problem anywhere and
nothing is made.

A task's responsible person is the lead unit's leader (a person of the unit marked as its
leadership), else its first active person; a unit with nobody is a problem to fix first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.audit.services import diff, record, snapshot
from waishi.committee.keypoint_models import KeyPoint, KeyPointLevel, KeyPointPlan
from waishi.committee.workflow import OFFICE
from waishi.lib import outline as outlines
from waishi.lib.roles import has
from waishi.orgs.models import Person, Unit

SOURCE_TYPE = "committee.keypoint"
SOURCE_KIND = "key_point"
POINT_FIELDS = ("title", "detail", "due_date", "lead_unit")
MIN_YEAR, MAX_YEAR = 2000, 2100
# The levels of the tree, by depth.
LEVEL_AT = (KeyPointLevel.AREA, KeyPointLevel.POINT, KeyPointLevel.TASK)


def _require_office(actor) -> None:
    if not has(actor, OFFICE):
        raise PermissionDenied(_("Only the committee office keeps the work key points."))


def _text(value) -> str:
    return (value or "").strip()


def _check_year(year) -> int:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": _("Give the year of the key points.")})
    return year


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def responsible_for(unit: Unit) -> Person | None:
    """Who answers for a key point's task in ``unit``: its leader, else its first person."""
    return (
        Person.objects.filter(unit=unit, is_active=True)
        .order_by("-is_unit_leadership", "pk")
        .first()
    )


class UnitNames:
    """Active units by full name and by short name (a short name two units share names
    neither)."""

    def __init__(self) -> None:
        self.by_name: dict[str, Unit] = {}
        shared: dict[str, list[Unit]] = {}
        for unit in Unit.objects.filter(is_active=True).order_by("pk"):
            self.by_name[unit.name] = unit
            if unit.short_name:
                shared.setdefault(unit.short_name, []).append(unit)
        self.ambiguous = {name for name, units in shared.items() if len(units) > 1}
        for name, units in shared.items():
            if len(units) == 1:
                self.by_name.setdefault(name, units[0])

    def find(self, name: str) -> Unit | None:
        return self.by_name.get(name.strip())


# --- import -----------------------------------------------------------------------------


@dataclass
class Row:
    """A node of the outline as it would be imported."""

    depth: int
    node: outlines.Node
    lead: Unit | None = None
    supporting: list[Unit] = field(default_factory=list)
    person: Person | None = None
    due: dt.date | None = None  # the task's deadline (the leaf's, else 31 December)

    @property
    def makes_task(self) -> bool:
        return self.node.is_leaf and self.lead is not None


@dataclass
class Preview:
    year: int
    name: str
    outline: outlines.Outline
    rows: list[Row]
    problems: list[outlines.Problem]
    warnings: list[outlines.Problem]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def title(self) -> str:
        return self.outline.title or _("Work key points of %(year)d") % {"year": self.year}

    def counts(self) -> dict[str, int]:
        levels = [row.node.level for row in self.rows]
        return {
            "areas": levels.count(outlines.AREA),
            "points": levels.count(outlines.POINT),
            "tasks": levels.count(outlines.TASK),
            "supervised": sum(1 for row in self.rows if row.makes_task),
        }


def _problem(node: outlines.Node | None, message: str) -> outlines.Problem:
    if node is None:
        return outlines.Problem(None, "", message)
    return outlines.Problem(node.line, node.place, message, outlines.shown(node.title))


def _existing_plan_problem(year: int) -> outlines.Problem | None:
    plan = KeyPointPlan.objects.filter(year=year).first()
    if plan is not None and plan.points.exists():
        return _problem(
            None,
            _(
                "The work key points of %(year)d are already there; add to them or change "
                "them on their page."
            )
            % {"year": year},
        )
    return None


def keypoints_preview(*, actor, upload: Any, year: int, name: str = "") -> Preview:
    """The outline in ``upload`` (.docx or .xlsx) as it would be imported, with every
    problem; writes nothing. A file that cannot be read is a ValidationError on "file"."""
    _require_office(actor)
    _check_year(year)
    try:
        found = outlines.read_outline(upload, year=year)
    except outlines.FileProblem as exc:
        raise ValidationError({"file": str(exc)}) from exc
    problems = list(found.problems)
    units = UnitNames()
    today = timezone.localdate()
    people: dict[int, Person | None] = {}
    rows: list[Row] = []
    for depth, node in found.walk():
        row = Row(depth=depth, node=node)
        names = [(node.lead_unit, True)] + [(n, False) for n in node.supporting_units]
        for unit_name, leads in names:
            if not unit_name:
                continue
            unit = units.find(unit_name)
            if unit is None:
                message = (
                    _("Two units have the short name “%(name)s”: write the unit's full name.")
                    if unit_name in units.ambiguous
                    else _("No unit is called “%(name)s”: write the unit's name as it is kept.")
                )
                problems.append(_problem(node, message % {"name": unit_name}))
            elif leads:
                row.lead = unit
            elif unit != row.lead and unit not in row.supporting:
                row.supporting.append(unit)
        if row.makes_task:
            if row.lead.pk not in people:
                people[row.lead.pk] = responsible_for(row.lead)
            row.person = people[row.lead.pk]
            if row.person is None:
                problems.append(
                    _problem(
                        node,
                        _(
                            "The unit “%(unit)s” has no person to answer for the task: add "
                            "its people first."
                        )
                        % {"unit": row.lead.name},
                    )
                )
            row.due = node.due_date or year_end(year)
            if row.due < today:
                problems.append(
                    _problem(
                        node,
                        _(
                            "The deadline %(date)s has passed: correct it in the file, or "
                            "leave out the lead unit to keep the item without a task."
                        )
                        % {"date": row.due.isoformat()},
                    )
                )
        rows.append(row)
    existing = _existing_plan_problem(year)
    if existing is not None:
        problems.insert(0, existing)
    return Preview(
        year=year,
        name=_text(name)[:200],
        outline=found,
        rows=rows,
        problems=problems,
        warnings=list(found.warnings),
    )


def _problem_text(problem: outlines.Problem) -> str:
    return f"{problem.place}：{problem.message}" if problem.place else problem.message


def _register_task(*, actor, point: KeyPoint, person, supporting, assign: bool, ip: str):
    from waishi.followups import supervision

    path = []
    above = point.parent
    while above is not None:
        path.insert(0, above.title)
        above = above.parent
    description = "\n".join(part for part in (" › ".join(path), point.detail) if part)
    return supervision.task_register(
        actor=actor,
        title=point.title[:200],
        source_kind=SOURCE_KIND,
        lead_unit=point.lead_unit,
        responsible_person=person,
        supporting_units=tuple(supporting),
        description=description,
        source_type=SOURCE_TYPE,
        source_id=point.pk,
        source_title=point.plan.title[:200],
        due_date=point.due_date or year_end(point.plan.year),
        assign=assign,
        ip=ip,
    )


def keypoints_import(
    *, actor, upload: Any, year: int, name: str = "", assign: bool = False, ip: str = ""
) -> KeyPointPlan:
    """Import the outline as the work key points of ``year``: the plan, its tree, and a
    supervised task for each leaf with a lead unit (sent to the unit at once when
    ``assign``). All or nothing: any problem is a ValidationError listing them all."""
    preview = keypoints_preview(actor=actor, upload=upload, year=year, name=name)
    if not preview.ok:
        problems = preview.problems or [_problem(None, _("The file holds no key points."))]
        raise ValidationError([_problem_text(p) for p in problems])
    with transaction.atomic():
        plan, _created = KeyPointPlan.objects.select_for_update().get_or_create(
            year=year, defaults={"title": preview.title[:200]}
        )
        if plan.points.exists():  # imported meanwhile by someone else
            raise ValidationError(_problem_text(_existing_plan_problem(year)))
        plan.title = plan.title or preview.title[:200]
        plan.imported_from = preview.name
        plan.imported_by = actor
        plan.imported_at = timezone.now()
        plan.save()
        # The last node made at each depth: the parent of the next one a level down.
        made: list[KeyPoint] = []
        order: dict[int | None, int] = {}
        tasks = 0
        for row in preview.rows:
            node = row.node
            del made[row.depth :]
            parent = made[-1] if made else None
            key = parent.pk if parent is not None else None
            order[key] = order.get(key, 0) + 1
            point = KeyPoint.objects.create(
                plan=plan,
                parent=parent,
                order=order[key],
                level=LEVEL_AT[row.depth],
                title=node.title[:500],
                detail=node.detail,
                due_date=node.due_date,
                lead_unit=row.lead,
                line=node.line,
            )
            if row.supporting:
                point.supporting_units.set(row.supporting)
            made.append(point)
            if row.makes_task:
                point.task = _register_task(
                    actor=actor,
                    point=point,
                    person=row.person,
                    supporting=row.supporting,
                    assign=assign,
                    ip=ip,
                )
                point.save(update_fields=["task"])
                tasks += 1
        counts = preview.counts()
        record(
            action="committee.keypoints.import",
            actor=actor,
            obj=plan,
            ip=ip,
            data={
                "file": preview.name,
                "areas": counts["areas"],
                "points": counts["points"],
                "tasks": counts["tasks"],
                "supervised": tasks,
            },
        )
    return plan


# --- typed ------------------------------------------------------------------------------


def keypoints_plan_create(*, actor, year: int, title: str, ip: str = "") -> KeyPointPlan:
    _require_office(actor)
    _check_year(year)
    if not _text(title):
        raise ValidationError({"title": _("Give the title.")})
    if KeyPointPlan.objects.filter(year=year).exists():
        raise ValidationError(
            {"year": _("The work key points of %(year)d are already there.") % {"year": year}}
        )
    with transaction.atomic():
        plan = KeyPointPlan.objects.create(year=year, title=_text(title)[:200])
        record(action="committee.keypoints.create", actor=actor, obj=plan, ip=ip)
    return plan


def _clean_point(
    *, title: str, due_date, lead_unit, supporting_units: Iterable, year: int
) -> list[Unit]:
    errors: dict[str, str] = {}
    if not _text(title):
        errors["title"] = _("Give the title.")
    if due_date is not None and due_date.year < year:
        errors["due_date"] = _("The deadline is before the year %(year)d of the key points.") % {
            "year": year
        }
    supporting = [u for u in supporting_units or () if u != lead_unit]
    if errors:
        raise ValidationError(errors)
    return supporting


def keypoint_add(
    *,
    actor,
    plan: KeyPointPlan,
    parent: KeyPoint | None = None,
    title: str,
    detail: str = "",
    due_date: dt.date | None = None,
    lead_unit: Unit | None = None,
    supporting_units: Iterable[Unit] = (),
    ip: str = "",
) -> KeyPoint:
    """A typed node: an area (no parent), a key point under an area, a task under a key
    point. A node that is a supervised task already takes nothing under it."""
    _require_office(actor)
    supporting = _clean_point(
        title=title,
        due_date=due_date,
        lead_unit=lead_unit,
        supporting_units=supporting_units,
        year=plan.year,
    )
    with transaction.atomic():
        locked = KeyPointPlan.objects.select_for_update().get(pk=plan.pk)
        if parent is not None:
            parent = KeyPoint.objects.select_for_update().get(pk=parent.pk)
            if parent.plan_id != locked.pk:
                raise ValidationError({"parent": _("Choose an item of these key points.")})
            if parent.level == KeyPointLevel.TASK:
                raise ValidationError({"parent": _("A task has no items under it.")})
            if parent.task_id:
                raise ValidationError(
                    {"parent": _("This item is a supervised task already: nothing goes under it.")}
                )
        depth = 0 if parent is None else LEVEL_AT.index(parent.level) + 1
        siblings = KeyPoint.objects.filter(plan=locked).filter(
            Q(parent=parent) if parent is not None else Q(parent__isnull=True)
        )
        last = siblings.aggregate(top=Max("order"))["top"] or 0
        point = KeyPoint.objects.create(
            plan=locked,
            parent=parent,
            order=last + 1,
            level=LEVEL_AT[depth],
            title=_text(title)[:500],
            detail=_text(detail),
            due_date=due_date,
            lead_unit=lead_unit,
        )
        point.supporting_units.set(supporting)
        record(
            action="committee.keypoint.add",
            actor=actor,
            obj=point,
            ip=ip,
            after=snapshot(point, POINT_FIELDS)
            | {"supporting_units": sorted(u.pk for u in supporting)},
        )
    return point


def keypoint_update(
    *,
    actor,
    point: KeyPoint,
    title: str,
    detail: str = "",
    due_date: dt.date | None = None,
    lead_unit: Unit | None = None,
    supporting_units: Iterable[Unit] = (),
    ip: str = "",
) -> KeyPoint:
    """Change a node. Once it is a supervised task its units and deadline are the task's
    (changed there: redirect, extension), so only its words change here."""
    _require_office(actor)
    supporting = _clean_point(
        title=title,
        due_date=due_date,
        lead_unit=lead_unit,
        supporting_units=supporting_units,
        year=point.plan.year,
    )
    with transaction.atomic():
        locked = KeyPoint.objects.select_for_update().select_related("plan").get(pk=point.pk)
        before = snapshot(locked, POINT_FIELDS) | {
            "supporting_units": sorted(locked.supporting_units.values_list("pk", flat=True))
        }
        new_units = sorted(u.pk for u in supporting)
        if locked.task_id and (
            due_date != locked.due_date
            or (lead_unit.pk if lead_unit else None) != locked.lead_unit_id
            or new_units != before["supporting_units"]
        ):
            raise ValidationError(
                _(
                    "This item is a supervised task: change its units and deadline on the "
                    "task (redirect, extension)."
                )
            )
        locked.title = _text(title)[:500]
        locked.detail = _text(detail)
        locked.due_date = due_date
        locked.lead_unit = lead_unit
        locked.save()
        locked.supporting_units.set(supporting)
        old, new = diff(before, snapshot(locked, POINT_FIELDS) | {"supporting_units": new_units})
        record(
            action="committee.keypoint.update",
            actor=actor,
            obj=locked,
            ip=ip,
            before=old,
            after=new,
        )
    return locked


def keypoint_to_task(
    *, actor, point: KeyPoint, responsible_person: Person | None = None, assign: bool = False,
    ip: str = "",
):  # fmt: skip
    """Make a leaf with a lead unit a supervised task (its audit event is the task's
    registration, as for an imported one)."""
    _require_office(actor)
    with transaction.atomic():
        locked = (
            # No join: PostgreSQL locks no row of an outer join (the lead unit may be empty).
            KeyPoint.objects.select_for_update().get(pk=point.pk)
        )
        if locked.task_id:
            raise ValidationError(_("This item is a supervised task already."))
        if locked.children.exists():
            raise ValidationError(_("Only an item with nothing under it becomes a task."))
        if locked.lead_unit is None:
            raise ValidationError(_("Give the item its lead unit first."))
        person = responsible_person or responsible_for(locked.lead_unit)
        if person is None:
            raise ValidationError(
                _("The unit “%(unit)s” has no person to answer for the task: add its people first.")
                % {"unit": locked.lead_unit.name}
            )
        task = _register_task(
            actor=actor,
            point=locked,
            person=person,
            supporting=list(locked.supporting_units.all()),
            assign=assign,
            ip=ip,
        )
        locked.task = task
        locked.save(update_fields=["task"])
    return task


def keypoint_delete(*, actor, point: KeyPoint, ip: str = "") -> None:
    _require_office(actor)
    with transaction.atomic():
        locked = KeyPoint.objects.select_for_update().get(pk=point.pk)
        if locked.task_id:
            raise ValidationError(_("This item is a supervised task: drop the task instead."))
        if locked.children.exists():
            raise ValidationError(_("Remove the items under it first."))
        record(
            action="committee.keypoint.delete",
            actor=actor,
            obj=locked,
            ip=ip,
            before=snapshot(locked, POINT_FIELDS),
        )
        locked.delete()
