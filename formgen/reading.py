"""Signed scans back into the consent record.

The unit of an import is the form (spec section 6): the pages of one form found in an
import land together in one short transaction, with their page images and crops, or not
at all. A page that cannot be read writes nothing, and every other form still lands.
Each page that landed is a row of ``scan_pages`` (the file's SHA-256 and the page), so
importing a file again reads only the pages that did not land, and of two imports of
the same file at once exactly one lands each page (the other finds the row taken).

Each decision is an event whose source is the file's SHA-256 and page. The reader only
measures (``scan``); what a measurement means is ``rules.classify_mark``,
``rules.decide_pair`` and ``rules.decide_scanned``. Nothing here turns doubt into
consent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import sys
import types
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from . import records, rules, scan
from .errors import FormgenError, NotFound
from .formid import FormIdError, Instance
from .records import SIGNATURE
from .rules import Status
from .schema import forms, scan_images, scan_pages, scans
from .store import instance

SCAN_DPI = 150.0  # rectified page resolution: 5.9 px/mm, 38 px across a box
ALREADY = "already imported on {:%Y-%m-%d %H:%M}; nothing changed"


@dataclass
class PageReport:
    source: str
    page: int | None
    form_id: str | None
    status: str  # ok | review | error
    reason: str | None = None
    blank: bool = False
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
        if self.decisions:
            out["decisions"] = self.decisions
            out["signed"] = self.signed
        return out

    def fail(self, reason: str) -> PageReport:
        self.status, self.reason, self.decisions, self.signed = "error", reason, {}, None
        return self


MAX_WORKERS = 2  # the machine this runs on: two cores
# Starting the workers takes ~0.6 s to the first page: on two cores they win from about
# 10-12 scanned pages (PNG at 200-300 dpi); fewer are read here.
PARALLEL_MIN_PAGES = 12


def import_files(
    engine: Engine,
    paths: Sequence[Path],
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    allowed: Callable[[str], bool] | None = None,
) -> list[PageReport]:
    """Import scanned files; the reports in file and page order. With ``allowed``, a
    form lands only if ``allowed(recording_id)``: any other is reported exactly like a
    form that is not in the record, so an upload reveals nothing of recordings its
    uploader may not see.

    ``workers`` (default: the usable CPUs, at most ``MAX_WORKERS``) above 1 reads the
    pages in that many worker processes when the files hold ``PARALLEL_MIN_PAGES`` pages
    to read or more. A worker opens the file itself, finds the QR code, asks this
    process which form and layout it belongs to, registers and measures, and sends back
    numbers and encoded images; this process keeps the store, and decides and records
    form by form, so the reports are the same as with one."""
    plans = [_plan(Path(path)) for path in paths]
    landed = _landed(engine, [p.digest for p in plans if p.digest])
    named: set[str] = set()
    for plan in plans:
        done = landed.get(plan.digest or "", {})
        if plan.digest in named:  # the same file twice: read once
            plan.problem = "already imported: the same file comes earlier in this import"
        plan.wanted = [] if plan.problem else [i for i in range(plan.pages) if i + 1 not in done]
        named.add(plan.digest or "")
    count = _worker_count(workers)
    pool: _Pool | None = None
    if count > 1 and sum(len(p.wanted) for p in plans) >= PARALLEL_MIN_PAGES:
        with contextlib.suppress(OSError):  # no processes to be had: read here
            pool = _Pool(count)
    importer = _Importer(engine, allowed)
    reports: list[PageReport] = []
    try:
        if pool is not None:
            for plan in plans:
                pool.queue(plan)
        for plan in plans:
            done = landed.get(plan.digest or "", {})
            reports += _import_file(importer, plan, done, pool, progress)
        importer.finish()
    finally:
        if pool is not None:
            pool.close()
    return reports


def page_count(paths: Sequence[Path]) -> int:
    """How many pages the files hold (unreadable ones count none): for progress bars."""
    total = 0
    for path in paths:
        with contextlib.suppress(FormgenError, OSError), scan.PageFile(Path(path)) as pages:
            total += pages.count
    return total


def _import_file(
    importer: _Importer,
    plan: _Plan,
    done: dict[int, tuple[dt.datetime, str | None]],
    pool: _Pool | None,
    progress: Callable[[int], None] | None,
) -> list[PageReport]:
    source = str(plan.path)
    if plan.failure is not None or plan.digest is None:
        return [PageReport(source, None, None, "error", plan.failure)]
    if plan.problem is not None:
        return [PageReport(source, None, None, "error", plan.problem)]
    if not plan.pages:
        return [PageReport(source, None, None, "error", "the file has no pages")]
    if done and not plan.wanted:
        first = min(at for at, _ in done.values())
        return [PageReport(source, None, None, "error", ALREADY.format(first))]
    importer.file_seen(plan)
    reports = {
        # A blank page seen before is still just blank (another person's upload of the
        # same stack may have seen it): no error for what carries no decision.
        page: PageReport(source, page, None, "ok", "blank page", blank=True)
        if form_id is None
        else PageReport(source, page, form_id, "error", ALREADY.format(at))
        for page, (at, form_id) in done.items()
    }
    read = _read_here if pool is None else pool.results_of
    looks = read(plan, importer.identify)
    for index, look in zip(plan.wanted, looks, strict=True):
        report = reports[index + 1] = PageReport(source, index + 1, None, "ok")
        if isinstance(look, scan.ScanInputError):
            report.fail(str(look))
        else:
            importer.take(plan.digest, look, report)
        if progress:
            progress(1)
    importer.flush_blanks()
    return [reports[page] for page in sorted(reports)]


def _landed(
    engine: Engine, digests: Sequence[str]
) -> dict[str, dict[int, tuple[dt.datetime, str | None]]]:
    """The pages of these files that landed before: when, and of which form (None:
    blank)."""
    found: dict[str, dict[int, tuple[dt.datetime, str | None]]] = {}
    with engine.connect() as conn:
        for i in range(0, len(digests), 500):
            rows = conn.execute(
                select(
                    scan_pages.c.sha256,
                    scan_pages.c.page,
                    scan_pages.c.imported_at,
                    scan_pages.c.form_id,
                ).where(scan_pages.c.sha256.in_(digests[i : i + 500]))
            )
            for digest, page, at, form_id in rows:
                found.setdefault(digest, {})[page] = (at, form_id)
    return found


_Identify = Callable[[Sequence[str]], scan.Identity]


def _read_here(plan: _Plan, identify: _Identify) -> Iterator[scan.PageLook | scan.ScanInputError]:
    """The wanted pages of a file, looked at in this process; a page that cannot be
    loaded comes as its error, and the file's other pages still come."""
    try:
        opened = scan.PageFile(plan.path)
    except scan.ScanInputError as exc:
        for _ in plan.wanted:
            yield exc
        return
    with opened:
        for index in plan.wanted:
            try:
                page = opened.page(index)
            except scan.ScanInputError as exc:
                yield exc
                continue
            yield scan.look(page, identify, SCAN_DPI)


def _unreadable(exc: OSError) -> str:
    return f"cannot read the file ({exc.strerror or exc})"


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
    """Identifies pages and lands them form by form, each form in its own transaction."""

    def __init__(self, engine: Engine, allowed: Callable[[str], bool] | None = None) -> None:
        self.engine = engine
        self.allowed = allowed
        self.instance: Instance = instance(engine)
        self.layouts: dict[str, dict[str, Any] | None] = {}
        self.pending: dict[tuple[str, bool], _Unit] = {}
        self.blanks: list[tuple[str, int, PageReport]] = []
        self.files: dict[str, dict[str, Any]] = {}

    def identify(self, texts: Sequence[str]) -> scan.Identity:
        """The form and printed page (with its layout) of the first QR code of ours."""
        mine = []
        reason = "no formgen QR code found on this page"
        for index, text in enumerate(texts):
            try:
                mine.append((index, *self.instance.verify(text)))
            except FormIdError as exc:
                reason = str(exc)
        if not mine:
            return scan.Identity(error=reason)
        hit, form_id, page_no = mine[0]
        if form_id not in self.layouts:
            with self.engine.connect() as conn:
                row = conn.execute(select(forms.c.layout).where(forms.c.id == form_id)).first()
            if row is None:
                return scan.Identity(form_id, error=f"form {form_id} is not in this record")
            self.layouts[form_id] = row[0]
        sheets = {s["page"]: s for s in (self.layouts.get(form_id) or {}).get("pages", [])}
        if page_no not in sheets:
            return scan.Identity(form_id, error=f"form {form_id} has no printed page {page_no}")
        return scan.Identity(form_id, page_no, hit, sheets[page_no])

    def file_seen(self, plan: _Plan) -> None:
        """Remember the file's name and size, noted in the store with its first page
        that lands."""
        assert plan.digest is not None
        self.files[plan.digest] = {
            "sha256": plan.digest,
            "filename": plan.path.name,
            "imported_at": records.now(),
            "pages": plan.pages,
        }

    def _note_files(self, conn: Connection, digests: set[str]) -> None:
        records.insert_new(conn, scans, [self.files[d] for d in sorted(digests)])

    def take(self, digest: str, look: scan.PageLook, report: PageReport) -> None:
        report.form_id = look.form_id
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
            self._land(self.pending.pop(key))

    def finish(self) -> None:
        while self.pending:
            self._land(self.pending.pop(next(iter(self.pending))))
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
                    _insert_page(conn, digest, page, None, None)
        except IntegrityError:
            for digest, page, report in blanks:
                try:
                    with self.engine.begin() as conn:
                        self._note_files(conn, {digest})
                        _insert_page(conn, digest, page, None, None)
                except IntegrityError:
                    report.fail("already imported by another import running at the same time")

    def _land(self, unit: _Unit) -> None:
        try:
            with self.engine.begin() as conn:
                recorder = _Recorder(conn, unit.form_id, self.allowed)
                self._note_files(conn, {digest for digest, _, _ in unit.pages})
                recorder.record(unit.pages)
        except IntegrityError:
            for _, _, report in unit.pages:
                report.fail("already imported by another import running at the same time")
        except _Refused as exc:
            for _, _, report in unit.pages:
                report.fail(str(exc))


def _insert_page(
    conn: Connection, digest: str, page: int, form_id: str | None, form_page: int | None
) -> int:
    result = conn.execute(
        insert(scan_pages).values(
            sha256=digest,
            page=page,
            form_id=form_id,
            form_page=form_page,
            imported_at=records.now(),
        )
    )
    return int(result.inserted_primary_key[0])


class _Recorder:
    """Decides and records the pages of one form inside its transaction."""

    def __init__(
        self, conn: Connection, form_id: str, allowed: Callable[[str], bool] | None
    ) -> None:
        self.conn = conn
        records.lock_form(conn, form_id)  # PostgreSQL: one writer per form at a time
        try:
            self.person = records.get_form(conn, form_id)
        except NotFound as exc:
            raise _Refused(str(exc)) from exc
        if allowed is not None and not allowed(self.person.recording_id):
            raise _Refused(f"form {form_id} is not in this record")
        if records.destroyed(conn, self.person.recording_id) is not None:
            raise _Refused(
                f"form {form_id} belongs to a destroyed recording: nothing of this page is kept"
            )

    def record(self, pages: Sequence[tuple[str, scan.PageLook, PageReport]]) -> None:
        for digest, look, report in pages:
            page_id = _insert_page(self.conn, digest, look.page, look.form_id, look.page_no)
            if look.images:
                self.conn.execute(
                    scan_images.insert(),
                    [{"page_id": page_id, "name": n, "data": d} for n, d in look.images.items()],
                )
            self._decide(f"scan:{digest}#{look.page}", page_id, look, report)
            report.name = self.person.name

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
        report.signed = measured.signed
        changes: list[tuple[str, str | None, str]] = []
        reasons: dict[str | None, str | None] = {SIGNATURE: None}
        withdrawal = sheet.get("kind") == "withdrawal"
        if sheet.get("signature") is not None and not withdrawal:
            # (a withdrawal sheet's signature counts for the withdrawal only, through
            # decide_pair; it says nothing about the declaration's)
            signature = {True: "signed", False: "unsigned", None: "unclear"}[measured.signed]
            changes.append((form_id, SIGNATURE, signature))
        state = records.form_states(self.conn, [form_id])[form_id]
        for clause in dict.fromkeys(b["clause"] for b in sheet["boxes"]):
            yes, no = measured.ink(clause, "yes"), measured.ink(clause, "no")
            read = rules.decide_pair(
                rules.classify_mark(yes), rules.classify_mark(no), measured.signed
            )
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
            detail[f"ink_{clause}"] = {"yes": round(yes, 4), "no": round(no, 4)}
        records.append_events(self.conn, changes, source=source, reasons=reasons, detail=detail)
        if any(s == Status.REVIEW for s in report.decisions.values()):
            report.status = "review"
        notes = [f"{c}: {r}" for c, r in reasons.items() if r]
        report.reason = "; ".join(notes) or None
        return None

    def _review_all(
        self, source: str, page_id: int, report: PageReport, sheet: dict[str, Any], reason: str
    ) -> None:
        form_id = self.person.form_id
        state = records.form_states(self.conn, [form_id])[form_id]
        withdrawal = sheet.get("kind") == "withdrawal"
        open_clauses = [
            c
            for c in dict.fromkeys(b["clause"] for b in sheet["boxes"])
            if rules.reviewable_after_unreadable(state.clauses.get(c), withdrawal=withdrawal)
        ]
        records.append_events(
            self.conn,
            [(form_id, c, str(Status.REVIEW)) for c in open_clauses],
            source=source,
            reason=reason,
            detail={"scan_page": page_id, "crops": {}},
        )
        report.status, report.reason = "review", reason
        report.decisions = {c: str(Status.REVIEW) for c in open_clauses}


# --- Worker processes -----------------------------------------------------------------


def _worker_count(workers: int | None) -> int:
    if workers is None:
        try:
            cpus = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cpus = os.cpu_count() or 1
        workers = min(MAX_WORKERS, cpus)
    return max(1, workers)


@dataclass
class _Plan:
    """A file to import, looked at before any page is read."""

    path: Path
    digest: str | None = None
    failure: str | None = None  # the file cannot be read at all (no digest)
    stamp: tuple[int, int] = (0, 0)  # size and mtime when hashed: workers check it
    pages: int = 0
    problem: str | None = None  # the file opens as no PDF or image: its report
    wanted: list[int] = field(default_factory=list)  # 0-based pages to read
    tasks: list[int] = field(default_factory=list)


def _plan(path: Path) -> _Plan:
    plan = _Plan(path)
    try:
        stat = path.stat()
        plan.digest, plan.stamp = scan.file_sha256(path), (stat.st_size, stat.st_mtime_ns)
    except OSError as exc:
        plan.failure = _unreadable(exc)
        return plan
    except scan.ScanInputError as exc:  # not a regular file, too large
        plan.failure = str(exc)
        return plan
    try:
        with scan.PageFile(path) as pages:
            plan.pages = pages.count
    except scan.ScanInputError as exc:
        plan.problem = str(exc)
    return plan


@contextlib.contextmanager
def _bare_main() -> Iterator[None]:
    """Spawn runs the program's main module again in every new process, for what a
    target might need from it. A page worker needs nothing from it: started under a
    bare ``__main__`` it neither imports the program (the CLI and the store's libraries,
    a benchmark, a script without an ``if __name__ == "__main__"`` guard) nor runs it."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


class _Pool:
    """Worker processes (spawned: this process holds database connections, which a
    fork must not copy) that read the pages they are sent (``scan.page_worker``). One
    pipe per worker carries its tasks, its questions (which form is this QR code?)
    with their answers, and what it saw; this process takes the results in task order."""

    DEPTH = 1 + scan.WORKER_PARKED  # tasks sent to a worker and not yet read, at most
    AHEAD = 8  # pages read but not yet recorded, at most (their images wait in memory)

    def __init__(self, count: int) -> None:
        self.pending: deque[tuple[int, str, int, tuple[int, int]]] = deque()
        self.results: dict[int, scan.PageLook | scan.PageFailure] = {}
        self.busy: dict[Any, list[int]] = {}
        self.procs: list[Any] = []
        self.next_task = 0
        context = multiprocessing.get_context("spawn")
        try:
            with _bare_main():
                for _ in range(count):
                    mine, theirs = context.Pipe()
                    proc = context.Process(
                        target=scan.page_worker, args=(theirs,), name="formgen-reader", daemon=True
                    )
                    proc.start()
                    theirs.close()
                    self.procs.append(proc)
                    self.busy[mine] = []
        except BaseException:
            self.close()
            raise

    def queue(self, plan: _Plan) -> None:
        """Queue the pages of a planned file for the workers (in order, behind the pages
        queued before): they read ahead while this process records earlier files."""
        if plan.problem is None and plan.digest is not None:
            for index in plan.wanted:
                self.pending.append((self.next_task, str(plan.path), index, plan.stamp))
                plan.tasks.append(self.next_task)
                self.next_task += 1
        self._feed()

    def results_of(
        self, plan: _Plan, identify: _Identify
    ) -> Iterator[scan.PageLook | scan.ScanInputError]:
        """The wanted pages of one queued file, as the workers deliver them."""
        for task in plan.tasks:
            yield self.result(task, identify)

    def result(self, task: int, identify: _Identify) -> scan.PageLook | scan.ScanInputError:
        while task not in self.results:
            self._feed()  # room made by results taken: the workers may have run dry
            self._serve(identify)
        seen = self.results.pop(task)
        self._feed()
        if isinstance(seen, scan.PageFailure):
            if seen.load:
                return scan.ScanInputError(seen.message)
            raise RuntimeError(f"a worker process failed reading a page:\n{seen.message}")
        return seen

    def _feed(self) -> None:
        for conn, busy in self.busy.items():
            while self.pending and len(busy) < self.DEPTH and len(self.results) < self.AHEAD:
                task = self.pending.popleft()
                conn.send(task)
                busy.append(task[0])

    def _serve(self, identify: _Identify) -> None:
        for conn in wait(list(self.busy)):
            try:
                kind, task, body = conn.recv()
            except (EOFError, OSError) as exc:
                raise RuntimeError("a worker process reading pages stopped unexpectedly") from exc
            if kind == "who":
                conn.send(("who", task, identify(body)))
                continue
            self.busy[conn].remove(task)
            self.results[task] = body
        self._feed()

    def close(self) -> None:
        for conn, busy in self.busy.items():
            if not busy:
                with contextlib.suppress(OSError):
                    conn.send(None)
        for proc, busy in zip(self.procs, self.busy.values(), strict=False):
            if busy:  # mid-page, its result unwanted: nothing of a worker's is on disk
                proc.terminate()
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
        for conn in self.busy:
            conn.close()
        self.procs, self.busy = [], {}
