"""Word documents from the repo's templates, read back with python-docx."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from waishi.lib import documents

TEMPLATES = Path(__file__).resolve().parents[2] / "waishi" / "missions" / "documents"

VALUES = {
    "number": "外办出〔2026〕12号",
    "title": "赴德国法国友好城市交流",
    "unit": "海滨市商务局",
    "leader": "张三",
    "size": 2,
    "category": "一般团组",
    "countries": "德国、法国",
    "departure": "2026-05-10",
    "return_date": "2026-05-17",
    "days": 8,
    "inviter": "Stadt München",
    "tasks": "洽谈友好城市交流项目",
    "in_plan": "是",
    "funding": "部门预算",
    "budget": "人民币 120,000 元",
    "check": "符合规定",
    "generated": "2026-03-02 10:00",
}
MEMBERS = [
    {
        "no": 1,
        "name": "张三",
        "unit": "海滨市商务局",
        "post": "局长",
        "rank": "厅局级",
        "task": "带队",
    },
    {"no": 2, "name": "李四", "unit": "海滨市商务局", "post": "科员", "rank": "", "task": "翻译"},
]


def render_form(**rows):
    base = {"members": MEMBERS, "stops": [], "steps": []}
    return documents.render(TEMPLATES / "approval_form.docx", VALUES, base | rows)


def test_the_approval_form_is_filled_and_rows_repeat():
    data = render_form()
    document = Document(io.BytesIO(data))
    text = documents.text_of(data)
    assert "因公临时出国任务和预算审批意见表" in text
    assert "外办出〔2026〕12号" in text
    assert "2026-05-10 至 2026-05-17（在外8天）" in text
    assert "{{" not in text and "}}" not in text
    members = document.tables[1]
    assert [row.cells[1].text for row in members.rows] == ["姓名", "张三", "李四"]
    assert members.rows[2].cells[4].text == "—"  # an empty value is a dash, not a blank


def test_no_rows_leave_one_row_with_a_dash():
    document = Document(io.BytesIO(render_form(stops=[])))
    stops = document.tables[2]
    assert len(stops.rows) == 2
    assert stops.rows[1].cells[0].text == "—"


def test_a_missing_value_is_an_error_not_a_blank():
    values = dict(VALUES)
    del values["inviter"]
    with pytest.raises(documents.MissingValue):
        documents.render(
            TEMPLATES / "approval_form.docx", values, {"members": [], "stops": [], "steps": []}
        )
    with pytest.raises(documents.MissingValue):
        documents.render(TEMPLATES / "approval_form.docx", VALUES, {"members": []})


def test_a_placeholder_split_over_runs_is_still_found(tmp_path):
    document = Document()
    paragraph = document.add_paragraph()
    for part in ("编号：{", "{ num", "ber }", "}"):
        paragraph.add_run(part)
    path = tmp_path / "split.docx"
    document.save(path)
    assert "编号：A-1" in documents.text_of(documents.render(path, {"number": "A-1"}))


@pytest.mark.parametrize("name", ["approval_form", "approval_notice", "publicity"])
def test_every_template_names_only_known_placeholders(name):
    """Each shipped template opens and fills when every name it uses is given."""
    text = documents.text_of((TEMPLATES / f"{name}.docx").read_bytes())
    names = set(documents.PLACEHOLDER.findall(text))
    rows = {marker: [] for marker in ("members", "stops", "steps", "days")}
    filled = documents.render(TEMPLATES / f"{name}.docx", {n: "x" for n in names}, rows)
    assert "{{" not in documents.text_of(filled)
    assert names  # a template without placeholders would be a mistake
