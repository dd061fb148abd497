"""A readable sentence for every audit action, in the reader's language.

Apps add their own actions with ``register({...})`` from their ``apps.ready``; an action
with no sentence is shown by its code, and a test fails on any such action.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, str] = {
    "auth.login": _("{actor} logged in"),
    "auth.logout": _("{actor} logged out"),
    "auth.login_failed": _("Failed login attempt for account “{username}”"),
    "auth.locked_out": _("Account “{username}” locked after repeated failed logins"),
    "auth.otp_verified": _("{actor} passed the second-factor check"),
    "auth.otp_failed": _("{actor} entered a wrong second-factor code"),
    "auth.step_up": _("{actor} confirmed identity again for a sensitive action"),
    "auth.step_up_failed": _("{actor} failed to confirm identity for a sensitive action"),
    "audit.verified": _("Audit chain verified: {result}"),
    "audit.exported": _("{actor} exported the audit log"),
    "audit.state_recorded": _(
        "{actor} recorded the security-relevant values of {rows} records as they stand"
    ),
}


def register(messages: dict[str, str]) -> None:
    MESSAGES.update(messages)


# The actions a form writes on every save (the trip application saves after each change
# or pause in typing): a record's history shows a run of them by one person as one entry
# ("saved 14 times, 09:12–09:40"; ``selectors.grouped``).
SAVES: set[str] = set()


def register_saves(*actions: str) -> None:
    SAVES.update(actions)


# Machine values kept in the events' data, shown in words.
RESULT_LABELS = {"OK": _("intact"), "FAILED": _("broken")}


def result_label(value: str) -> str:
    return str(RESULT_LABELS.get(value, value))


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def describe(event, *, object_label: str | None = None) -> str:
    """The event's sentence. ``object_label`` replaces the object's name and every text
    detail, for a reader who may not see the record (see ``selectors.readable``)."""
    template = MESSAGES.get(event.action)
    if template is None:
        return event.action
    data = event.data if isinstance(event.data, dict) else {}
    values = _Default(
        {
            k: v
            for k, v in data.items()
            if isinstance(v, int) or (isinstance(v, str) and object_label is None)
        }
    )
    if "result" in values:
        values["result"] = result_label(values["result"])
    for key in list(values):
        codes = DATA_CODES.get((event.action, key))
        if callable(codes):
            values[key] = codes(values[key])
        elif codes and values[key] in codes:
            values[key] = str(codes[values[key]])
    values.update(
        actor=actor_label(event.actor_name) if event.actor_name else gettext("System"),
        object=event.object_repr if object_label is None else object_label,
    )
    return str(template).format_map(values)


# What a recorded key is called when it is not a field of the recorded model (a value an
# action keeps beside the object: a member's education on the trip, a hand-over's
# districts), and the labels of the codes it holds:
# {(object type or action, key): (label, codes)}.
FIELDS: dict[tuple[str, str], tuple[str, dict]] = {}
# The labels of the codes an action's data holds, for its sentence: {(action, key): codes}.
DATA_CODES: dict[tuple[str, str], dict] = {}
# Who an event names as its actor when no account acted: a command's name -> its label.
SYSTEM_ACTORS: dict[str, str] = {}


def register_fields(name: str, fields: dict) -> None:
    """``{key: label}`` or ``{key: (label, choices)}`` for the keys the events of an
    object type, or of one action (``name``), record beside the model's fields;
    ``choices`` as a model field's, or a function of the value that gives its words (a
    structured value). A label of None: the key is not listed (the event's
    sentence names it already)."""
    for key, spec in fields.items():
        label, choices = spec if isinstance(spec, tuple) else (spec, ())
        FIELDS[(name, key)] = (label, choices if callable(choices) else dict(choices))


def fields_of(model, *keys: str) -> dict:
    """``register_fields``' entries for keys named as ``model``'s fields: their verbose
    names and choices, from the one place they are declared."""
    out = {}
    for key in keys:
        found = model._meta.get_field(key)
        out[key] = (found.verbose_name, getattr(found, "flatchoices", None) or ())
    return out


def register_data(action: str, key: str, choices) -> None:
    """The labels of the codes ``action`` keeps under ``key`` in its data, or a function
    of the value that gives its words."""
    DATA_CODES[(action, key)] = choices if callable(choices) else dict(choices)


def reference_words(reference) -> str:
    """A record named by "app.model:pk" (a quota's use) as "出访申请 第 42 号"."""
    label, _sep, pk = str(reference).partition(":")
    try:
        kind = apps.get_model(label)._meta.verbose_name
    except (LookupError, ValueError):
        kind = gettext("a record")
    return gettext("%(kind)s No. %(number)s") % {"kind": kind, "number": pk}


def register_actors(actors: dict[str, str]) -> None:
    SYSTEM_ACTORS.update(actors)


def _registered(names: tuple[str, ...], key: str):
    for name in names:
        found = FIELDS.get((name, key))
        if found is not None:
            return found
    return None


def field_label(names: tuple[str, ...], key: str) -> str | None:
    """The label registered for ``key`` under the first of ``names`` (an event's action,
    then its object type) that has one."""
    found = _registered(names, key)
    return str(found[0]) if found and found[0] is not None else None


def field_hidden(names: tuple[str, ...], key: str) -> bool:
    found = _registered(names, key)
    return found is not None and found[0] is None


def field_formats(names: tuple[str, ...], key: str) -> bool:
    """Whether ``key``'s whole value is put in words by a registered function."""
    found = _registered(names, key)
    return found is not None and callable(found[1])


def field_value(names: tuple[str, ...], key: str, value):
    """A registered key's code as its label; any other value as it is."""
    found = _registered(names, key)
    if found and callable(found[1]):
        return found[1](value)
    if found and isinstance(value, str | int) and value in found[1]:
        return str(found[1][value])
    if found and found[1] and isinstance(value, list) and all(isinstance(v, str) for v in value):
        # A list of codes (a change request's kinds): each as its label.
        return "、".join(str(found[1].get(v, v)) for v in value)
    return value


def actor_label(name: str) -> str:
    """A command's name as its label ("waishi backup (root)" keeps its "(root)")."""
    for command, label in SYSTEM_ACTORS.items():
        if name == command or name.startswith(f"{command} ("):
            return str(label) + name[len(command) :]
    return name


def action_title(action: str) -> str:
    """What an action is, for a list of actions: its sentence with "…" for each value."""
    template = MESSAGES.get(action)
    return re.sub(r"\{\w+\}", "…", str(template)) if template is not None else action


# The audit app's own commands and the nightly job name themselves as actors.
register_actors(
    {
        "waishi audit baseline": _("the audit baseline command"),
        "waishi audit verify": _("the audit verification command"),
        "nightly check": _("the nightly check"),
    }
)
