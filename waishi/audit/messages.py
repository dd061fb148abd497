"""A readable sentence for every audit action, in the reader's language.

Apps add their own actions with ``register({...})`` from their ``apps.ready``; an action
with no sentence is shown by its code, and a test fails on any such action.
"""

from __future__ import annotations

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
    values.update(
        actor=event.actor_name or gettext("System"),
        object=event.object_repr if object_label is None else object_label,
    )
    return str(template).format_map(values)
