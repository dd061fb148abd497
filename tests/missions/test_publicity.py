"""Pre-trip publicity (公示): published by the unit for N working days (a holiday week
does not count), or exempted by the FAO head; the final approval waits for it."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.missions.conftest import build_mission
from tests.missions.decisions import approve_until_last, events, fresh, quota_for, submit
from waishi.lib import documents
from waishi.missions.application import services
from waishi.missions.application.services import publicity as publicity_services
from waishi.missions.models import Publicity, State

pytestmark = pytest.mark.django_db

# 10:00 in Shanghai on Wednesday 30 September 2026, the last working day before the
# National Day week (1-7 October off, Saturday 10 October worked).
EVE_OF_NATIONAL_DAY = dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC)


def _at(day: date):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC), tick=False
    )


def test_the_period_counts_working_days_across_a_holiday_week():
    # 30 Sep, 8, 9, 10 (a worked Saturday) and 12 October.
    assert services.publicity_period(date(2026, 9, 30), 5) == (
        date(2026, 9, 30),
        date(2026, 10, 12),
    )
    # Published on a holiday: it starts on the next working day.
    assert services.publicity_period(date(2026, 10, 2), 5) == (
        date(2026, 10, 8),
        date(2026, 10, 13),
    )
    # A weekend publication starts on Monday.
    assert services.publicity_period(date(2026, 11, 28), 5) == (
        date(2026, 11, 30),
        date(2026, 12, 4),
    )


def test_the_number_of_days_comes_from_the_policy_when_it_has_one(monkeypatch):
    from waishi.policy import selectors

    assert services.publicity_working_days() == services.PUBLICITY_WORKING_DAYS == 5
    real = selectors.policy_in_force_db

    def with_parameter(on, name=None):
        policy = real(on, name)
        params = {**policy.parameters, "PUBLICITY_BEFORE": {"working_days": 7}}
        return type(policy)(policy.name, policy.version, policy.effective_from, params)

    monkeypatch.setattr(selectors, "policy_in_force_db", with_parameter)
    assert services.publicity_working_days() == 7


def test_final_approval_is_possible_the_day_after_the_period(clerk, people, cast):
    with time_machine.travel(EVE_OF_NATIONAL_DAY, tick=False):
        m = submit(clerk, build_mission(clerk, people))
        quota_for(m)
        publicity = services.publicity_publish(actor=cast["unit_leader"], mission=m)
        assert (publicity.starts_on, publicity.ends_on) == (date(2026, 9, 30), date(2026, 10, 12))
        assert publicity.working_days == 5 and publicity.published_by == cast["unit_leader"]
        approve_until_last(cast, m)
    with _at(date(2026, 10, 12)), pytest.raises(ValidationError) as exc:
        services.mission_decide(actor=cast["committee"], mission=m, decision="approve")
    assert exc.value.code == "publicity"
    assert fresh(m).state == State.IN_REVIEW
    with _at(date(2026, 10, 13)):
        assert services.mission_decide(actor=cast["committee"], mission=m, decision="approve") == (
            "approved"
        )
    assert "missions.mission.publish" in events(m)


def test_only_the_trips_unit_publishes_once_and_only_after_submission(mission, clerk, cast):
    with pytest.raises(ValidationError):  # a draft
        services.publicity_publish(actor=clerk, mission=mission)
    m = submit(clerk, mission)
    for name in ("outsider", "fao_reviewer", "fao_head"):
        with pytest.raises(PermissionDenied):
            services.publicity_publish(actor=cast[name], mission=m)
    services.publicity_publish(actor=clerk, mission=m)
    with pytest.raises(ValidationError):
        services.publicity_publish(actor=cast["unit_leader"], mission=m)
    assert Publicity.objects.filter(mission=m).count() == 1


def test_the_fao_head_records_an_exemption_with_its_ground_and_reason(mission, clerk, cast):
    m = submit(clerk, mission)
    for name in ("fao_reviewer", "unit_leader", "unit_clerk"):
        with pytest.raises(PermissionDenied):
            services.publicity_exempt(
                actor=cast[name], mission=m, exemption="secret", reason="涉密"
            )
    with pytest.raises(ValidationError) as exc:
        services.publicity_exempt(actor=cast["fao_head"], mission=m, exemption="holiday", reason="")
    assert {"exemption", "exemption_reason"} <= set(exc.value.message_dict)
    p = services.publicity_exempt(
        actor=cast["fao_head"], mission=m, exemption="diplomatic", reason="特殊外交任务"
    )
    assert p.is_exempt and p.exempted_by == cast["fao_head"] and p.has_run(date(2000, 1, 1))
    assert services.publicity_refusal(m) is None
    assert "missions.mission.exempt" in events(m)
    with pytest.raises(ValidationError):  # the unit has nothing left to publish
        services.publicity_publish(actor=clerk, mission=m)


def test_the_notice_page_and_its_document(mission, clerk, cast, as_user, settings):
    settings.FAO_PHONE = "0571-87000000"
    m = submit(clerk, mission)
    client = as_user("unit_clerk")
    url = reverse("missions:publicity", kwargs={"mission_pk": m.pk})
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="publish"' in page.content.decode()
    docx_url = reverse("missions:publicity-docx", kwargs={"mission_pk": m.pk})
    assert client.get(docx_url).status_code == 404  # not published yet
    response = client.post(reverse("missions:publicity-publish", kwargs={"mission_pk": m.pk}))
    assert response.status_code == 302
    publicity = Publicity.objects.get(mission=m)
    html = client.get(url).content.decode()
    assert "李雷" in html and "韩梅梅" in html and "东京都政府" in html and "日本" in html
    assert publicity.ends_on.isoformat() in html and 'data-testid="publish"' not in html
    response = client.get(docx_url)
    assert response.status_code == 200
    text = documents.text_of(response.content)
    assert "李雷" in text and "韩梅梅" in text and "日本" in text and "处长" in text
    assert publicity.starts_on.isoformat() in text and publicity.ends_on.isoformat() in text
    assert "拜访东京都政府" in text and "东京都政府" in text
    assert "（电话：0571-87000000）" in text  # where objections go (WAISHI_FAO_PHONE)
    assert "missions.mission.document" in events(m)


def test_the_exemption_page_is_the_fao_heads(mission, clerk, as_user):
    m = submit(clerk, mission)
    url = reverse("missions:publicity-exempt", kwargs={"mission_pk": m.pk})
    assert as_user("fao_reviewer").post(url, {"exemption": "secret"}).status_code == 403
    head = as_user("fao_head")
    head.post(url, {"exemption": "secret", "exemption_reason": ""})
    assert not Publicity.objects.filter(mission=m).exists()
    head.post(url, {"exemption": "secret", "exemption_reason": "涉密事项"})
    assert Publicity.objects.get(mission=m).exemption == "secret"
    page = head.get(reverse("missions:publicity", kwargs={"mission_pk": m.pk}))
    assert "涉密事项" in page.content.decode()


def test_publishable_states():
    assert publicity_services.PUBLISHABLE_STATES == {State.SUBMITTED, State.IN_REVIEW}
