"""The committee's pages on the demo committee, as each demo role: every page answers (or
refuses) without an error, and none shows an internal name (tests/leaks.py) -- the check
tests/test_no_internal_names.py makes of every page once the demo seeds the committee."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from tests.test_no_internal_names import demo_data_words, page_leaks
from waishi.committee.demo import seed
from waishi.committee.models import (
    AgendaItem,
    CommitteeMember,
    Decision,
    Document,
    DocumentVersion,
    Meeting,
    Minutes,
)
from waishi.orgs import demo
from waishi.orgs.models import User

pytestmark = pytest.mark.django_db

ROLES = ("reviewer", "head", "committee", "auditor", "clerk", "clerk2")


def _urls() -> list[str]:
    urls = [reverse(f"committee:{n}") for n in ("meeting-list", "item-list", "minutes-list")]
    urls += [reverse("committee:member-list"), reverse("committee:settings")]
    urls += [reverse("committee:meeting-create"), reverse("committee:member-add")]
    for m in Meeting.objects.all():
        for name in ("meeting-detail", "meeting-edit", "meeting-attendance", "item-add"):
            urls.append(reverse(f"committee:{name}", kwargs={"meeting_pk": m.pk}))
    for i in AgendaItem.objects.all():
        for name in ("item-detail", "item-edit", "document-add"):
            urls.append(reverse(f"committee:{name}", kwargs={"agenda_item_pk": i.pk}))
    for d in Document.objects.all():
        for name in ("document-detail", "version-upload", "document-access"):
            urls.append(reverse(f"committee:{name}", kwargs={"document_pk": d.pk}))
        versions = list(DocumentVersion.objects.filter(document=d).order_by("number"))
        if len(versions) > 1:
            urls.append(
                reverse("committee:document-compare", kwargs={"document_pk": d.pk})
                + f"?old={versions[0].pk}&new={versions[-1].pk}"
            )
    for m in Minutes.objects.all():
        for name in ("minutes-detail", "minutes-edit"):
            urls.append(reverse(f"committee:{name}", kwargs={"minutes_pk": m.pk}))
    for d in Decision.objects.all():
        urls.append(reverse("committee:decision", kwargs={"decision_pk": d.pk}))
    for m in CommitteeMember.objects.all()[:2]:
        urls.append(reverse("committee:member-edit", kwargs={"committee_member_pk": m.pk}))
    return urls


def test_every_page_as_every_role_reads_without_internal_names():
    demo.load()
    seed(timezone.localdate())
    urls = _urls()
    assert len(urls) > 30
    leaks, errors, seen = [], [], 0
    words = demo_data_words()
    for name in ROLES:
        client = login(Client(), User.objects.get(username=name))
        for url in urls:
            response = client.get(url)
            if response.status_code >= 500:
                errors.append(f"{name} {url} {response.status_code}")
            if response.status_code != 200:
                continue
            seen += 1
            leaks += [
                f"{name} {url}: {leak}" for leak in page_leaks(response.content.decode(), words)
            ]
    assert errors == []
    assert leaks == []
    assert seen > 60
