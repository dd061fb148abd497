"""The pages: the six steps save on every button and through htmx, the list filters in a
fixed number of queries, the export opens in openpyxl, and scoping holds."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.factories import PersonFactory
from tests.missions.conftest import PDF, build_mission, letter
from waishi.audit.models import AuditEvent
from waishi.missions.application import services
from waishi.missions.application.steps import STEPS
from waishi.missions.models import Mission, State

pytestmark = pytest.mark.django_db


def test_every_step_and_the_record_render_for_the_clerk(mission, as_user):
    client = as_user("unit_clerk")
    for step in STEPS:
        response = client.get(reverse(f"missions:{step.slug}", kwargs={"mission_pk": mission.pk}))
        assert response.status_code == 200, step.slug
        assert response["X-Mission-Version"] == str(mission.version)
    response = client.get(reverse("missions:detail", kwargs={"mission_pk": mission.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "李雷" in body and 'data-rule="NOT_IN_PLAN"' in body
    # The workflow's table and diagram are in the help page the record links to.
    assert "stateDiagram" not in body and 'data-testid="workflow-help"' in body


def test_create_then_save_incomplete_basics(as_user, cast):
    client = as_user("unit_clerk")
    assert client.get(reverse("missions:create")).status_code == 200
    response = client.post(reverse("missions:create"), {"title": "新团组", "goto": "invitation"})
    m = Mission.objects.get(title="新团组")
    assert response.status_code == 302
    assert response["Location"] == reverse("missions:invitation", kwargs={"mission_pk": m.pk})
    assert m.unit_id == cast["unit_clerk"].unit_id and m.created_by == cast["unit_clerk"]


def test_autosave_saves_and_answers_with_findings_and_the_new_version(mission, as_user):
    client = as_user("unit_clerk")
    url = reverse("missions:basics", kwargs={"mission_pk": mission.pk})
    response = client.post(
        url,
        {"version": mission.version, "title": "自动保存的标题", "category": "general"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="autosaved"' in body and 'id="findings"' in body
    mission.refresh_from_db()
    assert mission.title == "自动保存的标题"
    assert response["X-Mission-Version"] == str(mission.version)


def test_a_stale_tab_is_told_and_overwrites_nothing(mission, as_user):
    client = as_user("unit_clerk")
    url = reverse("missions:basics", kwargs={"mission_pk": mission.pk})
    old = mission.version
    client.post(url, {"version": old, "title": "甲"}, HTTP_HX_REQUEST="true")
    with translation.override("en"):
        response = client.post(
            url, {"version": old, "title": "乙"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert 'data-testid="autosave-failed"' in response.content.decode()
    mission.refresh_from_db()
    assert mission.title == "甲"


def test_itinerary_rows_are_added_and_removed_with_buttons(mission, as_user):
    client = as_user("unit_clerk")
    url = reverse("missions:itinerary", kwargs={"mission_pk": mission.pk})
    stop = mission.stops.get()
    base = {
        "version": mission.version,
        "stops-TOTAL_FORMS": "1",
        "stops-INITIAL_FORMS": "1",
        "stops-0-id": stop.pk,
        "stops-0-country": "JP",
        "stops-0-city": "东京",
        "stops-0-arrive": stop.arrive.isoformat(),
        "stops-0-depart": stop.depart.isoformat(),
        "days-TOTAL_FORMS": "0",
        "days-INITIAL_FORMS": "0",
    }
    response = client.post(url, {**base, "add": "stop"})
    assert response.status_code == 302
    assert mission.stops.count() == 2
    mission.refresh_from_db()
    response = client.post(url, {**base, "version": mission.version, "add": "days-from-dates"})
    assert mission.days.count() == 4
    mission.refresh_from_db()
    response = client.post(url, {**base, "version": mission.version, "remove": f"stop-{stop.pk}"})
    assert not mission.stops.filter(pk=stop.pk).exists()


def test_the_member_picker_searches_by_pinyin_and_adds(mission, as_user, home_unit):
    person = PersonFactory(name="王小明", unit=home_unit)
    client = as_user("unit_clerk")
    url = reverse("missions:members", kwargs={"mission_pk": mission.pk})
    response = client.get(url, {"q": "wxm"}, HTTP_HX_REQUEST="true")
    assert "王小明" in response.content.decode()
    response = client.post(
        url,
        {
            "version": mission.version,
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
            "add_person": person.pk,
        },
    )
    assert response.status_code == 302
    assert mission.members.filter(person=person).exists()


def test_the_invitation_upload_refuses_a_text_file_named_pdf(mission, as_user):
    client = as_user("unit_clerk")
    url = reverse("missions:invitation", kwargs={"mission_pk": mission.pk})
    old = mission.invitation_letter.name
    with translation.override("en"):
        response = client.post(
            url,
            {
                "version": mission.version,
                "invitation_source": "foreign_counterpart",
                "inviter": "X",
                "invitation_letter": letter("fake.pdf", b"hello, I am text"),
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    mission.refresh_from_db()
    assert mission.invitation_letter.name == old


def _submitted(*missions: Mission) -> None:
    """Taken as submitted (the submission is tested elsewhere): the FAO sees a trip only
    once it was submitted -- a draft is the unit's."""
    Mission.objects.filter(pk__in=[m.pk for m in missions]).update(
        state=State.SUBMITTED, submitted_at=timezone.now()
    )


def test_the_letter_downloads_only_in_scope_and_is_audited(mission, as_user):
    url = reverse("missions:letter", kwargs={"mission_pk": mission.pk})
    assert as_user("fao_reviewer").get(url).status_code == 404  # a draft: the unit's
    _submitted(mission)
    response = as_user("fao_reviewer").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="missions.mission.letter_download").count() == 1
    assert as_user("outsider").get(url).status_code == 404


def test_submit_through_the_review_page(mission, as_user):
    client = as_user("unit_clerk")
    review = client.get(reverse("missions:review", kwargs={"mission_pk": mission.pk}))
    assert 'data-testid="chain-preview"' in review.content.decode()
    response = client.post(
        reverse("missions:submit", kwargs={"mission_pk": mission.pk}),
        {"version": mission.version},
    )
    assert response.status_code == 302
    mission.refresh_from_db()
    assert mission.state == State.SUBMITTED
    detail = client.get(reverse("missions:detail", kwargs={"mission_pk": mission.pk}))
    assert 'data-testid="approval-steps"' in detail.content.decode()


def test_a_blocked_submission_keeps_the_justifications_typed(clerk, home_unit, as_user):
    people = [PersonFactory(unit=home_unit) for _ in range(7)]
    m = build_mission(clerk, people, days_ahead=30)
    client = as_user("unit_clerk")
    response = client.post(
        reverse("missions:submit", kwargs={"mission_pk": m.pk}),
        {"version": m.version, "j:LEAD_TIME": "会期已定"},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.state == State.DRAFT
    assert m.justifications == {"LEAD_TIME": "会期已定"}


def test_other_units_and_other_roles_cannot_reach_or_edit(mission, as_user):
    detail = reverse("missions:detail", kwargs={"mission_pk": mission.pk})
    basics = reverse("missions:basics", kwargs={"mission_pk": mission.pk})
    assert as_user("outsider").get(detail).status_code == 404
    assert as_user("outsider").post(basics, {"title": "x"}).status_code == 404
    assert as_user("district_officer").get(detail).status_code == 403
    assert as_user("auditor").get(detail).status_code == 200
    # A draft is the unit's until submitted: the FAO does not find it.
    assert as_user("fao_reviewer").get(detail).status_code == 404
    assert as_user("fao_reviewer").post(basics, {"title": "x"}).status_code == 404
    _submitted(mission)
    # Readers are sent to the record; a POST is refused.
    assert as_user("fao_reviewer").get(basics).status_code == 302
    assert as_user("fao_reviewer").post(basics, {"title": "x"}).status_code == 403
    mission.refresh_from_db()
    assert mission.title != "x"


# --- lists ----------------------------------------------------------------------------------


def _many(clerk, home_unit, n: int) -> None:
    person = PersonFactory(name="赵六", unit=home_unit)
    start = timezone.localdate() + timedelta(days=60)
    for i in range(n):
        m = services.mission_create_draft(
            actor=clerk, title=f"团组{i}", departure_date=start, category="general"
        )
        services.mission_update_itinerary(
            actor=clerk,
            mission=m,
            version=None,
            stops=[{"country": "DE" if i % 2 else "FR", "city": "柏林"}],
        )
        services.mission_member_add(actor=clerk, mission=m, version=None, person=person)


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_query_count_does_not_grow_with_rows(
    n, clerk, home_unit, as_user, django_assert_max_num_queries
):
    _many(clerk, home_unit, n)
    client = as_user("unit_clerk")
    client.get(reverse("missions:list"))  # warm the session and caches
    with django_assert_max_num_queries(14):
        response = client.get(reverse("missions:list"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="mission-row"') == min(n, 25)


@pytest.mark.parametrize("extra", [0, 4])
def test_the_record_reads_at_most_15_queries_however_long_its_history(
    extra, clerk, cast, home_unit, as_user, django_assert_max_num_queries
):
    """A draft (the live check shares the page's rows) and, for an FAO reader, a
    submitted trip (its approval chain read once); more members and a longer history
    add no query (issue 7: at most 15 a page)."""
    from tests.missions.conftest import NOT_IN_PLAN
    from tests.missions.decisions import submit

    people = [PersonFactory(name=f"成员{i}", unit=home_unit) for i in range(2 + extra)]
    mission = build_mission(clerk, people)
    for i in range(extra):  # more history: renamed several times
        mission = services.mission_update_basics(
            actor=clerk, mission=mission, version=mission.version, title=f"团组{i}"
        )
    url = reverse("missions:detail", kwargs={"mission_pk": mission.pk})
    client = as_user("unit_clerk")
    client.get(url)
    with django_assert_max_num_queries(13):
        assert client.get(url).status_code == 200
    submit(clerk, mission, **NOT_IN_PLAN)
    reader = as_user("fao_reviewer")
    reader.get(url)
    with django_assert_max_num_queries(15):
        assert reader.get(url).status_code == 200


def test_list_filters_and_search(mission, clerk, home_unit, as_user):
    _many(clerk, home_unit, 4)
    client = as_user("unit_clerk")
    url = reverse("missions:list")

    def titles(**query):
        body = client.get(url, query).content.decode()
        return body.count('data-testid="mission-row"')

    assert titles() == 5
    assert titles(country="JP") == 1
    assert titles(country="DE") == 2
    assert titles(q="赵六") == 4  # a member's name
    assert titles(q="zl") == 4  # pinyin initials
    assert titles(q="赴日本") == 1
    assert titles(state="submitted") == 0
    assert titles(state="draft", category="general") == 5
    month = mission.departure_date.strftime("%Y-%m")
    assert titles(month=month) >= 1
    assert titles(mine="on") == 5
    assert as_user("outsider").get(url).content.decode().count('data-testid="mission-row"') == 0
    # Drafts never submitted are the unit's: the FAO sees none, the auditor every one.
    assert as_user("fao_head").get(url).content.decode().count('data-testid="mission-row"') == 0
    assert as_user("auditor").get(url).content.decode().count('data-testid="mission-row"') == 5
    _submitted(*Mission.objects.all())
    assert as_user("fao_head").get(url).content.decode().count('data-testid="mission-row"') == 5


def test_the_export_opens_in_openpyxl_and_is_audited(mission, clerk, home_unit, as_user):
    _many(clerk, home_unit, 3)
    _submitted(*Mission.objects.all())
    response = as_user("fao_reviewer").get(reverse("missions:export"), {"country": "JP"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2  # header + the Tokyo trip
    assert rows[1][1] == "赴日本经贸交流"
    assert "李雷" in rows[1][9]
    event = AuditEvent.objects.filter(action="missions.mission.export").get()
    assert event.data["count"] == 1
    outsider = as_user("outsider").get(reverse("missions:export"))
    book = load_workbook(io.BytesIO(b"".join(outsider.streaming_content)), read_only=True)
    assert len(list(book.active.iter_rows(values_only=True))) == 1


def test_home_cards_for_the_clerk(mission, as_user):
    body = as_user("unit_clerk").get(reverse("ui:home")).content.decode()
    assert reverse("missions:list") in body


def test_the_budget_step_shows_the_standard_beside_each_line(mission, as_user):
    url = reverse("missions:budget", kwargs={"mission_pk": mission.pk})
    with translation.override("en"):
        body = as_user("unit_clerk").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    standard = body.split('data-testid="budget-standard"')[1]
    assert "20000" in standard and "10000" in standard and "JPY" in standard


def test_lines_from_stops_take_the_standard_currency(clerk, as_user):
    m = services.mission_create_draft(actor=clerk, title="首尔")
    start = timezone.localdate() + timedelta(days=90)
    m = services.mission_update_itinerary(
        actor=clerk,
        mission=m,
        version=None,
        stops=[{"country": "KR", "city": "Seoul", "arrive": start, "depart": start + timedelta(2)}],
    )
    response = as_user("unit_clerk").post(
        reverse("missions:budget", kwargs={"mission_pk": m.pk}),
        {
            "version": m.version,
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
            "add": "lines-from-stops",
        },
    )
    assert response.status_code == 302
    line = m.budget_lines.get()
    assert (line.country, line.city, line.currency, line.days) == ("KR", "Seoul", "USD", 2)
