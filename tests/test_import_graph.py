"""Who imports whom among the apps (scripts/import_graph.py, the picture of
docs/architecture.md): no cycle between apps, every app on a floor, and the floors
respected edge by edge (``make lint`` checks the same with import-linter)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts/import_graph.py")
import_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_graph)


def test_no_cycle_between_apps():
    graph = import_graph.edges()
    assert graph, "no import found: the script reads nothing"
    assert import_graph.cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {("a", "b"): 1, ("b", "c"): 1, ("c", "a"): 1, ("c", "d"): 1}
    assert import_graph.cycles(graph) == [["a", "b", "c"]]


def test_every_app_is_on_a_floor_and_imports_only_below_it():
    floor_of = {app: n for n, (_, members) in enumerate(import_graph.floors()) for app in members}
    assert set(import_graph.apps()) <= set(floor_of)
    upward = [(a, b) for a, b in import_graph.edges() if floor_of[b] <= floor_of[a]]
    assert upward == []


def test_the_picture_draws_every_app():
    picture = import_graph.mermaid(import_graph.reduced(import_graph.edges()))
    assert picture.startswith("flowchart TB")
    for app in import_graph.apps():
        assert f"        {app}\n" in picture


def test_the_architecture_page_shows_the_picture_of_today():
    page = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
    drawn = page.split("```mermaid\n", 1)[1].split("```", 1)[0]
    generated = import_graph.mermaid(import_graph.reduced(import_graph.edges()))
    assert drawn == generated, (
        "docs/architecture.md's picture is not today's: "
        "paste `python scripts/import_graph.py --reduced` into it"
    )
