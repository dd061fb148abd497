"""The public declaration form (issue 6, deliverables 1 and 5): declarations, the same
answer whatever the city already knows, the late flag, lookup and correction by code,
the resident's registration and periodic declaration, and the limits (rate, size,
CSRF, bad input)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.lib.pagetext import zh
from waishi.arrivals import declarations
from waishi.arrivals.models import (
    Arrival,
    ArrivalSettings,
    ArrivalSource,
    ArrivalState,
    Campaign,
    HealthDeclaration,
    Resident,
    SourceKind,
    Step,
    code_index,
)
from waishi.arrivals.public_views import LOOKUP_SESSION
from waishi.audit.models import AuditEvent

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# 10:00 in Beijing: "tomorrow" departs 14 hours from now, "in three days" 62 hours.
NOW = dt.datetime(2026, 5, 10, 10, 0, tzinfo=SHANGHAI)
PASSPORT = "E12345678"
_NUMBERS = itertools.count(1)
CODE_RE = re.compile(r'data-testid="confirmation-code">([A-Z0-9]+)<')


@pytest.fixture(autouse=True)
def _clean_limits(settings):
    # The counters live in the cache, which outlives a test (locmem is per process).
    cache.clear()
    settings.DECLARE_RATE = "1000/600"
    settings.DECLARE_LOOKUP_RATE = "1000/600"
    yield
    cache.clear()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def campaign(db, cast):
    return Campaign.objects.create(name="五月入境", created_by=cast["city_command"])


@pytest.fixture
def resident_campaign(db, cast):
    return Campaign.objects.create(
        name="在滨外籍人员", variant=Campaign.Variant.RESIDENT, created_by=cast["city_command"]
    )


def url(campaign: Campaign) -> str:
    return f"/declare/{campaign.token}/"


def payload(home, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "category": "returnee",
        "name": "李归国",
        "nationality": "CN",
        "passport": PASSPORT,
        "phone": "13800138000",
        "email": "li@example.com",
        "origin_country": "GB",
        "origin_city": "London",
        "route": "CA938",
        "departs_on": (today + dt.timedelta(days=5)).isoformat(),
        "arrival_date": (today + dt.timedelta(days=6)).isoformat(),
        "arrival_time": "08:30",
        "port": "首都国际机场",
        "district": str(home.pk),
        "address": "示范路1号",
        "purpose": "home",
        "symptoms": [],
        "symptoms_note": "",
        "test_outcome": "negative",
        "test_on": today.isoformat(),
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def code_of(response) -> str:
    found = CODE_RE.search(response.content.decode())
    assert found, "no confirmation code on the page"
    return found.group(1)


def declare(client, campaign, home, **overrides):
    return client.post(url(campaign), payload(home, **overrides))


# -- a declaration ------------------------------------------------------------------


def test_the_form_opens_in_chinese_with_the_consent_notice(client, campaign, district):
    response = client.get(url(campaign))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in body
    assert zh("Passport number") in body
    assert "英国" in body and "United Kingdom" not in body  # countries in Chinese
    assert district.name in body
    assert 'data-testid="pipl-notice"' in body
    assert zh("Send the declaration") in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_valid_declaration_registers_the_arrival_and_shows_a_code(client, campaign, district):
    response = declare(client, campaign, district, symptoms=["cough"], symptoms_note="轻咳")
    assert response.status_code == 200
    code = code_of(response)
    arrival = Arrival.objects.get()
    assert arrival.name == "李归国" and arrival.district == district
    assert arrival.passport_masked == "E******78" and arrival.reveal_passport() == PASSPORT
    assert PASSPORT not in arrival.passport_enc
    assert arrival.declared_at is not None and not arrival.late_declaration
    source = ArrivalSource.objects.get()
    assert source.kind == SourceKind.DECLARATION
    assert source.code_index == code_index(code)  # only the index is kept
    assert code not in json.dumps(source.details)
    assert source.details["campaign"] == campaign.pk
    assert Step.objects.filter(arrival=arrival).count() > 0
    health = HealthDeclaration.objects.get()
    assert health.arrival == arrival and health.source == source
    assert health.symptoms == ["cough"] and health.symptoms_note == "轻咳"
    assert health.test_outcome == "negative"
    assert 'data-testid="late-notice"' not in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    assert declarations.campaign_declarations(campaign) == 1


def test_the_same_person_and_date_twice_is_one_arrival_and_the_same_answer(
    campaign, district, register
):
    # A port list knew them already; the traveller declares twice: nothing tells.
    register(passport=PASSPORT, arrival_date=timezone.localdate() + dt.timedelta(days=6))
    first = declare(Client(), campaign, district)
    second = declare(Client(), campaign, district)
    assert Arrival.objects.count() == 1
    assert ArrivalSource.objects.count() == 3
    assert ArrivalSource.objects.filter(kind=SourceKind.DECLARATION).count() == 2
    assert HealthDeclaration.objects.count() == 2
    one, two = code_of(first), code_of(second)
    assert one != two
    assert first.status_code == second.status_code == 200
    assert first.content.decode().replace(one, "CODE") == second.content.decode().replace(
        two, "CODE"
    )
    # ... and a stranger's first declaration reads exactly the same.
    fresh = declare(Client(), campaign, district, passport="G99887766")
    assert fresh.content.decode().replace(code_of(fresh), "CODE") == first.content.decode().replace(
        one, "CODE"
    )


def test_a_late_declaration_is_accepted_flagged_and_told_politely(
    client, campaign, district, frozen
):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = declare(client, campaign, district, departs_on=tomorrow)
    assert response.status_code == 200 and code_of(response)
    assert Arrival.objects.get().late_declaration
    assert 'data-testid="late-notice"' in response.content.decode()


def test_in_time_means_at_least_the_configured_lead(client, campaign, district, frozen):
    in_three_days = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = declare(client, campaign, district, departs_on=in_three_days)
    assert not Arrival.objects.get().late_declaration
    assert 'data-testid="late-notice"' not in response.content.decode()
    # The command lengthens the lead time to 72 hours: the same timing is now late.
    ArrivalSettings.objects.create(declare_lead_hours=72, reason="政策调整")
    response = declare(Client(), campaign, district, departs_on=in_three_days, passport="G1234567")
    assert 'data-testid="late-notice"' in response.content.decode()
    assert Arrival.objects.get(passport_masked="G*****67").late_declaration


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("passport", "12", "A passport number is 5 to 20 letters and digits."),
        ("phone", "call me", None),
        ("origin_country", "CN", "Give the country or region abroad you are coming from."),
        ("origin_country", "ZZ", None),
        ("district", "999999", None),
        ("consent", None, "Your consent is needed to send the declaration."),
        ("nationality", "GB", "A returning Chinese citizen's nationality is China."),
        ("test_on", None, "Give the date the test was taken."),
        ("name", "名" * 101, None),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    client, campaign, district, field, value, message
):
    response = declare(client, campaign, district, **{field: value})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in body
    assert 'data-testid="confirmation-code"' not in body
    if message:
        assert zh(message) in body
    assert not Arrival.objects.exists() and not HealthDeclaration.objects.exists()


def test_dates_must_be_sane(client, campaign, district):
    today = timezone.localdate()
    cases = [
        {"arrival_date": (today + dt.timedelta(days=61)).isoformat()},
        {"arrival_date": (today - dt.timedelta(days=31)).isoformat()},
        {"departs_on": (today + dt.timedelta(days=7)).isoformat()},  # after arriving
        {"test_on": (today + dt.timedelta(days=1)).isoformat()},
        {"departs_on": "0001-01-01"},
        {"arrival_date": "9999-12-31"},
    ]
    for case in cases:
        response = declare(client, campaign, district, **case)
        assert response.status_code == 200, case
        assert 'data-testid="form-errors"' in response.content.decode(), case
    assert not Arrival.objects.exists()


# -- lookup and correction ----------------------------------------------------------


def test_lookup_shows_only_what_that_declaration_said(campaign, district, register):
    arrival_date = timezone.localdate() + dt.timedelta(days=6)
    # The port's list has another phone number and a note only the district should see.
    register(passport=PASSPORT, arrival_date=arrival_date, phone="13912345678", port="外港")
    traveller = Client()
    code = code_of(declare(traveller, campaign, district, symptoms_note="无"))
    response = traveller.post("/declare/check/", {"code": code.lower(), "passport": PASSPORT})
    assert response.status_code == 302 and response["Location"] == "/declare/check/declaration/"
    page = traveller.get("/declare/check/declaration/")
    body = page.content.decode()
    assert "13800138000" in body and "首都国际机场" in body
    assert "13912345678" not in body and "外港" not in body
    assert PASSPORT not in body and "E******78" in body
    assert 'data-testid="declared-health"' in body
    assert page["Cache-Control"].startswith("max-age=0")
    assert AuditEvent.objects.filter(action="arrivals.declaration.view").count() == 1


def test_a_wrong_code_or_passport_gets_one_generic_message(campaign, district):
    traveller = Client()
    code = code_of(declare(traveller, campaign, district))
    other = Client()
    code_of(declare(other, campaign, district, passport="G99887766"))
    attempts = [
        {"code": "ABCDEFGHJK", "passport": PASSPORT},  # no such code
        {"code": code, "passport": "G99887766"},  # a real passport, not this code's
        {"code": code, "passport": "?"},  # malformed
        {"code": "", "passport": ""},
    ]
    bodies = []
    for attempt in attempts[:3]:
        response = Client().post("/declare/check/", attempt)
        assert response.status_code == 200
        body = response.content.decode()
        assert (
            zh(
                "The confirmation code and the passport number do not match. "
                "Check both and try again."
            )
            in body
        )
        bodies.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body))
    # The same page whichever was wrong (apart from what was typed back).
    assert len({re.sub(r'value="[^"]*"', "", b) for b in bodies}) == 1
    assert Client().post("/declare/check/", attempts[3]).status_code == 200
    # Without a lookup there is nothing to see.
    response = Client().get("/declare/check/declaration/")
    assert response.status_code == 302 and response["Location"] == "/declare/check/"


def test_the_lookup_expires(campaign, district, frozen):
    traveller = Client()
    code = code_of(declare(traveller, campaign, district))
    traveller.post("/declare/check/", {"code": code, "passport": PASSPORT})
    assert traveller.get("/declare/check/declaration/").status_code == 200
    with time_machine.travel(NOW + dt.timedelta(minutes=16), tick=False):
        assert traveller.get("/declare/check/declaration/").status_code == 302
    assert LOOKUP_SESSION not in traveller.session


def test_correction_updates_the_declaration_and_the_arrival_not_its_district(
    campaign, district, other_district, register
):
    traveller = Client()
    code = code_of(declare(traveller, campaign, district, symptoms_note="无症状"))
    traveller.post("/declare/check/", {"code": code, "passport": PASSPORT})
    form = traveller.get("/declare/check/declaration/edit/")
    assert form.status_code == 200 and "13800138000" in form.content.decode()
    changed = payload(
        other_district,
        phone="+44 20 7946 0000",
        route="BA39",
        address="邻区新路8号",
        symptoms=["fever", "other"],
        symptoms_note="头痛",
        test_outcome="positive",
    )
    response = traveller.post("/declare/check/declaration/edit/", changed)
    assert response.status_code == 302, response.content.decode()[:3000]
    arrival = Arrival.objects.get()
    assert arrival.phone == "+442079460000" and arrival.route == "BA39"
    assert arrival.address == "邻区新路8号"
    assert arrival.district == district  # only a hand-over moves it
    source = ArrivalSource.objects.get()
    assert source.details["district"] == other_district.code
    assert source.details["phone"] == "+442079460000"
    health = HealthDeclaration.objects.get()
    assert health.symptoms == ["fever", "other"] and health.test_outcome == "positive"
    event = AuditEvent.objects.get(action="arrivals.declaration.correct")
    assert event.actor_id is None and event.data["health"] is True
    assert "district" in event.data["fields"]
    page = traveller.get("/declare/check/declaration/").content.decode()
    assert "BA39" in page and "邻区新路8号" in page


def test_a_bad_correction_changes_nothing(campaign, district):
    traveller = Client()
    code = code_of(declare(traveller, campaign, district))
    traveller.post("/declare/check/", {"code": code, "passport": PASSPORT})
    late_departure = (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    response = traveller.post(
        "/declare/check/declaration/edit/",
        payload(district, departs_on=late_departure, phone="13999999999"),
    )
    assert response.status_code == 200
    assert zh("The departure date cannot be after the arrival date.") in response.content.decode()
    assert Arrival.objects.get().phone == "13800138000"
    assert not AuditEvent.objects.filter(action="arrivals.declaration.correct").exists()


def test_a_closed_arrival_is_shown_but_not_corrected(campaign, district):
    traveller = Client()
    code = code_of(declare(traveller, campaign, district))
    Arrival.objects.update(state=ArrivalState.CLOSED)
    traveller.post("/declare/check/", {"code": code, "passport": PASSPORT})
    page = traveller.get("/declare/check/declaration/").content.decode()
    assert zh("The management of this arrival has ended: it can no longer be corrected.") in page
    assert 'data-testid="correct"' not in page
    response = traveller.post("/declare/check/declaration/edit/", payload(district, phone="1"))
    assert response.status_code == 302 and response["Location"] == "/declare/check/declaration/"
    source = ArrivalSource.objects.get()
    with pytest.raises(ValidationError):
        declarations.declaration_correct(
            source=source, data={"phone": "13912345678"}, health={}, district=None
        )
    assert Arrival.objects.get().phone == "13800138000"


def test_closing_the_lookup_forgets_it(campaign, district):
    traveller = Client()
    code = code_of(declare(traveller, campaign, district))
    traveller.post("/declare/check/", {"code": code, "passport": PASSPORT})
    assert traveller.post("/declare/check/end/").status_code == 302
    assert LOOKUP_SESSION not in traveller.session
    assert traveller.get("/declare/check/declaration/").status_code == 302


# -- foreign residents ----------------------------------------------------------------


def resident_payload(district, **overrides) -> dict:
    data = {
        "name": "Anna Schmidt",
        "nationality": "DE",
        "passport": "C01X00T47",
        "phone": "13700137000",
        "email": "",
        "district": str(district.pk),
        "address": "示范路99号",
        "employer": "示范大学",
        "symptoms": [],
        "test_outcome": "none",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_resident_registers_once_then_declares_periodically(resident_campaign, district, frozen):
    page = Client().get(url(resident_campaign)).content.decode()
    assert 'data-testid="resident-form"' in page
    registration = Client().post(url(resident_campaign), resident_payload(district))
    assert registration.status_code == 200
    code = code_of(registration)
    resident = Resident.objects.get()
    assert resident.code_index == code_index(code) and resident.passport_masked == "C******47"
    assert resident.next_due == dt.date(2026, 5, 17)  # seven days by default
    assert resident.health_declarations.count() == 1

    later = NOW + dt.timedelta(days=6)
    with time_machine.travel(later, tick=False):
        response = Client().post(
            f"{url(resident_campaign)}health/",
            {"code": code, "passport": "c01x00t47", "symptoms": ["cough"], "test_outcome": "none"},
        )
        assert response.status_code == 200
        assert 'data-testid="next-due"' in response.content.decode()
    resident.refresh_from_db()
    assert resident.next_due == dt.date(2026, 5, 23)
    assert resident.last_declared_at == later
    assert resident.health_declarations.count() == 2
    assert set(resident.health_declarations.values_list("arrival", flat=True)) == {None}

    wrong = Client().post(
        f"{url(resident_campaign)}health/",
        {"code": "ABCDEFGHJK", "passport": "C01X00T47", "test_outcome": "none"},
    )
    assert (
        zh("The confirmation code and the passport number do not match. Check both and try again.")
        in wrong.content.decode()
    )
    assert resident.health_declarations.count() == 2


def test_registering_twice_reveals_nothing_and_keeps_one_resident(resident_campaign, district):
    first = Client().post(url(resident_campaign), resident_payload(district))
    again = Client().post(url(resident_campaign), resident_payload(district, name="Someone Else"))
    assert Resident.objects.count() == 1
    assert Resident.objects.get().name == "Anna Schmidt"
    assert HealthDeclaration.objects.count() == 1
    one, two = code_of(first), code_of(again)
    assert first.content.decode().replace(one, "X") == again.content.decode().replace(two, "X")
    # The decoy opens nothing; the first code still works.
    assert declarations.resident_find(code=two, passport="C01X00T47") is None
    assert declarations.resident_find(code=one, passport="C01X00T47") is not None
    assert AuditEvent.objects.filter(action="arrivals.resident.register_again").count() == 1


def test_a_resident_campaign_is_not_an_arrival_form_and_vice_versa(
    campaign, resident_campaign, district
):
    assert Client().get(f"{url(campaign)}health/").status_code == 404
    Client().post(url(resident_campaign), payload(district))
    assert not Arrival.objects.exists()


# -- closed links ---------------------------------------------------------------------


def test_a_closed_or_unknown_link_shows_a_polite_closed_page(campaign, district, frozen):
    switched_off = Campaign.objects.create(name="甲链接停用", active=False)
    ended = Campaign.objects.create(name="乙链接过期", ends_on=dt.date(2026, 5, 9))
    last_day = Campaign.objects.create(name="今天最后一天", ends_on=dt.date(2026, 5, 10))
    bodies = set()
    for target in (f"/declare/{switched_off.token}/", url(ended), "/declare/no-such-link/"):
        response = Client().get(target)
        assert response.status_code == 404
        body = response.content.decode()
        assert zh("This link is closed") in body
        assert "甲链接停用" not in body and "乙链接过期" not in body  # no campaign named
        bodies.add(body)
        assert Client().post(target, payload(district)).status_code == 404
    assert len(bodies) == 1
    assert not Arrival.objects.exists()
    assert Client().get(url(last_day)).status_code == 200


# -- language -------------------------------------------------------------------------


def test_english_on_request_and_remembered(campaign, district):
    visitor = Client()
    response = visitor.get(url(campaign), {"lang": "en"})
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Full name (as in the passport)" in body and "Passport number" in body
    assert "United Kingdom" in body and "英国" not in body
    assert "How your personal information is used" in body
    assert response.cookies["waishi_language"].value == "en"
    # The next page (the post) stays in English through the cookie.
    refused = visitor.post(url(campaign), payload(district, passport="1"))
    assert "A passport number is 5 to 20 letters and digits." in refused.content.decode()
    back = visitor.get(url(campaign), {"lang": "zh-hans"}).content.decode()
    assert '<html lang="zh-CN">' in back and "英国" in back


def test_an_unknown_language_is_ignored(client, campaign):
    body = client.get(url(campaign), {"lang": "xx"}).content.decode()
    assert '<html lang="zh-CN">' in body


# -- limits ---------------------------------------------------------------------------


def test_rate_limit_answers_429_after_the_limit(settings, campaign, district):
    settings.DECLARE_RATE = "3/600"
    visitor = Client()
    for n in range(3):
        assert declare(visitor, campaign, district, passport=f"G000000{n}").status_code == 200
    refused = declare(visitor, campaign, district, passport="G0000009")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert zh("Too many attempts") in refused.content.decode()
    assert Arrival.objects.count() == 3
    # Reading the form is not limited; lookups have their own counter.
    assert visitor.get(url(campaign)).status_code == 200
    assert visitor.post("/declare/check/", {"code": "X", "passport": "Y"}).status_code == 200


def test_lookups_are_limited_too(settings, campaign, district):
    settings.DECLARE_LOOKUP_RATE = "5/600"
    guesser = Client()
    for _n in range(5):
        guesser.post("/declare/check/", {"code": "ABCDEFGHJK", "passport": PASSPORT})
    assert guesser.post("/declare/check/", {"code": "X", "passport": "Y"}).status_code == 429


def test_the_limit_window_passes(settings, campaign, district, frozen):
    settings.DECLARE_RATE = "1/600"
    declare(Client(), campaign, district)
    assert declare(Client(), campaign, district).status_code == 429
    with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
        assert declare(Client(), campaign, district).status_code == 200


def test_an_oversized_body_is_refused_before_it_is_read(client, campaign, district):
    response = declare(client, campaign, district, address="路" * 30_000)
    assert response.status_code == 413
    assert zh("The form is too large") in response.content.decode()
    assert not Arrival.objects.exists()


def test_an_overlong_field_gets_a_clear_message(client, campaign, district):
    response = declare(client, campaign, district, address="路" * 301)
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not Arrival.objects.exists()


def test_csrf_is_enforced(campaign, district):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(url(campaign), payload(district)).status_code == 403
    assert browser.post("/declare/check/", {"code": "X", "passport": "Y"}).status_code == 403
    assert not Arrival.objects.exists()
    # With the token from the page, the same post goes through.
    browser.get(url(campaign))
    token = browser.cookies["waishi_csrftoken"].value
    response = browser.post(url(campaign), {**payload(district), "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and code_of(response)


def test_only_get_and_post(client, campaign):
    assert client.put(url(campaign)).status_code == 405
    assert client.get("/declare/check/end/").status_code == 405


# -- the audit chain ------------------------------------------------------------------


def test_audit_rows_hold_no_passport_number_and_no_health_detail(
    campaign, resident_campaign, district
):
    traveller = Client()
    code = code_of(
        declare(traveller, campaign, district, symptoms=["taste"], symptoms_note="味觉丧失")
    )
    traveller.post("/declare/check/", {"code": code, "passport": PASSPORT})
    traveller.get("/declare/check/declaration/")
    traveller.post(
        "/declare/check/declaration/edit/",
        payload(district, symptoms=["other"], symptoms_note="高烧不退", test_outcome="positive"),
    )
    registration = Client().post(
        url(resident_campaign), resident_payload(district, symptoms_note="咽痛")
    )
    Client().post(
        f"{url(resident_campaign)}health/",
        {
            "code": code_of(registration),
            "passport": "C01X00T47",
            "symptoms": ["breath", "other"],
            "symptoms_note": "气促",
            "test_outcome": "pending",
            "test_on": timezone.localdate().isoformat(),
        },
    )
    events = list(AuditEvent.objects.all())
    actions = {e.action for e in events}
    assert {
        "arrivals.arrival.create",
        "arrivals.declaration.view",
        "arrivals.declaration.correct",
        "arrivals.resident.register",
        "arrivals.resident.declare",
    } <= actions
    dump = json.dumps(
        [[e.object_repr, e.before, e.after, e.data] for e in events], ensure_ascii=False
    )
    for secret in (PASSPORT, "C01X00T47", code, "味觉丧失", "高烧不退", "咽痛", "气促"):
        assert secret not in dump
    for word in ("positive", "pending", "negative", "taste", "breath", "fever"):
        assert word not in dump


# -- hypothesis: bad input never breaks the form --------------------------------------

garbage = st.one_of(
    st.text(max_size=40),
    st.text(min_size=290, max_size=320),
    st.sampled_from(["", " ", "0", "-1", "9999-99-99", "2026-02-30", "0001-01-01", "<script>"]),
    st.dates().map(lambda d: d.isoformat()),
    st.integers().map(str),
    st.integers(20_000, 40_000).map(lambda n: "长" * n),  # a body over the limit
)
FIELDS = [
    "category",
    "name",
    "nationality",
    "passport",
    "phone",
    "email",
    "origin_country",
    "origin_city",
    "route",
    "departs_on",
    "arrival_date",
    "arrival_time",
    "port",
    "district",
    "address",
    "purpose",
    "symptoms",
    "symptoms_note",
    "test_outcome",
    "test_on",
    "consent",
]


@hsettings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # Some fields of a good declaration replaced by garbage or left out (none at all now
    # and then: the good one must go through).
    changes=st.one_of(
        st.just({}),
        st.dictionaries(st.sampled_from(FIELDS), st.one_of(garbage, st.none()), max_size=4),
    ),
    symptoms=st.one_of(
        st.lists(st.sampled_from(["fever", "cough", "taste"]), max_size=3, unique=True),
        st.lists(st.one_of(st.sampled_from(["fever", "other"]), garbage), max_size=4),
    ),
)
def test_bad_input_never_breaks_the_form_nor_writes_half(campaign, district, changes, symptoms):
    before = (Arrival.objects.count(), ArrivalSource.objects.count())
    data = payload(district, passport=f"H{next(_NUMBERS):08d}")
    for field, value in changes.items():
        if value is None:
            data.pop(field, None)
        else:
            data[field] = value
    data["symptoms"] = symptoms
    response = Client().post(url(campaign), data)
    assert response.status_code in (200, 413), response.status_code
    after = (Arrival.objects.count(), ArrivalSource.objects.count())
    accepted = 'data-testid="confirmation-code"' in response.content.decode()
    event("accepted" if accepted else "refused")
    if accepted:
        assert after[1] == before[1] + 1 and after[0] - before[0] in (0, 1)
    else:
        assert after == before


@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(code=garbage, passport=garbage)
def test_garbage_lookups_never_break(db, code, passport):
    visitor = Client()
    response = visitor.post("/declare/check/", {"code": code, "passport": passport})
    assert response.status_code in (200, 413)
    assert LOOKUP_SESSION not in visitor.session
