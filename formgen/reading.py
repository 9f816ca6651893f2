"""Signed scans back into the consent record, and the review of what was unclear.

One transaction per imported file: if any page of a file fails, nothing of that file is
written (no events, no images). Each decision is an event whose source is the file's
SHA-256 and page. The reader only measures (``scan``); what a measurement means is
``rules.classify_mark`` and ``rules.decide_pair``. Nothing here turns doubt into consent.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sys
import types
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from . import records, rules, scan
from .config import Config
from .formid import FormIdError, Instance
from .privacy import private_dir, write_private
from .records import SIGNATURE, RecordError
from .rules import Status
from .schema import events, forms, participants, scans
from .store import instance

NOT_IMPORTED = "not imported: another page of this file failed"
SCAN_DPI = 150.0  # rectified page resolution: 5.9 px/mm, 38 px across a box


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


class _Rollback(Exception):
    """Abort a file's transaction after reporting its pages."""


def scans_dir(config: Config) -> Path:
    return config.output_dir / "scans"


MAX_WORKERS = 2  # the machine this runs on: two cores
# Starting the workers takes ~0.6 s to the first page: on two cores they win from about
# 10-12 scanned pages (PNG at 200-300 dpi); fewer are read here.
PARALLEL_MIN_PAGES = 12


def import_files(
    engine: Engine,
    config: Config,
    paths: Sequence[Path],
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> list[PageReport]:
    """Import each file in its own transaction, in order (see ``import_file``).

    ``workers`` (default: the usable CPUs, at most ``MAX_WORKERS``) above 1 reads the
    pages in that many worker processes when the files hold ``PARALLEL_MIN_PAGES`` or
    more in all. A worker opens the file itself, finds the QR code, asks this process
    which form and layout it belongs to, registers and measures, and sends back numbers
    and encoded crops; this process keeps the store and every file write, and decides
    and records page by page in file order, so the reports are the same as with one.
    ``workers=1`` reads every page in this process."""
    count = _worker_count(workers)
    if count == 1:
        return [r for path in paths for r in import_file(engine, config, path, progress)]
    plans = [_plan(Path(path)) for path in paths]
    digests = [p.digest for p in plans if p.digest]
    done: set[str] = set()
    with engine.connect() as conn:
        for i in range(0, len(digests), 500):
            chunk = scans.c.sha256.in_(digests[i : i + 500])
            done.update(conn.execute(select(scans.c.sha256).where(chunk)).scalars())
    for plan in plans:
        if plan.digest in done:
            plan.pages = 0  # reported as already imported without reading a page
    pool: _Pool | None = None
    if sum(p.pages for p in plans) >= PARALLEL_MIN_PAGES:
        try:
            pool = _Pool(count)
        except OSError:  # no processes to be had: read here
            pool = None
    try:
        if pool is not None:
            for plan in plans:
                pool.queue(plan)
        reports: list[PageReport] = []
        for plan in plans:
            if plan.digest is None:
                reports.append(PageReport(str(plan.path), None, None, "error", plan.failure))
                continue
            read = _read_here(plan.path) if pool is None else pool.reader(plan)
            reports += _import(engine, config, plan.path, plan.digest, read, progress)
            if pool is not None:
                pool.discard(plan.tasks)  # pages after a failed one, or of a duplicate file
        return reports
    finally:
        if pool is not None:
            pool.close()


def import_file(
    engine: Engine,
    config: Config,
    path: Path,
    progress: Callable[[int], None] | None = None,
) -> list[PageReport]:
    """One file in one transaction, read in this process: if any page fails, nothing of
    the file is written. Importing the same file again changes nothing."""
    try:
        digest = scan.file_sha256(path)
    except OSError as exc:
        return [PageReport(str(path), None, None, "error", _unreadable(exc))]
    return _import(engine, config, Path(path), digest, _read_here(Path(path)), progress)


_ReadPages = Callable[["_Reader"], Iterator[PageReport]]


def _unreadable(exc: OSError) -> str:
    return f"cannot read the file ({exc.strerror})"


def _read_here(path: Path) -> _ReadPages:
    def read(reader: _Reader) -> Iterator[PageReport]:
        for page in scan.load_pages(path):
            yield reader.read(page)

    return read


def _import(
    engine: Engine,
    config: Config,
    path: Path,
    digest: str,
    read: _ReadPages,
    progress: Callable[[int], None] | None,
) -> list[PageReport]:
    """The transaction of one file; ``read(reader)`` yields its page reports in order
    and raises ScanInputError for a file (or page) that cannot be loaded."""
    source = str(path)
    keep = scans_dir(config) / digest[:16]
    reports: list[PageReport] = []
    try:
        with engine.begin() as conn:
            seen = conn.execute(select(scans.c.imported_at).where(scans.c.sha256 == digest))
            if (when := seen.scalar()) is not None:
                reason = f"already imported on {when:%Y-%m-%d %H:%M}; nothing changed"
                return [PageReport(source, None, None, "error", reason)]
            reader = _Reader(conn, instance(conn), digest, keep)
            try:
                for report in read(reader):
                    reports.append(report)
                    if progress:
                        progress(1)
            except scan.ScanInputError as exc:
                reports.append(PageReport(source, None, None, "error", str(exc)))
            if not reports:
                reports.append(PageReport(source, None, None, "error", "the file has no pages"))
            if any(r.status == "error" for r in reports):
                raise _Rollback
            conn.execute(
                scans.insert().values(
                    sha256=digest, filename=path.name, imported_at=records.now(), pages=len(reports)
                )
            )
    except BaseException as exc:
        shutil.rmtree(keep, ignore_errors=True)
        if not isinstance(exc, _Rollback):
            raise
        for report in reports:
            if report.status != "error":
                report.status, report.reason = (
                    "error",
                    "not imported: another page of this file failed",
                )
                report.decisions = {}
    return reports


def _write_images(folder: Path, page: scan.PageLook) -> dict[str, str]:
    """Write a page's images (owner-only); the crops' paths by key."""
    for name, data in page.images.items():
        write_private(folder / name, data)
    return {key: str(folder / name) for key, name in page.crops.items()}


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
    tasks: list[int] = field(default_factory=list)


def _plan(path: Path) -> _Plan:
    plan = _Plan(path)
    try:
        stat = path.stat()
        plan.digest, plan.stamp = scan.file_sha256(path), (stat.st_size, stat.st_mtime_ns)
    except OSError as exc:
        plan.failure = _unreadable(exc)
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
        self.dropped: set[int] = set()
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
            for index in range(plan.pages):
                self.pending.append((self.next_task, str(plan.path), index, plan.stamp))
                plan.tasks.append(self.next_task)
                self.next_task += 1
        self._feed()

    def reader(self, plan: _Plan) -> _ReadPages:
        """The page reports of one queued file, as the workers deliver them."""

        def read(reader: _Reader) -> Iterator[PageReport]:
            if plan.problem is not None:
                raise scan.ScanInputError(plan.problem)
            for task in plan.tasks:
                yield reader.record(self.result(task, reader.identify))

        return read

    def result(self, task: int, identify: Callable[[list[str]], scan.Identity]) -> scan.PageLook:
        while task not in self.results:
            self._feed()  # room made by results taken: the workers may have run dry
            self._serve(identify)
        seen = self.results.pop(task)
        self._feed()
        if isinstance(seen, scan.PageFailure):
            if seen.load:
                raise scan.ScanInputError(seen.message)
            raise RuntimeError(f"a worker process failed reading a page:\n{seen.message}")
        return seen

    def discard(self, tasks: Sequence[int]) -> None:
        """Forget tasks whose results are no longer wanted."""
        drop = set(tasks)
        self.pending = deque(t for t in self.pending if t[0] not in drop)
        for task in drop:
            self.results.pop(task, None)
        self.dropped |= {t for t in drop if any(t in b for b in self.busy.values())}

    def _feed(self) -> None:
        for conn, busy in self.busy.items():
            while self.pending and len(busy) < self.DEPTH and len(self.results) < self.AHEAD:
                task = self.pending.popleft()
                conn.send(task)
                busy.append(task[0])

    def _serve(self, identify: Callable[[list[str]], scan.Identity]) -> None:
        for conn in wait(list(self.busy)):
            try:
                kind, task, body = conn.recv()
            except (EOFError, OSError) as exc:
                raise RuntimeError("a worker process reading pages stopped unexpectedly") from exc
            if kind == "who":
                conn.send(("who", task, identify(body)))
                continue
            self.busy[conn].remove(task)
            if task in self.dropped:
                self.dropped.discard(task)
            else:
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


class _Reader:
    """Reads the pages of one file inside its transaction."""

    def __init__(self, conn: Connection, inst: Instance, digest: str, keep: Path) -> None:
        self.conn, self.instance, self.digest, self.keep = conn, inst, digest, keep

    def read(self, page: scan.PageImage) -> PageReport:
        return self.record(scan.look(page, self.identify, SCAN_DPI))

    def identify(self, texts: Sequence[str]) -> scan.Identity:
        """The form and printed page (with its layout) of the first QR code of ours."""
        mine = []
        for index, text in enumerate(texts):
            try:
                mine.append((index, *self.instance.verify(text)))
            except FormIdError as exc:
                reason = str(exc)
        if not mine:
            return scan.Identity(error=reason)
        hit, form_id, page_no = mine[0]
        try:
            records.get_form(self.conn, form_id)
        except RecordError:
            return scan.Identity(form_id, error=f"form {form_id} is not in this record")
        layout = self.conn.execute(select(forms.c.layout).where(forms.c.id == form_id)).scalar()
        sheets = {s["page"]: s for s in (layout or {}).get("pages", [])}
        if page_no not in sheets:
            return scan.Identity(form_id, error=f"form {form_id} has no printed page {page_no}")
        return scan.Identity(form_id, page_no, hit, sheets[page_no])

    def record(self, page: scan.PageLook) -> PageReport:
        """What a page says, decided and recorded (its images written) in the store."""
        report = PageReport(page.source, page.page, page.form_id, "ok")
        if page.blank:
            report.blank, report.reason = True, "blank page"
            return report
        if page.error is not None or page.sheet is None or page.form_id is None:
            return self._error(report, page.error or "page not identified")
        form_id, page_no, sheet = page.form_id, page.page_no, page.sheet
        try:
            person = records.get_form(self.conn, form_id)
        except RecordError:
            return self._error(report, f"form {form_id} is not in this record")
        folder = private_dir(self.keep / f"p{page.page:03d}-{form_id}")
        crops = _write_images(folder, page)
        if not page.registered:
            reason = f"page could not be registered ({page.reason})"
            return self._review_all(report, person, sheet, reason, folder)
        if not sheet["boxes"] and sheet.get("signature") is None:
            report.reason = f"page {page_no} of form {form_id} (no boxes)"
            return report
        measured = page.measured
        assert measured is not None
        if measured.problems:  # an outline not where the layout says: don't read it
            reason = "page not read reliably (" + "; ".join(measured.problems) + ")"
            return self._review_all(report, person, sheet, reason, folder)
        detail: dict[str, Any] = {
            "page_image": str(folder / "page.jpg"),
            "crops": crops,
            "residual_mm": round(page.residual_mm, 3),
            "signature_ink": None
            if measured.signature_ink is None
            else round(measured.signature_ink, 4),
        }
        report.signed = measured.signed
        changes: list[tuple[str, str | None, str]] = []
        reasons: dict[str, str | None] = {}
        withdrawal = sheet.get("kind") == "withdrawal"
        if sheet.get("signature") is not None and not withdrawal:
            # (a withdrawal sheet's signature counts for the withdrawal only, through
            # decide_pair; it says nothing about the declaration's)
            signature = {True: "signed", False: "unsigned", None: "unclear"}[measured.signed]
            changes.append((form_id, SIGNATURE, signature))
        state = records.form_states(self.conn, [form_id])[form_id]
        for clause in dict.fromkeys(b["clause"] for b in sheet["boxes"]):
            yes, no = measured.ink(clause, "yes"), measured.ink(clause, "no")
            decision = rules.decide_pair(
                rules.classify_mark(yes), rules.classify_mark(no), measured.signed
            )
            status, reason = decision.status, decision.reason
            current = state.clauses.get(clause)
            if withdrawal:
                outcome = rules.decide_withdrawal(decision, current)
                if outcome is None:
                    reasons[clause] = f"{current}; the withdrawal form changes nothing"
                    continue
                status, reason = outcome.status, outcome.reason
            elif status is Status.GIVEN and person.name is None:
                status, reason = Status.REVIEW, "name written by hand: type it when resolving"
            if current in rules.FINAL:
                report.status = "review"
                reasons[clause] = f"already {current}; this scan changes nothing"
                continue
            if current in (Status.GIVEN, Status.REFUSED, Status.NO_ANSWER) and status not in (
                current,
                Status.REVIEW,
                Status.WITHDRAWN,
            ):
                status, reason = Status.REVIEW, f"conflicts with the earlier decision ({current})"
            reasons[clause] = reason
            report.decisions[clause] = str(status)
            changes.append((form_id, clause, str(status)))
            detail[f"ink_{clause}"] = {"yes": round(yes, 4), "no": round(no, 4)}
        records._append(
            self.conn,
            changes,
            source=f"scan:{self.digest}#{page.page}",
            reasons={SIGNATURE: None, **reasons},
            detail=detail,
        )
        if any(s == Status.REVIEW for s in report.decisions.values()):
            report.status = "review"
        notes = [f"{c}: {r}" for c, r in reasons.items() if r]
        report.reason = "; ".join(notes) or None
        return report

    def _error(self, report: PageReport, reason: str) -> PageReport:
        report.status, report.reason = "error", reason
        return report

    def _review_all(
        self,
        report: PageReport,
        person: records.Participant,
        sheet: Mapping[str, Any],
        reason: str,
        folder: Path,
    ) -> PageReport:
        clauses = list(dict.fromkeys(b["clause"] for b in sheet["boxes"]))
        state = records.form_states(self.conn, [person.form_id])[person.form_id]
        open_clauses = [c for c in clauses if state.clauses.get(c) not in rules.FINAL]
        if sheet.get("kind") == "withdrawal":  # only a given consent has anything to lose
            open_clauses = [c for c in clauses if state.clauses.get(c) is Status.GIVEN]
        records._append(
            self.conn,
            [(person.form_id, c, str(Status.REVIEW)) for c in open_clauses],
            source=f"scan:{self.digest}#{report.page}",
            reason=reason,
            detail={"page_image": str(folder / "page.jpg")},
        )
        report.status, report.reason = "review", reason
        report.decisions = {c: str(Status.REVIEW) for c in open_clauses}
        return report


# --- Review ---------------------------------------------------------------------------


def review_items(engine: Engine) -> list[dict[str, Any]]:
    """Every clause whose current status is review, with what the reader saw."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(forms.c.id, participants.c.recording_id, participants.c.name)
            .join(participants, participants.c.id == forms.c.participant_id)
            .order_by(participants.c.recording_id, participants.c.position)
        ).all()
        states = records.form_states(conn, [r.id for r in rows])
        items = []
        for form_id, recording_id, name in rows:
            for clause, status in states[form_id].clauses.items():
                if status is Status.REVIEW:
                    items.append(
                        {
                            "item": f"{form_id}:{clause}",
                            "recording_id": recording_id,
                            "form_id": form_id,
                            "clause": clause,
                            "name": name,
                            "reason": states[form_id].reasons.get(clause),
                        }
                    )
    return items


def _pending(conn: Connection, item: str) -> tuple[records.Participant, str]:
    """The form and clause of a review item ("FORM-ID:clause") that is still open."""
    form_id, sep, clause = item.partition(":")
    if not sep or not clause:
        raise RecordError(f"{item!r} is not a review item (like 7KQ2-M9XD-4:recording)")
    person = records.get_form(conn, form_id)
    state = records.form_states(conn, [person.form_id])[person.form_id]
    if state.clauses.get(clause) is not Status.REVIEW:
        raise RecordError(f"{person.form_id}:{clause} is not waiting for review")
    return person, clause


def review_show(engine: Engine, item: str) -> dict[str, Any]:
    with engine.connect() as conn:
        person, clause = _pending(conn, item)
        last = (
            conn.execute(
                select(events)
                .where(events.c.form_id == person.form_id, events.c.clause == clause)
                .order_by(events.c.id.desc())
                .limit(1)
            )
            .mappings()
            .one()
        )
    detail = last["detail"] or {}
    return {
        "item": f"{person.form_id}:{clause}",
        "form_id": person.form_id,
        "clause": clause,
        "name": person.name,
        "needs_name": person.name is None,
        "reason": last["reason"],
        "source": last["source"],
        "ink": detail.get(f"ink_{clause}"),
        "thresholds": {"empty": rules.Thresholds().empty, "marked": rules.Thresholds().marked},
        "signature_ink": detail.get("signature_ink"),
        "residual_mm": detail.get("residual_mm"),
        "page_image": detail.get("page_image"),
        "crops": {
            k: v
            for k, v in (detail.get("crops") or {}).items()
            if k.startswith(f"{clause}-") or k in ("signature", "name", "signer")
        },
    }


def review_resolve(
    engine: Engine, item: str, decision: str, *, by: str, name: str | None = None
) -> dict[str, Any]:
    """A person's decision on a review item, recorded as a manual event. For a blank
    form the handwritten name is typed in as part of resolving it."""
    with engine.begin() as conn:
        person, clause = _pending(conn, item)
        if person.name is None and not name:
            raise RecordError("this form's name was written by hand: give --name as written")
        if name:
            try:
                typed = rules.check_name(name, "--name")
            except ValueError as exc:
                raise RecordError(str(exc)) from exc
            conn.execute(
                update(participants).where(participants.c.id == person.id).values(name=typed)
            )
        records.set_consent(conn, person.form_id, clause, decision, by=by, reason="review resolved")
    return {"item": f"{person.form_id}:{clause}", "status": decision}
