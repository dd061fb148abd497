"""Unit isolation (security.md Z1): every endpoint x every role x a foreign object.

Every URL pattern of the project is walked (through every include). Each URL argument
must name a model registered in ``waishi.orgs.scoping`` (``Scope.url_kwarg``); the URL is
built with an object of the *foreign* unit (a unit none of the home unit's accounts
belongs to). For every account of the cast, plus an anonymous visitor, each URL is
requested with GET and POST:

- when ``scoping.visible(user, Model)`` does not hold the object, the answer must be a
  refusal (401/403/404/405, or a redirect to login, second factor or re-authentication)
  and the object must be unchanged in the database;
- no page answered with 200 may contain the foreign person's name, unless the account
  may see that person.

The list pages (URLs without arguments) are also asked for ``?q=<the name>``.

A new URL argument fails this test until its model is registered with ``url_kwarg`` and,
when no row of it belongs to the foreign unit, a builder is added to ``BUILDERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client

from tests.conftest import FOREIGN_MARKER
from tests.lib.urlwalk import NON_MODEL_KWARGS, Endpoint, endpoints
from waishi.notify.models import Notification
from waishi.orgs import scoping
from waishi.orgs import services as org_services

DENIED = {401, 403, 404, 405}
DETOURS = ("/accounts/login/", "/accounts/otp/", "/accounts/reauth/")
# Fields a tampering POST leaves alone (a form never takes them; changing them would
# only log the account out).
UNTOUCHED_FIELDS = {"password", "last_login", "date_joined"}


@dataclass
class World:
    cast: dict[str, Any]
    foreign_unit: Any
    foreign_person: Any
    district: Any


def _outsider_token(world: World):
    from waishi.api import services

    token, _raw = services.api_token_create(
        actor=world.cast["outsider"], user=world.cast["outsider"], name="matrix", days=30
    )
    return token


def _policy_version():
    from waishi.policy.models import PolicySet

    return PolicySet.objects.order_by("pk").first()


# How to get "a foreign object" of models that do not simply belong to the foreign unit.
BUILDERS: dict[str, Callable[[World], models.Model]] = {
    "orgs.person": lambda w: w.foreign_person,
    "orgs.unit": lambda w: w.foreign_unit,  # reference data: any unit will do
    "orgs.district": lambda w: w.district,  # reference data
    "orgs.user": lambda w: w.cast["outsider"],
    "api.apitoken": _outsider_token,
    "policy.policyset": lambda w: _policy_version(),  # reference data: the seeded one
}


def _foreign_object(model: type[models.Model], world: World) -> models.Model:
    label = model._meta.label_lower
    if label in BUILDERS:
        return BUILDERS[label](world)
    scope = scoping.scope_of(model)
    if scope.unit:
        found = model._default_manager.filter(**{scope.unit: world.foreign_unit.pk}).first()
        if found is not None:
            return found
    pytest.fail(
        f"no {label} of the foreign unit to test with: create one in the world fixture "
        f"or add a builder to BUILDERS in {__file__}"
    )


@pytest.fixture
def world(cast, home_person, foreign_person, foreign_unit, district) -> World:
    # History and a notice that name the foreign person, as the services leave them.
    org_services.person_update(actor=cast["fao_head"], person=foreign_person, post="保密岗位")
    Notification.objects.create(
        recipient=cast["outsider"], kind="test", title=f"{FOREIGN_MARKER} 的出访申请"
    )
    return World(cast, foreign_unit, foreign_person, district)


def _kwarg_models() -> dict[str, type[models.Model]]:
    return {s.url_kwarg: m for m, s in scoping.registry().items() if s.url_kwarg}


def test_every_url_argument_names_a_registered_model():
    known = _kwarg_models()
    unknown = sorted(
        f"{e.name} <{p}>" for e in endpoints() for p in e.model_params if p not in known
    )
    assert unknown == [], (
        "URL arguments that name no model registered in waishi.orgs.scoping "
        "(register the model with Scope(url_kwarg=...)): " + ", ".join(unknown)
    )


def _snapshot(obj: models.Model) -> dict:
    return type(obj)._default_manager.filter(pk=obj.pk).values().first() or {}


def _restore(obj: models.Model, snapshot: dict) -> None:
    pk_name = obj._meta.pk.attname
    values = {k: v for k, v in snapshot.items() if k != pk_name}
    type(obj)._default_manager.filter(pk=obj.pk).update(**values)


def _tampering_payload(objects: list[models.Model]) -> dict[str, str]:
    """Each object's own editable fields, changed: what an attacker would post."""
    data: dict[str, str] = {"action": "unlock", "q": FOREIGN_MARKER}
    for obj in objects:
        for field in obj._meta.concrete_fields:
            if not field.editable or field.primary_key or field.name in UNTOUCHED_FIELDS:
                continue
            value = getattr(obj, field.attname)
            if isinstance(field, models.BooleanField):
                if not value:
                    data[field.name] = "on"
            elif field.choices:
                data[field.name] = str(value)
            elif isinstance(field, models.CharField | models.TextField):
                data[field.name] = f"{value or ''}改"[: field.max_length or 1000]
            elif value is not None and not isinstance(value, models.Model):
                data[field.name] = str(value)
    return data


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _without_echo(body: str) -> str:
    """The search box repeats what was typed; that is not a leak."""
    return body.replace(f'value="{FOREIGN_MARKER}"', "")


def _is_detour(response) -> bool:
    return response.status_code in (301, 302) and response["Location"].startswith(DETOURS)


def _check_endpoint(
    client: Client,
    user,
    endpoint: Endpoint,
    targets: dict[str, models.Model],
    sees_marker: bool,
    failures: list[str],
    label: str,
) -> None:
    objects = [targets[p] for p in endpoint.model_params]
    values = {p: targets[p].pk for p in endpoint.model_params}
    path = endpoint.path(
        values | {p: NON_MODEL_KWARGS[p] for p in endpoint.params if p not in values}
    )
    hidden = {o for o in objects if user is None or not scoping.can_see(user, o)}
    for method in ("get", "post"):
        before = [(o, _snapshot(o)) for o in objects]
        kwargs = {"data": _tampering_payload(objects)} if method == "post" else {}
        response = getattr(client, method)(path, **kwargs)
        status = response.status_code
        where = f"{label} {method.upper()} {path} -> {status}"
        if hidden and status not in DENIED and not _is_detour(response):
            failures.append(f"{where}: foreign object reachable")
        for obj, snapshot in before:
            if _snapshot(obj) == snapshot:
                continue
            if obj in hidden:
                failures.append(f"{where}: foreign {obj._meta.label} changed")
            # Put things back, so that later requests see the same world.
            _restore(obj, snapshot)
        if status == 200 and not sees_marker and FOREIGN_MARKER in _without_echo(_body(response)):
            failures.append(f"{where}: shows {FOREIGN_MARKER}")


def _check_list_page(
    client: Client, path: str, sees_marker: bool, failures: list[str], label: str
) -> None:
    search = {"q": FOREIGN_MARKER}
    for query, headers in (({}, {}), (search, {}), (search, {"HTTP_HX_REQUEST": "true"})):
        response = client.get(path, query, **headers)
        if response.status_code != 200 or sees_marker:
            continue
        if FOREIGN_MARKER in _without_echo(_body(response)):
            failures.append(f"{label} GET {path} {query or ''} {headers or ''}: leaks")


def test_access_matrix(world, as_user):
    kwarg_models = _kwarg_models()
    all_endpoints = list(endpoints())
    with_args = [e for e in all_endpoints if e.model_params]
    without_args = [e for e in all_endpoints if not e.params]
    needed = {p for e in with_args for p in e.model_params if p in kwarg_models}
    targets = {p: _foreign_object(kwarg_models[p], world) for p in needed}
    assert targets["person_pk"] == world.foreign_person

    failures: list[str] = []
    accounts: list[tuple[str, Any, Client]] = [
        (name, user, as_user(name)) for name, user in world.cast.items()
    ]
    accounts.append(("anonymous", None, Client()))
    for label, user, client in accounts:
        sees_marker = user is not None and scoping.can_see(user, world.foreign_person)
        for endpoint in with_args:
            if not set(endpoint.model_params) <= set(targets):
                continue  # reported by test_every_url_argument_names_a_registered_model
            _check_endpoint(client, user, endpoint, targets, sees_marker, failures, label)
        for endpoint in without_args:
            path = endpoint.path({})
            if path in ("/accounts/logout/",):
                continue
            _check_list_page(client, path, sees_marker, failures, label)
    assert failures == [], "\n".join(failures)


def test_matrix_sees_the_marker_where_it_should(world, as_user):
    """The matrix can fail: the accounts that may see the foreign person do see it."""
    person = world.foreign_person
    for name in ("fao_reviewer", "auditor", "outsider"):
        body = as_user(name).get(f"/orgs/people/{person.pk}/").content.decode()
        assert FOREIGN_MARKER in body, name
    assert FOREIGN_MARKER in as_user("outsider").get("/notifications/").content.decode()
    assert FOREIGN_MARKER in as_user("auditor").get("/audit/").content.decode()
