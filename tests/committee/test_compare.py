"""Two .docx versions compared paragraph by paragraph: real Word files built here with
python-docx, the rows read in words (not only colour) on the page."""

from __future__ import annotations

import pytest

from tests.committee.conftest import docx_bytes, docx_upload, hold
from waishi.audit.models import AuditEvent
from waishi.committee import compare, services

pytestmark = pytest.mark.django_db

OLD = [
    "第一条 总体要求。",
    "第二条 加强与友好城市的交流。",
    "第三条 每年互访一次。",
    "第四条 附则。",
]
NEW = [
    "第一条 总体要求。",
    "第二条 加强与友好城市的务实交流。",
    "第三条 设立专项资金。",
    "第四条 附则。",
    "第五条 本方案自印发之日起施行。",
]


def test_paragraphs_are_read_from_a_real_word_file():
    assert compare.paragraphs(docx_bytes(*OLD)) == OLD


def test_changed_added_removed_and_kept_paragraphs():
    rows = compare.compare_files(docx_bytes(*OLD), docx_bytes(*NEW))
    assert [r.status for r in rows] == ["same", "changed", "removed", "added", "same", "added"]
    changed = rows[1]
    assert [p.text for p in changed.pieces if p.kind == "inserted"] == ["务实"]
    assert not [p for p in changed.pieces if p.kind == "deleted"]
    assert (rows[2].old, rows[3].new) == (OLD[2], NEW[2])
    assert rows[-1].new == NEW[-1] and rows[-1].new_no == 5
    assert compare.summary(rows) == {"same": 2, "changed": 1, "added": 2, "removed": 1}


def test_a_deletion_inside_a_paragraph_is_marked():
    (row,) = compare.compare(["会议原则同意该方案。"], ["会议同意该方案。"])
    assert row.status == "changed"
    assert [p.text for p in row.pieces if p.kind == "deleted"] == ["原则"]


def test_a_file_that_is_not_word_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        compare.paragraphs(b"%PDF-1.4 not a docx")


def test_the_page_says_what_changed_in_words(cast, office, meeting, item, as_user):
    document = services.document_add(
        actor=cast["unit_clerk"], item=item, title="实施方案", file=docx_upload(*OLD)
    )
    hold(office, meeting)
    services.version_upload(
        actor=cast["unit_clerk"],
        document=document,
        file=docx_upload(*NEW),
        reason="按照会议研究意见修改完善",
    )
    first, second = document.versions.order_by("number")
    before = AuditEvent.objects.filter(action="committee.version.download").count()
    page = as_user("unit_clerk").get(
        f"/committee/documents/{document.pk}/compare/", {"old": first.pk, "new": second.pk}
    )
    html = page.content.decode()
    assert page.status_code == 200
    for word in ("已变更", "新增", "删除", "未变"):
        assert f'<th scope="row" class="text-nowrap">{word}</th>' in html
    assert "<ins>" in html and "务实" in html and "<del>" not in html.split("务实")[0][-200:]
    # Reading both versions to compare them is recorded as reading them.
    assert AuditEvent.objects.filter(action="committee.version.download").count() == before + 2
