"""The pages: masked register, reveal with step-up (audited), issue with step-up,
return, scoping, the custody report read back, applications."""

from __future__ import annotations

import io
import re

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import FOREIGN_MARKER
from tests.passports.conftest import register
from waishi.audit.models import AuditEvent
from waishi.lib import authpolicy
from waishi.passports import services
from waishi.passports.models import (
    ApplicationState,
    PassportApplication,
    PassportCustody,
    PassportState,
)

REAUTH = "/accounts/reauth/"
FULL = re.compile(r"SE\d{7}")


def _stepped_up(client: Client) -> Client:
    session = client.session
    authpolicy.mark_step_up(session)
    session.save()
    return client


def test_the_register_shows_masked_numbers_only(as_user, passports):
    for role in ("unit_clerk", "unit_leader", "fao_reviewer", "auditor"):
        body = as_user(role).get("/passports/").content.decode()
        assert "李雷" in body, role
        assert passports[0].number_masked in body
        assert not FULL.search(body), role
        detail = as_user(role).get(f"/passports/{passports[0].pk}/").content.decode()
        assert not FULL.search(detail), role


def test_search_by_pinyin_and_state(as_user, fao, trip, passports):
    services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    client = as_user("fao_reviewer")
    body = client.get("/passports/", {"q": "hmm"}).content.decode()
    assert "韩梅梅" in body and "李雷" not in body
    body = client.get("/passports/", {"state": "issued"}).content.decode()
    assert "李雷" in body and "韩梅梅" not in body


def test_reveal_needs_a_fresh_step_up_and_is_audited(as_user, cast, passports):
    passport = passports[0]
    client = as_user("fao_reviewer")
    response = client.post(f"/passports/{passport.pk}/number/")
    assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    assert not AuditEvent.objects.filter(action="passports.passport.unmask").exists()

    response = _stepped_up(client).post(f"/passports/{passport.pk}/number/")
    assert response.status_code == 200
    assert passport.reveal_number() in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="passports.passport.unmask")
    assert event.actor_id == cast["fao_reviewer"].pk and event.object_id == str(passport.pk)


def test_unit_roles_cannot_reveal(as_user, passports):
    for role in ("unit_clerk", "unit_leader", "auditor"):
        client = _stepped_up(as_user(role))
        assert client.post(f"/passports/{passports[0].pk}/number/").status_code == 403, role
    assert not AuditEvent.objects.filter(action="passports.passport.unmask").exists()


def test_issue_page_needs_step_up_then_issues(as_user, trip, passports):
    client = as_user("fao_head")
    page = client.get(f"/passports/trips/{trip.pk}/issue/")
    assert page.status_code == 200 and "李雷" in page.content.decode()
    data = {"passports": [p.pk for p in passports]}
    response = client.post(f"/passports/trips/{trip.pk}/issue/", data)
    assert response.status_code == 302 and response["Location"].startswith(REAUTH)
    assert not PassportCustody.objects.exists()
    response = _stepped_up(client).post(f"/passports/trips/{trip.pk}/issue/", data)
    assert response.status_code == 302
    assert PassportCustody.objects.filter(mission=trip).count() == 2
    # Back: the return button on the passport page.
    custody = PassportCustody.objects.filter(passport=passports[0]).get()
    assert client.post(f"/passports/custody/{custody.pk}/return/").status_code == 302
    passports[0].refresh_from_db()
    assert passports[0].state == PassportState.IN_CUSTODY


def test_issue_page_refuses_a_passport_it_did_not_offer(as_user, cast, trip, passports):
    services.passport_mark(
        actor=cast["fao_head"], passport=passports[1], state="lost", reason="遗失"
    )
    client = _stepped_up(as_user("fao_head"))
    response = client.post(f"/passports/trips/{trip.pk}/issue/", {"passports": [passports[1].pk]})
    assert response.status_code == 200
    assert not PassportCustody.objects.exists()


def test_clerk_cannot_issue_or_return(as_user, fao, trip, passports):
    client = _stepped_up(as_user("unit_clerk"))
    response = client.post(f"/passports/trips/{trip.pk}/issue/", {"passports": [passports[0].pk]})
    assert response.status_code == 403
    custody = services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    assert client.post(f"/passports/custody/{custody.pk}/return/").status_code == 403
    custody.refresh_from_db()
    assert custody.returned_at is None


def test_scoping_keeps_other_units_out(as_user, fao, foreign_person, passports):
    theirs = register(fao, foreign_person)
    outsider = as_user("outsider")
    assert outsider.get(f"/passports/{passports[0].pk}/").status_code == 404
    body = outsider.get("/passports/", {"q": "李"}).content.decode()
    assert "李雷" not in body
    assert outsider.get(f"/passports/{theirs.pk}/").status_code == 200
    home = as_user("unit_clerk")
    assert home.get(f"/passports/{theirs.pk}/").status_code == 404
    assert FOREIGN_MARKER not in home.get("/passports/").content.decode()


def test_custody_report_reads_back(as_user, fao, trip, passports):
    custody = services.passport_issue(actor=fao, passport=passports[0], mission=trip)
    response = as_user("fao_reviewer").get("/passports/report.xlsx")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(data), read_only=True)
    register_rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(register_rows) == 2  # header + one hand-out
    row = register_rows[1]
    assert row[0] == "李雷" and row[3] == passports[0].number_masked
    assert str(custody.due_back) in str(row[7])
    passport_rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert len(passport_rows) == 3
    assert not any(FULL.search(str(v)) for r in register_rows + passport_rows for v in r)
    assert AuditEvent.objects.filter(action="passports.custody.export").exists()
    assert as_user("unit_clerk").get("/passports/report.xlsx").status_code == 403


def test_application_applied_by_clerk_decided_by_fao(as_user, cast, people):
    clerk = as_user("unit_clerk")
    response = clerk.post(
        "/passports/applications/new/",
        {
            "person": people[0].pk,
            "kind": "service",
            "application_type": "new",
            "reason": "首次因公出国",
        },
    )
    assert response.status_code == 302
    application = PassportApplication.objects.get()
    assert application.created_by == cast["unit_clerk"]
    # A clerk does not decide; the FAO does, and a rejection needs a reason.
    assert (
        clerk.post(
            f"/passports/applications/{application.pk}/decide/", {"decision": "approve"}
        ).status_code
        == 403
    )
    fao = as_user("fao_reviewer")
    fao.post(f"/passports/applications/{application.pk}/decide/", {"decision": "reject"})
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    fao.post(f"/passports/applications/{application.pk}/decide/", {"decision": "approve"})
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert application.decided_by == cast["fao_reviewer"]
    assert AuditEvent.objects.filter(action="passports.application.approve").exists()


def test_register_and_edit_pages(as_user, people):
    client = as_user("fao_head")
    today = timezone.localdate()
    response = client.post(
        "/passports/new/",
        {
            "holder": people[0].pk,
            "kind": "diplomatic",
            "number": "DE1234567",
            "issued_on": today.replace(year=today.year - 1).isoformat(),
            "expires_on": today.replace(year=today.year + 4).isoformat(),
        },
    )
    assert response.status_code == 302
    passport = people[0].passports.get()
    assert passport.reveal_number() == "DE1234567"
    response = client.post(
        f"/passports/{passport.pk}/edit/",
        {
            "kind": "diplomatic",
            "number": "",
            "issued_on": passport.issued_on.isoformat(),
            "expires_on": passport.issued_on.isoformat(),
        },
    )
    assert response.status_code == 200  # expiry not after issue: shown on the form
    passport.refresh_from_db()
    assert passport.reveal_number() == "DE1234567"
