"""Fail when a person could read English on a Chinese page.

Two checks:

- the catalogue: every message of the zh_Hans catalogue is translated and not fuzzy;
- the Python sources, read with ``ast`` (templates are covered by the catalogue, as
  ``makemessages`` extracts every ``{% translate %}``):

  * every string given to a gettext function (whatever name it was imported under) has a
    translation in the catalogue. ``makemessages`` (xgettext) extracts only calls through
    the names it knows (``_``, ``gettext``, ``gettext_lazy`` ...): a string passed through
    an alias such as ``_g`` never reached the catalogue, so the catalogue check passed
    while the page showed English;
  * no bare string literal (or f-string) is what a person reads: the message of a
    ``ValidationError``, ``PermissionDenied`` or the like, ``form.add_error(field, ...)``,
    ``messages.error(request, ...)`` and its siblings.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# django.utils.translation's functions, and where their msgid and plural are: (context
# argument or None, msgid argument, plural argument or None).
GETTEXT_FUNCTIONS = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
# Exceptions whose message is shown to a person (forms, pages, the API's error shape,
# the import report). Errors for operators and programmers (CommandError, ValueError,
# ImproperlyConfigured ...) are English on purpose.
PERSON_FACING_ERRORS = {
    "ValidationError",
    "PermissionDenied",
    "Http404",
    "NotFound",
    "ParseError",
    "FileProblem",
}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error", "add_message"}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def _string(node: ast.AST) -> str | None:
    """A literal string (implicit concatenation is already one constant; ``+`` of
    literals is folded too), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string(node.left), _string(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _is_bare_text(node: ast.AST) -> bool:
    """A literal a person would read: has a letter (an empty string or a code is not text)."""
    if isinstance(node, ast.JoinedStr):
        return True
    value = _string(node)
    return value is not None and any(ch.isalpha() for ch in value)


def _name(node: ast.AST) -> str:
    """``ValidationError`` for ``ValidationError``, ``forms.ValidationError`` and so on."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _gettext_aliases(tree: ast.AST) -> dict[str, str]:
    """{name used in the module: the gettext function it is}."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in GETTEXT_FUNCTIONS:
                    aliases[alias.asname or alias.name] = alias.name
    return aliases


def _function_of(call: ast.Call, aliases: dict[str, str]) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return aliases.get(func.id)
    # translation.gettext(...), after "from django.utils import translation"
    if (
        isinstance(func, ast.Attribute)
        and func.attr in GETTEXT_FUNCTIONS
        and isinstance(func.value, ast.Name)
        and func.value.id == "translation"
    ):
        return func.attr
    return None


def _message_argument(call: ast.Call) -> ast.AST | None:
    """The argument a person reads, for the calls that show one."""
    name = _name(call.func)
    if name in PERSON_FACING_ERRORS:
        if call.args:
            return call.args[0]
        return next((k.value for k in call.keywords if k.arg in {"message", "detail"}), None)
    if name == "add_error" and len(call.args) >= 2:
        return call.args[1]
    if (
        name in MESSAGE_LEVELS
        and isinstance(call.func, ast.Attribute)
        and _name(call.func.value) == "messages"
    ):
        index = 2 if name == "add_message" else 1
        if len(call.args) > index:
            return call.args[index]
    return None


def _messages_in(argument: ast.AST | None) -> Iterator[ast.AST]:
    """The bare texts of a message argument: itself, or the values of a dict of messages
    by field, or the items of a list of them."""
    if argument is None:
        return
    if isinstance(argument, ast.Dict):
        for value in argument.values:
            yield from _messages_in(value)
    elif isinstance(argument, ast.List | ast.Tuple):
        for item in argument.elts:
            yield from _messages_in(item)
    elif _is_bare_text(argument):
        yield argument


def scan_source(
    source: str, path: str, translated: set[tuple[str, str]] | None
) -> Iterator[Finding]:
    """Findings in one module. ``translated`` is the catalogue's (context, msgid) pairs
    that have a translation; None skips that check (bare literals only)."""
    tree = ast.parse(source, filename=path)
    aliases = _gettext_aliases(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = _function_of(node, aliases)
        if function is not None:
            if translated is None:
                continue
            context_at, msgid_at, plural_at = GETTEXT_FUNCTIONS[function]
            context = ""
            if context_at is not None:
                if len(node.args) <= context_at:
                    continue
                context = _string(node.args[context_at]) or ""
            for at in (msgid_at, plural_at):
                if at is None or len(node.args) <= at:
                    continue
                msgid = _string(node.args[at])
                if msgid and (context, msgid) not in translated:
                    yield Finding(path, node.lineno, f"no translation for {msgid!r}")
            continue
        argument = _message_argument(node)
        for message in _messages_in(argument):
            shown = _string(message) if not isinstance(message, ast.JoinedStr) else None
            text = repr(shown) if shown is not None else ast.unparse(message)
            yield Finding(path, message.lineno, f"not wrapped in gettext: {text}")


def translated_pairs(catalogues: list[polib.POFile]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for catalogue in catalogues:
        for entry in catalogue.translated_entries():
            pairs.add((entry.msgctxt or "", entry.msgid))
            if entry.msgid_plural:
                pairs.add((entry.msgctxt or "", entry.msgid_plural))
    return pairs


def scan_tree(root: Path, translated: set[tuple[str, str]]) -> list[Finding]:
    """Every module under ``root``, but migrations (never shown) and tests."""
    findings: list[Finding] = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = str(path.relative_to(root.parent))
        findings.extend(scan_source(path.read_text(encoding="utf-8"), relative, translated))
    return findings


class Command(BaseCommand):
    help = (
        "Check that every message of the zh_Hans catalogue is translated, and that the "
        "Python sources show no untranslated text."
    )

    def handle(self, *args, **options):
        problems = []
        catalogues = []
        for base in settings.LOCALE_PATHS:
            for po_path in sorted(Path(base).glob("zh_Hans/LC_MESSAGES/django.po")):
                catalogue = polib.pofile(str(po_path))
                catalogues.append(catalogue)
                for entry in catalogue.untranslated_entries() + catalogue.fuzzy_entries():
                    problems.append(f"{po_path}: {entry.msgid!r}")
                self.stdout.write(f"{po_path}: {catalogue.percent_translated()}% translated")
        if not catalogues:
            raise CommandError("no catalogue found")
        findings = scan_tree(Path(settings.PACKAGE_DIR), translated_pairs(catalogues))
        problems.extend(str(f) for f in findings)
        if problems:
            raise CommandError("untranslated or fuzzy:\n" + "\n".join(problems))
        self.stdout.write("every message is translated")
