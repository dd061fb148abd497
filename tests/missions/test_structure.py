"""The structure of ``waishi/missions``: a small core and four rooms (application, trip,
changes, report), read from the real source with ``ast``.

- No module imports ``waishi.*`` inside a function (a late import is how a circle hides),
  except ``apps.py``, whose ``ready()`` runs once the models are loaded, as Django asks.
- The modules' import graph (module-level imports, ``TYPE_CHECKING`` blocks left out)
  has no circle.
- ``core`` imports no room; a room imports only ``core`` and the rooms before it in the
  flow of a trip (application -> trip -> changes, report), never the other way.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "waishi.missions"
ROOT = Path(__file__).resolve().parents[2] / "waishi" / "missions"
# Django imports the app's models after apps.py: its ready() imports inside the function.
LATE_IMPORTS_ALLOWED = {"waishi.missions.apps"}
# Each room and the rooms it may import (besides core).
ROOMS = {
    "application": set(),
    "trip": {"application"},
    "changes": {"application", "trip"},
    "report": {"application", "trip"},
}


def module_name(path: Path, root: Path = ROOT, package: str = PACKAGE) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([package, *parts])


def source_modules(root: Path = ROOT, package: str = PACKAGE) -> dict[str, Path]:
    return {
        module_name(path, root, package): path
        for path in sorted(root.rglob("*.py"))
        if "migrations" not in path.relative_to(root).parts
    }


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports(name: str, source: str, known: set[str]) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import of ``waishi.*`` in
    ``source``. ``from a import b`` names ``a.b`` when that is a module, else ``a``."""
    found: list[tuple[str, int, bool]] = []
    is_package = name + ".__init__" in known or any(k.startswith(name + ".") for k in known)

    def resolve(node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = name.split(".")
        if not is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join([*base, *([node.module] if node.module else [])])

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append((alias.name, child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom):
                module = resolve(child)
                for alias in child.names:
                    full = f"{module}.{alias.name}"
                    found.append((full if full in known else module, child.lineno, in_function))
            visit(child, inner)

    visit(ast.parse(source), False)
    return [item for item in found if item[0].startswith("waishi.")]


def graph(modules: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the modules of ``modules`` it imports at module level (and the packages
    they sit in, which are imported first)."""
    known = set(modules)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, source in modules.items():
        for target, _line, in_function in imports(name, source, known):
            if in_function:
                continue
            parts = target.split(".")
            for i in range(2, len(parts) + 1):
                prefix = ".".join(parts[:i])
                # The importer's own packages are already being imported.
                if prefix in known and prefix != name and not name.startswith(prefix + "."):
                    edges[name].add(prefix)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module, or one that imports itself
    (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges.get(node, ()):
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def _room(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 2 and parts[:2] == ["waishi", "missions"]:
        return parts[2] if parts[2] in (*ROOMS, "core") else None
    return None


def real_modules() -> dict[str, str]:
    return {name: path.read_text(encoding="utf-8") for name, path in source_modules().items()}


# -- the checks work: they find what they are looking for ---------------------------------------


def test_the_checks_find_a_late_import_and_a_circle():
    modules = {
        "waishi.missions.core.a": "from waishi.missions.core import b\n",
        "waishi.missions.core.b": "def f():\n    from waishi.missions.core import a\n",
        "waishi.missions.core.c": "from waishi.missions.core.d import x\n",
        "waishi.missions.core.d": "from waishi.missions.core import c\n",
    }
    known = set(modules)
    late = [
        (name, target)
        for name, source in modules.items()
        for target, _line, in_function in imports(name, source, known)
        if in_function
    ]
    assert late == [("waishi.missions.core.b", "waishi.missions.core.a")]
    assert cycles(graph(modules)) == [["waishi.missions.core.c", "waishi.missions.core.d"]]


def test_the_real_source_is_read():
    modules = real_modules()
    assert {"waishi.missions.core.workflow", "waishi.missions.application.views"} <= set(modules)
    edges = graph(modules)
    assert "waishi.missions.core.readiness" in edges["waishi.missions.core.workflow"]


# -- the structure -----------------------------------------------------------------------------


def test_no_module_imports_waishi_inside_a_function():
    modules = real_modules()
    known = set(modules)
    late = [
        f"{name}:{line} imports {target}"
        for name, source in modules.items()
        if name not in LATE_IMPORTS_ALLOWED
        for target, line, in_function in imports(name, source, known)
        if in_function
    ]
    assert late == []


def test_the_import_graph_has_no_circle():
    assert cycles(graph(real_modules())) == []


def test_core_imports_no_room_and_rooms_import_one_way():
    wrong = []
    for name, targets in graph(real_modules()).items():
        room = _room(name)
        if room is None:
            continue
        allowed = {"core", room} | ROOMS.get(room, set())
        for target in sorted(targets):
            other = _room(target)
            if other is not None and other not in allowed:
                wrong.append(f"{name} imports {target}")
    assert wrong == []
