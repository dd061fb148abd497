"""Importing arrival lists from outside (the port, an airline, the province): all rows or
none, one arrival per person and date however many lists name them.

Three services, for the city command only:

- ``batch_check``: the page's first step. Reads and checks the file, writes nothing but
  the ``ImportBatch`` (checked, or refused with its row-by-row report) and keeps the
  checked file, encrypted, until it is confirmed;
- ``batch_confirm``: the page's second step. Takes the kept file, makes sure by its SM3
  that it is the file checked, checks it again and imports it;
- ``batch_import``: both at once, for ``waishi import_arrivals``.

An import is two passes over the rows. The first reads and checks every row outside any
transaction and spools the checked rows (passport numbers already encrypted) to a
temporary file; any problem in any row and nothing is written. The second, in one
transaction, matches each row with the arrivals already known (by the passport
number's blind index and the arrival date, read in chunks) and writes in bulk. On
SQLite a writing transaction locks the whole database, so it holds the lock only for
the writing, not for the reading of the workbook.

The same semantics as ``services.arrival_register``, row for row: the first report of a
person and date creates the arrival, with the district it names and the plan the rules
choose; a later report (a later row of the same file, or a row of another list) is kept
as another source and fills only the fields the arrival lacks, and never moves it to
another district. An arrival has one source per list: the rows of one file that name the
same person and date are one source, whose details list the other rows.

One audit event per file (checked, imported or refused), with counts, never a passport
number.
"""

from __future__ import annotations

import base64
import datetime as dt
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.arrivals.import_rows import (
    Checker,
    Problems,
    Record,
    columns_of,
    open_sheet,
)
from waishi.arrivals.import_writer import Writer
from waishi.arrivals.models import (
    Arrival,
    ImportBatch,
    SourceKind,
)
from waishi.arrivals.workflow import BATCH
from waishi.audit.services import record
from waishi.lib import crypto, xlsx
from waishi.lib.roles import Role, has
from waishi.lib.xlsx import FileProblem

COMMAND = frozenset({Role.CITY_COMMAND})
LIST_KINDS = (SourceKind.PORT, SourceKind.AIRLINE, SourceKind.PROVINCE)
# Rows per round trip: the lookups' IN lists stay under SQLite's 999 parameters.
CHUNK = 500
# A checked file waits this long for its confirmation, encrypted, under MEDIA_ROOT.
PENDING_HOURS = 24
PENDING_DIR = "arrivals/imports"
PENDING_AAD = "arrivals.import"
# The command line reads files the web would refuse (an operator's file of a million
# rows); the container checks (Office package, zip bomb) stay.
CLI_MAX_BYTES = 200 * 1024 * 1024

Progress = Callable[[str, int, "int | None"], None]


def web_max_rows() -> int:
    """Rows a list uploaded on the page may have: its import runs inside the request
    (under 20 s for 50,000 rows here, gunicorn gives up at 60 s); larger lists go through
    ``waishi import_arrivals``."""
    return getattr(settings, "ARRIVALS_IMPORT_MAX_ROWS", 50_000)


def web_max_bytes() -> int:
    return getattr(settings, "ARRIVALS_IMPORT_MAX_BYTES", max(settings.IMPORT_MAX_BYTES, 20 << 20))


def _require(actor) -> None:
    if not has(actor, COMMAND):
        raise PermissionDenied(_("Only the city command imports arrival lists."))


def _check_kind(kind: str) -> None:
    if kind not in LIST_KINDS:
        raise ValidationError({"kind": _("Choose where the list comes from.")})


def _too_many() -> str:
    return _("The file has more than %(limit)d rows; split it into smaller files.")


def _read_container(upload: Any, max_bytes: int) -> bytes:
    try:
        return xlsx.check_container(upload, max_bytes=max_bytes)
    except FileProblem as exc:
        raise ValidationError({"file": str(exc)}) from exc


def _not_imported_before(digest: str, *, but: ImportBatch | None = None) -> None:
    earlier = ImportBatch.objects.filter(file_sm3=digest, state=ImportBatch.State.IMPORTED)
    if but is not None:
        earlier = earlier.exclude(pk=but.pk)
    found = earlier.order_by("uploaded_at").first()
    if found is not None:
        raise ValidationError(
            {
                "file": _("This very file was imported on %(when)s (import no. %(number)d).")
                % {
                    "when": timezone.localtime(found.uploaded_at).strftime("%Y-%m-%d %H:%M"),
                    "number": found.pk,
                }
            }
        )


# --- the first pass: read and check ------------------------------------------------------


@dataclass
class Scan:
    """What the first pass found."""

    problems: Problems = field(default_factory=Problems)
    rows: int = 0
    new: int = 0  # a check alone: arrivals the import would create
    spool: IO[bytes] | None = None  # the checked rows, when asked for and all are right

    @property
    def ok(self) -> bool:
        return self.problems.count == 0


def _tick(progress: Progress | None, phase: str, done: int, total: int | None) -> None:
    if progress is not None:
        progress(phase, done, total)


def scan(
    data: bytes,
    *,
    max_rows: int,
    spool: bool = False,
    count_new: bool = False,
    progress: Progress | None = None,
) -> Scan:
    """Read and check every row. With ``spool`` the checked rows go to a temporary file
    (encrypted passport numbers), for the writing pass; with ``count_new`` the rows are
    matched with the arrivals known, to say what an import would do. A file that cannot
    be read at all raises ValidationError (no report by row)."""
    found = Scan()
    out: list[Record] = []
    keys_seen: set[tuple[str, dt.date]] = set()
    checking: list[Record] = []
    try:
        with open_sheet(data, max_rows=max_rows, too_many=_too_many()) as sheet:
            columns = columns_of(sheet.header)
            checker = Checker(columns=columns, problems=found.problems, encrypt=spool)
            if spool:
                found.spool = tempfile.TemporaryFile()  # closed by _close
            for number, values in sheet.rows:
                found.rows += 1
                checked = checker.row(number, values)
                if checked is not None and found.ok:
                    if spool:
                        out.append(checked)
                        if len(out) == CHUNK:
                            pickle.dump(out, found.spool, protocol=pickle.HIGHEST_PROTOCOL)
                            out = []
                    if count_new:
                        checking.append(checked)
                        if len(checking) == CHUNK:
                            found.new += _count_new(checking, keys_seen)
                            checking = []
                if found.rows % CHUNK == 0:
                    _tick(progress, "check", found.rows, sheet.size_hint)
    except FileProblem as exc:
        _close(found)
        raise ValidationError({"file": str(exc)}) from exc
    except BaseException:
        _close(found)
        raise
    if found.rows == 0:
        _close(found)
        raise ValidationError({"file": _("The file has no rows under the header.")})
    if out and found.spool is not None:
        pickle.dump(out, found.spool, protocol=pickle.HIGHEST_PROTOCOL)
    if checking:
        found.new += _count_new(checking, keys_seen)
    if not found.ok:
        _close(found)
        found.new = 0
    _tick(progress, "check", found.rows, found.rows)
    return found


def _close(found: Scan) -> None:
    if found.spool is not None:
        found.spool.close()
        found.spool = None


def _count_new(records: list[Record], seen: set[tuple[str, dt.date]]) -> int:
    """How many of these rows would create an arrival (neither known nor seen before)."""
    indexes = list({r.passport_index for r in records})
    known = set(
        Arrival.objects.filter(passport_index__in=indexes).values_list(
            "passport_index", "arrival_date"
        )
    )
    new = 0
    for r in records:
        if r.key not in known and r.key not in seen:
            new += 1
        seen.add(r.key)
    return new


def _spooled(spool: IO[bytes]) -> Iterable[list[Record]]:
    spool.seek(0)
    while True:
        try:
            # Our own temporary file, written above by this process: not untrusted data.
            yield pickle.load(spool)  # noqa: S301
        except EOFError:
            return


def _write(
    *,
    actor,
    found: Scan,
    batch: ImportBatch | None,
    make_batch: Callable[[], ImportBatch],
    ip: str,
    progress: Progress | None,
) -> Writer:
    """The second pass, in one transaction; returns the writer with its counts. A new
    batch (``batch`` None: the command line's) is saved checked and imported at once."""
    written: list[Writer] = []

    def write(locked: ImportBatch, transition) -> None:
        writer = Writer(batch=locked, now=timezone.now())
        for records in _spooled(found.spool):
            writer.chunk(records)
            _tick(progress, "import", writer.done, found.rows)
        writer.finish()
        locked.rows_total = found.rows
        locked.rows_new = writer.new
        locked.rows_merged = writer.merged
        locked.errors = []
        written.append(writer)

    with transaction.atomic():  # a new batch is saved in the import's transaction
        BATCH.apply(
            batch if batch is not None else make_batch(),
            "import",
            actor=actor,
            ip=ip,
            effect=write,
            audit=lambda locked, t: _event(locked),
        )
    return written[0]


def _event(batch: ImportBatch, problems: int = 0) -> dict:
    """The audit event of a list (checked, imported or refused): by whoever uploaded it,
    with counts, never a passport number."""
    return {
        "actor": batch.uploaded_by,
        "obj": batch,
        "data": {
            "source": batch.kind,
            "file": batch.file_name,
            "sm3": batch.file_sm3,
            "rows": batch.rows_total,
            "new": batch.rows_new,
            "merged": batch.rows_merged,
            "problems": problems,
        },
    }


def _refuse(
    batch: ImportBatch, found: Scan, ip: str, *, actor=None, existing: bool = False
) -> ImportBatch:
    """The batch refused with the problems found: a checked one (``existing``) by the
    table, under its lock (two confirmations of one list do not both act); a new one is
    saved refused."""

    def report(refused: ImportBatch, transition=None) -> None:
        refused.rows_total = found.rows
        refused.rows_new = refused.rows_merged = 0
        refused.errors = found.problems.stored()

    if existing:
        return BATCH.apply(
            batch,
            "refuse",
            actor=actor,
            ip=ip,
            effect=report,
            audit=lambda locked, t: _event(locked, found.problems.count),
        )
    with transaction.atomic():
        batch.state = ImportBatch.State.REFUSED  # refused at its first reading: created so
        report(batch)
        batch.save()
        record(action="arrivals.batch.refuse", ip=ip, **_event(batch, found.problems.count))
    return batch


def _import(
    *,
    actor,
    data: bytes,
    batch: ImportBatch,
    max_rows: int,
    ip: str,
    progress: Progress | None,
    existing: bool,
) -> ImportBatch:
    """Both passes over a file whose container was checked. ``existing``: ``batch`` is
    a saved, checked batch; else it is unsaved, and saved with the outcome."""
    found = scan(data, max_rows=max_rows, spool=True, progress=progress)
    try:
        if not found.ok:
            return _refuse(batch, found, ip, actor=actor, existing=existing)

        def make_batch() -> ImportBatch:
            batch.pk = None
            batch.save()
            return batch

        for attempt in (1, 2):
            try:
                writer = _write(
                    actor=actor,
                    found=found,
                    batch=batch if existing else None,
                    make_batch=make_batch,
                    ip=ip,
                    progress=progress,
                )
            except IntegrityError:
                # Another report of one of these people came in between the lookup and
                # the insert (PostgreSQL, MariaDB; SQLite's lock excludes it): once more.
                if attempt == 2:
                    raise ValidationError(
                        _("Other reports of these people came in meanwhile; import the file again.")
                    ) from None
            else:
                break
        return writer.batch
    finally:
        _close(found)


# --- the pending file (between check and confirmation) -----------------------------------


def _pending_name(batch: ImportBatch) -> str:
    return f"{PENDING_DIR}/batch-{batch.pk}.sm4"


def _keep(batch: ImportBatch, data: bytes) -> None:
    """The checked file, encrypted (it holds passport numbers in clear)."""
    name = _pending_name(batch)
    text = crypto.encrypt(base64.b64encode(data).decode("ascii"), associated=PENDING_AAD)
    _drop(batch)
    default_storage.save(name, ContentFile(text.encode("ascii")))


def _load(batch: ImportBatch) -> bytes | None:
    name = _pending_name(batch)
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as stored:
        text = stored.read().decode("ascii")
    try:
        return base64.b64decode(crypto.decrypt(text, associated=PENDING_AAD))
    except (crypto.DecryptionError, ValueError):
        return None


def _drop(batch: ImportBatch) -> None:
    name = _pending_name(batch)
    if default_storage.exists(name):
        default_storage.delete(name)


def _drop_stale(now: dt.datetime) -> None:
    stale = ImportBatch.objects.filter(
        state=ImportBatch.State.CHECKED, uploaded_at__lt=now - dt.timedelta(hours=PENDING_HOURS)
    )
    for batch in stale.order_by("pk")[:100]:
        _drop(batch)


def pending_expires(batch: ImportBatch) -> dt.datetime:
    return batch.uploaded_at + dt.timedelta(hours=PENDING_HOURS)


# --- the services --------------------------------------------------------------------------


def batch_check(
    *,
    actor,
    upload: Any,
    kind: str,
    filename: str = "",
    ip: str = "",
    progress: Progress | None = None,
) -> ImportBatch:
    """Read and check a list; import nothing. The batch is ``checked`` (the file kept for
    ``batch_confirm``) or ``refused`` with its report. A file that cannot be read at all
    is refused with a ValidationError on ``file`` and leaves no batch."""
    _require(actor)
    _check_kind(kind)
    data = _read_container(upload, web_max_bytes())
    digest = crypto.sm3(data)
    _not_imported_before(digest)
    found = scan(data, max_rows=web_max_rows(), count_new=True, progress=progress)
    now = timezone.now()
    batch = ImportBatch(
        kind=kind,
        file_name=(filename or getattr(upload, "name", "") or "")[:200],
        file_sm3=digest,
        uploaded_by=actor,
        uploaded_at=now,
        rows_total=found.rows,
    )
    if not found.ok:
        return _refuse(batch, found, ip, actor=actor)
    batch.rows_new = found.new
    batch.rows_merged = found.rows - found.new
    with transaction.atomic():
        batch.save()
        record(action="arrivals.batch.check", ip=ip, **_event(batch))
        _keep(batch, data)
    _drop_stale(now)
    return batch


def batch_confirm(
    *, actor, batch: ImportBatch, ip: str = "", progress: Progress | None = None
) -> ImportBatch:
    """Import the list checked by ``batch_check``: the kept file, the same by its SM3,
    checked again (what it names may have changed since) and written, or refused."""
    _require(actor)
    if batch.state != ImportBatch.State.CHECKED:
        raise ValidationError(_("This list has already been imported or refused."))
    gone = ValidationError(_("The checked file is no longer at hand; upload it again."))
    if timezone.now() > pending_expires(batch):
        _drop(batch)
        raise gone
    data = _load(batch)
    if data is None or not crypto.constant_time_equals(crypto.sm3(data), batch.file_sm3):
        raise gone
    _not_imported_before(batch.file_sm3, but=batch)
    try:
        batch = _import(
            actor=actor,
            data=data,
            batch=batch,
            max_rows=web_max_rows(),
            ip=ip,
            progress=progress,
            existing=True,
        )
    except ValidationError as exc:
        if getattr(exc, "error_dict", None) and "file" in exc.error_dict:
            # The file itself no longer reads as it did: nothing more to confirm.
            _drop(batch)
        raise
    _drop(batch)
    return batch


def batch_import(
    *,
    actor,
    upload: Any,
    kind: str,
    filename: str = "",
    ip: str = "",
    progress: Progress | None = None,
    max_bytes: int = CLI_MAX_BYTES,
    max_rows: int = xlsx.EXCEL_MAX_ROW,
) -> ImportBatch:
    """Check and import a list at once (``waishi import_arrivals``): the batch comes
    back ``imported``, or ``refused`` with its report and nothing imported."""
    _require(actor)
    _check_kind(kind)
    data = _read_container(upload, max_bytes)
    digest = crypto.sm3(data)
    _not_imported_before(digest)
    batch = ImportBatch(
        kind=kind,
        file_name=(filename or getattr(upload, "name", "") or "")[:200],
        file_sm3=digest,
        uploaded_by=actor,
    )
    return _import(
        actor=actor,
        data=data,
        batch=batch,
        max_rows=max_rows,
        ip=ip,
        progress=progress,
        existing=False,
    )


class Throttled:
    """A progress callback that passes on at most one report per ``seconds`` (and the
    last one of each phase)."""

    def __init__(self, report: Progress, seconds: float = 1.0):
        self.report = report
        self.seconds = seconds
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        moment = time.monotonic()
        if moment - self.last >= self.seconds or (total is not None and done >= total):
            self.last = moment
            self.report(phase, done, total)
