"""Every setting the code reads is declared in waishi/settings.py with its default, and read
there: no ``getattr(settings, "X", default)`` hiding a second default in the code, and every
environment variable settings.py reads is in the configuration table of docs/deploy.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import global_settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "waishi"
SETTINGS = PACKAGE / "settings.py"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path != SETTINGS:
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _declared() -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _is_settings(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "settings"


def test_no_setting_is_read_with_a_default_of_its_own():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and node.args
        and _is_settings(node.args[0])
        and len(node.args) + len(node.keywords) > 2
    ]
    assert found == []


def test_every_setting_read_is_declared():
    declared = _declared() | {name for name in dir(global_settings) if name.isupper()}
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}: settings.{node.attr}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and _is_settings(node.value)
        and node.attr.isupper()
        and node.attr not in declared
    ]
    assert found == []


def test_every_variable_is_in_the_deploy_table():
    table = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    missing = []
    for name in sorted(set(re.findall(r"WAISHI_[A-Z0-9_]+", SETTINGS.read_text()))):
        parts = name.split("_")
        # "`WAISHI_PASSWORD_MIN_LENGTH`, `_MIN_CLASSES`": the table shortens a family.
        shortened = (f"`_{'_'.join(parts[k:])}`" for k in range(2, len(parts)))
        if f"`{name}`" not in table and not any(s in table for s in shortened):
            missing.append(name)
    assert missing == []
