"""Who sees what: committee members, the office and the auditor see meetings, minutes and
documents; a unit sees the items it submitted and their documents; an internal (内部)
document only its named readers, the office and the auditor; downloads are recorded."""

from __future__ import annotations

import pytest

from tests.committee.conftest import docx_upload, pdf_upload
from tests.factories import UserFactory
from waishi.audit.models import AuditEvent
from waishi.committee import selectors, services
from waishi.committee.models import AgendaItem, Document
from waishi.lib.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_item(office, meeting, foreign_unit):
    return services.item_add(
        actor=office, meeting=meeting, title="外单位议题", submitting_unit=foreign_unit
    )


@pytest.fixture
def internal(cast, office, item):
    return services.document_add(
        actor=office,
        item=item,
        title="内部参考材料",
        file=pdf_upload(),
        internal=True,
        readers=[cast["committee"]],
    )


def test_meetings_are_for_members_the_office_and_the_auditor(as_user, meeting):
    url = f"/committee/meetings/{meeting.pk}/"
    for name in ("fao_reviewer", "fao_head", "committee", "auditor"):
        assert as_user(name).get(url).status_code == 200, name
        assert as_user(name).get("/committee/meetings/").status_code == 200, name
    for name in ("unit_clerk", "unit_leader", "district_officer", "sys_admin"):
        assert as_user(name).get(url).status_code in (403, 404), name


def test_a_unit_sees_only_the_items_it_submitted(as_user, item, foreign_item, document):
    client = as_user("unit_clerk")
    listing = client.get("/committee/items/").content.decode()
    assert item.title in listing and foreign_item.title not in listing
    assert client.get(f"/committee/items/{item.pk}/").status_code == 200
    assert client.get(f"/committee/items/{foreign_item.pk}/").status_code == 404
    assert client.get(f"/committee/documents/{document.pk}/").status_code == 200
    assert as_user("outsider").get(f"/committee/documents/{document.pk}/").status_code == 404
    # The unit's home is its items; the meetings are not offered to it.
    assert client.get("/committee/").url.endswith("/committee/items/")


def test_an_internal_document_is_shown_only_to_those_named(cast, as_user, item, internal):
    url = f"/committee/documents/{internal.pk}/"
    for name in ("committee", "fao_reviewer", "fao_head", "auditor"):
        assert as_user(name).get(url).status_code == 200, name
    # The submitting unit and a committee member who is not named do not see it.
    assert as_user("unit_clerk").get(url).status_code == 404
    other_member = UserFactory(username="member2", role=Role.COMMITTEE, otp=True)
    assert not selectors.documents(other_member).filter(pk=internal.pk).exists()
    version = internal.versions.get()
    assert not selectors.versions(other_member).filter(pk=version.pk).exists()
    assert (
        as_user("unit_clerk").get(f"/committee/versions/{version.pk}/download/").status_code == 404
    )
    item_page = as_user("unit_clerk").get(f"/committee/items/{item.pk}/").content.decode()
    assert internal.title not in item_page
    # Named now: the unit's clerk reads it.
    services.document_access(
        actor=cast["fao_reviewer"], document=internal, internal=True, readers=[cast["unit_clerk"]]
    )
    assert as_user("unit_clerk").get(url).status_code == 200


def test_a_download_is_recorded_and_served_as_an_attachment(as_user, document):
    version = document.versions.get()
    response = as_user("unit_clerk").get(f"/committee/versions/{version.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == version.content_type
    event = AuditEvent.objects.get(action="committee.version.download")
    assert event.object_id == str(document.pk)


def test_the_office_uploads_for_any_unit_the_committee_does_not(cast, item):
    services.document_add(
        actor=cast["fao_reviewer"], item=item, title="办公室材料", file=pdf_upload()
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.document_add(actor=cast["committee"], item=item, title="x", file=pdf_upload())
    with pytest.raises(PermissionDenied):
        services.document_add(actor=cast["auditor"], item=item, title="x", file=docx_upload("x"))


def test_pages_of_the_flow(cast, as_user, office, meeting, item, document, home_person):
    """The office's walk through the pages: hold, opinion, draft, submit, issue, task."""
    client = as_user("fao_reviewer")
    assert client.post(f"/committee/meetings/{meeting.pk}/hold/").status_code == 302
    response = client.post(f"/committee/items/{item.pk}/opinion/", {"opinion": "agree", "note": ""})
    assert response.status_code == 302
    assert AgendaItem.objects.get(pk=item.pk).opinion == "agree"
    response = client.post(f"/committee/meetings/{meeting.pk}/minutes/new/")
    minutes_url = response.url
    page = client.get(minutes_url).content.decode()
    assert "送审" in page and item.title in page
    client.post(f"{minutes_url}submit/")
    head = as_user("fao_head")
    head.post(f"{minutes_url}issue/")
    minutes = meeting.minutes
    minutes.refresh_from_db()
    assert minutes.state == "issued"
    decision = minutes.decisions.get()
    form = client.get(f"/committee/decisions/{decision.pk}/").content.decode()
    assert "转为督办事项" in form or "立项并交办" in form
    response = client.post(
        f"/committee/decisions/{decision.pk}/",
        {
            "title": "落实友好城市方案",
            "lead_unit": item.submitting_unit.pk,
            "responsible_person": home_person.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    decision.refresh_from_db()
    assert decision.task is not None and decision.task.source_type == "committee.decision"
    assert Document.objects.count() == 1


def test_my_work_lists_minutes_to_review_and_revisions_awaited(
    cast, office, meeting, item, document
):
    from waishi.committee.models import Opinion
    from waishi.lib.work import items_for

    services.meeting_hold(actor=office, meeting=meeting)
    services.item_opinion(actor=office, item=item, opinion=Opinion.AGREE_REVISE)
    minutes = services.minutes_draft(actor=office, meeting=meeting)
    services.minutes_submit(actor=office, minutes=minutes)
    head = [i.title for i in items_for(cast["fao_head"])]
    assert minutes.title in head
    clerk = [(i.title, i.state_label) for i in items_for(cast["unit_clerk"])]
    assert (item.title, "上传修改后的版本") in clerk
    assert item.title not in [i.title for i in items_for(cast["outsider"])]


def test_each_committee_url_argument_names_one_model():
    """The access matrix maps a URL argument to one model: the committee's are its own."""
    from collections import Counter

    from waishi.orgs import scoping

    kwargs = Counter(s.url_kwarg for s in scoping.registry().values() if s.url_kwarg)
    committee = [
        s.url_kwarg
        for m, s in scoping.registry().items()
        if m._meta.app_label == "committee" and s.url_kwarg
    ]
    assert len(committee) == 9  # seven of the meetings, two of the key points
    assert [k for k in committee if kwargs[k] > 1] == []
