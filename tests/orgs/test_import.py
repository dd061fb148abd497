"""Excel import of people: every row right -> all imported; any row wrong -> none."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from tests.factories import UnitFactory, make_id_number
from tests.xlsx_check import count_reads
from waishi.audit.models import AuditEvent
from waishi.lib import crypto, xlsx_stream
from waishi.orgs import import_views, importer
from waishi.orgs.models import Person, Rank

HEADER = ["姓名", "身份证号", "单位", "职务", "职级", "中共党员", "领导班子成员", "市领导"]
HEADER += ["经贸科技人员", "已退休", "电话"]
IMPORT_URL = "/orgs/people/import/"
TEMPLATE_URL = "/orgs/people/import/template.xlsx"


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English; pages follow the user's language regardless."""
    with translation.override("en"):
        yield


def ids(*seeds: int) -> list[str]:
    numbers = [make_id_number(seed) for seed in seeds]
    assert len(set(numbers)) == len(numbers), "pick other seeds: these numbers collide"
    return numbers


def xlsx(rows: list[list], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER if header is None else header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def person(name="李四", id_number="", unit="U-HOME", rank="县处级", **more) -> list:
    flags = [more.get(k, "") for k in ("party", "leader", "city", "econ", "retired")]
    return [name, id_number, unit, more.get("post", "处长"), rank, *flags, more.get("phone", "")]


def upload(data: bytes, name: str = "people.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=importer.XLSX_CONTENT_TYPE)


def errors_at(report) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in report.row_errors}


def audit_count(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- a good file ---------------------------------------------------------------------------


def test_good_file_imports_every_row(cast):
    one, two = ids(11, 12)
    data = xlsx(
        [
            person("王小红", one, "U-HOME", "县处级", party="是", leader="Y", phone=13800138000),
            person("赵六", two, "市教育局", "乡科级及以下", retired="1"),
            person("钱七", "", "商务局", "", city="true"),
        ]
    )
    report = importer.import_upload(actor=cast["fao_reviewer"], upload=upload(data), ip="10.0.0.1")

    assert report.ok, report.row_errors or report.file_errors
    assert report.created == 3
    red = Person.objects.get(name="王小红")
    assert (red.name_initials, red.name_pinyin) == ("wxh", "wangxiaohong")
    assert red.unit.code == "U-HOME"
    assert red.rank == Rank.COUNTY_DIVISION
    assert red.is_party_member and red.is_unit_leadership and not red.is_retired
    assert red.phone == "13800138000"
    # Encrypted at rest, findable by the blind index, clear only through decryption.
    assert one not in red.id_number_enc
    assert red.reveal_id_number() == one
    assert Person.objects.with_id_number(one).get() == red
    assert crypto.decrypt(red.id_number_enc, associated=Person.ID_AAD) == one
    six = Person.objects.get(name="赵六")
    assert (six.unit.code, six.rank, six.is_retired) == ("U-FOREIGN", Rank.SECTION_BELOW, True)
    seven = Person.objects.get(name="钱七")
    assert (seven.rank, seven.is_city_leader, seven.has_id_number) == (Rank.NONE, True, False)

    assert audit_count("orgs.person.create") == 3
    event = AuditEvent.objects.get(action="orgs.person.import")
    assert event.data == {"file": "people.xlsx", "count": 3}
    assert event.ip == "10.0.0.1"
    created = AuditEvent.objects.filter(action="orgs.person.create", object_id=str(red.pk)).get()
    assert created.after["id_number"] == "3701**********" + one[-4:]
    assert one not in str(created.after)


def test_english_headers_empty_rows_and_codes_are_accepted(cast):
    header = ["Name", "ID number", "Unit", "Post", "Rank", "Party member", "Retired"]
    data = xlsx(
        [
            ["A Li", "", "u-home", "", "county_division", "no", "N"],
            [None, None, None],
            ["  ", None, ""],
            ["孙八", "", "市商务局", "", "无", "是", "否"],
        ],
        header=header,
    )
    report = importer.import_upload(actor=cast["fao_head"], upload=upload(data))
    assert report.ok, report.row_errors or report.file_errors
    assert report.created == 2
    assert Person.objects.get(name="孙八").is_party_member


def test_view_imports_and_redirects_with_a_message(as_user, cast):
    data = xlsx([person("周九", make_id_number(21)), person("吴十", "")])
    client = as_user("fao_reviewer")
    response = client.post(IMPORT_URL, {"file": upload(data)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("orgs:person-list")
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and "2" in shown[0]
    assert Person.objects.filter(name__in=["周九", "吴十"]).count() == 2


def test_htmx_import_answers_with_hx_redirect(as_user):
    data = xlsx([person("郑一", "")])
    response = as_user("fao_reviewer").post(
        IMPORT_URL, {"file": upload(data)}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("orgs:person-list")
    assert Person.objects.filter(name="郑一").exists()


def test_form_page_has_instructions_template_link_and_busy_button(as_user):
    response = as_user("unit_clerk").get(IMPORT_URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert TEMPLATE_URL in body
    assert 'enctype="multipart/form-data"' in body
    assert 'hx-indicator="#import-submit"' in body and 'hx-disabled-elt="#import-submit"' in body
    assert "import-busy" in body
    assert "<script>" not in body and 'style="' not in body


# --- a bad row among good ones -------------------------------------------------------------

GOOD_A, GOOD_B, TWIN, BAD = ids(31, 32, 33, 34)
BAD = BAD[:-1] + ("0" if BAD[-1] != "0" else "1")

BAD_ROWS = {
    "bad check digit": (person("错号", BAD), "身份证号"),
    "unknown unit": (person("无单位", "", "不存在的局"), "单位"),
    "missing unit": (person("空单位", "", ""), "单位"),
    "missing name": (person("", ""), "姓名"),
    "bad rank": (person("错职级", "", rank="处长"), "职级"),
    "bad yes/no": (person("错是否", "", party="也许"), "中共党员"),
    "name too long": (person("长" * 51, ""), "姓名"),
    "ID number typed as a number": (person("浮点", 3.70102198001011e17), "身份证号"),
    "template sample row": (person("王小明", importer.sample_id_number()), "姓名"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_one_bad_row_imports_nothing(cast, case):
    bad_row, column = BAD_ROWS[case]
    data = xlsx([person("好甲", GOOD_A), bad_row, person("好乙", GOOD_B)])
    before = Person.objects.count()

    report = importer.import_upload(actor=cast["fao_reviewer"], upload=upload(data))

    assert not report.ok and report.created == 0 and report.rows == []
    assert (3, column) in errors_at(report), report.row_errors
    assert {e.row for e in report.row_errors} == {3}
    assert Person.objects.count() == before
    assert audit_count("orgs.person.create") == audit_count("orgs.person.import") == 0


def test_duplicates_in_the_file_and_in_the_database(cast, home_person):
    existing = home_person.reveal_id_number()
    data = xlsx(
        [
            person("甲", TWIN),
            person("乙", GOOD_A),
            person("丙", TWIN.lower()),  # the same number, differently written
            person("丁", existing),
        ]
    )
    report = importer.import_upload(actor=cast["fao_reviewer"], upload=upload(data))
    assert errors_at(report) == {(4, "身份证号"), (5, "身份证号")}
    twin = next(e for e in report.row_errors if e.row == 4)
    assert "2" in twin.message  # names the first row holding it
    assert Person.objects.count() == 1


def test_every_kind_of_error_is_reported_at_once(cast, home_person):
    rows = [person("好甲", GOOD_A)] + [row for row, _column in BAD_ROWS.values()]
    rows.append(person("重复", GOOD_A))
    rows.append(person("已有", home_person.reveal_id_number()))
    data = xlsx(rows)
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=upload(data))
    expected = {(n, column) for n, (_row, column) in enumerate(BAD_ROWS.values(), start=3)}
    last = 3 + len(BAD_ROWS)
    expected |= {(last, "身份证号"), (last + 1, "身份证号")}
    assert errors_at(report) == expected
    assert report.rows == []


def test_error_page_lists_rows_with_masked_id_numbers(as_user, home_person):
    clear = BAD
    data = xlsx([person("好甲", GOOD_A), person("错号", clear), person("", "", "不存在的局")])
    response = as_user("fao_reviewer").post(IMPORT_URL, {"file": upload(data)})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="import-error-table"' in body
    assert clear not in body and GOOD_A not in body
    assert clear[:4] + "**********" + clear[-4:] in body
    assert "不存在的局" in body
    report = response.context["report"]
    # By row, and within a row in the order of the file's columns.
    assert [(e.row, e.column) for e in report.row_errors] == [
        (3, "身份证号"),
        (4, "姓名"),
        (4, "单位"),
    ]
    assert Person.objects.count() == 1


def test_htmx_error_answer_is_the_fragment(as_user):
    data = xlsx([person("", "")])
    response = as_user("fao_reviewer").post(
        IMPORT_URL, {"file": upload(data)}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="person-import"' in body and "import-error-table" in body


# --- files that are not what they claim ----------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


NOT_XLSX = {
    "text renamed .xlsx": ("people.xlsx", "姓名,单位\n张三,U-HOME\n".encode()),
    "csv": ("people.csv", "姓名,单位\n张三,U-HOME\n".encode("gbk")),
    "old xls": ("people.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
    "empty": ("people.xlsx", b""),
    "a zip that is no workbook": ("people.xlsx", _zip({"readme.txt": b"hello"})),
    "a docx": ("people.xlsx", _zip({"[Content_Types].xml": b"<Types/>", "word/x.xml": b"<a/>"})),
    "truncated xlsx": ("people.xlsx", xlsx([person("张三", "")])[:700]),
}


@pytest.mark.parametrize("case", sorted(NOT_XLSX))
def test_a_file_that_is_no_xlsx_gets_a_clear_error(as_user, case):
    name, data = NOT_XLSX[case]
    response = as_user("fao_reviewer").post(IMPORT_URL, {"file": upload(data, name)})
    assert response.status_code == 200
    report = response.context["report"] or None
    if case == "empty":  # Django's own form refuses an empty upload before the importer
        assert response.context["form"].errors
        assert report is None
    else:
        assert len(report.file_errors) == 1 and not report.row_errors
        assert ".xls" in report.file_errors[0]
    assert "Traceback" not in response.content.decode()
    assert Person.objects.count() == 0


def test_empty_bytes_are_refused_by_the_importer_itself(cast):
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=b"")
    assert report.file_errors and not report.ok


def test_unknown_and_missing_headers_are_named(cast):
    data = xlsx([["张三", "处长", "x"]], header=["名字", "职务", "备注"])
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=data)
    (message,) = report.file_errors
    for word in ("名字", "备注", "姓名", "单位"):
        assert word in message


def test_a_header_only_file_has_nothing_to_import(cast):
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=xlsx([]))
    assert report.file_errors and not report.rows


def test_a_value_under_no_header_is_an_error(cast):
    data = xlsx([["张三", "U-HOME", None, "备注"]], header=["姓名", "单位"])
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=data)
    assert errors_at(report) == {(2, "D")}


def test_too_large_a_file_is_refused(cast, settings):
    data = xlsx([person("张三", "")])
    settings.IMPORT_MAX_BYTES = len(data) - 1
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=data)
    assert report.file_errors and not report.rows
    settings.IMPORT_MAX_BYTES = len(data)
    assert importer.check_upload(actor=cast["fao_reviewer"], upload=data).ok


def test_too_many_rows_are_refused_and_empty_rows_do_not_count(cast, settings):
    settings.IMPORT_MAX_ROWS = 3
    three = [person(f"人{i}", "") for i in "一二三"]
    with_gaps = [three[0], [None] * 3, three[1], [], three[2]]
    assert importer.import_upload(actor=cast["fao_reviewer"], upload=xlsx(with_gaps)).created == 3
    four = [*three, person("人四", "")]
    report = importer.import_upload(actor=cast["fao_reviewer"], upload=xlsx(four))
    assert report.file_errors and "3" in report.file_errors[0]
    assert Person.objects.count() == 3


def test_excel_row_numbers_count_the_empty_rows(cast):
    data = xlsx([person("好", ""), [], [], person("", "")])
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=data)
    assert errors_at(report) == {(5, "姓名")}


def test_rows_beyond_a_wrong_stored_dimension_are_read(cast):
    """Some programs write a <dimension> smaller than the data; no row may be lost."""
    data = xlsx([person("一", ""), person("", "")])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<dimension ref="A1:K3"', b'<dimension ref="A1:K2"')
                assert b'ref="A1:K2"' in content
            target.writestr(info, content)
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=buffer.getvalue())
    assert errors_at(report) == {(3, "姓名")}


def test_a_zip_bomb_is_refused_before_parsing(cast):
    big = b"<row/>" * 5_000_000  # 30 MB that compresses to almost nothing
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", big)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=data)
    assert report.file_errors and "unpacks" in report.file_errors[0]


# --- who may import what -------------------------------------------------------------------


def test_unit_clerk_imports_into_their_own_unit_only(cast):
    data = xlsx([person("本单位", "", "U-HOME"), person("外单位", "", "U-FOREIGN")])
    report = importer.import_upload(actor=cast["unit_clerk"], upload=upload(data))
    assert errors_at(report) == {(3, "单位")}
    assert Person.objects.count() == 0
    data = xlsx([person("本单位", "", "U-HOME"), person("本单位二", "", "市商务局")])
    assert importer.import_upload(actor=cast["unit_clerk"], upload=upload(data)).created == 2


def test_outsider_cannot_import_into_the_home_unit(as_user):
    data = xlsx([person("混入者", "", "U-HOME")])
    response = as_user("outsider").post(IMPORT_URL, {"file": upload(data)})
    assert response.status_code == 200
    assert errors_at(response.context["report"]) == {(2, "单位")}
    assert not Person.objects.filter(name="混入者").exists()


def test_inactive_and_ambiguous_units_are_row_errors(cast):
    UnitFactory(code="OLD", name="旧单位", is_active=False)
    UnitFactory(code="S1", name="第一同名单位", short_name="同名")
    UnitFactory(code="S2", name="第二同名单位", short_name="同名")
    data = xlsx([person("甲", "", "OLD"), person("乙", "", "同名"), person("丙", "", "S2")])
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=data)
    assert errors_at(report) == {(2, "单位"), (3, "单位")}


@pytest.mark.parametrize("role", ["unit_leader", "auditor", "committee", "sys_admin"])
def test_without_permission_both_pages_are_forbidden(as_user, role):
    client = as_user(role)
    data = xlsx([person("不该有", "")])
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": upload(data)}).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    assert Person.objects.count() == 0


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_service_refuses_without_permission(cast):
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=xlsx([person("甲", "")]))
    assert report.ok
    with pytest.raises(PermissionDenied):
        importer.services.people_import(actor=cast["auditor"], rows=report.rows, filename="x")


# --- the template --------------------------------------------------------------------------


def test_template_downloads_and_comes_back_filled(as_user, cast):
    client = as_user("unit_clerk")
    before = AuditEvent.objects.count()
    response = client.get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == importer.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.count() == before  # not an export: no personal data

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["人员", "说明"]
    sheet = workbook["人员"]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["C2"].value == "U-HOME"
    notes = " ".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row if c.value)
    assert "市商务局" in notes and "市教育局" not in notes  # the clerk's own unit only
    for header in HEADER:
        assert header in notes

    # Returned untouched, the invented sample is refused rather than imported.
    untouched = importer.check_upload(actor=cast["unit_clerk"], upload=response.content)
    assert errors_at(untouched) == {(2, "姓名")}

    sheet["A2"], sheet["B2"] = "陈一", make_id_number(41)
    sheet.append(["陈二", None, "商务局", "科员", "无", "否"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = importer.import_upload(actor=cast["unit_clerk"], upload=buffer.getvalue())
    assert report.ok, report.row_errors or report.file_errors
    assert report.created == 2


def test_fao_template_lists_every_active_unit(cast):
    UnitFactory(code="GONE", name="已撤销单位", is_active=False)
    data = import_views.template_workbook(actor=cast["fao_head"])
    notes = load_workbook(io.BytesIO(data), read_only=True)["说明"]
    text = " ".join(str(v) for row in notes.iter_rows(values_only=True) for v in row if v)
    assert all(name in text for name in ("市外办", "市商务局", "市教育局"))
    assert "已撤销单位" not in text


# --- garbage in, a report out --------------------------------------------------------------

GOOD_FILE = xlsx([person("张三", ""), person("李四", "", "U-FOREIGN")])
GOOD_MEMBERS = sorted(zipfile.ZipFile(io.BytesIO(GOOD_FILE)).namelist())
garbage = st.one_of(
    st.binary(max_size=2048),
    st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b),
    st.lists(
        st.tuples(st.integers(0, len(GOOD_FILE) - 1), st.integers(0, 255)), min_size=1, max_size=8
    ).map(lambda flips: _flip(GOOD_FILE, flips)),
    st.integers(1, len(GOOD_FILE) - 1).map(lambda n: GOOD_FILE[:n]),
    # A well-formed zip whose XML is damaged: gets past the zip layer into the parsers.
    st.tuples(
        st.sampled_from(GOOD_MEMBERS),
        st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=4)), min_size=1, max_size=6),
    ).map(lambda args: _damage_member(GOOD_FILE, *args)),
)


def _damage_member(data: bytes, member: str, edits: list[tuple[int, bytes]]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {name: source.read(name) for name in source.namelist()}
    content = bytearray(files[member])
    for position, replacement in edits:
        at = position % (len(content) + 1)
        content[at : at + len(replacement)] = replacement
    files[member] = bytes(content)
    return _zip(files)


def _flip(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    mutable = bytearray(data)
    for position, value in flips:
        mutable[position] = value
    return bytes(mutable)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=garbage)
def test_garbage_never_raises(cast, data):
    report = importer.check_upload(actor=cast["fao_reviewer"], upload=data)
    assert report.ok or report.file_errors or report.row_errors


def test_a_file_over_the_limit_is_refused_before_its_rows_are_read(cast, settings, monkeypatch):
    settings.IMPORT_MAX_ROWS = 50
    handle = io.BytesIO()
    with xlsx_stream.SheetWriter(handle, "人员") as sheet:
        sheet.append(HEADER)
        for n in range(2000):
            sheet.append(person(f"人{n}", ""))
    reads = count_reads(monkeypatch)
    report = importer.import_upload(actor=cast["fao_reviewer"], upload=upload(handle.getvalue()))
    assert report.file_errors == [
        "The file has more than 50 rows of people; split it into smaller files."
    ]
    assert reads["xml"] <= 1 + 51 and reads["openpyxl"] == 0
    assert reads["opened"] == 0  # openpyxl never opened the sheet
    assert Person.objects.count() == 0
