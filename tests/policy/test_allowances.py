"""The 附表2 allowance table imported from .xlsx: checked row by row, all or nothing,
audited, a new policy version that checks dated from then on use; the pages, the export
that doubles as the template, and who may do what."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from tests.policy.trips import trip
from waishi.api import services as api_services
from waishi.audit.models import AuditEvent
from waishi.audit.selectors import history
from waishi.lib.crypto import sm3
from waishi.orgs.importer import XLSX_CONTENT_TYPE
from waishi.policy import allowances, reference, selectors, services
from waishi.policy.models import PolicySet
from waishi.policy.run import judge

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
YESTERDAY = TODAY - timedelta(days=1)
HEADER = ["国家（地区）", "城市", "币种", "住宿费标准", "伙食费标准", "公杂费标准"]
ROWS = [
    ["日本", "东京", "JPY", 18000, 10000, 5000],
    ["JP", "大阪、京都", "JPY", 16000, 10000, 5000],
    ["日本", "其他", "JPY", 9000, 10000, 5000],
    ["韩国", "首尔、釜山、济州", "USD", 180, 70, 35],
    ["KR", "", "USD", 150, 70, 35],
    ["蒙古", None, "USD", 90, 50, 35],
    ["巴基斯坦", "伊斯兰堡", "USD", 135, 30, 30],
    ["阿联酋", "全境", "USD", 200, 50, 40],
    ["美国", "New York, 华盛顿", "USD", 300, 80, 40],
]
REASON = "依据财行〔2013〕516号附表2导入完整开支标准"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        yield


def xlsx(rows=ROWS, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def do_import(actor, data: bytes, **fields):
    values = {
        "upload": data,
        "filename": "附表2.xlsx",
        "effective_from": TODAY,
        "reason": REASON,
    } | fields
    return services.allowance_table_import(actor=actor, **values)


def budget_errors(result) -> list[dict]:
    return [f.data for f in result.findings if f.rule == "BUDGET_STANDARD"]


def nothing_written() -> None:
    assert PolicySet.objects.count() == 1
    assert PolicySet.objects.get().effective_to is None
    assert not AuditEvent.objects.filter(action="policy.allowance.import").exists()


# --- a valid import ---------------------------------------------------------------------------


def test_import_creates_a_version_used_from_its_date(cast):
    report = do_import(cast["fao_head"], xlsx())
    assert report.ok, (report.file_errors, report.row_errors)
    new = report.version
    old = PolicySet.objects.get(version="2026.1")
    assert (new.version, new.effective_from, new.effective_to) == ("2026.2", TODAY, None)
    assert old.effective_to == YESTERDAY and old.budget_rows is None
    assert new.parameters == old.parameters and new.citations == old.citations
    assert new.created_by == cast["fao_head"] and new.reason == REASON
    assert len(new.budget_rows) == len(ROWS)
    assert new.budget_rows[1] == {
        "country": "JP",
        "cities": ["大阪", "京都"],
        "currency": "JPY",
        "lodging": 16000,
        "meals": 10000,
        "incidentals": 5000,
    }
    assert new.budget_rows[2]["cities"] is None and new.budget_rows[4]["cities"] is None
    assert new.budget_rows[8]["cities"] == ["纽约", "华盛顿"]  # New York -> canonical name

    # Tokyo at 20,000 yen: within the shipped standard, above the imported one.
    now = judge(trip(), on=TODAY, lookup=selectors.policy_in_force_db)
    assert now.policy_version == "2026.2"
    [finding] = budget_errors(now)
    assert (finding["item"], finding["claimed"], finding["standard"]) == ("lodging", 20000, 18000)
    before = judge(trip(), on=YESTERDAY, lookup=selectors.policy_in_force_db)
    assert before.policy_version == "2026.1" and budget_errors(before) == []
    # The shipped table is unchanged for the database-free path.
    assert reference.budget_standard("JP", "东京").lodging == 20000


def test_the_api_judges_by_the_table_in_force_on_the_date(cast):
    do_import(cast["fao_head"], xlsx())
    cache.clear()  # throttle counters
    _token, raw = api_services.api_token_create(
        actor=cast["unit_clerk"], user=cast["unit_clerk"], name="t", days=30
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = json.dumps(trip(), ensure_ascii=False)
    url = reverse("api:policy-check")
    after = client.post(f"{url}?on={TODAY}", body, content_type="application/json").json()
    before = client.post(f"{url}?on={YESTERDAY}", body, content_type="application/json").json()
    assert after["policy"]["version"] == "2026.2" and after["verdict"] == "fail"
    assert [f["rule"] for f in after["findings"]] == ["BUDGET_STANDARD"]
    assert after["findings"][0]["data"]["standard"] == 18000
    assert list(after) == ["policy", "category", "days_abroad", "countries", "verdict", "findings"]
    assert before["policy"]["version"] == "2026.1" and before["verdict"] == "pass"


def test_audit_event(cast):
    data = xlsx()
    report = do_import(cast["fao_head"], data, ip="10.0.0.8")
    event = AuditEvent.objects.get(action="policy.allowance.import")
    assert event.actor_id == cast["fao_head"].pk and event.ip == "10.0.0.8"
    assert event.object_id == str(report.version.pk)
    assert event.data == {
        "rows": len(ROWS),
        "filename": "附表2.xlsx",
        "sm3": sm3(data),
        "version": "2026.2",
        "previous_version": "2026.1",
        "effective_from": TODAY.isoformat(),
        "reason": REASON,
        # Against the shipped rows: JP 东京, 大阪 and 京都 cheaper; US 纽约 and 华盛顿 new;
        # the other eight places as before.
        "added": 2,
        "changed": 3,
        "removed": 0,
    }
    [entry] = history(report.version)
    assert "附表2.xlsx" in entry.text and REASON in entry.text and "2026.2" in entry.text


def test_a_later_parameter_change_keeps_the_imported_table(cast):
    head = cast["fao_head"]
    do_import(head, xlsx())
    later = services.policy_parameter_change(
        actor=head,
        rule="GROUP_SIZE",
        values={"max": 5},
        effective_from=TODAY + timedelta(days=10),
        reason="从严",
    )
    assert later.budget_rows == PolicySet.objects.get(version="2026.2").budget_rows
    assert later.to_policy().budget.lookup("JP", "Tokyo").lodging == 18000


def test_built_tables_are_cached_per_version(cast):
    version = do_import(cast["fao_head"], xlsx()).version
    first = PolicySet.objects.get(pk=version.pk).to_policy().budget
    again = PolicySet.objects.get(pk=version.pk).to_policy().budget
    assert first is again and len(first) == len(ROWS)
    assert PolicySet.objects.get(version="2026.1").to_policy().budget is None
    # A row saved under the same key (a rolled-back test database reuses primary keys,
    # and the clock is frozen here) is not answered from the cache.
    PolicySet.objects.filter(pk=version.pk).delete()
    again = PolicySet.objects.get(version="2026.1")
    again.pk, again.version, again.effective_from = version.pk, "x", TODAY
    again.effective_to = None
    again.created_at = version.created_at
    again.save(force_insert=True)
    assert PolicySet.objects.get(pk=version.pk).to_policy().budget is None


def test_check_only_writes_nothing(cast):
    report = do_import(cast["fao_head"], xlsx(), check_only=True)
    assert report.ok and report.version is None and len(report.rows) == len(ROWS)
    assert report.changes == {"added": 2, "changed": 3, "removed": 0}
    nothing_written()


def test_english_headers_a_number_column_and_friendly_values(cast):
    header = ["No.", "Country", "City", "Currency", "Lodging", "Meals", "Incidentals"]
    rows = [
        [1, "Japan", "Tokyo", "日元", "18,000", 10000.0, " 5000 "],
        [2, "ae", "(all)", "美元", 200, 50, 40],
        [3, "中国香港", "香港", "HKD", 1200, 300, 200],
    ]
    report = allowances.check_upload(upload=xlsx(rows, header), filename="en.xlsx")
    assert report.ok, report.row_errors
    assert report.rows == [
        {"country": "JP", "cities": ["东京"], "currency": "JPY", "lodging": 18000}
        | {"meals": 10000, "incidentals": 5000},
        {"country": "AE", "cities": None, "currency": "USD", "lodging": 200}
        | {"meals": 50, "incidentals": 40},
        {"country": "HK", "cities": ["香港"], "currency": "HKD", "lodging": 1200}
        | {"meals": 300, "incidentals": 200},
    ]


def test_headers_with_units_in_brackets():
    header = ["国家(地区)", "城市", "币种", "住宿费标准（每人每天）", "伙食费标准", "公杂费标准"]
    assert allowances.check_upload(upload=xlsx(ROWS, header)).ok


# --- bad rows: each reported, nothing written ---------------------------------------------------

GOOD = ["日本", "东京", "JPY", 18000, 10000, 5000]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["", "名古屋", "JPY", 1, 1, 1], "国家（地区）", "Give the country or region."),
        (["扶桑", "名古屋", "JPY", 1, 1, 1], "国家（地区）", "Unknown country or region"),
        (["XX", "名古屋", "JPY", 1, 1, 1], "国家（地区）", "Unknown country or region"),
        (["日本", "名古屋", "usd", 1, 1, 1], "币种", "three capital letters"),
        (["日本", "名古屋", "US$", 1, 1, 1], "币种", "three capital letters"),
        (["日本", "名古屋", None, 1, 1, 1], "币种", "Give the currency."),
        (["日本", "名古屋", "JPY", -1, 1, 1], "住宿费标准", "whole number of at least 0"),
        (["日本", "名古屋", "JPY", 1, 2.5, 1], "伙食费标准", "whole number of at least 0"),
        (["日本", "名古屋", "JPY", 1, 1, "五千"], "公杂费标准", "whole number of at least 0"),
        (["日本", "名古屋", "JPY", 1, 1, "1,2"], "公杂费标准", "whole number of at least 0"),
        (["日本", "名古屋", "JPY", None, 1, 1], "住宿费标准", "Give the amount."),
        (["日本", "名古屋", "JPY", 10**12, 1, 1], "住宿费标准", "too large"),
        (["日本", "Tokyo", "JPY", 1, 1, 1], "城市", "JP 东京 is also in row 2."),
        (["日本", "大阪、大阪", "JPY", 1, 1, 1], "城市", "named twice"),
        (["日本", "大阪、其他", "JPY", 1, 1, 1], "城市", "every other city"),
        (["日本", "名古屋", "JPY", 1, 1, 1, "多余"], "G", "This column has no header."),
    ],
)
def test_each_bad_row_is_reported_and_nothing_written(cast, row, column, message):
    data = xlsx([GOOD, row])
    with translation.override("en"):
        report = do_import(cast["fao_head"], data)
    assert not report.ok and report.version is None and report.rows == []
    assert [(e.row, e.column) for e in report.row_errors] == [(3, column)]
    assert message in report.row_errors[0].message
    nothing_written()


def test_every_problem_of_every_row_is_listed_in_chinese(cast):
    rows = [
        ["日本", "东京", "JPY", 18000, 10000, 5000],
        ["日本", "", "JPY", 9000, 10000, 5000],
        ["日本", "全境", "usd", -5, 10000, 5000],
        [],
        ["火星", "", "JPY", 1, 1, 1],
    ]
    with translation.override("zh-hans"):
        report = do_import(cast["fao_head"], xlsx(rows))
    found = [(e.row, e.column, e.value) for e in report.row_errors]
    assert found == [
        (4, "城市", "全境"),  # JP's country row is row 3 already
        (4, "币种", "usd"),
        (4, "住宿费标准", "-5"),
        (6, "国家（地区）", "火星"),  # the empty row 5 is skipped, row numbers stay Excel's
    ]
    assert report.bad_row_count == 2
    assert "3" in report.row_errors[0].message
    nothing_written()


def zip_without_content_types() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"country,city\nJP,Tokyo\n", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Excel 97-2003"),
        (zip_without_content_types(), "not an Excel workbook"),
        (b"PK\x03\x04" + b"\0" * 100, "not an Excel workbook"),
        (xlsx([]), "no rows under the header"),
        (xlsx([], header=None), "column headers"),
        (xlsx([GOOD], header=[*HEADER[:3], "住宿费", "伙食费"]), "“公杂费标准” is missing"),
        (xlsx([GOOD], header=[*HEADER, "备注"]), "Unknown column “备注”"),
        (xlsx([GOOD], header=[*HEADER[:5], "住宿费"]), "appears twice"),
    ],
)
def test_files_that_cannot_be_read_are_refused(cast, data, message):
    with translation.override("en"):
        report = do_import(cast["fao_head"], data)
    assert not report.ok and report.row_errors == []
    assert message in " ".join(report.file_errors)
    nothing_written()


def test_size_and_row_caps(cast, settings, monkeypatch):
    monkeypatch.setattr(allowances, "MAX_ROWS", 3)
    with translation.override("en"):
        report = do_import(cast["fao_head"], xlsx(ROWS[:4]))
        assert "more than 3 rows" in report.file_errors[0]
        assert do_import(cast["fao_head"], xlsx(ROWS[:3]), check_only=True).ok
        settings.IMPORT_MAX_BYTES = 1024
        report = do_import(cast["fao_head"], xlsx(ROWS[:3]))
        assert "larger than" in report.file_errors[0]
    nothing_written()


def test_the_table_in_force_cannot_be_imported_again(cast):
    shipped = allowances.workbook(reference.SHIPPED_BUDGET)
    with translation.override("en"):
        report = do_import(cast["fao_head"], shipped)
    assert report.file_errors == ["This table is the one in force already."]
    nothing_written()


@pytest.mark.parametrize(
    ("start", "field"),
    [(YESTERDAY, "effective_from"), (date(2013, 1, 1), "effective_from"), (None, "effective_from")],
)
def test_dates_and_reason_are_checked(cast, start, field):
    with pytest.raises(ValidationError) as exc:
        do_import(cast["fao_head"], xlsx(), effective_from=start)
    assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        do_import(cast["fao_head"], xlsx(), reason="  ")
    assert "reason" in exc.value.message_dict
    nothing_written()


def test_a_second_import_from_the_same_day_is_refused(cast):
    do_import(cast["fao_head"], xlsx())
    with pytest.raises(ValidationError) as exc:
        do_import(cast["fao_head"], xlsx(ROWS[:3]))
    assert "effective_from" in exc.value.message_dict
    assert PolicySet.objects.count() == 2


# --- export ------------------------------------------------------------------------------------


def test_export_round_trips_through_import(cast, as_user):
    do_import(cast["fao_head"], xlsx())
    response = as_user("auditor").get(reverse("policy:allowance-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    data = response.content
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert list(rows[3]) == ["日本", "其他", "JPY", 9000, 10000, 5000]
    assert list(rows[8]) == ["阿拉伯联合酋长国", "全境", "USD", 200, 50, 40]
    again = allowances.check_upload(upload=data, filename="export.xlsx")
    assert again.ok and again.rows == PolicySet.objects.get(version="2026.2").budget_rows
    # The shipped table too (the template before any import).
    shipped = allowances.check_upload(upload=allowances.workbook(reference.SHIPPED_BUDGET))
    assert shipped.ok and shipped.rows == reference.SHIPPED_BUDGET.rows


def test_export_of_an_earlier_date(cast, as_user):
    do_import(cast["fao_head"], xlsx())
    url = reverse("policy:allowance-export")
    data = as_user("fao_reviewer").get(url, {"on": YESTERDAY.isoformat()}).content
    assert allowances.check_upload(upload=data).rows == reference.SHIPPED_BUDGET.rows


# --- pages --------------------------------------------------------------------------------------


def upload_page(client, data: bytes, **fields):
    form = {
        "file": _named(data),
        "effective_from": TODAY.isoformat(),
        "reason": REASON,
    } | fields
    return client.post(reverse("policy:allowance-import"), form)


def _named(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("附表2.xlsx", data, content_type=XLSX_CONTENT_TYPE)


def test_head_checks_then_confirms_on_the_page(as_user, cast):
    client = as_user("fao_head")
    assert client.get(reverse("policy:allowance-import")).status_code == 200
    checked = upload_page(client, xlsx())
    assert checked.status_code == 200
    pending = checked.context["pending"]
    assert pending and pending["rows"] == len(ROWS) and checked.context["report"].ok
    assert pending["sm3"] in checked.content.decode()
    nothing_written()  # the check wrote nothing

    wrong = client.post(reverse("policy:allowance-import"), {"confirm": "not-the-token"})
    assert wrong.status_code == 409
    nothing_written()

    done = client.post(reverse("policy:allowance-import"), {"confirm": pending["token"]})
    new = PolicySet.objects.get(version="2026.2")
    assert done.status_code == 302 and done.url == f"{reverse('policy:allowances')}?on={TODAY}"
    assert new.budget_rows[0]["lodging"] == 18000 and new.created_by == cast["fao_head"]
    event = AuditEvent.objects.get(action="policy.allowance.import")
    assert event.data["filename"] == "附表2.xlsx" and event.data["sm3"] == pending["sm3"]
    # The token is spent: a second confirmation imports nothing more.
    assert (
        client.post(reverse("policy:allowance-import"), {"confirm": pending["token"]}).status_code
        == 409
    )
    assert PolicySet.objects.count() == 2

    page = client.get(reverse("policy:allowances"))
    assert page.status_code == 200 and page.context["policy"].version == "2026.2"
    assert not page.context["shipped"]


def test_bad_file_on_the_page_lists_errors(as_user):
    client = as_user("fao_head")
    with translation.override("en"):
        response = upload_page(client, xlsx([GOOD, ["火星", "", "JPY", 1, 1, 1]]))
    assert response.status_code == 200 and response.context["pending"] is None
    text = response.content.decode()
    assert "import-error-table" in text and "火星" in text
    assert client.post(reverse("policy:allowance-import"), {"confirm": "x"}).status_code == 409
    nothing_written()


def test_page_shows_field_errors(as_user):
    response = upload_page(as_user("fao_head"), xlsx(), effective_from=YESTERDAY.isoformat())
    assert response.status_code == 200 and response.context["form"].errors["effective_from"]
    response = upload_page(as_user("fao_head"), b"not a workbook")
    assert response.context["report"].file_errors
    nothing_written()


def test_list_page_search_and_version(as_user, cast):
    client = as_user("committee")
    page = client.get(reverse("policy:allowances"))
    assert page.status_code == 200 and page.context["shipped"]
    assert page.context["page_obj"].paginator.count == len(reference.SHIPPED_BUDGET)
    do_import(cast["fao_head"], xlsx())
    found = client.get(reverse("policy:allowances"), {"q": "Tokyo"}).context["page_obj"]
    assert [row["city_text"] for row in found] == ["东京"]
    found = client.get(reverse("policy:allowances"), {"q": "韩国"}).context["page_obj"]
    assert [row["city_text"] for row in found] == ["首尔、釜山、济州", "其他"]
    earlier = client.get(reverse("policy:allowances"), {"on": YESTERDAY.isoformat()})
    assert earlier.context["policy"].version == "2026.1" and earlier.context["shipped"]
    assert reverse("policy:allowances") in client.get(reverse("policy:index")).content.decode()


@pytest.mark.parametrize("role", ["fao_reviewer", "committee", "auditor"])
def test_readers_see_but_cannot_import(as_user, cast, role):
    client = as_user(role)
    assert client.get(reverse("policy:allowances")).status_code == 200
    assert client.get(reverse("policy:allowance-export")).status_code == 200
    assert client.get(reverse("policy:allowance-import")).status_code == 403
    assert upload_page(client, xlsx()).status_code == 403
    with pytest.raises(PermissionDenied):
        do_import(cast[role], xlsx())
    nothing_written()


@pytest.mark.parametrize("role", ["unit_clerk", "unit_leader", "district_officer", "sys_admin"])
def test_others_get_403(as_user, cast, role):
    client = as_user(role)
    for name in ("policy:allowances", "policy:allowance-export", "policy:allowance-import"):
        assert client.get(reverse(name)).status_code == 403
    assert upload_page(client, xlsx()).status_code == 403
    with pytest.raises(PermissionDenied):
        do_import(cast[role], xlsx())
    nothing_written()
