"""Reads of the year's work key points: the plans one may see, and a plan's tree in
reading order with each node's progress (its leaves' supervised tasks: how many are done,
how many there are, and the open ones by warning colour)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import pgettext_lazy

from waishi.committee.keypoint_models import KeyPoint, KeyPointLevel, KeyPointPlan
from waishi.followups import links
from waishi.orgs import scoping

# A task counts as done once the office closed it (办结), and when filed (归档) after.
DONE_STATES = frozenset({"done", "archived"})
ENDED_STATES = DONE_STATES | {"dropped"}
# The warning colours, worst first, with their words and icons (never colour alone).
COLOURS = (
    ("red", pgettext_lazy("key points progress", "Red warning"), "bi-exclamation-octagon-fill"),
    (
        "yellow",
        pgettext_lazy("key points progress", "Yellow warning"),
        "bi-exclamation-triangle-fill",
    ),
    ("blue", pgettext_lazy("key points progress", "Blue notice"), "bi-info-circle-fill"),
)


def plans(user):
    return scoping.visible(user, KeyPointPlan).order_by("-year")


def colour_of(task) -> str:
    """The task's warning colour as the daily sweep left it; an outcome of the old flow
    (without colours) is red when overdue."""
    if task is None or task.state in ENDED_STATES:
        return ""
    colour = getattr(task, "colour", "") or ""
    if not colour and task.state == "overdue":
        return "red"
    return colour


@dataclass
class Progress:
    total: int = 0  # leaves that are supervised tasks
    done: int = 0
    untracked: int = 0  # leaves not (yet) a task
    colours: Counter = field(default_factory=Counter)

    def add(self, other: Progress) -> None:
        self.total += other.total
        self.done += other.done
        self.untracked += other.untracked
        self.colours.update(other.colours)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def warnings(self) -> list[tuple[str, str, str, int]]:
        """(colour, word, icon, count) of the colours present, worst first."""
        return [
            (code, str(word), icon, self.colours[code])
            for code, word, icon in COLOURS
            if self.colours[code]
        ]


@dataclass
class TreeRow:
    depth: int
    point: KeyPoint
    progress: Progress
    colour: str = ""  # a leaf's own task's colour
    url: str = ""  # a leaf's task page

    @property
    def is_leaf(self) -> bool:
        return not self.point.children_list

    def colour_word(self) -> tuple[str, str] | None:
        for code, word, icon in COLOURS:
            if code == self.colour:
                return str(word), icon
        return None


def plan_tree(plan: KeyPointPlan) -> tuple[list[TreeRow], Progress]:
    """The plan's nodes in reading order with their progress, and the whole plan's; a
    fixed number of queries whatever the size of the tree."""
    points = list(
        KeyPoint.objects.filter(plan=plan)
        .select_related("lead_unit", "task")
        .prefetch_related("supporting_units")
        .order_by("order", "pk")
    )
    children: dict[int | None, list[KeyPoint]] = {}
    for point in points:
        children.setdefault(point.parent_id, []).append(point)
    for point in points:
        point.children_list = children.get(point.pk, [])
    rows: list[TreeRow] = []
    total = Progress()

    def visit(point: KeyPoint, depth: int) -> Progress:
        row = TreeRow(depth=depth, point=point, progress=Progress())
        rows.append(row)
        if point.children_list:
            for child in point.children_list:
                row.progress.add(visit(child, depth + 1))
            return row.progress
        task = point.task
        if task is None:
            row.progress.untracked = 1
            return row.progress
        row.progress.total = 1
        row.progress.done = int(task.state in DONE_STATES)
        row.colour = colour_of(task)
        if row.colour:
            row.progress.colours[row.colour] += 1
        row.url = links.task_url(task.pk)
        return row.progress

    for root in children.get(None, []):
        total.add(visit(root, 0))
    return rows, total


def parents_for(plan: KeyPointPlan):
    """The nodes a new one may go under: areas and key points not yet tasks."""
    return (
        KeyPoint.objects.filter(plan=plan, task__isnull=True)
        .exclude(level=KeyPointLevel.TASK)
        .order_by("order", "pk")
    )
