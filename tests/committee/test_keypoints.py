"""The year's work key points: the import from the office's outline (preview, then all or
nothing), typed entry, and the tree's progress from its leaves' supervised tasks."""

from __future__ import annotations

import datetime as dt
import io
import sys
import types

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import include, path
from docx import Document
from openpyxl import Workbook

from tests.factories import PersonFactory, UnitFactory
from waishi import urls as project_urls
from waishi.audit.models import AuditEvent
from waishi.committee import keypoint_selectors as selectors
from waishi.committee import keypoint_services as services
from waishi.committee import keypoint_urls
from waishi.committee import urls as committee_urls
from waishi.committee.keypoint_models import KeyPoint, KeyPointLevel, KeyPointPlan
from waishi.followups import sources
from waishi.followups.models import Outcome

YEAR = 2027

# The project's URLs with the key points' pages where the committee's URLs include them
# (until they do: then these are the project's own).
_INCLUDED = any(str(p.pattern) == "keypoints/" for p in committee_urls.urlpatterns)
urlpatterns = [
    *(p for p in project_urls.urlpatterns if str(p.pattern) != "committee/"),
    path(
        "committee/",
        include(
            (
                [
                    *committee_urls.urlpatterns,
                    *([] if _INCLUDED else [path("keypoints/", include(keypoint_urls))]),
                ],
                "committee",
            )
        ),
    ),
]
pytestmark = pytest.mark.urls(__name__)


class FakeTracker(types.ModuleType):
    """``followups.supervision`` as the interface gives it, until the tracker's helper
    delivers it: ``task_register`` makes an outcome with the task's source."""

    def __init__(self):
        super().__init__("waishi.followups.supervision")
        self.calls: list[dict] = []

    def task_register(self, **kwargs):
        self.calls.append(kwargs)
        return Outcome.objects.create(
            title=kwargs["title"],
            description=kwargs.get("description", ""),
            responsible_person=kwargs["responsible_person"],
            responsible_unit=kwargs["lead_unit"],
            due_date=kwargs["due_date"],
            source_type=kwargs["source_type"],
            source_id=kwargs["source_id"],
            source_title=kwargs["source_title"],
            created_by=kwargs["actor"],
        )


@pytest.fixture
def tracker(monkeypatch):
    """The real ``task_register`` when the tracker has it, else the fake, recording calls."""
    try:
        from waishi.followups import supervision
    except ImportError:
        fake = FakeTracker()
        monkeypatch.setitem(sys.modules, "waishi.followups.supervision", fake)
        return fake
    calls: list[dict] = []
    real = supervision.task_register

    def recording(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(supervision, "task_register", recording)
    supervision.calls = calls
    return supervision


@pytest.fixture
def units(db, fao_unit, home_unit):
    """市外办 and 市商务局 (the cast's), 市文旅局; each with a person (a leader first)."""
    culture = UnitFactory(code="U-CULT", name="市文化和旅游局", short_name="市文旅局")
    PersonFactory(name="王处长", unit=fao_unit)
    PersonFactory(name="商务普通干部", unit=home_unit)
    PersonFactory(name="李局长", unit=home_unit, is_unit_leadership=True)
    PersonFactory(name="赵科长", unit=culture)
    return {"fao": fao_unit, "commerce": home_unit, "culture": culture}


def outline_docx(*extra: str) -> bytes:
    document = Document()
    for text in (
        "2027年市委外事工作要点",
        "一、深化友好城市交往",
        "（一）拓展友城网络",
        "1. 新缔结友好城市2对，2027年6月底前完成。"
        "（牵头单位：市外办；配合单位：市商务局、市文旅局）",
        "2. 举办友城论坛（牵头单位：商务局）",
        "3. 研究友城工作机制",
        "二、服务对外开放",
        "（一）走访重点外资企业（牵头单位：市商务局；完成时限：三季度）",
        *extra,
    ):
        document.add_paragraph(text)
    handle = io.BytesIO()
    document.save(handle)
    return handle.getvalue()


# --- preview and import ---------------------------------------------------------------------


def test_the_preview_finds_the_units_and_people_and_writes_nothing(cast, units, tracker):
    preview = services.keypoints_preview(
        actor=cast["fao_reviewer"], upload=outline_docx(), year=YEAR, name="要点.docx"
    )

    assert preview.ok, preview.problems
    assert preview.title == "2027年市委外事工作要点"
    assert preview.counts() == {"areas": 2, "points": 2, "tasks": 3, "supervised": 3}
    made = [(r.node.title, r.lead, r.person and r.person.name, r.due) for r in preview.rows]
    assert made == [
        ("深化友好城市交往", None, None, None),
        ("拓展友城网络", None, None, None),
        ("新缔结友好城市2对，2027年6月底前完成。", units["fao"], "王处长", dt.date(2027, 6, 30)),
        # A short name finds the unit; the bureau's leader answers for the task.
        ("举办友城论坛", units["commerce"], "李局长", dt.date(2027, 12, 31)),
        # No lead unit: kept in the tree, not a task.
        ("研究友城工作机制", None, None, None),
        ("服务对外开放", None, None, None),
        ("走访重点外资企业", units["commerce"], "李局长", dt.date(2027, 9, 30)),
    ]
    assert preview.rows[2].supporting == [units["commerce"], units["culture"]]
    assert not KeyPointPlan.objects.exists() and not Outcome.objects.exists()
    assert tracker.calls == []


def test_the_import_makes_the_tree_and_a_supervised_task_for_each_leaf_with_a_lead_unit(
    cast, units, tracker
):
    actor = cast["fao_reviewer"]
    plan = services.keypoints_import(
        actor=actor, upload=outline_docx(), year=YEAR, name="要点.docx", assign=True, ip="10.0.0.1"
    )

    assert (plan.year, plan.title, plan.imported_from, plan.imported_by) == (
        YEAR,
        "2027年市委外事工作要点",
        "要点.docx",
        actor,
    )
    points = list(plan.points.order_by("pk"))
    assert [(p.level, p.parent and p.parent.title, p.order, p.line) for p in points] == [
        (KeyPointLevel.AREA, None, 1, 2),
        (KeyPointLevel.POINT, "深化友好城市交往", 1, 3),
        (KeyPointLevel.TASK, "拓展友城网络", 1, 4),
        (KeyPointLevel.TASK, "拓展友城网络", 2, 5),
        (KeyPointLevel.TASK, "拓展友城网络", 3, 6),
        (KeyPointLevel.AREA, None, 2, 7),
        (KeyPointLevel.POINT, "服务对外开放", 1, 8),
    ]
    assert [p.task_id is not None for p in points] == [False, False, True, True, False, False, True]
    first = tracker.calls[0]
    assert first["source_kind"] == "key_point"
    assert first["source_type"] == "committee.keypoint"
    assert first["source_id"] == points[2].pk
    assert first["source_title"] == "2027年市委外事工作要点"
    assert first["lead_unit"] == units["fao"]
    assert first["responsible_person"].name == "王处长"
    assert list(first["supporting_units"]) == [units["commerce"], units["culture"]]
    assert first["due_date"] == dt.date(2027, 6, 30)
    assert first["description"] == "深化友好城市交往 › 拓展友城网络"
    assert first["assign"] is True and first["actor"] == actor and first["ip"] == "10.0.0.1"
    assert [c["due_date"] for c in tracker.calls] == [
        dt.date(2027, 6, 30),
        dt.date(2027, 12, 31),  # no date in the leaf: 31 December of the year
        dt.date(2027, 9, 30),
    ]
    event = AuditEvent.objects.get(action="committee.keypoints.import")
    assert event.data == {
        "file": "要点.docx",
        "areas": 2,
        "points": 2,
        "tasks": 3,
        "supervised": 3,
    }
    # The task's source reads as the key point, linking to its place in the tree.
    assert sources.label_of("committee.keypoint") == "年度工作要点"
    assert sources.title_of("committee.keypoint", points[2].pk).startswith(
        "2027年市委外事工作要点：新缔结友好城市2对"
    )
    assert sources.url_of("committee.keypoint", points[2].pk).endswith(f"#kp-{points[2].pk}")


def test_an_outline_with_a_problem_imports_nothing_and_says_every_problem(cast, units, tracker):
    data = outline_docx(
        "（二）没有这个单位的要点（牵头单位：市宇航局）",
        "（三）报送材料，2月30日前完成。（牵头单位：市外办）",
    )
    preview = services.keypoints_preview(actor=cast["fao_reviewer"], upload=data, year=YEAR)
    assert not preview.ok
    assert [(p.place, p.message) for p in preview.problems] == [
        ("第10段", "日期“2月30日”不存在。"),
        ("第9段", "单位“市宇航局”不存在，请按系统中保存的单位名称填写。"),
    ]
    with pytest.raises(ValidationError) as refused:
        services.keypoints_import(actor=cast["fao_reviewer"], upload=data, year=YEAR)
    assert refused.value.messages == [
        "第10段：日期“2月30日”不存在。",
        "第9段：单位“市宇航局”不存在，请按系统中保存的单位名称填写。",
    ]
    assert not KeyPointPlan.objects.exists()
    assert not KeyPoint.objects.exists()
    assert not Outcome.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="committee.keypoint").exists()


def test_a_failure_while_registering_a_task_leaves_nothing_behind(
    cast, units, tracker, monkeypatch
):
    def failing(**kwargs):
        if kwargs["title"].startswith("举办"):
            raise ValidationError("tracker refused")
        return FakeTracker.task_register(FakeTracker(), **kwargs)

    monkeypatch.setattr(tracker, "task_register", failing)
    with pytest.raises(ValidationError):
        services.keypoints_import(actor=cast["fao_reviewer"], upload=outline_docx(), year=YEAR)
    assert not KeyPointPlan.objects.exists()
    assert not Outcome.objects.exists()


def test_a_unit_without_people_and_an_existing_plan_are_problems(cast, units, tracker):
    UnitFactory(code="U-EMPTY", name="市空单位")
    data = outline_docx("（二）无人单位的要点（牵头单位：市空单位）")
    preview = services.keypoints_preview(actor=cast["fao_reviewer"], upload=data, year=YEAR)
    assert [p.message for p in preview.problems] == [
        "单位“市空单位”没有人员，无法为任务确定责任人，请先添加该单位的人员。"
    ]

    services.keypoints_import(actor=cast["fao_reviewer"], upload=outline_docx(), year=YEAR)
    again = services.keypoints_preview(actor=cast["fao_reviewer"], upload=outline_docx(), year=YEAR)
    assert [p.message for p in again.problems] == [
        "2027年的年度工作要点已存在，请在其页面上添加或修改。"
    ]


def test_an_excel_outline_imports_the_same_way(cast, units, tracker):
    book = Workbook()
    sheet = book.active
    for row in (
        ("领域", "工作要点", "具体任务", "牵头单位", "配合单位", "完成时限"),
        ("友城交往", "拓展友城网络", "新结友城2对", "市外办", "市商务局", "6月底前"),
        (None, None, "办论坛", "市外办", None, None),
    ):
        sheet.append(row)
    handle = io.BytesIO()
    book.save(handle)

    plan = services.keypoints_import(
        actor=cast["fao_head"], upload=handle.getvalue(), year=YEAR, name="要点.xlsx"
    )
    assert plan.title == "2027年年度工作要点"  # a sheet named "Sheet": the default title
    assert plan.points.filter(task__isnull=False).count() == 2


@pytest.mark.parametrize("role", ["unit_clerk", "unit_leader", "committee", "auditor"])
def test_only_the_office_imports(cast, units, tracker, role):
    with pytest.raises(PermissionDenied):
        services.keypoints_preview(actor=cast[role], upload=outline_docx(), year=YEAR)
    with pytest.raises(PermissionDenied):
        services.keypoints_import(actor=cast[role], upload=outline_docx(), year=YEAR)


def test_a_file_that_is_not_an_outline_is_an_error_on_the_file(cast, units):
    with pytest.raises(ValidationError) as refused:
        services.keypoints_preview(actor=cast["fao_reviewer"], upload=b"not a file", year=YEAR)
    assert refused.value.message_dict == {
        "file": ["该文件既不是Word文档（.docx），也不是Excel工作簿（.xlsx）。"]
    }


# --- typed entry ---------------------------------------------------------------------------


def test_typed_entry_builds_the_tree_level_by_level(cast, units, tracker):
    actor = cast["fao_reviewer"]
    plan = services.keypoints_plan_create(actor=actor, year=YEAR, title="2027年工作要点")
    area = services.keypoint_add(actor=actor, plan=plan, title="对外交往")
    point = services.keypoint_add(actor=actor, plan=plan, parent=area, title="友城")
    task = services.keypoint_add(
        actor=actor,
        plan=plan,
        parent=point,
        title="新结友城",
        due_date=dt.date(2027, 10, 31),
        lead_unit=units["fao"],
        supporting_units=[units["culture"], units["fao"]],
    )
    second = services.keypoint_add(actor=actor, plan=plan, parent=point, title="办论坛")

    assert [(p.level, p.order) for p in (area, point, task, second)] == [
        (KeyPointLevel.AREA, 1),
        (KeyPointLevel.POINT, 1),
        (KeyPointLevel.TASK, 1),
        (KeyPointLevel.TASK, 2),
    ]
    assert list(task.supporting_units.all()) == [units["culture"]]  # the lead is not also support
    with pytest.raises(ValidationError) as refused:
        services.keypoint_add(actor=actor, plan=plan, parent=task, title="第四级")
    assert refused.value.message_dict == {"parent": ["具体任务之下不能再有下级事项。"]}

    made = services.keypoint_to_task(actor=actor, point=task)
    task.refresh_from_db()
    assert task.task == made
    assert tracker.calls[-1]["due_date"] == dt.date(2027, 10, 31)
    assert tracker.calls[-1]["responsible_person"].name == "王处长"
    with pytest.raises(ValidationError):
        services.keypoint_to_task(actor=actor, point=task)
    with pytest.raises(ValidationError) as refused:
        services.keypoint_to_task(actor=actor, point=second)
    assert refused.value.messages == ["请先为此项指定牵头单位。"]

    # A task's words change here; its units and deadline only on the task.
    services.keypoint_update(
        actor=actor,
        point=task,
        title="新缔结友城",
        due_date=task.due_date,
        lead_unit=units["fao"],
        supporting_units=[units["culture"]],
    )
    with pytest.raises(ValidationError):
        services.keypoint_update(
            actor=actor, point=task, title="新缔结友城", due_date=dt.date(2027, 12, 1),
            lead_unit=units["fao"], supporting_units=[units["culture"]],
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.keypoint_delete(actor=actor, point=task)
    services.keypoint_delete(actor=actor, point=second)
    assert not KeyPoint.objects.filter(pk=second.pk).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="committee.keypoint")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "committee.keypoints.create",
        "committee.keypoint.add",
        "committee.keypoint.add",
        "committee.keypoint.add",
        "committee.keypoint.add",
        "committee.keypoint.update",
        "committee.keypoint.delete",
    ]


def test_a_typed_plan_is_one_a_year(cast):
    services.keypoints_plan_create(actor=cast["fao_head"], year=YEAR, title="要点")
    with pytest.raises(ValidationError) as refused:
        services.keypoints_plan_create(actor=cast["fao_head"], year=YEAR, title="又一份")
    assert refused.value.message_dict == {"year": ["2027年的年度工作要点已存在。"]}


# --- the tree's progress --------------------------------------------------------------------


def test_each_node_shows_its_leaves_tasks_done_of_total_and_their_colours(cast, units, tracker):
    plan = services.keypoints_import(actor=cast["fao_reviewer"], upload=outline_docx(), year=YEAR)
    tasks = {p.title[:4]: p.task for p in plan.points.filter(task__isnull=False)}
    Outcome.objects.filter(pk=tasks["新缔结友"].pk).update(state="done")
    Outcome.objects.filter(pk=tasks["举办友城"].pk).update(state="overdue")
    if hasattr(Outcome, "colour"):
        Outcome.objects.filter(pk=tasks["举办友城"].pk).update(colour="red")
        Outcome.objects.filter(pk=tasks["走访重点"].pk).update(colour="blue")

    rows, total = selectors.plan_tree(plan)

    def shown(row):
        return (row.depth, row.point.title[:6], row.progress.done, row.progress.total,
                dict(row.progress.colours), row.progress.untracked)  # fmt: skip

    expected_blue = {"blue": 1} if hasattr(Outcome, "colour") else {}
    assert [shown(r) for r in rows] == [
        (0, "深化友好城市", 1, 2, {"red": 1}, 1),
        (1, "拓展友城网络", 1, 2, {"red": 1}, 1),
        (2, "新缔结友好城", 1, 1, {}, 0),
        (2, "举办友城论坛", 0, 1, {"red": 1}, 0),
        (2, "研究友城工作", 0, 0, {}, 1),
        (0, "服务对外开放", 0, 1, expected_blue, 0),
        (1, "走访重点外资", 0, 1, expected_blue, 0),
    ]
    assert (total.done, total.total, total.percent) == (1, 3, 33)
    assert rows[3].colour_word() == ("红色警告", "bi-exclamation-octagon-fill")


def test_each_key_points_event_reads_as_a_chinese_sentence(cast, units, tracker):
    from django.utils import translation

    from waishi.audit.messages import FIELDS, describe

    actor = cast["fao_head"]
    services.keypoints_import(actor=actor, upload=outline_docx(), year=YEAR, name="要点.docx")
    plan = services.keypoints_plan_create(actor=actor, year=YEAR + 1, title="2028年要点")
    area = services.keypoint_add(
        actor=actor, plan=plan, title="交往", lead_unit=units["fao"], supporting_units=[]
    )
    services.keypoint_update(actor=actor, point=area, title="对外交往", lead_unit=units["fao"])
    services.keypoint_delete(actor=actor, point=area)

    events = AuditEvent.objects.filter(action__startswith="committee.keypoint").order_by("pk")
    with translation.override("zh-hans"):
        sentences = [describe(e) for e in events]
    assert [s.split("（")[0] for s in sentences] == ["fao_head"] * 5
    assert sentences[0].endswith(
        "从要点.docx导入了年度工作要点2027年市委外事工作要点：领域2个、工作要点2项、具体任务3项，"
        "立项督办事项3项"
    )
    assert sentences[1].endswith("新建了年度工作要点2028年要点")
    assert sentences[2].endswith("添加了工作要点事项交往")
    assert sentences[3].endswith("修改了工作要点事项对外交往")
    assert sentences[4].endswith("删除了工作要点事项对外交往")
    for event in events:
        for key in {**(event.before or {}), **(event.after or {})}:
            assert (event.object_type, key) in FIELDS, (event.action, key)


def test_a_deadline_already_past_is_a_problem_before_anything_is_made(cast, units, tracker):
    import time_machine

    with time_machine.travel(dt.datetime(2027, 7, 15, 9, tzinfo=dt.UTC), tick=False):
        preview = services.keypoints_preview(
            actor=cast["fao_reviewer"], upload=outline_docx(), year=YEAR
        )
    assert [(p.place, p.message) for p in preview.problems] == [
        (
            "第4段",
            "完成时限2027-06-30已过，请在文件中改正；或删去牵头单位，只保留该事项而不立项督办。",
        )
    ]


def test_the_tree_is_read_in_a_fixed_number_of_queries(
    cast, units, tracker, django_assert_max_num_queries
):
    actor = cast["fao_reviewer"]
    plan = services.keypoints_plan_create(actor=actor, year=YEAR, title="要点")
    for a in range(3):
        area = services.keypoint_add(actor=actor, plan=plan, title=f"领域{a}")
        for p in range(3):
            point = services.keypoint_add(actor=actor, plan=plan, parent=area, title=f"要点{p}")
            for t in range(3):
                leaf = services.keypoint_add(
                    actor=actor,
                    plan=plan,
                    parent=point,
                    title=f"任务{t}",
                    lead_unit=units["commerce"],
                    supporting_units=[units["culture"]],
                )
                if t:
                    services.keypoint_to_task(actor=actor, point=leaf)
    with django_assert_max_num_queries(3):  # the nodes with their tasks, their supporters
        rows, total = selectors.plan_tree(plan)
    assert len(rows) == 39 and (total.total, total.untracked) == (18, 9)
