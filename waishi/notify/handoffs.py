"""Who is told when a transition hands work to someone: one registry for every workflow.

``notify`` sits below the apps whose records move through workflows, so it knows none of
them. Each of those apps declares, in its ``notices.py`` (imported by its
``AppConfig.ready``), what each row of its transition tables means to people::

    from waishi.notify import handoffs

    REPORT_DUE = handoffs.kind("missions.report_reminder", _("Trip report due"))

    handoffs.handoff(
        MISSION, "come_back",
        kind=REPORT_DUE,
        recipients=lambda mission: unit_users(mission.unit_id, CLERKS),
        title=lambda mission: _("Write the report of “%(trip)s”") % {"trip": mission},
        url=lambda mission: reverse("missions:report", args=[mission.pk]),
        due=lambda mission: mission.report.due_date,
    )
    handoffs.silent(MISSION, "withdraw", why="a withdrawn trip waits for nobody")

A row hands work to someone (``handoff``: the people who must act now, their notice's
kind, title, text, link and due date), or it says why nobody is told (``silent``: for the
developer who reads the registry; another notice tells them, or nobody has to act).
``tests/notify/test_handoffs.py`` refuses a row of any table that is neither.

The one receiver of the engine's ``transitioned`` notice (connected by
``NotifyConfig.ready``) looks the row up and sends its notices through
``services.notify``: rendered in each recipient's language, in the inbox always, by
e-mail as the recipient chose for the kind (``NotificationPreference``). Whoever took
the action is not told of it.

``kind(code, label)`` registers a kind of notice with what a person calls it: the
settings page lists kinds by their labels, never by their codes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

log = logging.getLogger(__name__)


# --- kinds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any  # what a person calls it (lazy translation)
    # Whom it is for, as a group of the settings page (lazy translation; "" : general).
    group: Any = ""
    # The roles it is sent to (the settings page offers it to them); None: anyone.
    roles: frozenset[str] | None = None


_KINDS: dict[str, Kind] = {}


def kind(code: str, label, *, group="", roles=None) -> str:
    """Register a kind of notice with its label and the ``roles`` it goes to (None:
    anyone); returns ``code`` (for ``notify(kind=)``). Registering one code twice with
    another label is a mistake."""
    known = _KINDS.get(code)
    if known is not None and str(known.label) != str(label):
        raise ValueError(f"notice kind {code!r} registered twice with different labels")
    _KINDS[code] = Kind(code, label, group, None if roles is None else frozenset(roles))
    return code


def kinds(for_user=None) -> list[Kind]:
    """Every registered kind, in the order of registration; with ``for_user``, those sent
    to the user's role and those the user has been sent (whatever the role)."""
    every = list(_KINDS.values())
    if for_user is None:
        return every
    from waishi.notify.models import Notification

    received = set(
        Notification.objects.filter(recipient=for_user).values_list("kind", flat=True).distinct()
    )
    role = getattr(for_user, "role", None)
    return [k for k in every if k.roles is None or role in k.roles or k.code in received]


def label_of(code: str) -> str:
    """What a person calls the kind ``code`` (a generic word for an unknown one: never
    the code itself)."""
    from django.utils.translation import gettext

    found = _KINDS.get(code)
    return str(found.label) if found is not None else gettext("Notice")


# --- the rows ----------------------------------------------------------------------------


Text = Callable[[Any], Any]


@dataclass(frozen=True)
class Rule:
    workflow: str
    action: str
    sources: frozenset[str] | None  # None: every row of ``action``
    kind: str = ""
    recipients: Callable[[Any], Iterable] | None = None
    title: Text | None = None
    body: Text | None = None
    url: Callable[[Any], str] | None = None
    due: Callable[[Any], Any] | None = None
    why: str = ""  # a silent row: why nobody is told
    # The subject's key of this notice, when another path may send it again (one notice
    # per recipient and key).
    dedupe: Callable[[Any], str] | None = None

    @property
    def is_silent(self) -> bool:
        return self.recipients is None

    def covers(self, source: str) -> bool:
        return self.sources is None or source in self.sources


_RULES: dict[tuple[str, str], list[Rule]] = {}


def _key(workflow, action: str, sources) -> tuple[str, frozenset[str] | None]:
    """Check the row exists in the table (a typo fails when Django starts)."""
    name = workflow.name
    rows = {t.source for t in workflow.edges() if t.action == action}
    if not rows:
        raise ValueError(f"{name}: no transition {action!r}")
    chosen = None if sources is None else frozenset(str(s) for s in sources)
    if chosen is not None and not chosen <= rows:
        raise ValueError(f"{name}.{action}: no row from {sorted(chosen - rows)}")
    return name, chosen


def _add(rule: Rule) -> None:
    rules = _RULES.setdefault((rule.workflow, rule.action), [])
    # Registering the same declaration again (a module imported twice) replaces it.
    rules[:] = [
        r
        for r in rules
        if (r.sources, r.kind, r.is_silent) != (rule.sources, rule.kind, rule.is_silent)
    ]
    rules.append(rule)


def notice(
    *,
    kind: str,
    recipients: Callable[[Any], Iterable],
    title: Text,
    url: Callable[[Any], str],
    body: Text | None = None,
    due: Callable[[Any], Any] | None = None,
    dedupe: Callable[[Any], str] | None = None,
) -> Rule:
    """A notice about a subject, not tied to a row: what a service sends with ``tell``
    where work is handed over without a transition (a record created for someone), and
    what ``handoff`` ties to rows. ``recipients(subject)`` are told ``title(subject)``
    (and ``body``), with a link ``url(subject)`` and the date ``due(subject)`` it is due
    by (or None); ``title`` and ``body`` are called under each recipient's language.
    ``dedupe(subject)``: a key that tells each recipient once, when another path may send
    the same notice (a delegate told when the delegation starts)."""
    if kind not in _KINDS:
        raise ValueError(f"register the notice kind {kind!r} with its label first")
    return Rule("", "", None, kind, recipients, title, body, url, due, dedupe=dedupe)


def handoff(
    workflow,
    action: str,
    *,
    sources: Iterable[str] | None = None,
    sends: Rule | None = None,
    **fields,
) -> None:
    """The rows ``action`` of ``workflow`` (only those from ``sources`` when given) hand
    work to someone: the notice ``sends`` (or a ``notice(**fields)``) is sent after each
    of them."""
    made = sends if sends is not None else notice(**fields)
    name, chosen = _key(workflow, action, sources)
    _add(replace(made, workflow=name, action=action, sources=chosen))


def silent(workflow, action: str, *, why: str, sources: Iterable[str] | None = None) -> None:
    """The rows ``action`` of ``workflow`` tell nobody, for the reason ``why`` (a sentence
    for developers: which other notice tells the people concerned, or why nobody has to
    act)."""
    if not (why or "").strip():
        raise ValueError("say why the row tells nobody")
    name, chosen = _key(workflow, action, sources)
    _add(Rule(name, action, chosen, why=why.strip()))


def rules_for(workflow_name: str, source: str, action: str) -> list[Rule]:
    """The declarations that cover the row (``source``, ``action``) of the workflow."""
    return [r for r in _RULES.get((workflow_name, action), []) if r.covers(str(source))]


# --- telling -----------------------------------------------------------------------------


def people(users: Iterable, *, actor=None) -> list:
    """``users`` once each, active, without ``actor`` (nobody is told of their own act)."""
    seen: set[int] = set()
    out = []
    actor_pk = getattr(actor, "pk", None)
    for user in users:
        if user is None or user.pk in seen or user.pk == actor_pk:
            continue
        if not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        out.append(user)
    return out


def tell(rule: Rule, subject, *, actor=None, dedupe_key: str = "", to=None) -> list:
    """Send ``rule``'s notice about ``subject`` to its recipients (or only those of them
    in ``to``) but ``actor``."""
    from waishi.notify.services import notify

    recipients = people(rule.recipients(subject), actor=actor)
    if to is not None:
        wanted = {u.pk for u in to}
        recipients = [u for u in recipients if u.pk in wanted]
    if not recipients:
        return []
    body = rule.body
    return notify(
        recipients,
        kind=rule.kind,
        title=lambda: rule.title(subject),
        body=(lambda: body(subject)) if body is not None else (lambda: ""),
        url=rule.url(subject) or "",
        due_on=rule.due(subject) if rule.due is not None else None,
        dedupe_key=dedupe_key or (rule.dedupe(subject) if rule.dedupe is not None else ""),
    )


def deliver(sender, *, subject, workflow, action, from_state, to_state, actor=None, **kwargs):
    """The receiver of ``lib.workflow.transitioned``: the row's notices, if any, about the
    record as committed. A record that has left the state since (one transaction that
    started a step and decided it: a seeded history, a bulk action) tells nobody: its
    later transition tells whom it concerns."""
    rules = [r for r in rules_for(workflow.name, from_state, action) if not r.is_silent]
    if not rules:
        return
    fresh = type(subject)._default_manager.filter(pk=subject.pk).first()
    if fresh is None or workflow.state_of(fresh) != to_state:
        return
    for rule in rules:
        try:
            tell(rule, fresh, actor=actor)
        except Exception:  # a notice never breaks what has been committed
            log.exception("notice of %s.%s on %r failed", workflow.name, action, subject)
