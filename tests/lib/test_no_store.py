"""Nothing shown to a signed-in person is cached (security.md I9, ASVS 14.3.2): every page,
fragment, API answer and download carries ``Cache-Control: no-store``; so does the
public declaration form, which shows personal data after posting; static files keep
their long cache life."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client, override_settings

from tests.lib.urlwalk import NON_MODEL_KWARGS, endpoints
from tests.test_access_matrix import _foreign_object, _kwarg_models, world  # noqa: F401

# Signed-in accounts that between them reach every page: the FAO and the auditor see every
# unit's records (so the world's objects answer 200), the clerk a unit's, the
# administrators their own pages.
ROLES = ("fao_reviewer", "auditor", "unit_clerk", "sys_admin", "security_admin")
# What a download is, judged from the answer, not from the code that made it.
DOWNLOAD_TYPES = re.compile(r"spreadsheet|wordprocessing|officedocument|pdf|zip|octet|csv|image/")


def _directives(response) -> set[str]:
    """The Cache-Control directives, as RFC 9111 section 5.2 writes them."""
    header = response.headers.get("Cache-Control", "")
    return {part.strip().split("=")[0].lower() for part in header.split(",") if part.strip()}


def _is_download(response) -> bool:
    disposition = response.headers.get("Content-Disposition", "")
    return "attachment" in disposition or bool(
        DOWNLOAD_TYPES.search(response.headers.get("Content-Type", ""))
    )


def _paths(world) -> list[tuple[str, str]]:  # noqa: F811
    kwarg_models = _kwarg_models()
    targets: dict[str, object] = {}
    out = []
    for endpoint in endpoints():
        if endpoint.template == "/accounts/logout/":
            continue
        values: dict[str, object] = {}
        for param in endpoint.params:
            if param in NON_MODEL_KWARGS:
                values[param] = NON_MODEL_KWARGS[param]
            else:
                if param not in targets:
                    targets[param] = _foreign_object(kwarg_models[param], world)
                values[param] = targets[param].pk
        out.append((endpoint.name, endpoint.path(values)))
    return out


def test_every_answer_to_a_signed_in_account_is_not_stored(world, as_user):  # noqa: F811
    paths = _paths(world)
    missing: list[str] = []
    downloads: set[str] = set()
    pages: set[str] = set()
    for role in ROLES:
        client = as_user(role)
        for name, path in paths:
            response = client.get(path)
            if "no-store" not in _directives(response):
                missing.append(f"{role} GET {path} ({name}) -> {response.status_code}")
            if response.status_code == 200:
                (downloads if _is_download(response) else pages).add(name)
    assert missing == [], "\n".join(missing)
    # The walk reached real pages and real downloads, not only refusals.
    assert len(pages) > 50, sorted(pages)
    export_names = {name for name, _path in paths if re.search(r"export|download", name)}
    assert export_names, "the resolver found no export or download URL"
    assert downloads & export_names, sorted(downloads)


def test_a_posted_form_and_an_api_answer_are_not_stored(as_user, cast):
    client = as_user("unit_clerk")
    response = client.post("/accounts/language/", {"language": "zh-hans", "next": "/"})
    assert "no-store" in _directives(response)
    token_client = Client()
    from waishi.api import services

    _token, raw = services.api_token_create(
        actor=cast["unit_clerk"], user=cast["unit_clerk"], name="cache", days=1
    )
    response = token_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert "no-store" in _directives(response)


def test_every_public_declaration_page_is_not_stored(cast, district):
    from waishi.arrivals.models import Campaign

    campaign = Campaign.objects.create(name="五月入境", created_by=cast["city_command"])
    client = Client()
    for endpoint in endpoints():
        if not endpoint.name.startswith("declare:"):
            continue
        path = endpoint.path({"token": campaign.token})
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert "no-store" in _directives(response), f"{method} {path}"


def test_static_files_keep_their_cache_life(cast, as_user):
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        client = as_user("unit_clerk")
        found = [p for p in (settings.PACKAGE_DIR / "static").rglob("*.css")][:1]
        assert found, "no stylesheet to ask for"
        relative = found[0].relative_to(settings.PACKAGE_DIR / "static").as_posix()
        response = client.get(settings.STATIC_URL + relative)
        assert response.status_code == 200
        assert "no-store" not in _directives(response)
