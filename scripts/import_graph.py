"""Who imports whom among the apps of ``waishi``, read from the source (``ast``).

    python scripts/import_graph.py            # the Mermaid diagram, every edge
    python scripts/import_graph.py --reduced  # without the edges a longer path implies
                                              # (the picture in docs/architecture.md)
    python scripts/import_graph.py --edges    # one "app -> app (n imports)" line per edge
    python scripts/import_graph.py --cycles   # the app-level cycles, if any (exit 1 then)

An app is a package directly under ``waishi/`` (``waishi.missions``, ``waishi.lib``...);
every ``import`` in its modules and sub-packages counts, at the top of a file or inside a
function. Migrations are left out (Django writes
them; they name other apps' migrations, not their code). The project's own modules
(``waishi.settings``, ``waishi.urls``) are not an app and are left out too.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "waishi"

# The floors' names, top to bottom; which apps are on each floor is read from the layers
# contract in pyproject.toml ([tool.importlinter], checked by `make lint`).
FLOOR_NAMES = [
    "operations and entry points",
    "passports",
    "trips and arrivals",
    "approvals, follow-ups, plans",
    "notices, trip rules, accounts",
    "organisation",
    "audit",
    "ground floor",
]


def floors(root: Path = ROOT) -> list[tuple[str, list[str]]]:
    """[(floor's name, [app, ...])], top to bottom, from the layers contract of the apps
    (id "floors"; the missions rooms have a layers contract of their own)."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [layers] = [c["layers"] for c in contracts if c.get("id") == "floors"]
    out = []
    for n, layer in enumerate(layers):
        names = layer.replace(":", "|").split("|")
        members = [m.strip().removeprefix(PACKAGE + ".") for m in names]
        name = FLOOR_NAMES[n] if n < len(FLOOR_NAMES) else f"floor {n + 1}"
        out.append((name, members))
    return out


def apps(root: Path = ROOT) -> list[str]:
    base = root / PACKAGE
    return sorted(
        p.name
        for p in base.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in {"static", "locale"}
    )


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(tree: ast.AST, module: str, is_package: bool) -> list[str]:
    """The absolute names of every module imported anywhere in ``tree``."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                # A package's "." is itself; a module's "." is its package.
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            out.append(name)
            # "from waishi import audit" imports the app audit.
            out.extend(f"{name}.{alias.name}" for alias in node.names)
    return out


def edges(root: Path = ROOT) -> dict[tuple[str, str], int]:
    """{(importer app, imported app): number of import statements naming it}."""
    known = set(apps(root))
    found: dict[tuple[str, str], int] = defaultdict(int)
    for path in sorted((root / PACKAGE).rglob("*.py")):
        rel = path.relative_to(root / PACKAGE).parts
        if len(rel) < 2 or rel[0] not in known or "migrations" in rel:
            continue
        source = rel[0]
        module = _module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        seen_here: set[tuple[str, str]] = set()
        for name in _imported(tree, module, path.name == "__init__.py"):
            parts = name.split(".")
            if len(parts) < 2 or parts[0] != PACKAGE or parts[1] not in known:
                continue
            target = parts[1]
            if target != source:
                seen_here.add((source, target))
        for edge in seen_here:
            found[edge] += 1
    return dict(found)


def cycles(graph: dict[tuple[str, str], int]) -> list[list[str]]:
    """The strongly connected components of more than one app (Tarjan)."""
    succ: dict[str, list[str]] = defaultdict(list)
    nodes: set[str] = set()
    for a, b in graph:
        succ[a].append(b)
        nodes.update((a, b))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def reduced(graph: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """The edges not implied by a longer path (a transitive reduction, for an acyclic
    graph): ``missions -> lib`` goes when ``missions -> orgs -> lib`` is there."""
    succ: dict[str, set[str]] = defaultdict(set)
    for a, b in graph:
        succ[a].add(b)

    def reaches(start: str, goal: str, skip: tuple[str, str]) -> bool:
        seen, todo = set(), [start]
        while todo:
            v = todo.pop()
            for w in succ[v]:
                if (v, w) == skip or w in seen:
                    continue
                if w == goal:
                    return True
                seen.add(w)
                todo.append(w)
        return False

    return {edge: n for edge, n in graph.items() if not reaches(edge[0], edge[1], edge)}


def mermaid(graph: dict[tuple[str, str], int], root: Path = ROOT) -> str:
    """A Mermaid flowchart, one box a floor, top to bottom; arrows point to what is
    imported. Edges are drawn between apps; the floors only group them."""
    known = apps(root)
    layout = floors(root)
    placed = {app for _, members in layout for app in members}
    lines = ["flowchart TB"]
    for n, (title, members) in enumerate(layout):
        present = [m for m in members if m in known]
        if not present:
            continue
        lines.append(f'    subgraph floor{n}["{title}"]')
        lines.append("        direction LR")
        lines.extend(f"        {m}" for m in present)
        lines.append("    end")
    for app in known:
        if app not in placed:
            lines.append(f"    {app}")
    for a, b in sorted(graph):
        lines.append(f"    {a} --> {b}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--edges", action="store_true", help="list the edges with their counts")
    group.add_argument("--cycles", action="store_true", help="list the cycles between apps")
    parser.add_argument(
        "--reduced", action="store_true", help="leave out the edges a longer path implies"
    )
    args = parser.parse_args(argv)
    graph = edges()
    if args.reduced and not cycles(graph):
        graph = reduced(graph)
    if args.edges:
        for (a, b), n in sorted(graph.items()):
            print(f"{a} -> {b} ({n} modules)")
        return 0
    if args.cycles:
        found = cycles(graph)
        for component in found:
            print(" <-> ".join(component))
        return 1 if found else 0
    sys.stdout.write(mermaid(graph))
    return 0


if __name__ == "__main__":
    sys.exit(main())
