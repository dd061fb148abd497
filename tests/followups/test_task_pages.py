"""The supervised tasks' pages (督办事项): every page for the office, the lead unit, a
supporting unit, the committee and the auditor (read-only: no buttons); another unit
gets 404; the flow taken through the pages; the filters; the board's links; the
exports opened with openpyxl and python-docx."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from tests.factories import UnitFactory, UserFactory
from tests.followups.conftest import PDF, pdf
from waishi.audit.models import AuditEvent
from waishi.followups import supervision
from waishi.followups.models import Outcome
from waishi.lib.documents import text_of
from waishi.lib.roles import Role

pytestmark = pytest.mark.django_db

TASKS = "/followups/tasks/"
# A form's errors as the page shows them: at the top, or under a field.
ERRORS = r'class="(?:alert alert-danger|invalid-feedback[^"]*)"[^>]*>(.*?)</div>'


@pytest.fixture
def support_unit(db):
    return UnitFactory(code="U-SUP", name="市文化和旅游局", short_name="文旅局")


@pytest.fixture
def supporter(support_unit):
    return UserFactory(username="supporter", role=Role.UNIT_CLERK, unit=support_unit)


@pytest.fixture
def as_supporter(supporter):
    from django.test import Client

    from tests.conftest import login

    return login(Client(), supporter)


@pytest.fixture
def make_task(cast, home_person, support_unit):
    def make(*, assign: bool = True, **extra):
        return supervision.task_register(
            actor=cast["fao_reviewer"],
            title=extra.pop("title", "推进与汉堡市友好城市交流合作"),
            source_kind=extra.pop("source_kind", "instruction"),
            urgency=extra.pop("urgency", "ordinary"),
            instructed_by=extra.pop("instructed_by", "市委主要领导"),
            lead_unit=extra.pop("lead_unit", home_person.unit),
            responsible_person=extra.pop("responsible_person", home_person),
            supporting_units=extra.pop("supporting_units", [support_unit]),
            assign=assign,
            **extra,
        )

    return make


@pytest.fixture
def task(make_task):
    return make_task()


def _body(response) -> str:
    return response.content.decode()


def _detail(pk: int) -> str:
    return f"{TASKS}{pk}/"


def _overdue(task) -> None:
    """Past its deadline: red from today on (the colour is computed from the deadline)."""
    Outcome.objects.filter(pk=task.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'data-action="([\w-]+)"', html))


# --- who sees what --------------------------------------------------------------------------


def test_every_page_renders_for_each_reader(as_user, as_supporter, task, home_unit):
    readers = {
        "office": as_user("fao_reviewer"),
        "head": as_user("fao_head"),
        "lead clerk": as_user("unit_clerk"),
        "lead leader": as_user("unit_leader"),
        "supporting": as_supporter,
        "committee": as_user("committee"),
        "auditor": as_user("auditor"),
    }
    for who, client in readers.items():
        for path in (TASKS, _detail(task.pk), f"{TASKS}unit/", f"{TASKS}on-time/"):
            response = client.get(path)
            assert response.status_code == 200, (who, path)
        assert task.title in _body(client.get(TASKS)), who
    for who in ("office", "head", "committee", "auditor"):
        response = readers[who].get(f"{TASKS}board/")
        assert response.status_code == 200, who
    for who in ("lead clerk", "lead leader", "supporting"):
        assert readers[who].get(f"{TASKS}board/").status_code == 403, who
    page = readers["office"].get(f"{TASKS}unit/", {"unit": home_unit.pk})
    assert task.title in _body(page)


def test_another_unit_gets_404_and_sees_nothing(as_user, task):
    outsider = as_user("outsider")
    assert outsider.get(_detail(task.pk)).status_code == 404
    for name in ("accept", "progress", "feedback", "extend", "urge", "close"):
        assert outsider.get(f"{_detail(task.pk)}{name}/").status_code == 404, name
        assert outsider.post(f"{_detail(task.pk)}{name}/", {"text": "x"}).status_code == 404
    assert outsider.get(f"{_detail(task.pk)}notice.docx").status_code == 404
    assert task.title not in _body(outsider.get(TASKS))
    for role in ("district_officer", "sys_admin", "city_command"):
        assert as_user(role).get(TASKS).status_code == 403, role
        assert as_user(role).get(_detail(task.pk)).status_code == 403, role


def test_the_auditor_and_the_committee_read_without_buttons(as_user, task):
    for role in ("auditor", "committee"):
        client = as_user(role)
        html = _body(client.get(_detail(task.pk)))
        assert 'data-testid="task-actions"' not in html, role
        assert 'data-testid="task-create"' not in _body(client.get(TASKS)), role
        for name in ("accept", "urge", "close", "drop", "archive", "extend"):
            assert client.get(f"{_detail(task.pk)}{name}/").status_code == 403, (role, name)
            assert client.post(f"{_detail(task.pk)}{name}/", {"reason": "x"}).status_code == 403
        assert client.get(f"{TASKS}new/").status_code == 403


def test_buttons_follow_task_actions_for(as_user, as_supporter, task):
    assert "accept" in _buttons(_body(as_user("unit_leader").get(_detail(task.pk))))
    assert "ask-redirect" in _buttons(_body(as_user("unit_clerk").get(_detail(task.pk))))
    office = _buttons(_body(as_user("fao_reviewer").get(_detail(task.pk))))
    assert "accept" not in office and "urge" in office
    supporting = _buttons(_body(as_supporter.get(_detail(task.pk))))
    assert "accept" not in supporting and "close" not in supporting


# --- the flow through the pages ---------------------------------------------------------------


def _ok(response, where: str = ""):
    assert response.status_code == 302, (where, _body(response)[-3000:])
    return response


def test_the_whole_flow_through_the_pages(as_user, as_supporter, cast, home_person, support_unit):
    office = as_user("fao_reviewer")
    due = timezone.localdate() + dt.timedelta(days=40)
    response = office.post(
        f"{TASKS}new/",
        {
            "title": "落实友城合作备忘录",
            "source_kind": "minutes",
            "source_title": "2026年第3次主任会议纪要",
            "lead_unit": home_person.unit_id,
            "responsible_person": home_person.pk,
            "supporting_units": [support_unit.pk],
            "due_date": due.isoformat(),
            "description": "三个月内拿出合作清单",
            "assign": "on",
        },
    )
    _ok(response, "register")
    task = Outcome.objects.get(title="落实友城合作备忘录")
    assert response["Location"] == _detail(task.pk)
    assert task.state == "assigned" and task.number
    assert list(task.supporting_units.all()) == [support_unit]

    lead = as_user("unit_leader")
    detail = _body(lead.get(_detail(task.pk)))
    assert "市文化和旅游局" in detail and task.number in detail
    _ok(lead.post(f"{_detail(task.pk)}accept/"), "accept")
    _ok(
        lead.post(f"{_detail(task.pk)}progress/", {"text": "已起草合作清单", "evidence": pdf()}),
        "progress",
    )
    _ok(as_supporter.post(f"{_detail(task.pk)}support/", {"text": "文旅部分已完成"}), "support")
    _ok(office.post(f"{_detail(task.pk)}urge/", {"method": "phone", "text": "请加快进度"}), "urge")
    urge = task.urges.get()
    reminder = office.get(f"{_detail(task.pk)}reminder.docx", {"urge": urge.pk})
    assert reminder.status_code == 200
    text = text_of(reminder.content)
    assert "催办单" in text and "请加快进度" in text and task.title in text

    _ok(lead.post(f"{_detail(task.pk)}feedback/", {"text": "清单已报", "evidence": pdf()}))
    _ok(office.post(f"{_detail(task.pk)}return/", {"reason": "清单不完整"}), "return")
    task.refresh_from_db()
    assert task.state == "returned"
    _ok(lead.post(f"{_detail(task.pk)}feedback/", {"text": "清单已补全"}), "feedback again")

    # Closing cannot be undone: the page asks for the confirmation first.
    response = office.post(f"{_detail(task.pk)}close/", {"comment": "同意办结"})
    assert response.status_code == 200
    assert 'data-testid="cannot-undo"' in _body(response)
    task.refresh_from_db()
    assert task.state == "feedback"
    _ok(office.post(f"{_detail(task.pk)}close/", {"comment": "同意办结", "confirm": "on"}))
    task.refresh_from_db()
    assert task.state == "done"
    _ok(office.post(f"{_detail(task.pk)}archive/", {"confirm": "on"}), "archive")
    task.refresh_from_db()
    assert task.state == "archived"

    # Every report stays on the page, the returned feedback too; the evidence downloads.
    html = _body(as_user("auditor").get(_detail(task.pk)))
    reports = ("已起草合作清单", "文旅部分已完成", "清单已报", "清单不完整", "清单已补全")
    for text in (*reports, "请加快进度"):
        assert text in html, text
    update = task.updates.exclude(evidence="").order_by("pk").first()
    download = as_supporter.get(f"/followups/updates/{update.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_redirect_asked_then_kept_or_given_away(as_user, make_task, foreign_person):
    lead = as_user("unit_clerk")
    office = as_user("fao_head")
    kept = make_task(title="应由本单位办理的事项")
    response = lead.post(f"{_detail(kept.pk)}ask-redirect/", {"reason": ""})
    assert response.status_code == 200  # a reason is needed
    _ok(lead.post(f"{_detail(kept.pk)}ask-redirect/", {"reason": "不属于本单位职责"}))
    _ok(office.post(f"{_detail(kept.pk)}keep/", {"reason": "职责明确"}))
    kept.refresh_from_db()
    assert kept.state == "assigned"

    moved = make_task(title="改派的事项")
    _ok(lead.post(f"{_detail(moved.pk)}ask-redirect/", {"reason": "属教育局职责"}))
    _ok(
        office.post(
            f"{_detail(moved.pk)}redirect/",
            {"lead_unit": foreign_person.unit_id, "responsible_person": foreign_person.pk},
        )
    )
    moved.refresh_from_db()
    assert moved.responsible_unit_id == foreign_person.unit_id
    assert lead.get(_detail(moved.pk)).status_code == 404
    assert as_user("outsider").get(_detail(moved.pk)).status_code == 200


def test_extension_asked_and_granted_shows_both_deadlines(as_user, task):
    lead = as_user("unit_leader")
    _ok(lead.post(f"{_detail(task.pk)}accept/"))
    task.refresh_from_db()
    original = task.due_date
    wanted = original + dt.timedelta(days=30)
    _ok(lead.post(f"{_detail(task.pk)}extend/", {"requested_date": wanted, "reason": "外方换届"}))
    office = as_user("fao_reviewer")
    assert "extension-decide" in _buttons(_body(office.get(_detail(task.pk))))
    page = office.get(f"{_detail(task.pk)}extension/decide/")
    assert page.status_code == 200 and wanted.isoformat() in _body(page)
    _ok(office.post(f"{_detail(task.pk)}extension/decide/", {"decision": "grant"}))
    task.refresh_from_db()
    assert task.due_date == wanted and task.original_due_date == original
    html = _body(lead.get(_detail(task.pk)))
    deadline = re.search(r'data-testid="deadline">(.*?)</dd>', html, re.S).group(1)
    assert wanted.isoformat() in deadline and original.isoformat() in deadline


def test_a_refusal_is_shown_on_the_form_in_chinese(as_user, task):
    lead = as_user("unit_leader")
    _ok(lead.post(f"{_detail(task.pk)}accept/"))
    task.refresh_from_db()
    # A "later" deadline before the one in force: the service refuses, the form says why.
    earlier = task.due_date - dt.timedelta(days=1)
    response = lead.post(f"{_detail(task.pk)}extend/", {"requested_date": earlier, "reason": "x"})
    assert response.status_code == 200
    errors = re.findall(ERRORS, _body(response), re.S)
    assert errors and any(re.search(r"[\u4e00-\u9fff]", e) for e in errors), errors
    assert not task.extensions.exists()


def test_drop_asks_for_a_reason_and_the_confirmation(as_user, task):
    head = as_user("fao_head")
    assert head.post(f"{_detail(task.pk)}drop/", {"reason": "领导另有安排"}).status_code == 200
    assert head.post(f"{_detail(task.pk)}drop/", {"confirm": "on"}).status_code == 200
    task.refresh_from_db()
    assert task.state == "assigned"
    _ok(head.post(f"{_detail(task.pk)}drop/", {"reason": "领导另有安排", "confirm": "on"}))
    task.refresh_from_db()
    assert task.state == "dropped"


# --- the list, the board, the unit's page -----------------------------------------------------


def test_filters_search_pagination_and_empty_state(as_user, make_task, foreign_person):
    a = make_task(title="甲事项", source_kind="minutes", urgency="")
    b = make_task(title="乙事项", source_kind="instruction")
    c = make_task(
        title="丙事项",
        lead_unit=foreign_person.unit,
        responsible_person=foreign_person,
        source_kind="key_point",
        urgency="",
    )
    _overdue(b)
    client = as_user("fao_reviewer")

    def titles(**query):
        response = client.get(TASKS, query)
        assert response.status_code == 200
        return {t.title for t in response.context["page_obj"].object_list}

    assert titles() == {a.title, b.title, c.title}
    assert titles(colour="red") == {b.title}
    assert titles(colour="none") == {a.title, c.title}
    assert titles(source_kind="minutes") == {a.title}
    assert titles(unit=foreign_person.unit_id) == {c.title}
    assert titles(state="assigned") == {a.title, b.title, c.title}
    assert titles(state="done") == set()
    assert titles(q="乙") == {b.title}
    assert titles(q=a.number) == {a.title}
    empty = client.get(TASKS, {"q": "没有这样的事项"})
    assert 'data-testid="empty"' in _body(empty)
    # The unit's staff have no unit filter: they see their own tasks only.
    clerk = as_user("unit_clerk").get(TASKS, {"unit": foreign_person.unit_id})
    assert {t.title for t in clerk.context["page_obj"].object_list} == {a.title, b.title}


def test_the_list_pages(as_user, make_task):
    for n in range(27):
        make_task(title=f"分页事项{n:02d}")
    client = as_user("fao_reviewer")
    first = client.get(TASKS)
    assert len(first.context["page_obj"].object_list) == 25
    second = client.get(TASKS, {"page": 2})
    assert len(second.context["page_obj"].object_list) == 2


def test_the_board_counts_link_to_the_filtered_list(as_user, make_task, foreign_person, home_unit):
    make_task(title="甲")
    b = make_task(title="乙")
    make_task(title="丙", lead_unit=foreign_person.unit, responsible_person=foreign_person)
    _overdue(b)
    client = as_user("fao_head")
    html = _body(client.get(f"{TASKS}board/"))
    links = re.findall(r'href="(/followups/tasks/\?[^"]+)"[^>]*data-count="(\d+)"', html)
    assert links, "the board links no count to the list"
    for href, count in links:
        response = client.get(href.replace("&amp;", "&"))
        assert response.context["page_obj"].paginator.count == int(count), href
    assert f"unit={home_unit.pk}" in html and "colour=red" in html


def test_the_units_page_groups_by_colour_leading_and_supporting(
    as_user, as_supporter, make_task, support_unit
):
    red = make_task(title="红色事项")
    make_task(title="普通事项")
    _overdue(red)
    page = as_user("unit_clerk").get(f"{TASKS}unit/")
    groups = page.context["groups"]
    assert groups[0][0] == "red" and [t.title for t in groups[0][2]] == ["红色事项"]
    assert page.context["supporting"] == []
    listed = _body(as_supporter.get(TASKS))
    assert listed.count('data-testid="supporting-badge"') == 2
    assert 'data-testid="supporting-badge"' not in _body(as_user("unit_clerk").get(TASKS))
    page = as_supporter.get(f"{TASKS}unit/")
    assert page.context["unit"] == support_unit
    assert {t.title for t in page.context["supporting"]} == {"红色事项", "普通事项"}
    assert page.context["groups"] == []


# --- exports ----------------------------------------------------------------------------------


def _rows(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(data), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_the_task_list_exports_as_filtered(as_user, cast, make_task, foreign_person):
    a = make_task(title="导出事项")
    make_task(title="外单位事项", lead_unit=foreign_person.unit, responsible_person=foreign_person)
    response = as_user("unit_clerk").get(f"{TASKS}export.xlsx")
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0][:2] == ("督办编号", "督办事项")
    assert [r[1] for r in rows[1:]] == [a.title]
    assert rows[1][0] == a.number and "市文化和旅游局" in rows[1][5]
    event = AuditEvent.objects.get(action="followups.task_list.export")
    assert event.actor_id == cast["unit_clerk"].pk and event.data["count"] == 1
    office = _rows(as_user("fao_reviewer").get(f"{TASKS}export.xlsx", {"q": "外单位"}))
    assert [r[1] for r in office[1:]] == ["外单位事项"]


def test_the_on_time_table_shows_and_exports_the_rate(as_user, cast, task, make_task):
    supervision.task_accept(actor=cast["unit_leader"], task=task)
    supervision.task_feedback(actor=cast["unit_leader"], task=task, text="已办结")
    supervision.task_close(actor=cast["fao_reviewer"], task=task)
    _overdue(make_task(title="逾期未办结"))
    year = timezone.localdate().year
    page = as_user("fao_reviewer").get(f"{TASKS}on-time/", {"year": year})
    assert page.status_code == 200
    row = re.search(r'data-testid="on-time">.*?<tbody>(.*?)</tbody>', _body(page), re.S).group(1)
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["市商务局", "2", "1", "1", "50.0%"]
    response = as_user("fao_reviewer").get(f"{TASKS}on-time/export.xlsx", {"year": year})
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0] == ("单位", "应办结", "按期办结", "逾期或未办结", "按期办结率")
    assert rows[1] == ("市商务局", 2, 1, 1, "50.0%")
    assert AuditEvent.objects.filter(action="followups.on_time.export").count() == 1
    # A unit reads its own row; another unit has none.
    assert "50.0%" in _body(as_user("unit_clerk").get(f"{TASKS}on-time/", {"year": year}))
    assert "市商务局" not in _body(as_user("outsider").get(f"{TASKS}on-time/", {"year": year}))


def test_the_supervision_notice_opens_in_word(as_user, task, make_task):
    response = as_user("unit_clerk").get(f"{_detail(task.pk)}notice.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = text_of(response.content)
    assert "督办通知单" in text and task.number in text and task.title in text
    assert "市文化和旅游局" in text and "{{" not in text
    assert "根据市委主要领导批示" in text  # the instruction named by its leader
    # The office's mark in red, in the 公文 layout (A4).
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37
    assert AuditEvent.objects.filter(action="followups.task_document.download").count() == 1
    # Before 交办 the task has no number and no notice.
    draft = make_task(title="未交办", assign=False)
    assert as_user("fao_reviewer").get(f"{_detail(draft.pk)}notice.docx").status_code == 404
    assert as_user("fao_reviewer").get(f"{_detail(draft.pk)}reminder.docx").status_code == 404


def test_the_menu_shows_supervision_to_the_roles_that_see_tasks(as_user):
    for role in ("unit_clerk", "fao_reviewer", "auditor", "committee"):
        assert f'href="{TASKS}"' in _body(as_user(role).get("/")), role
    assert f'href="{TASKS}board/"' in _body(as_user("fao_head").get("/"))
    assert f'href="{TASKS}board/"' not in _body(as_user("unit_clerk").get("/"))
    assert f'href="{TASKS}"' not in _body(as_user("sys_admin").get("/"))
    assert f'href="{TASKS}"' not in _body(as_user("district_officer").get("/"))


def test_the_task_pages_show_no_internal_name(as_user, as_supporter, cast, make_task):
    """Every page of a task in each state, as the office, the lead unit, a supporting unit
    and the auditor reads it in Chinese: no code, no English (tests/leaks.py)."""
    from tests.test_no_internal_names import page_leaks
    from waishi.orgs.models import User

    task = make_task(title="无内部名称检查")
    lead = as_user("unit_leader")
    _ok(lead.post(f"{_detail(task.pk)}accept/"))
    _ok(lead.post(f"{_detail(task.pk)}progress/", {"text": "进展", "evidence": pdf()}))
    _ok(
        as_user("unit_clerk").post(
            f"{_detail(task.pk)}extend/",
            {"requested_date": task.due_date + dt.timedelta(days=9), "reason": "需要协调"},
        )
    )
    _ok(lead.post(f"{_detail(task.pk)}feedback/", {"text": "已办结"}))
    _ok(as_user("fao_reviewer").post(f"{_detail(task.pk)}return/", {"reason": "未解决"}))
    draft = make_task(title="未交办事项", assign=False)
    words = frozenset(
        w for name in User.objects.values_list("username", flat=True) for w in name.split("_")
    ) | frozenset(User.objects.values_list("username", flat=True))
    readers = {
        "office": as_user("fao_head"),
        "lead": lead,
        "supporting": as_supporter,
        "auditor": as_user("auditor"),
    }
    pages = [
        TASKS,
        f"{TASKS}?colour=red&state=open",
        _detail(task.pk),
        _detail(draft.pk),
        f"{TASKS}unit/",
        f"{TASKS}on-time/",
    ]
    found = {}
    for who, client in readers.items():
        extra = [f"{TASKS}board/", f"{TASKS}new/", f"{TASKS}unit/?unit={task.responsible_unit_id}"]
        for path in pages + (extra if who in ("office", "auditor") else []):
            response = client.get(path)
            if response.status_code != 200:
                continue
            leaks = page_leaks(response.content.decode(), words)
            if leaks:
                found[f"{who} {path}"] = leaks
        for name in ("progress", "extend", "feedback", "urge", "close", "return", "drop"):
            response = client.get(f"{_detail(task.pk)}{name}/")
            if response.status_code == 200:
                leaks = page_leaks(response.content.decode(), words)
                if leaks:
                    found[f"{who} {name}"] = leaks
    assert not found, found


def test_assign_after_register_and_a_refused_extension(as_user, make_task):
    office = as_user("fao_reviewer")
    task = make_task(title="先立项后交办", assign=False)
    html = _body(office.get(_detail(task.pk)))
    assert "assign" in _buttons(html) and 'data-testid="notice-docx"' not in html
    assert as_user("unit_leader").get(f"{_detail(task.pk)}accept/").status_code == 403
    _ok(office.post(f"{_detail(task.pk)}assign/"), "assign")
    task.refresh_from_db()
    assert task.state == "assigned" and task.number
    assert 'data-testid="notice-docx"' in _body(office.get(_detail(task.pk)))

    lead = as_user("unit_clerk")
    _ok(lead.post(f"{_detail(task.pk)}accept/"))
    wanted = task.due_date + dt.timedelta(days=5)
    _ok(lead.post(f"{_detail(task.pk)}extend/", {"requested_date": wanted, "reason": "等待批复"}))
    # Refusing needs a reason: the form says so, nothing changes.
    response = office.post(f"{_detail(task.pk)}extension/decide/", {"decision": "refuse"})
    assert response.status_code == 200 and re.findall(ERRORS, _body(response), re.S)
    assert task.extensions.get().state == "asked"
    _ok(
        office.post(
            f"{_detail(task.pk)}extension/decide/", {"decision": "refuse", "reason": "无正当理由"}
        )
    )
    task.refresh_from_db()
    assert task.due_date != wanted and task.extensions.get().state == "refused"
    html = _body(lead.get(_detail(task.pk)))
    assert "无正当理由" in html and 'data-testid="granted"' not in html
    # Nothing left to decide: the page is gone.
    assert office.get(f"{_detail(task.pk)}extension/decide/").status_code == 403


def test_a_supporting_unit_reports_but_never_acts_for_the_lead(as_user, as_supporter, task):
    _ok(as_user("unit_leader").post(f"{_detail(task.pk)}accept/"))
    for name in ("progress", "feedback", "extend", "accept", "close"):
        assert as_supporter.get(f"{_detail(task.pk)}{name}/").status_code == 403, name
        response = as_supporter.post(
            f"{_detail(task.pk)}{name}/", {"text": "越权", "confirm": "on"}
        )
        assert response.status_code == 403, name
    assert as_user("unit_leader").get(f"{_detail(task.pk)}support/").status_code == 403
    _ok(as_supporter.post(f"{_detail(task.pk)}support/", {"text": "配合部分完成"}))
    update = task.updates.get(kind="support")
    assert update.unit.name == "市文化和旅游局"


def test_the_board_the_units_page_and_the_list_read_a_fixed_number_of_queries(
    as_user, make_task, support_unit, home_unit
):
    """More tasks (and more units) cost no more queries: nothing is read row by row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = as_user("fao_head")
    lead = as_user("unit_clerk")
    pages = [
        (office, f"{TASKS}board/"),
        (office, f"{TASKS}unit/?unit={home_unit.pk}"),
        (lead, f"{TASKS}unit/"),
        (office, TASKS),
        (lead, TASKS),
    ]

    def counts() -> list[int]:
        out = []
        for client, path in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            out.append(len(queries))
        return out

    make_task(title="第一项")
    before = counts()
    for n in range(6):
        unit = UnitFactory(code=f"U-N{n}", name=f"新增单位{n}")
        make_task(title=f"更多事项{n}", supporting_units=[support_unit, unit])
    _overdue(make_task(title="逾期事项"))
    assert counts() == before


def test_the_register_form_shows_the_services_refusals(as_user, home_person, support_unit):
    office = as_user("fao_reviewer")
    data = {
        "title": "缺少缓急程度的批示",
        "source_kind": "instruction",
        "lead_unit": home_person.unit_id,
        "responsible_person": home_person.pk,
        "supporting_units": [support_unit.pk],
    }
    response = office.post(f"{TASKS}new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors.get("urgency")
    # A source record that does not exist, or of an unknown kind: said at the top (the
    # hidden fields have no place to say it).
    for kind in ("missions.mission", "no.such"):
        response = office.post(
            f"{TASKS}new/", data | {"urgency": "urgent", "source_type": kind, "source_id": "999"}
        )
        assert response.status_code == 200, kind
        assert response.context["form"].non_field_errors(), kind
    assert not Outcome.objects.filter(track="task").exists()
    _ok(office.post(f"{TASKS}new/", data | {"urgency": "urgent"}))
    task = Outcome.objects.get(track="task")
    assert task.urgency == "urgent" and task.state == "registered"  # assign left unticked
