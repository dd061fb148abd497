"""The key points pages: the office uploads an outline, reads the preview (the tree, its
problems), confirms, and finds the tree with each node's progress; typed entry; who may
see and do what."""

from __future__ import annotations

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.committee import test_keypoints as base
from tests.leaks import find_leaks, visible_lines
from waishi.committee import keypoint_services as services
from waishi.committee.keypoint_models import KeyPoint, KeyPointPlan
from waishi.followups.models import Outcome

pytestmark = pytest.mark.urls("tests.committee.test_keypoints")
YEAR = 2027
# The fixtures of the services' tests.
units = base.units
tracker = base.tracker
outline_docx = base.outline_docx


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    text = response.content.decode()
    # The page's own part (the navigation around it is the shell's).
    main = lxml.html.tostring(lxml.html.document_fromstring(text).get_element_by_id("main"))
    lines = visible_lines(main.decode())
    assert [leak for line in lines for leak in find_leaks(line, chinese=True)] == []
    return text


def upload(data: bytes, name: str = "2027年工作要点.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_office_imports_an_outline_through_the_preview(as_user, units, tracker):
    client = as_user("fao_reviewer")
    assert "导入年度工作要点" in page(client.get(reverse("committee:keypoint-import")))

    preview = client.post(
        reverse("committee:keypoint-import"), {"year": YEAR, "file": upload(outline_docx())}
    )
    text = page(preview)
    assert "领域2个、工作要点2项、具体任务3项；将立项督办事项3项。" in text
    assert "新缔结友好城市2对" in text and "李局长" in text and "（年底）" in text
    assert not KeyPointPlan.objects.exists()  # nothing yet
    token = preview.context["form"]["token"].value()

    done = client.post(
        reverse("committee:keypoint-import-confirm"), {"token": token, "assign": "on"}
    )
    plan = KeyPointPlan.objects.get(year=YEAR)
    assert done.status_code == 302
    assert done["Location"] == reverse("committee:keypoint-plan", kwargs={"kplan_pk": plan.pk})
    assert plan.points.count() == 7 and Outcome.objects.count() == 3
    assert all(call["assign"] for call in tracker.calls)

    Outcome.objects.filter(title__startswith="举办").update(state="overdue")
    tree = page(client.get(done["Location"]))
    assert "年度工作要点已导入。" in tree
    assert "已办结0项，共2项" in tree  # the area, and its key point
    assert "红色警告" in tree and "bi-exclamation-octagon-fill" in tree  # word and icon
    assert "1项尚未立项督办" in tree

    # The file kept between the two steps is gone; the same token does nothing twice.
    again = client.post(reverse("committee:keypoint-import-confirm"), {"token": token})
    assert again["Location"] == reverse("committee:keypoint-import")
    assert KeyPointPlan.objects.count() == 1


def test_a_preview_with_problems_lists_them_and_offers_no_import(as_user, units, tracker):
    client = as_user("fao_head")
    data = outline_docx("（二）没有这个单位（牵头单位：市宇航局）")
    text = page(
        client.post(reverse("committee:keypoint-import"), {"year": YEAR, "file": upload(data)})
    )
    assert "请在文件中改正以下问题，改正前不会导入任何内容：" in text
    assert "第9段：单位“市宇航局”不存在，请按系统中保存的单位名称填写。" in text
    assert reverse("committee:keypoint-import-confirm") not in text
    assert "上传改正后的文件" in text


def test_a_file_that_is_no_outline_is_said_on_the_form(as_user, units):
    client = as_user("fao_reviewer")
    text = page(
        client.post(
            reverse("committee:keypoint-import"),
            {"year": YEAR, "file": upload(b"PK\x03\x04broken", "x.docx")},
        )
    )
    assert "该文件既不是Word文档（.docx），也不是Excel工作簿（.xlsx）。" in text


def test_the_office_types_the_key_points_in(as_user, units, tracker):
    client = as_user("fao_reviewer")
    made = client.post(
        reverse("committee:keypoint-plan-create"), {"year": YEAR, "title": "2027年工作要点"}
    )
    plan = KeyPointPlan.objects.get()
    assert made["Location"] == reverse("committee:keypoint-plan", kwargs={"kplan_pk": plan.pk})
    add = reverse("committee:keypoint-add", kwargs={"kplan_pk": plan.pk})
    assert "— 无：新增领域 —" in page(client.get(add))
    client.post(add, {"title": "对外交往"})
    area = KeyPoint.objects.get(title="对外交往")
    assert f'value="{area.pk}" selected' in page(client.get(f"{add}?parent={area.pk}"))
    client.post(add, {"parent": area.pk, "title": "友城"})
    point = KeyPoint.objects.get(title="友城")
    response = client.post(
        add,
        {
            "parent": point.pk,
            "title": "新结友城",
            "due_date": "2027-10-31",
            "lead_unit": units["fao"].pk,
            "supporting_units": "市文旅局、市商务局",
        },
    )
    task = KeyPoint.objects.get(title="新结友城")
    assert response["Location"].endswith(f"#kp-{task.pk}")
    assert list(task.supporting_units.order_by("pk")) == [units["commerce"], units["culture"]]

    bad = client.post(add, {"parent": point.pk, "title": "x", "supporting_units": "市宇航局"})
    assert "不存在名为“市宇航局”的单位。" in page(bad)

    edit = reverse("committee:keypoint-edit", kwargs={"keypoint_pk": task.pk})
    assert "市文旅局" in page(client.get(edit)) or "市文化和旅游局" in page(client.get(edit))
    client.post(
        edit,
        {
            "title": "新缔结友城",
            "due_date": "2027-11-30",
            "lead_unit": units["fao"].pk,
            "supporting_units": "市文化和旅游局",
        },
    )
    task.refresh_from_db()
    assert (task.title, str(task.due_date)) == ("新缔结友城", "2027-11-30")

    client.post(reverse("committee:keypoint-task", kwargs={"keypoint_pk": task.pk}))
    task.refresh_from_db()
    assert task.task is not None and tracker.calls[-1]["due_date"].isoformat() == "2027-11-30"
    tree = page(client.get(reverse("committee:keypoint-plan", kwargs={"kplan_pk": plan.pk})))
    assert "已办结0项，共1项" in tree

    refused = client.post(reverse("committee:keypoint-delete", kwargs={"keypoint_pk": task.pk}))
    assert KeyPoint.objects.filter(pk=task.pk).exists()
    assert "此项已是督办事项，请改为撤销该督办事项。" in page(client.get(refused["Location"]))


def _urls(plan, point) -> dict[str, str]:
    return {
        "list": reverse("committee:keypoints"),
        "plan": reverse("committee:keypoint-plan", kwargs={"kplan_pk": plan.pk}),
        "create": reverse("committee:keypoint-plan-create"),
        "import": reverse("committee:keypoint-import"),
        "confirm": reverse("committee:keypoint-import-confirm"),
        "add": reverse("committee:keypoint-add", kwargs={"kplan_pk": plan.pk}),
        "edit": reverse("committee:keypoint-edit", kwargs={"keypoint_pk": point.pk}),
        "task": reverse("committee:keypoint-task", kwargs={"keypoint_pk": point.pk}),
        "delete": reverse("committee:keypoint-delete", kwargs={"keypoint_pk": point.pk}),
    }


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        ("fao_reviewer", True),
        ("committee", True),
        ("auditor", True),
        ("unit_clerk", False),
        ("unit_leader", False),
        ("district_officer", False),
        ("sys_admin", False),
    ],
)
def test_who_sees_and_who_keeps_the_key_points(as_user, cast, units, role, reads):
    plan = services.keypoints_plan_create(actor=cast["fao_head"], year=YEAR, title="要点")
    point = services.keypoint_add(actor=cast["fao_head"], plan=plan, title="对外交往")
    urls = _urls(plan, point)
    client = as_user(role)
    keeps = role == "fao_reviewer"
    for name in ("list", "plan"):
        assert client.get(urls[name]).status_code == (200 if reads else 403), (role, name)
    for name in ("create", "import", "add", "edit"):
        assert client.get(urls[name]).status_code == (200 if keeps else 403), (role, name)
    for name in ("task", "delete", "confirm", "add", "edit", "create"):
        if not keeps:
            assert client.post(urls[name], {"title": "改"}).status_code == 403, (role, name)
    point.refresh_from_db()
    assert point.title == "对外交往"
    if reads and not keeps:
        text = page(client.get(urls["plan"]))
        assert urls["add"] not in text and urls["edit"] not in text


def test_a_visitor_is_sent_to_log_in(client, cast, units):
    plan = services.keypoints_plan_create(actor=cast["fao_head"], year=YEAR, title="要点")
    point = services.keypoint_add(actor=cast["fao_head"], plan=plan, title="对外交往")
    for url in _urls(plan, point).values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_names_each_year(as_user, cast, units, tracker):
    services.keypoints_import(
        actor=cast["fao_head"], upload=outline_docx(), year=YEAR, name="要点.docx"
    )
    services.keypoints_plan_create(actor=cast["fao_head"], year=YEAR + 1, title="2028年要点")
    text = page(as_user("committee").get(reverse("committee:keypoints")))
    assert text.index("2028年要点") < text.index("2027年市委外事工作要点")
    assert "要点.docx" in text and "手工录入" in text


def test_an_outline_checked_but_never_confirmed_is_swept_after_a_day(as_user, units, settings):
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from waishi.committee.keypoint_views import PENDING_DIR

    stale = default_storage.save(f"{PENDING_DIR}/old", ContentFile(b"x"))
    fresh = default_storage.save(f"{PENDING_DIR}/new", ContentFile(b"y"))
    day_ago = time.time() - 25 * 3600
    os.utime(default_storage.path(stale), (day_ago, day_ago))

    client = as_user("fao_reviewer")
    page(
        client.post(
            reverse("committee:keypoint-import"), {"year": YEAR, "file": upload(outline_docx())}
        )
    )
    assert not default_storage.exists(stale)
    assert default_storage.exists(fresh)
