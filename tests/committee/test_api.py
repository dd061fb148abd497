"""The committee over the API: meetings, items, document versions (upload, list, download),
minutes through issue and the .docx, a decision into a task; Idempotency-Key on writes;
scoping as on the pages."""

from __future__ import annotations

import pytest

from tests.api.conftest import error, ok, send
from tests.committee.conftest import docx_bytes
from waishi.audit.models import AuditEvent
from waishi.committee.models import Meeting

pytestmark = pytest.mark.django_db

API = "/api/v1/committee"


def _upload(client, path, name, data, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, data)
    return client.post(path, {"file": upload, **fields})


def test_the_office_runs_a_meeting_to_issued_minutes(cast, api_as, members, home_unit, home_person):
    office, clerk, head = api_as("fao_reviewer"), api_as("unit_clerk"), api_as("fao_head")
    body = {"kind": "directors", "date": "2026-12-20", "place": "会议室"}
    meeting = ok(send(office, "post", f"{API}/meetings/", body, key="m-1"), 201)
    again = ok(send(office, "post", f"{API}/meetings/", body, key="m-1"), 201)
    assert again["id"] == meeting["id"] and Meeting.objects.count() == 1  # replayed
    assert meeting["number"] == 1 and len(meeting["attendance"]) == 3
    item = ok(
        send(
            office,
            "post",
            f"{API}/meetings/{meeting['id']}/items/",
            {"title": "友好城市方案", "submitting_unit": home_unit.pk},
            key="i-1",
        ),
        201,
    )
    # The submitting unit uploads its document (multipart), lists and downloads versions.
    detail = ok(
        _upload(
            clerk,
            f"{API}/items/{item['id']}/documents/",
            "方案.docx",
            docx_bytes("第一条。"),
            title="友好城市方案",
            kind="plan",
        ),
        201,
    )
    (document,) = detail["documents"]
    versions_url = f"{API}/documents/{document['id']}/versions/"
    ok(send(office, "post", f"/api/v1/committee/meetings/{meeting['id']}/hold/", key="h"))
    error(_upload(clerk, versions_url, "方案.docx", docx_bytes("第一条（修改）。")), 400)
    revised = ok(
        _upload(
            clerk,
            versions_url,
            "方案二稿.docx",
            docx_bytes("第一条（修改）。"),
            reason="按会议意见修改",
        ),
        201,
    )
    assert (revised["number"], revised["stage"]) == (2, "revision")
    listed = ok(clerk.get(versions_url))
    assert [v["number"] for v in listed] == [1, 2]
    download = clerk.get(revised["download_url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="committee.version.download").count() == 1
    # The opinion, the sign-off, the minutes.
    ok(send(office, "post", f"{API}/items/{item['id']}/opinion/", {"opinion": "agree_revise"}))
    signed = ok(
        send(office, "post", f"{API}/items/{item['id']}/approve/", {"version": revised["id"]})
    )
    assert signed["approved_version"] == revised["id"]
    minutes = ok(send(office, "post", f"{API}/meetings/{meeting['id']}/minutes/", key="d"), 201)
    assert minutes["state"] == "draft" and minutes["decisions"]
    ok(send(office, "post", f"{API}/minutes/{minutes['id']}/submit/"))
    error(send(office, "post", f"{API}/minutes/{minutes['id']}/issue/"), 403)
    issued = ok(send(head, "post", f"{API}/minutes/{minutes['id']}/issue/", key="x"))
    assert issued["state"] == "issued" and issued["number"].endswith("1号")
    document_response = office.get(issued["document_url"])
    assert document_response.status_code == 200
    # A decision into a task.
    decision = issued["decisions"][0]["id"]
    made = ok(
        send(
            office,
            "post",
            f"{API}/decisions/{decision}/task/",
            {"lead_unit": home_unit.pk, "responsible_person": home_person.pk},
            key="t-1",
        ),
        201,
    )
    assert made["decision"] == decision and made["task"]


def test_units_see_their_items_only_and_no_meetings(cast, api_as, meeting, item, foreign_unit):
    from waishi.committee import services

    other = services.item_add(
        actor=cast["fao_reviewer"],
        meeting=meeting,
        title="外单位议题",
        submitting_unit=foreign_unit,
    )
    clerk = api_as("unit_clerk")
    error(clerk.get(f"{API}/meetings/"), 403)
    error(clerk.get(f"{API}/minutes/"), 403)
    rows = ok(clerk.get(f"{API}/items/"))["results"]
    assert [r["id"] for r in rows] == [item.pk]
    error(clerk.get(f"{API}/items/{other.pk}/"), 404)
    error(send(clerk, "post", f"{API}/items/{item.pk}/opinion/", {"opinion": "agree"}), 403)


def test_an_upload_that_is_not_a_document_is_refused(api_as, item):
    response = _upload(
        api_as("unit_clerk"), f"{API}/items/{item.pk}/documents/", "x.pdf", b"plain text", title="x"
    )
    assert "file" in error(response, 400)["fields"]


def test_the_schema_describes_the_committee(api_as):
    schema = api_as("fao_reviewer").get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/v1/committee/meetings/" in paths
    upload = paths["/api/v1/committee/documents/{document_pk}/versions/"]["post"]
    media = upload["requestBody"]["content"]
    assert "multipart/form-data" in media
    params = [p["name"] for p in upload["parameters"]]
    assert "Idempotency-Key" in params
