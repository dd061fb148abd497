"""The records outcomes come from, registered by the apps that own them.

An outcome names its source by model label and id and keeps a snapshot of its title;
this app never imports the source's app. An app registers, from its ``AppConfig.ready()``::

    from waishi.followups import sources

    sources.register(
        "missions.mission",
        sources.Source(
            label=_("Trip abroad"),
            title=lambda ids: {m.pk: m.title for m in Mission.objects.filter(pk__in=ids)},
            url=lambda pk: reverse("missions:detail", kwargs={"mission_pk": pk}),
            can_see=lambda user, pk: scoping.visible(user, Mission).filter(pk=pk).exists(),
        ),
    )

A source type nobody registered (its app not installed, or removed) shows the snapshot
title without a link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext


@dataclass(frozen=True)
class Source:
    label: Any  # what a person calls this kind of record (lazy translation)
    title: Callable[[Iterable[int]], dict[int, str]]
    url: Callable[[int], str]
    # Optional: may ``user`` see the source (asked before an outcome is attached to it).
    can_see: Callable[[Any, int], bool] | None = None


_REGISTRY: dict[str, Source] = {}


def register(source_type: str, source: Source) -> None:
    _REGISTRY[source_type] = source


def unregister(source_type: str) -> None:
    _REGISTRY.pop(source_type, None)


def get(source_type: str) -> Source | None:
    return _REGISTRY.get(source_type)


def registry() -> dict[str, Source]:
    return dict(_REGISTRY)


def label_of(source_type: str) -> str:
    """What a person calls this kind of source; one nobody registered is "a record"."""
    source = get(source_type)
    return str(source.label) if source is not None else gettext("A record")


def title_of(source_type: str, source_id: int) -> str:
    source = get(source_type)
    if source is None:
        return ""
    return source.title([source_id]).get(source_id, "")


def url_of(source_type: str, source_id: int | None) -> str:
    source = get(source_type)
    if source is None or source_id is None:
        return ""
    return source.url(source_id)


def can_see(user, source_type: str, source_id: int) -> bool:
    source = get(source_type)
    if source is None:
        return False
    return source.can_see is None or bool(source.can_see(user, source_id))
