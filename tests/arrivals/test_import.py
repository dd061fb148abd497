"""Arrival lists from outside (issue 6, deliverable 2): real .xlsx files written with
openpyxl and read through the real parser; every row right -> all imported, any row
wrong -> nothing; one arrival per person and date however many lists name it."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from tests.arrivals.conftest import next_passport
from tests.xlsx_check import count_reads
from waishi.arrivals import import_rows, importer
from waishi.arrivals.models import (
    Arrival,
    ArrivalSource,
    ImportBatch,
    ManagementPlan,
    PlanRule,
    SourceKind,
    Step,
    passport_index,
)
from waishi.audit.models import AuditEvent
from waishi.lib import xlsx_stream

HEADER = [c.header for c in import_rows.COLUMNS]
LIST_URL = "/arrivals/imports/"
UPLOAD_URL = "/arrivals/imports/upload/"
TEMPLATE_URL = "/arrivals/imports/template.xlsx"


@pytest.fixture(autouse=True)
def _english(cast):
    """Messages are compared in English; pages follow the account's language."""
    from waishi.orgs.models import User

    User.objects.update(language="en")
    with translation.override("en"):
        yield


def row(**given) -> list:
    """One list row in HEADER order; keyword arguments by field name."""
    today = timezone.localdate()
    values = {
        "name": "李雷",
        "category": "中国公民",
        "nationality": "中国",
        "passport": next_passport(),
        "birth_date": dt.date(1990, 5, 4),
        "phone": "13800138000",
        "origin_country": "英国",
        "origin_city": "伦敦",
        "route": "CA938",
        "departs_on": today - dt.timedelta(days=1),
        "arrival_date": today,
        "arrival_time": "08:30",
        "port": "首都国际机场",
        "address": "示范路1号",
        "district": "示范区",
        "purpose": "回国",
    }
    values.update(given)
    return [values[c.field] for c in import_rows.COLUMNS]


def xlsx(rows: list[list], header: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER if header is None else header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "口岸名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=importer.xlsx.XLSX_CONTENT_TYPE)


def run(cast, data: bytes, kind=SourceKind.PORT, name="口岸名单.xlsx") -> ImportBatch:
    return importer.batch_import(actor=cast["city_command"], upload=data, kind=kind, filename=name)


def places(batch: ImportBatch) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in batch.errors if "more" not in e}


# --- a good list -------------------------------------------------------------------------


def test_a_good_list_imports_every_row_with_district_plan_and_steps(cast, district):
    other = row(
        name="Anna Schmidt",
        category="外籍人员",
        nationality="DE",
        origin_country="德国",
        district="370199",  # the code works as well as the name
        arrival_time=dt.time(14, 5),
        purpose="商务",
    )
    batch = run(cast, xlsx([row(name="李雷"), row(name="韩梅梅", birth_date=None), other]))

    assert batch.state == ImportBatch.State.IMPORTED
    assert (batch.rows_total, batch.rows_new, batch.rows_merged) == (3, 3, 0)
    assert batch.errors == []
    plan = ManagementPlan.current("7+3")
    arrivals = list(Arrival.objects.order_by("pk"))
    assert [a.name for a in arrivals] == ["李雷", "韩梅梅", "Anna Schmidt"]
    anna = arrivals[2]
    assert anna.district == district and anna.plan == plan
    assert (anna.category, anna.nationality, anna.origin_country) == ("foreign", "DE", "DE")
    assert (anna.purpose, anna.arrival_time) == ("business", dt.time(14, 5))
    assert arrivals[1].birth_date is None
    # The number: encrypted, indexed, masked, exactly as the service stores it.
    assert anna.passport_enc.startswith("sm4gcm:")
    assert anna.reveal_passport() == other[3]
    assert anna.passport_masked == other[3][0] + "*" * (len(other[3]) - 3) + other[3][-2:]
    # The steps are the plan's, with the due times plans.build_steps gives.
    from waishi.arrivals import plans

    expected = [(s.sequence, s.label, s.due_at) for s in plans.build_steps(anna, plan)]
    got = [(s.sequence, s.label, s.due_at) for s in anna.steps.order_by("sequence")]
    assert got == expected
    assert Step.objects.count() == 3 * len(plan.steps)
    sources = list(ArrivalSource.objects.order_by("row"))
    assert [(s.kind, s.batch_id, s.row) for s in sources] == [
        ("port", batch.pk, n) for n in (2, 3, 4)
    ]
    assert sources[2].details["passport"] == anna.passport_masked
    assert sources[2].details["district"] == "370199"


def test_the_plan_follows_the_rules_read_once(cast):
    PlanRule.objects.create(sequence=1, name="来自日本", origin_countries=["JP"], plan_code="none")
    batch = run(cast, xlsx([row(origin_country="日本"), row(origin_country="JP"), row()]))
    assert batch.state == ImportBatch.State.IMPORTED
    codes = list(Arrival.objects.order_by("pk").values_list("plan__code", flat=True))
    assert codes == ["none", "none", "7+3"]


# --- all or nothing ----------------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_names_the_row_and_column(cast):
    rows = [row(), row(), row(arrival_date="2026-13-45"), row()]
    batch = run(cast, xlsx(rows))

    assert batch.state == ImportBatch.State.REFUSED
    assert places(batch) == {(4, "入境日期")}
    (error,) = batch.errors
    assert error["letter"] == "K"
    assert error["message"] == "Write a date such as 2026-03-01."
    assert error["value"] == "2026-13-45"
    assert Arrival.objects.count() == ArrivalSource.objects.count() == Step.objects.count() == 0
    assert batch.rows_new == batch.rows_merged == 0


def test_every_problem_of_every_row_is_reported_at_once(cast):
    today = timezone.localdate()
    rows = [
        row(name="", phone="电话"),
        row(category="游客", nationality="火星"),
        row(passport="E1", district="不存在区"),
        row(departs_on=today + dt.timedelta(days=1), origin_country="中国"),
        row(category="外籍人员", nationality="中国", arrival_time="25:99"),
        row(purpose="度假", birth_date=dt.date(1800, 1, 1)),
        [*row()[:15], "回国", "多余"],
    ]
    batch = run(cast, xlsx(rows))
    assert batch.state == ImportBatch.State.REFUSED
    assert places(batch) == {
        (2, "姓名"),
        (2, "联系电话"),
        (3, "类别"),
        (3, "国籍"),
        (4, "护照号码"),
        (4, "目的区县"),
        (5, "出发日期"),
        (5, "来自国家"),
        (6, "国籍"),
        (6, "入境时间"),
        (7, "入境事由"),
        (7, "出生日期"),
        (8, "Q"),  # a value under no header
    }
    # The passport number is masked even in the report of a wrong one.
    assert {e["value"] for e in batch.errors if e["column"] == "护照号码"} == {"**"}
    assert Arrival.objects.count() == 0


def test_dates_and_times_in_the_forms_lists_use(cast):
    rows = [
        row(arrival_date="2026/3/2", departs_on="2026年3月1日", arrival_time="9时05分"),
        row(arrival_date="20260302", departs_on=46082, arrival_time=0.5),  # Excel serials
        row(arrival_date=dt.datetime(2026, 3, 2, 0, 0), departs_on="2026-03-02", arrival_time=""),
    ]
    batch = run(cast, xlsx(rows), SourceKind.AIRLINE)
    assert batch.state == ImportBatch.State.IMPORTED, batch.errors
    found = list(
        Arrival.objects.order_by("pk").values_list("arrival_date", "departs_on", "arrival_time")
    )
    assert found == [
        (dt.date(2026, 3, 2), dt.date(2026, 3, 1), dt.time(9, 5)),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 1), dt.time(12, 0)),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 2), None),
    ]


def test_unreadable_files_and_bad_headers_leave_no_batch(cast):
    with pytest.raises(ValidationError) as caught:
        run(cast, b"not a workbook at all")
    assert "not an Excel workbook" in caught.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as caught:
        run(cast, xlsx([row()], header=[*HEADER[:-2], "备注", HEADER[-1]]))
    message = caught.value.message_dict["file"][0]
    assert "Unknown column “备注”." in message and "The column “目的区县” is missing." in message
    with pytest.raises(ValidationError) as caught:
        run(cast, xlsx([]))
    assert caught.value.message_dict["file"] == ["The file has no rows under the header."]
    assert ImportBatch.objects.count() == 0


def test_the_same_file_is_not_imported_twice(cast):
    data = xlsx([row()])
    assert run(cast, data).state == ImportBatch.State.IMPORTED
    with pytest.raises(ValidationError, match="This very file was imported"):
        run(cast, data, kind=SourceKind.AIRLINE)
    assert ArrivalSource.objects.count() == 1


# --- one arrival per person and date ----------------------------------------------------


def test_three_sources_one_arrival_district_and_plan_from_the_first(
    cast, district, other_district, third_district
):
    number = next_passport()
    day = timezone.localdate()
    port = row(passport=number, arrival_date=day, birth_date=None, phone="13800000001")
    airline = row(
        passport=number.lower(),  # the same number written another way
        arrival_date=day,
        district="邻区",
        birth_date=dt.date(1985, 1, 2),
        phone="13900000002",
        route="MU552",
    )
    # The province says France, for which a rule (made after the first list) gives "none".
    province = row(
        passport=number, arrival_date=day, district=third_district.code, origin_country="法国"
    )

    first = run(cast, xlsx([port]), SourceKind.PORT, "口岸.xlsx")
    PlanRule.objects.create(sequence=1, name="来自法国", origin_countries=["FR"], plan_code="none")
    second = run(cast, xlsx([airline]), SourceKind.AIRLINE, "航班.xlsx")
    third = run(cast, xlsx([province]), SourceKind.PROVINCE, "省里.xlsx")

    assert [b.state for b in (first, second, third)] == ["imported"] * 3
    assert [(b.rows_new, b.rows_merged) for b in (first, second, third)] == [(1, 0), (0, 1), (0, 1)]
    arrival = Arrival.objects.get()
    sources = list(arrival.sources.order_by("pk"))
    assert [(s.kind, s.batch_id) for s in sources] == [
        ("port", first.pk),
        ("airline", second.pk),
        ("province", third.pk),
    ]
    # The first report decided the district and the plan; later ones never move it.
    assert arrival.district == district
    assert arrival.plan.code == "7+3"
    assert Step.objects.filter(arrival=arrival).count() == len(arrival.plan.steps)
    # A later report fills what was missing, and changes nothing that was there.
    assert arrival.birth_date == dt.date(1985, 1, 2)
    assert (arrival.phone, arrival.route, arrival.origin_country) == ("13800000001", "CA938", "GB")
    # Each source keeps what it said.
    assert [s.details["district"] for s in sources] == ["370199", "370288", third_district.code]
    assert sources[1].details["route"] == "MU552"


def test_a_list_joins_an_arrival_that_declared_itself(cast, register, other_district):
    declared = register(kind=SourceKind.DECLARATION, name="自己申报").arrival
    number = declared.reveal_passport()
    batch = run(
        cast, xlsx([row(passport=number, arrival_date=declared.arrival_date, district="邻区")])
    )
    assert (batch.rows_new, batch.rows_merged) == (0, 1)
    declared.refresh_from_db()
    assert declared.district.name == "示范区"
    assert declared.sources.count() == 2
    assert Arrival.objects.count() == 1


def test_duplicates_within_one_file_are_one_arrival_with_one_source(cast, monkeypatch):
    number = next_passport()
    day = timezone.localdate()
    rows = [
        row(passport=number, arrival_date=day, birth_date=None),  # row 2
        row(),  # row 3
        # Row 4: the same person on another date.
        row(
            passport=number,
            arrival_date=day - dt.timedelta(days=3),
            departs_on=day - dt.timedelta(days=4),
        ),
        row(passport=number, arrival_date=day, birth_date=dt.date(1970, 7, 7)),  # row 5
        row(),  # row 6
        row(passport=number, arrival_date=day, name="另一个名字"),  # row 7
    ]
    monkeypatch.setattr(importer, "CHUNK", 2)  # rows 5 and 7 come in later chunks
    batch = run(cast, xlsx(rows))

    assert batch.state == ImportBatch.State.IMPORTED
    assert (batch.rows_total, batch.rows_new, batch.rows_merged) == (6, 4, 2)
    assert Arrival.objects.count() == 4
    arrival = Arrival.objects.get(passport_index=passport_index(number), arrival_date=day)
    assert arrival.name == "李雷"  # the first row's; a later row changes nothing given
    assert arrival.birth_date == dt.date(1970, 7, 7)  # filled by row 5
    source = arrival.sources.get()
    assert (source.row, source.details["also_rows"]) == (2, [5, 7])
    assert ArrivalSource.objects.filter(batch=batch).count() == 4


def test_duplicates_in_one_chunk(cast):
    number = next_passport()
    rows = [row(passport=number, phone="13800000009"), row(passport=number, port="")]
    batch = run(cast, xlsx(rows))
    # Row 3 lacks the port: required, so the list is refused ...
    assert places(batch) == {(3, "入境口岸")}
    rows[1] = row(passport=number, address="另一个地址")
    batch = run(cast, xlsx(rows))
    # ... and with it, the duplicate is merged into the first row's arrival.
    assert (batch.rows_new, batch.rows_merged) == (1, 1)
    arrival = Arrival.objects.get()
    assert (arrival.phone, arrival.address) == ("13800000009", "示范路1号")
    assert arrival.sources.get().details["also_rows"] == [3]


# --- who may ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["district_officer", "auditor", "fao_head", "sys_admin"])
def test_only_the_city_command_imports(cast, role):
    with pytest.raises(PermissionDenied):
        importer.batch_import(actor=cast[role], upload=xlsx([row()]), kind="port")
    with pytest.raises(PermissionDenied):
        importer.batch_check(actor=cast[role], upload=xlsx([row()]), kind="port")
    assert ImportBatch.objects.count() == 0


def test_pages_refuse_the_district_officer(as_user, cast):
    batch = run(cast, xlsx([row()]))
    client = as_user("district_officer")
    for url in (LIST_URL, UPLOAD_URL, TEMPLATE_URL, f"{LIST_URL}{batch.pk}/"):
        assert client.get(url).status_code == 403, url
    response = client.post(UPLOAD_URL, {"kind": "port", "file": upload(xlsx([row()]))})
    assert response.status_code == 403
    assert client.post(f"{LIST_URL}{batch.pk}/confirm/").status_code == 403
    assert ImportBatch.objects.count() == 1


def test_the_auditor_reads_but_does_not_import(as_user, cast):
    batch = run(cast, xlsx([row()]))
    client = as_user("auditor")
    assert client.get(LIST_URL).status_code == 200
    page = client.get(f"{LIST_URL}{batch.pk}/").content.decode()
    assert "李雷" in page and "batch-confirm-button" not in page
    assert client.get(UPLOAD_URL).status_code == 403
    assert client.post(f"{LIST_URL}{batch.pk}/confirm/").status_code == 403


# --- the pages: check, report, confirm ---------------------------------------------------


def test_upload_checks_then_confirm_imports(as_user, cast):
    client = as_user("city_command")
    page = client.get(UPLOAD_URL).content.decode()
    assert "护照号码" in page and 'name="progress"' in page
    data = xlsx([row(), row(), row()])
    response = client.post(
        UPLOAD_URL, {"kind": "airline", "file": upload(data, "航班.xlsx"), "progress": "tok12345"}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{LIST_URL}{batch.pk}/"
    assert (batch.state, batch.kind, batch.rows_total, batch.rows_new) == (
        "checked",
        "airline",
        3,
        3,
    )
    assert Arrival.objects.count() == 0  # checked, nothing written
    # The progress the running check reported, for the page's script.
    assert client.get("/arrivals/imports/progress/?token=tok12345").json()["done"] == 3
    assert client.get("/arrivals/imports/progress/?token=other123").json() == {}
    page = client.get(response["Location"]).content.decode()
    assert "batch-confirm-button" in page and "航班.xlsx" in page

    response = client.post(f"{LIST_URL}{batch.pk}/confirm/", {"progress": "tok12345"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.state, batch.rows_new, batch.rows_merged) == ("imported", 3, 0)
    assert Arrival.objects.count() == 3
    assert client.get("/arrivals/imports/progress/?token=tok12345").json()["phase"] == "import"
    page = client.get(f"{LIST_URL}{batch.pk}/").content.decode()
    assert "batch-sources" in page and "李雷" in page
    # The kept file is gone, and a second confirmation is refused.
    assert not default_storage.exists(importer._pending_name(batch))
    client.post(f"{LIST_URL}{batch.pk}/confirm/")
    assert Arrival.objects.count() == 3
    actions = list(
        AuditEvent.objects.filter(object_type="arrivals.importbatch", object_id=str(batch.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["arrivals.batch.check", "arrivals.batch.import"]


def test_the_batch_page_shows_the_report(as_user):
    client = as_user("city_command")
    data = xlsx([row(), row(district="不存在区"), row(passport="")])
    response = client.post(UPLOAD_URL, {"kind": "port", "file": upload(data)}, follow=True)
    page = response.content.decode()
    batch = ImportBatch.objects.get()
    assert batch.state == "refused"
    assert "Nothing was imported." in page
    assert "import-error-table" in page
    assert "<td>3</td><td>目的区县" in page and "No district has this name or code" in page
    assert "<td>4</td><td>护照号码" in page and "This column is required." in page
    assert "batch-confirm-button" not in page
    assert Arrival.objects.count() == 0


def test_a_file_the_page_cannot_read_is_an_error_on_the_form(as_user):
    client = as_user("city_command")
    response = client.post(UPLOAD_URL, {"kind": "port", "file": upload(b"PK\x03\x04junk")})
    assert response.status_code == 200
    assert "This file is not an Excel workbook (.xlsx)." in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_the_confirmation_imports_only_the_file_checked(as_user, cast):
    client = as_user("city_command")
    client.post(UPLOAD_URL, {"kind": "port", "file": upload(xlsx([row()]))})
    batch = ImportBatch.objects.get()
    # Someone swaps the kept file: its SM3 no longer matches.
    importer._keep(batch, xlsx([row(), row()]))
    response = client.post(f"{LIST_URL}{batch.pk}/confirm/", follow=True)
    assert "The checked file is no longer at hand; upload it again." in response.content.decode()
    batch.refresh_from_db()
    assert batch.state == "checked" and Arrival.objects.count() == 0


def test_a_checked_file_expires(as_user, cast, time_machine):
    client = as_user("city_command")
    client.post(UPLOAD_URL, {"kind": "port", "file": upload(xlsx([row()]))})
    batch = ImportBatch.objects.get()
    time_machine.move_to(timezone.now() + dt.timedelta(hours=importer.PENDING_HOURS + 1))
    with pytest.raises(ValidationError, match="no longer at hand"):
        importer.batch_confirm(actor=cast["city_command"], batch=batch)
    assert not default_storage.exists(importer._pending_name(batch))
    assert Arrival.objects.count() == 0


def test_the_template_is_refused_as_is_and_imports_once_filled(as_user, cast, district):
    client = as_user("city_command")
    response = client.get(TEMPLATE_URL)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    notes = "\n".join(str(c.value) for line in book["说明"].iter_rows() for c in line if c.value)
    assert district.code in notes and "目的区县" in notes
    batch = run(cast, response.content)  # the invented sample row is refused
    assert places(batch) == {(2, "护照号码")}
    sheet.cell(row=2, column=4, value=next_passport())
    buffer = io.BytesIO()
    book.save(buffer)
    assert run(cast, buffer.getvalue()).state == "imported"


# --- the audit trail --------------------------------------------------------------------


def test_one_audit_event_per_list_and_no_passport_number_in_it(as_user, cast):
    numbers = [next_passport() for _ in range(3)]
    run(cast, xlsx([row(passport=n) for n in numbers]))
    run(cast, xlsx([row(passport=numbers[0]), row(passport="X9", district="无")]))  # refused
    client = as_user("city_command")
    client.post(UPLOAD_URL, {"kind": "province", "file": upload(xlsx([row(passport=numbers[1])]))})

    events = AuditEvent.objects.filter(action__startswith="arrivals.").order_by("seq")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["arrivals.batch.import", "arrivals.batch.refuse", "arrivals.batch.check"]
    trail = json.dumps(
        list(AuditEvent.objects.values("object_repr", "before", "after", "data")),
        ensure_ascii=False,
    )
    for number in [*numbers, "X9"]:
        assert number not in trail
    stored = json.dumps(list(ImportBatch.objects.values("errors")), ensure_ascii=False)
    assert "X9" not in stored
    imported = AuditEvent.objects.get(action="arrivals.batch.import")
    assert (imported.data["rows"], imported.data["new"], imported.data["source"]) == (3, 3, "port")


# --- the command line -------------------------------------------------------------------


def test_the_command_imports_with_progress_on_stderr(cast, tmp_path):
    path = tmp_path / "省级名单.xlsx"
    path.write_bytes(xlsx([row(), row(), row()]))
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_arrivals",
        str(path),
        "--source",
        "province",
        "--user",
        "city_command",
        stdout=out,
        stderr=err,
    )
    assert "imported 省级名单.xlsx" in out.getvalue() and "3 new arrivals" in out.getvalue()
    assert "rows checked: 3" in err.getvalue() and "rows imported: 3/3" in err.getvalue()
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.state, batch.uploaded_by) == (
        "province",
        "imported",
        cast["city_command"],
    )
    assert ArrivalSource.objects.filter(kind="province").count() == 3


def test_the_command_refuses_a_bad_list_and_names_the_row(cast, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([row(), row(arrival_date="昨天")]))
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_arrivals",
            str(path),
            "--source",
            "port",
            "--user",
            "city_command",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert caught.value.returncode == 1
    assert "row 3, 入境日期 [昨天]" in out.getvalue()
    assert Arrival.objects.count() == 0
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_arrivals",
            str(path),
            "--source",
            "port",
            "--user",
            "district_officer",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert caught.value.returncode == 2


def test_english_headers_and_the_page_row_limit(as_user, cast, settings):
    english = [c.aliases[-1] if c.aliases else c.header for c in import_rows.COLUMNS]
    assert "passport" in english
    batch = run(cast, xlsx([row()], header=english))
    assert batch.state == ImportBatch.State.IMPORTED

    settings.ARRIVALS_IMPORT_MAX_ROWS = 2
    client = as_user("city_command")
    data = xlsx([row(), row(), row()])
    response = client.post(UPLOAD_URL, {"kind": "port", "file": upload(data)})
    assert response.status_code == 200
    assert "more than 2 rows" in response.content.decode()
    assert ImportBatch.objects.count() == 1


def long_list(rows: int) -> bytes:
    """A list of ``rows`` good rows, written fast (lib.xlsx_stream)."""
    handle = io.BytesIO()
    with xlsx_stream.SheetWriter(handle, "入境人员") as sheet:
        sheet.append(HEADER)
        for _ in range(rows):
            sheet.append(row())
    return handle.getvalue()


def test_a_list_over_the_page_limit_is_refused_before_a_row_is_checked(
    as_user, cast, settings, monkeypatch
):
    settings.ARRIVALS_IMPORT_MAX_ROWS = 100
    checked = []
    check = import_rows.Checker.row
    monkeypatch.setattr(
        import_rows.Checker, "row", lambda self, *a: checked.append(1) or check(self, *a)
    )
    data = long_list(3000)
    reads = count_reads(monkeypatch)
    response = as_user("city_command").post(UPLOAD_URL, {"kind": "port", "file": upload(data)})
    assert response.status_code == 200
    assert "The file has more than 100 rows; split it into smaller files." in (
        response.content.decode()
    )
    assert checked == []  # no row checked, none matched with the arrivals known
    assert reads["xml"] <= 1 + 101 and reads["openpyxl"] == 0
    assert reads["opened"] == 0  # openpyxl never opened the sheet
    assert ImportBatch.objects.count() == 0


def test_a_list_at_the_page_limit_is_checked_with_its_count_as_the_total(
    cast, settings, monkeypatch
):
    settings.ARRIVALS_IMPORT_MAX_ROWS = 100
    monkeypatch.setattr(importer, "CHUNK", 10)  # progress every ten rows
    totals = []
    batch = importer.batch_check(
        actor=cast["city_command"],
        upload=long_list(100),
        kind=SourceKind.PORT,
        progress=lambda phase, done, total: totals.append(total),
    )
    assert batch.state == ImportBatch.State.CHECKED and batch.rows_total == 100
    assert len(totals) == 11 and set(totals) == {100}  # the count made before reading
