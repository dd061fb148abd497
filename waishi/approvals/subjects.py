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


def excluded_user_ids(subject_type: str, subject_id: int) -> set[int]:
    subject = get(subject_type)
    return set(subject.excluded_user_ids(subject_id)) if subject is not None else set()
