"""Signed scans back into the consent record.

The unit of an import is the form (docs/contract.md): the pages of one form found in an
import land together, with their page images and crops, or not at all. A page that
cannot be read writes nothing, and every other form still lands. Forms land a few at a
time (``BATCH_FORMS``), each in its own savepoint inside one short transaction: a commit
costs a flush to disk (SQLite) or a round trip (PostgreSQL), and one per form was a
third of the importing thread's time. A form that cannot land rolls back to its
savepoint and takes no other form with it.
Each page that landed is a row of ``scan_pages`` (the file's SHA-256 and the page), so
importing a file again reads only the pages that did not land, and of two imports of
the same file at once exactly one lands each page (the other finds the row taken).

Each decision is an event whose source is the file's SHA-256 and page. The reader only
measures (``scan``); what a measurement means is ``rules.read_box``,
``rules.classify_signature``, ``rules.decide_answers`` and ``rules.decide_scanned``.
Nothing here turns doubt into consent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from formgen import rules, scan
from formgen.errors import FormgenError, NotFound
from formgen.record import ledger, records, roster, sealing
from formgen.record.formid import FormIdError, Instance
from formgen.record.ledger import SIGNATURE
from formgen.record.schema import events, forms, participants, scan_images, scan_pages, scans
from formgen.record.store import instance
from formgen.rules import Status
from formgen.scan import readers
from formgen.words import N_

# Forms read land together in one transaction when this many are ready, or when the
# first of them has waited ``BATCH_WAIT_S``; a transaction takes no further form once it
# has run ``TRANSACTION_S``: the write lock (other writers: the web service) is held for
# about that long at most, and a kill -9 loses at most the forms of the open batch
# (never part of one: a re-import lands them).
BATCH_FORMS = 8
BATCH_WAIT_S = 0.5
TRANSACTION_S = 0.1
ALREADY = "already imported on {:%Y-%m-%d %H:%M}; nothing changed"
# A page that landed while this import ran, by another import of the same file: it is in
# the record, so it is no error (spec section 6, "Unit of a scan import").
CONCURRENT = N_("imported by another import running at the same time")


@dataclass
class PageReport:
    source: str
    page: int | None
    form_id: str | None
    status: str  # ok | review | error
    reason: str | None = None
    blank: bool = False
    bilevel: bool = False  # a 1-bit page (fax, black-and-white scan): pencil may be lost
    signed: bool | None = None
    decisions: dict[str, str] = field(default_factory=dict)
    name: str | None = None  # the participant's, for a person reading the report; not JSON

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "page": self.page,
            "form_id": self.form_id,
            "status": self.status,
        }
        if self.reason:
            out["reason"] = self.reason
        if self.blank:
            out["blank"] = True
        if self.bilevel:
            out["bilevel"] = True
        if self.decisions:
            out["decisions"] = self.decisions
            out["signed"] = self.signed
        return out

    def fail(self, reason: str) -> PageReport:
        self.status, self.reason, self.decisions, self.signed = "error", reason, {}, None
        return self


@dataclass(frozen=True)
class Import:
    """What a scan import did, page by page (docs/contract.md), and a summary."""

    pages: list[PageReport]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.pages)

    @property
    def failed(self) -> list[PageReport]:
        return [r for r in self.pages if r.status == "error"]

    @property
    def landed_meanwhile(self) -> int:
        """Pages another import running at the same time landed: in the record."""
        return sum(r.reason == CONCURRENT for r in self.pages)

    def error_summary(self) -> str | None:
        """One line on what went wrong, or None when every page landed."""
        failed = self.failed
        if not failed:
            return None
        reasons = {r.reason for r in failed}
        why = reasons.pop() if len(reasons) == 1 else "see the report"
        return f"{len(failed)} page(s) not imported: {why}"

    def as_dict(self) -> dict[str, Any]:
        return {"pages": [r.as_dict() for r in self.pages]}


def import_files(
    engine: Engine,
    paths: Sequence[Path],
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    allowed: Callable[[str], bool] | None = None,
    job: str | None = None,
    since: dt.datetime | None = None,
) -> list[PageReport]:
    """Import scanned files; the reports in file and page order. With ``allowed``, a
    form lands only if ``allowed(recording_id)``: any other is reported exactly like a
    form that is not in the record, so an upload reveals nothing of recordings its
    uploader may not see; that holds for pages of such forms that landed before, too.
    ``job``: the scan job importing, noted with each page that lands. ``since``: when
    this import began (default: now); a page another import landed after that is
    reported as it landed (``CONCURRENT``), not as an error.

    ``workers`` (default: the usable CPUs, at most ``readers.MAX_WORKERS``) above 1 reads the
    pages in that many threads when the files hold ``readers.PARALLEL_MIN_PAGES`` pages to read
    or more (decoding, OpenCV and zxing let go of Python's lock), in that many forked
    processes from ``readers.PROCESS_MIN_PAGES`` on where that is safe
    (``readers.forkable``). A reader loads a page, finds the QR code, asks which form and
    layout it belongs to (``identify``, answered in this process), registers and
    measures; this thread keeps the store, and decides and records form by form, in file
    and page order, so the reports are the same as with one."""
    since = since or _precisely_now()
    plans = [readers.plan_file(Path(path)) for path in paths]
    landed = _landed(engine, [p.digest for p in plans if p.digest], allowed)
    named: set[str] = set()
    for plan in plans:
        done = landed.get(plan.digest or "", {})
        if plan.digest in named:  # the same file twice: read once
            plan.problem = "already imported: the same file comes earlier in this import"
        plan.wanted = [] if plan.problem else [i for i in range(plan.pages) if i + 1 not in done]
        named.add(plan.digest or "")
    count = readers.worker_count(workers)
    importer = _Importer(engine, allowed, job)
    reports: list[PageReport] = []
    # one page per reader: OpenCV's own threads only contend with the readers (and spin)
    cv_threads = readers.cv_threads(1)
    pool: readers.Pool | None = None
    pages = sum(len(p.wanted) for p in plans)
    try:
        if count > 1 and pages >= readers.PARALLEL_MIN_PAGES:
            with contextlib.suppress(RuntimeError):  # no threads to be had: read here
                pool = readers.start_readers(count, pages, importer.identify)
        if pool is not None:
            for plan in plans:
                pool.queue(plan)
        for plan in plans:
            done = landed.get(plan.digest or "", {})
            reports += _import_file(importer, plan, done, pool, progress, since)
        importer.finish()
    finally:
        if pool is not None:
            pool.close()
        importer.close()
        readers.cv_threads(cv_threads)
    return reports


def _precisely_now() -> dt.datetime:
    """Now to the microsecond (UTC, naive): whether a page landed before this import
    began or while it ran is decided on this, and two imports started together often
    land pages in the same second."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def page_count(paths: Sequence[Path]) -> int:
    """How many pages the files hold (unreadable ones count none): for progress bars."""
    total = 0
    for path in paths:
        with contextlib.suppress(FormgenError, OSError), scan.PageFile(Path(path)) as pages:
            total += pages.count
    return total


def _import_file(
    importer: _Importer,
    plan: readers.Plan,
    done: dict[int, tuple[dt.datetime, str | None]],
    pool: readers.Pool | None,
    progress: Callable[[int], None] | None,
    since: dt.datetime,
) -> list[PageReport]:
    source = str(plan.path)
    if plan.failure is not None or plan.digest is None:
        return [PageReport(source, None, None, "error", plan.failure)]
    if plan.problem is not None:
        return [PageReport(source, None, None, "error", plan.problem)]
    if not plan.pages:
        return [PageReport(source, None, None, "error", "the file has no pages")]
    before = [at for at, _ in done.values() if at is not None and at <= since]
    if done and not plan.wanted and len(before) == len(done):
        return [PageReport(source, None, None, "error", ALREADY.format(min(before)))]
    importer.file_seen(plan)
    reports = {
        page: _seen_before(source, page, at, form_id) for page, (at, form_id) in done.items()
    }
    meanwhile = [reports[page] for page, (at, _) in done.items() if at and at > since]
    importer.landed_meanwhile(plan.digest, meanwhile)
    looks = readers.read_here(plan, importer.identify) if pool is None else pool.results_of(plan)
    for index, look in zip(plan.wanted, looks, strict=True):
        report = reports[index + 1] = PageReport(source, index + 1, None, "ok")
        if isinstance(look, scan.ScanInputError):
            report.fail(str(look))
        else:
            importer.take(plan.digest, look, report)
        if progress:
            progress(1)
    importer.file_done()
    return [reports[page] for page in sorted(reports)]


def _seen_before(source: str, page: int, at: dt.datetime | None, form_id: str | None) -> PageReport:
    """A page that landed before. One of a form the importing person may not land on
    (no time: ``_landed``) is theirs to know nothing about: it is reported exactly as a
    form that is not in the record."""
    if at is None:
        return PageReport(source, page, form_id, "error", f"form {form_id} is not in this record")
    if form_id is None:
        # A blank page seen before is still just blank (another person's upload of the
        # same stack may have seen it): no error for what carries no decision.
        return PageReport(source, page, None, "ok", "blank page", blank=True)
    return PageReport(source, page, form_id, "error", ALREADY.format(at))


def _landed(
    engine: Engine, digests: Sequence[str], allowed: Callable[[str], bool] | None = None
) -> dict[str, dict[int, tuple[Any, str | None]]]:
    """The pages of these files that landed before: when, and of which form (None:
    blank); with ``allowed``, a page of a form it does not allow comes without its time."""
    found: dict[str, dict[int, tuple[Any, str | None]]] = {}
    with engine.connect() as conn:
        for i in range(0, len(digests), 500):
            rows = conn.execute(
                select(
                    scan_pages.c.sha256,
                    scan_pages.c.page,
                    scan_pages.c.imported_at,
                    scan_pages.c.form_id,
                    participants.c.recording_id,
                )
                .outerjoin(forms, forms.c.id == scan_pages.c.form_id)
                .outerjoin(participants, participants.c.id == forms.c.participant_id)
                .where(scan_pages.c.sha256.in_(digests[i : i + 500]))
            )
            for digest, page, at, form_id, recording_id in rows:
                foreign = form_id is not None and allowed is not None and not allowed(recording_id)
                found.setdefault(digest, {})[page] = (None, form_id) if foreign else (at, form_id)
    return found


@dataclass
class _Unit:
    """The pages of one form (or one withdrawal sheet) found in this import, waiting
    to land together."""

    form_id: str
    expected: set[int]  # printed pages that carry boxes or a signature
    pages: list[tuple[str, scan.PageLook, PageReport]] = field(default_factory=list)

    def complete(self) -> bool:
        return self.expected <= {look.page_no for _, look, _ in self.pages}


class _Refused(Exception):
    """A form's pages cannot land (its recording was destroyed); nothing is kept."""


class _Importer:
    """Identifies pages and lands them form by form, a few forms to a transaction, each
    form in its own savepoint."""

    def __init__(
        self,
        engine: Engine,
        allowed: Callable[[str], bool] | None = None,
        job: str | None = None,
    ) -> None:
        self.engine = engine
        self.allowed = allowed
        self.job = job
        self.instance: Instance = instance(engine)
        self.layouts: dict[str, dict[str, Any] | None] = {}
        self.pending: dict[tuple[str, bool], _Unit] = {}
        self.ready: list[_Unit] = []  # complete forms waiting to land
        self.ready_since = 0.0  # when the first of them was (time.monotonic)
        self.noted: set[str] = set()  # files whose row a committed transaction holds
        self.blanks: list[tuple[str, int, PageReport]] = []
        self.files: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()  # identify is asked by the reader threads
        self.reader: Connection | None = None  # identify's connection (``_ask``)

    def identify(self, texts: Sequence[str]) -> scan.Identity:
        """The form and printed page (with its layout) of the first QR code of ours."""
        with self.lock:
            return self._identify(texts)

    def _identify(self, texts: Sequence[str]) -> scan.Identity:
        mine = []
        reason = N_("no formgen QR code found on this page")
        for index, text in enumerate(texts):
            try:
                mine.append((index, *self.instance.verify(text)))
            except FormIdError as exc:
                reason = str(exc)
        if not mine:
            return scan.Identity(error=reason)
        hit, form_id, page_no = mine[0]
        if form_id not in self.layouts:
            rows = self._ask(select(forms.c.layout).where(forms.c.id == form_id))
            if not rows:
                return scan.Identity(form_id, error=f"form {form_id} is not in this record")
            self.layouts[form_id] = rows[0][0]
        sheets = {s["page"]: s for s in (self.layouts.get(form_id) or {}).get("pages", [])}
        if page_no not in sheets:
            return scan.Identity(form_id, error=f"form {form_id} has no printed page {page_no}")
        return scan.Identity(form_id, page_no, hit, sheets[page_no])

    def _ask(self, query: Any) -> Any:
        """A query on the import's one reading connection (under ``self.lock``): on
        PostgreSQL a connection of its own for every form asked about cost a new server
        process each time. Its read transaction ends with each query, so it holds no
        snapshot of the store between pages."""
        if self.reader is None:
            self.reader = self.engine.connect()
        try:
            return self.reader.execute(query).all()
        finally:
            self.reader.rollback()

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    def file_seen(self, plan: readers.Plan) -> None:
        """Remember the file's name and size, noted in the store with its first page
        that lands."""
        assert plan.digest is not None
        self.files[plan.digest] = {
            "sha256": plan.digest,
            "filename": plan.path.name,
            "imported_at": records.now(),
            "pages": plan.pages,
        }

    def _note_files(
        self, conn: Connection, digests: set[str], recording_id: str | None = None
    ) -> None:
        """The files' rows; the file name sealed with the data key of the recording whose
        form lands with it first (erased when that recording is destroyed), or with the
        service key for a file of blank pages only."""
        rows = []
        for digest in sorted(digests):
            row = dict(self.files[digest])
            row["filename"] = sealing.seal_file_name(conn, recording_id, digest, row["filename"])
            rows.append(row)
        records.insert_new(conn, scans, rows)

    def take(self, digest: str, look: scan.PageLook, report: PageReport) -> None:
        report.form_id = look.form_id
        report.bilevel = look.bilevel and not look.blank
        if look.blank:
            report.blank, report.reason = True, "blank page"
            self.blanks.append((digest, look.page, report))
            return
        if look.error is not None or look.sheet is None or look.form_id is None:
            report.fail(look.error or "page not identified")
            return
        withdrawal = look.sheet.get("kind") == "withdrawal"
        key = (look.form_id, withdrawal)
        unit = self.pending.get(key)
        if unit is None:
            sheets = (self.layouts.get(look.form_id) or {}).get("pages", [])
            expected = {
                s["page"]
                for s in sheets
                if (s["boxes"] or s.get("signature"))
                and (s.get("kind") == "withdrawal") == withdrawal
            }
            unit = self.pending[key] = _Unit(look.form_id, expected)
        unit.pages.append((digest, look, report))
        if unit.complete():
            self.ready.append(self.pending.pop(key))
            self.ready_since = self.ready_since or time.monotonic()
        if len(self.ready) >= BATCH_FORMS or (
            self.ready and time.monotonic() - self.ready_since >= BATCH_WAIT_S
        ):
            self._land_ready()

    def finish(self) -> None:
        self.ready += self.pending.values()
        self.pending = {}
        self._land_ready()
        self.flush_blanks()

    def landed_meanwhile(self, digest: str, reports: Sequence[PageReport]) -> None:
        """Pages another import of the same file landed while this one ran: reported as
        they landed (ok, or review if that import put a decision in review), not as
        errors. A page still not in the record stays an error."""
        if not reports:
            return
        with self.engine.connect() as conn:
            for report in reports:
                assert report.page is not None
                row = conn.execute(
                    select(scan_pages.c.form_id).where(
                        scan_pages.c.sha256 == digest, scan_pages.c.page == report.page
                    )
                ).first()
                if row is None:
                    continue
                source = f"scan:{digest}#{report.page}"
                statuses = set(
                    conn.execute(select(events.c.status).where(events.c.source == source)).scalars()
                )
                report.form_id, report.blank = row.form_id, row.form_id is None
                report.decisions, report.signed = {}, None
                report.status = "review" if "review" in statuses else "ok"
                report.reason = "blank page" if row.form_id is None else CONCURRENT

    def file_done(self) -> None:
        """At the end of a file, its forms that are complete land, then its blank pages
        (a form may go on in the next file: it waits for that)."""
        self._land_ready()
        self.flush_blanks()

    def flush_blanks(self) -> None:
        """Blank pages land too (so a second import skips them), in one transaction;
        one taken meanwhile by another import makes each land on its own."""
        blanks, self.blanks = self.blanks, []
        if not blanks:
            return
        try:
            with self.engine.begin() as conn:
                self._note_files(conn, {digest for digest, _, _ in blanks})
                for digest, page, _ in blanks:
                    _insert_page(conn, digest, page, None, None, self.job)
        except IntegrityError:
            for digest, page, report in blanks:
                try:
                    with self.engine.begin() as conn:
                        self._note_files(conn, {digest})
                        _insert_page(conn, digest, page, None, None, self.job)
                except IntegrityError:
                    report.fail(N_("already imported by another import running at the same time"))
                    self.landed_meanwhile(digest, [report])

    def _land_ready(self) -> None:
        """The forms ready to land, a few to a transaction (``TRANSACTION_S``)."""
        units, self.ready, self.ready_since = self.ready, [], 0.0
        while units:
            units = self._land_batch(units)

    def _land_batch(self, units: list[_Unit]) -> list[_Unit]:
        """Lands forms from the first on in one transaction, each in its own savepoint,
        at most ``BATCH_FORMS`` and until ``TRANSACTION_S`` has passed; the forms not
        landed yet. A fault that is no form's own (the store) lands the forms before it
        and is raised."""
        started = time.monotonic()
        taken: list[tuple[str, list[PageReport]]] = []  # by another import meanwhile
        noted: set[str] = set()
        destroyed: dict[str, bool] = {}  # by recording, as this transaction found it
        rest = units[BATCH_FORMS:]
        failure: Exception | None = None
        with self.engine.begin() as conn:
            for done, unit in enumerate(units[:BATCH_FORMS], 1):
                try:
                    noted |= self._land(conn, unit, noted, taken, destroyed)
                except Exception as exc:  # (rolled back to its savepoint)
                    failure = exc
                    break
                if time.monotonic() - started >= TRANSACTION_S:
                    rest = units[done:]
                    break
        self.noted |= noted
        for digest, reports in taken:
            self.landed_meanwhile(digest, reports)
        if failure is not None:
            raise failure
        return rest

    def _land(
        self,
        conn: Connection,
        unit: _Unit,
        noted: set[str],
        taken: list[tuple[str, list[PageReport]]],
        destroyed: dict[str, bool],
    ) -> set[str]:
        """One form in its own savepoint: all its pages land, or none; the files noted."""
        digests = {digest for digest, _, _ in unit.pages}
        savepoint = conn.begin_nested()
        try:
            recorder = _Recorder(conn, unit.form_id, self.allowed, self.job, destroyed)
            new = digests - noted - self.noted
            self._note_files(conn, new, recorder.person.recording_id)
            recorder.record(unit.pages)
        except IntegrityError:
            savepoint.rollback()
            for _, _, report in unit.pages:
                report.fail(N_("already imported by another import running at the same time"))
            for digest in digests:
                taken.append((digest, [r for d, _, r in unit.pages if d == digest]))
            return set()
        except _Refused as exc:
            savepoint.rollback()
            for _, _, report in unit.pages:
                report.fail(str(exc))
            return set()
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()
        return digests


_INSERT_PAGE = insert(scan_pages)  # built once: SQLAlchemy compiles it once, too


def _insert_page(
    conn: Connection,
    digest: str,
    page: int,
    form_id: str | None,
    form_page: int | None,
    job: str | None,
) -> int:
    result = conn.execute(
        _INSERT_PAGE,
        {
            "sha256": digest,
            "page": page,
            "form_id": form_id,
            "form_page": form_page,
            "imported_at": _precisely_now(),
            "job_id": job,
        },
    )
    return int(result.inserted_primary_key[0])


class _Recorder:
    """Decides and records the pages of one form inside its transaction (its row
    locked). ``destroyed``: which recordings this transaction found
    destroyed, by ID (asked once a transaction: the whole log of a recording is read)."""

    def __init__(
        self,
        conn: Connection,
        form_id: str,
        allowed: Callable[[str], bool] | None,
        job: str | None = None,
        destroyed: dict[str, bool] | None = None,
    ) -> None:
        self.conn = conn
        self.job = job
        roster.lock_form(conn, form_id)  # PostgreSQL: one writer per form at a time
        try:
            self.person = roster.get_form(conn, form_id)
        except NotFound as exc:
            raise _Refused(str(exc)) from exc
        recording_id = self.person.recording_id
        if allowed is not None and not allowed(recording_id):
            raise _Refused(f"form {form_id} is not in this record")
        known = {} if destroyed is None else destroyed
        if recording_id not in known:
            known[recording_id] = records.destroyed(conn, recording_id) is not None
        if known[recording_id]:
            raise _Refused(
                f"form {form_id} belongs to a destroyed recording: nothing of this page is kept"
            )

    def record(self, pages: Sequence[tuple[str, scan.PageLook, PageReport]]) -> None:
        for digest, look, report in pages:
            page_id = _insert_page(
                self.conn, digest, look.page, look.form_id, look.page_no, self.job
            )
            if look.images:
                self.conn.execute(
                    scan_images.insert(),
                    [
                        {"page_id": page_id, "name": n, "data": self._sealed(page_id, n, d)}
                        for n, d in look.images.items()
                    ],
                )
            self._decide(f"scan:{digest}#{look.page}", page_id, look, report)
            report.name = self.person.name

    def _sealed(self, page_id: int, name: str, data: bytes) -> bytes:
        return sealing.seal_image(self.conn, self.person.recording_id, page_id, name, data)

    def _decide(self, source: str, page_id: int, look: scan.PageLook, report: PageReport) -> None:
        """What a page says, decided and appended to the form's events."""
        form_id, sheet = self.person.form_id, look.sheet
        assert sheet is not None
        if not look.registered:
            reason = f"page could not be registered ({look.reason})"
            return self._review_all(source, page_id, report, sheet, reason)
        if not sheet["boxes"] and sheet.get("signature") is None:
            report.reason = f"page {look.page_no} of form {form_id} (no boxes)"
            return None
        measured = look.measured
        assert measured is not None
        if measured.problems:  # an outline not where the layout says: don't read it
            reason = "page not read reliably (" + "; ".join(measured.problems) + ")"
            return self._review_all(source, page_id, report, sheet, reason)
        detail: dict[str, Any] = {
            "scan_page": page_id,
            "crops": look.crops,
            "residual_mm": round(look.residual_mm, 3),
            "signature_ink": None
            if measured.signature_ink is None
            else round(measured.signature_ink, 4),
        }
        if look.bilevel:
            detail["bilevel"] = True
        signed: bool | None = None
        sig_reason: str | None = None
        if measured.signature is not None:
            strokes = measured.signature
            signed, sig_reason = rules.classify_signature(
                strokes.longest_mm, strokes.length_mm, strokes.faint_mm
            )
            detail["signature_mm"] = {"longest": strokes.longest_mm, "length": strokes.length_mm}
        report.signed = signed
        changes: list[tuple[str, str | None, str]] = []
        reasons: dict[str | None, str | None] = {SIGNATURE: sig_reason}
        withdrawal = sheet.get("kind") == "withdrawal"
        if sheet.get("signature") is not None and not withdrawal:
            # (a withdrawal sheet's signature counts for the withdrawal only, through
            # decide_answers; it says nothing about the declaration's)
            sig_status = {True: "signed", False: "unsigned", None: "unclear"}[signed]
            changes.append((form_id, SIGNATURE, sig_status))
        states = ledger.form_states(self.conn, [form_id])  # (appending checks against it)
        state = states[form_id]
        evidence = {(b.clause, b.answer): rules.BoxInk(**b.evidence()) for b in measured.boxes}
        marks = [rules.read_box(e)[0] for e in evidence.values()]
        pencil_lost = rules.pencil_may_be_lost(look.bilevel, marks)
        # The parental form's child box refuses every clause of the form.
        child_ink = evidence.get((rules.CHILD_REFUSES, "yes"))
        child = None if child_ink is None else rules.child_box_decision(*rules.read_box(child_ink))
        if child is not None:
            detail[rules.CHILD_REFUSES] = {
                "status": str(child.status),
                "ink": round(child_ink.ink, 4),
            }
        for clause in _consent_clauses(sheet):
            yes, no = evidence[(clause, "yes")], evidence[(clause, "no")]
            read = rules.decide_answers(yes, no, signed, pencil_lost=pencil_lost)
            if read.status is Status.REVIEW and signed is None and sig_reason:
                read = rules.Decision(Status.REVIEW, f"{read.reason} ({sig_reason})")
            read = rules.with_child_box(read, child)
            outcome = rules.decide_scanned(
                read,
                state.clauses.get(clause),
                withdrawal=withdrawal,
                named=self.person.name is not None,
            )
            reasons[clause] = outcome.reason
            if outcome.flag:
                report.status = "review"
            if outcome.status is None:
                continue
            report.decisions[clause] = str(outcome.status)
            changes.append((form_id, clause, str(outcome.status)))
            detail[f"ink_{clause}"] = {"yes": round(yes.ink, 4), "no": round(no.ink, 4)}
            detail[f"marks_{clause}"] = {
                "yes": measured.box(clause, "yes").evidence(),
                "no": measured.box(clause, "no").evidence(),
            }
        ledger.append_events(
            self.conn, changes, source=source, reasons=reasons, detail=detail, states=states
        )
        if any(s == Status.REVIEW for s in report.decisions.values()):
            report.status = "review"
        notes = [f"{c}: {r}" for c, r in reasons.items() if r]
        report.reason = "; ".join(notes) or None
        return None

    def _review_all(
        self, source: str, page_id: int, report: PageReport, sheet: dict[str, Any], reason: str
    ) -> None:
        form_id = self.person.form_id
        states = ledger.form_states(self.conn, [form_id])
        withdrawal = sheet.get("kind") == "withdrawal"
        open_clauses = [
            c
            for c in _consent_clauses(sheet)
            if rules.reviewable_after_unreadable(
                states[form_id].clauses.get(c), withdrawal=withdrawal
            )
        ]
        ledger.append_events(
            self.conn,
            [(form_id, c, str(Status.REVIEW)) for c in open_clauses],
            source=source,
            reason=reason,
            detail={"scan_page": page_id, "crops": {}},
            states=states,
        )
        report.status, report.reason = "review", reason
        report.decisions = {c: str(Status.REVIEW) for c in open_clauses}


def _consent_clauses(sheet: Mapping[str, Any]) -> list[str]:
    """The consent clauses a page's boxes ask about, in order (the child's box is not
    one: it refuses them all)."""
    return [
        c for c in dict.fromkeys(b["clause"] for b in sheet["boxes"]) if c != rules.CHILD_REFUSES
    ]
