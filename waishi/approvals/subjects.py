"""The records that go through approval chains, registered by the apps that own them.

The approvals pages (the queue, bulk approval, reminders) show and act on subjects
without importing their apps: each app registers, from its ``AppConfig.ready()``::

    from waishi.approvals import subjects

    subjects.register(
        "missions.mission",
        subjects.Subject(
            label=_("Trip application"),
            title=lambda ids: {m.pk: m.title for m in Mission.objects.filter(pk__in=ids)},
            url=lambda pk: reverse("missions:detail", kwargs={"mission_pk": pk}),
            decide=deciding.decider(MissionDecision()),  # its hooks, see ``deciding``
            excluded_user_ids=lambda pk: {...},  # drafter and members' accounts
            excluded_for=lambda user: {...},  # optional: ids of subjects ``user`` may not decide
        ),
    )

``decide`` (*, actor, subject_id, decision, comment, ip, ...) decides the subject's
pending step: ``approvals.deciding.decider(hooks)`` builds it from the subject's hooks
(the decision template: lock the subject, decide the step, settle an override, apply
the subject's transition, in one transaction). It returns the outcome ("next",
"approved", "returned", "rejected") and raises PermissionDenied or ValidationError when
it refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext


@dataclass(frozen=True)
class Subject:
    label: Any  # what a person calls this kind of record (lazy translation)
    title: Callable[[Iterable[int]], dict[int, str]]
    url: Callable[[int], str]
    decide: Callable[..., str]
    excluded_user_ids: Callable[[int], set[int]]
    # Optional, for lists: the ids of this type's subjects ``user`` is excluded from, a
    # set or (better) a queryset of ids, which the queue uses as a subquery. Without it
    # the queue asks per row.
    excluded_for: Callable[[Any], Any] | None = None
    # Optional, for lists: the links of many subjects at once ({id: url}), for a type
    # whose ``url`` reads the database. Without it a list asks ``url`` per row.
    urls: Callable[[Iterable[int]], dict[int, str]] | None = None
    # Optional: the first day the subject's final approval is allowed (e.g. a trip's
    # publicity period must have run), or None when nothing holds it. The last step's due
    # date is never before it (``services``).
    earliest_final: Callable[[int], date | None] | None = None


_REGISTRY: dict[str, Subject] = {}


def register(subject_type: str, subject: Subject) -> None:
    _REGISTRY[subject_type] = subject


def unregister(subject_type: str) -> None:
    _REGISTRY.pop(subject_type, None)


def get(subject_type: str) -> Subject | None:
    return _REGISTRY.get(subject_type)


def label(subject_type: str) -> str:
    """What a person calls this kind of record; one nobody registered is "a record"."""
    found = _REGISTRY.get(subject_type)
    return str(found.label) if found is not None else gettext("A record")


def registry() -> dict[str, Subject]:
    return dict(_REGISTRY)


def titles(subject_type: str, ids: Iterable[int]) -> dict[int, str]:
    """Titles of the subjects (``type#id`` where the type is not registered)."""
    ids = list(ids)
    subject = get(subject_type)
    found = subject.title(ids) if subject is not None else {}
    return {pk: found.get(pk) or f"{subject_type}#{pk}" for pk in ids}


def url_of(subject_type: str, subject_id: int) -> str:
    subject = get(subject_type)
    return subject.url(subject_id) if subject is not None else ""


def urls_of(subject_type: str, ids: Iterable[int]) -> dict[int, str]:
    """The links of many subjects of one type: in one query where the type says how."""
    ids = list(ids)
    subject = get(subject_type)
    if subject is None:
        return dict.fromkeys(ids, "")
    if subject.urls is not None:
        found = subject.urls(ids)
        return {pk: found.get(pk, "") for pk in ids}
    return {pk: subject.url(pk) for pk in ids}


def excluded_user_ids(subject_type: str, subject_id: int) -> set[int]:
    subject = get(subject_type)
    return set(subject.excluded_user_ids(subject_id)) if subject is not None else set()


def earliest_final(subject_type: str, subject_id: int) -> date | None:
    """The first day the subject's final approval is allowed, when its app says one."""
    subject = get(subject_type)
    if subject is None or subject.earliest_final is None:
        return None
    return subject.earliest_final(subject_id)
