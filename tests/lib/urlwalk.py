"""Walk every URL pattern of the project, for tests that must cover each endpoint.

Django's own ``normalize`` turns each pattern (path() routes and regexes alike, as DRF
routers write them) into a format string and its parameters, as ``reverse()`` does;
a test then fills the parameters and requests the path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize

# URL arguments that name no record; everything else must map to a model through
# ``waishi.orgs.scoping`` (``Scope.url_kwarg``).
NON_MODEL_KWARGS = {
    "format": "json",  # DRF's format suffixes: /api/x.json
    # A public declaration link's token names no record anyone is scoped to.
    "token": "no-such-link",
}


@dataclass(frozen=True)
class Endpoint:
    template: str  # "/orgs/people/%(person_pk)s/"
    params: tuple[str, ...]
    name: str  # "orgs:person-detail", or the view's dotted path when unnamed
    callback: Callable

    def path(self, values: dict[str, object]) -> str:
        return self.template % {k: values[k] for k in self.params}

    @property
    def model_params(self) -> tuple[str, ...]:
        return tuple(p for p in self.params if p not in NON_MODEL_KWARGS)


def _forms(regex: str) -> list[tuple[str, list[str]]]:
    # normalize() gives every alternative; the first is the canonical one reverse() prefers.
    forms = normalize(regex)
    return forms[:1] if forms else [("", [])]


def _walk(resolver: URLResolver, prefix: str, params: list[str], namespace: str):
    for entry in resolver.url_patterns:
        for fmt, names in _forms(entry.pattern.regex.pattern):
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}{entry.namespace}:"
                yield from _walk(entry, prefix + fmt, params + list(names), ns)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else entry.lookup_str
                yield Endpoint(
                    template="/" + prefix + fmt,
                    params=tuple(params + list(names)),
                    name=name,
                    callback=entry.callback,
                )


def endpoints(urlconf: str | None = None) -> Iterator[Endpoint]:
    yield from _walk(get_resolver(urlconf), "", [], "")


def fill(endpoint: Endpoint, value: object = 1) -> str:
    """The endpoint's path with every model argument set to ``value``."""
    values = {p: NON_MODEL_KWARGS.get(p, value) for p in endpoint.params}
    return endpoint.path(values)
