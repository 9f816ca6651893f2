"""Scan imports as background jobs: an upload is stored with its files and answered at
once; a worker (``formgen serve`` runs one, ``formgen worker`` more, on any machine that
reaches the store) claims it, imports it with the library and reports progress per
page. A job whose worker stopped sending heartbeats is claimed again; the import itself
lands each page once (``scan_pages``), so nothing is imported twice.

The uploaded files wait in the store, not on disk, and are deleted when the job ends.
While a worker reads them they sit in a private temporary folder (0700, opaque names),
removed when the import ends and swept at the next start after a crash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine, delete, func, or_, select, update

from formgen.errors import NotFound, RecordError
from formgen.record import records, sealing
from formgen.record.schema import events, job_files, jobs, scan_pages
from formgen.words import N_

HEARTBEAT = dt.timedelta(seconds=5)
STALE = dt.timedelta(seconds=60)  # no heartbeat for this long: the worker is gone
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_JOB_BYTES = 512 * 1024 * 1024
MAX_FILES = 200
TEMP_PREFIX = "formgen-job-"
PART_BYTES = 4 * 1024 * 1024  # an uploaded file is stored in parts of this size
_KINDS = {b"%PDF": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"II*\x00": "tiff"}


def kind_of(head: bytes) -> str | None:
    """A scan's type from its first bytes: PDF, PNG, JPEG or TIFF, else None."""
    if head[:4] == b"MM\x00*":
        return "tiff"
    return next((k for magic, k in _KINDS.items() if head.startswith(magic)), None)


@dataclass(frozen=True)
class Job:
    id: str
    user_id: str
    state: str  # queued | running | done | failed
    total_pages: int
    done_pages: int
    pages: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    created_at: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "state": self.state,
            "done_pages": self.done_pages,
            "total_pages": self.total_pages,
            "pages": self.pages,
        }
        if self.error:
            out["error"] = self.error
        return out


def _job(conn: Connection, row: Any) -> Job:
    return Job(
        id=row.id,
        user_id=row.user_id,
        state=row.state,
        total_pages=row.total_pages,
        done_pages=row.done_pages,
        pages=sealing.open_job_pages(conn, row.id, list(row.pages or [])),
        error=row.error,
        created_at=row.created_at,
    )


Upload = bytes | BinaryIO  # a file's content, or an open file to read it from


def submit(engine: Engine, user_id: str, files: Sequence[tuple[str, Upload]]) -> Job:
    """Store an upload as a queued job. Only PDFs and images, within the size limits;
    anything else is refused whole, before anything is stored. An open file is read
    and stored part by part (``PART_BYTES``), never whole in memory."""
    if not files:
        raise RecordError(N_("no files to import"))
    if len(files) > MAX_FILES:
        raise RecordError(N_("at most {n} files at a time"), n=MAX_FILES)
    sources = [(_shown(name), _readable(content)) for name, content in files]
    total = 0
    for name, source in sources:
        problem = refusal(name, source)
        if problem is not None:
            raise problem
        total += source.seek(0, os.SEEK_END)
    if total > MAX_JOB_BYTES:
        raise RecordError(N_("the files are larger than {n} MiB together"), n=MAX_JOB_BYTES >> 20)
    job_id = records.new_id("J")
    with engine.begin() as conn:
        conn.execute(
            jobs.insert().values(
                id=job_id, user_id=user_id, state="queued", created_at=records.now()
            )
        )
        for position, (name, source) in enumerate(sources):
            source.seek(0)
            for part, data in enumerate(iter(lambda s=source: s.read(PART_BYTES), b"")):
                sealed = sealing.seal_job_file_name(conn, job_id, position, part, name)
                conn.execute(
                    job_files.insert().values(
                        job_id=job_id, position=position, part=part, filename=sealed, data=data
                    )
                )
    return get(engine, job_id)


def _readable(content: Upload) -> BinaryIO:
    return io.BytesIO(content) if isinstance(content, bytes | bytearray) else content


def refusal(name: str, content: Upload) -> RecordError | None:
    """Why one uploaded file cannot be a scan job's (None: it can): the web page lands
    the other files of an upload and names this one. An open file is only peeked at."""
    source = _readable(content)
    size = source.seek(0, os.SEEK_END)
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    if kind_of(head) is None:
        return RecordError(
            N_("{file} is not a PDF or an image (PNG, JPEG, TIFF)"), file=_shown(name)
        )
    if size > MAX_FILE_BYTES:
        return RecordError(
            N_("{file} is larger than {n} MiB"), file=_shown(name), n=MAX_FILE_BYTES >> 20
        )
    return None


def _shown(name: str) -> str:
    """A file name as the uploader's browser gave it, reduced to its last part."""
    return (Path(name.replace("\\", "/")).name or "upload")[:200]


def get(engine: Engine, job_id: str, user_id: str | None = None) -> Job:
    """A job; with ``user_id``, only that person's (another's answers NotFound)."""
    with engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id.strip().upper())).first()
        if row is None or (user_id is not None and row.user_id != user_id):
            raise NotFound(N_("no job {job_id!r}"), job_id=job_id)
        return _job(conn, row)


def claim(engine: Engine, worker: str) -> Job | None:
    """Take the oldest queued job, or one whose worker went silent. On PostgreSQL, FOR
    UPDATE SKIP LOCKED lets workers claim side by side; SQLite's write transactions
    take turns anyway."""
    now = records.now()
    with engine.begin() as conn:
        query = (
            select(jobs.c.id)
            .where(
                or_(
                    jobs.c.state == "queued",
                    (jobs.c.state == "running") & (jobs.c.heartbeat_at < now - STALE),
                )
            )
            .order_by(jobs.c.created_at)
            .limit(1)
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job_id = conn.execute(query).scalar()
        if job_id is None:
            return None
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(
                state="running",
                worker=worker[:80],
                started_at=func.coalesce(jobs.c.started_at, now),
                heartbeat_at=now,
                attempts=jobs.c.attempts + 1,
            )
        )
    return get(engine, job_id)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _beat(engine: Engine, job_id: str, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(jobs).where(jobs.c.id == job_id).values(heartbeat_at=records.now(), **values)
        )


def sweep_temp() -> None:
    """Remove job folders a crashed worker of this machine left behind. A folder names
    its worker's process: one that still runs is importing from it (several workers may
    run on one machine, and each sweeps when it starts)."""
    root = Path(tempfile.gettempdir())
    for folder in root.glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if _alive(folder.name.removeprefix(TEMP_PREFIX).partition("-")[0]):
                continue
            if folder.is_dir() and folder.stat().st_uid == os.getuid():
                shutil.rmtree(folder)


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False  # a folder of an older formgen: its worker is gone
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


Importer = Callable[[list[Path], Callable[[int], None]], list[Any]]


def run(engine: Engine, job: Job, import_files: Importer) -> Job:
    """Import a claimed job's files with ``import_files(paths, progress)`` (the caller
    decides whose forms may land), sending heartbeats, and record the outcome."""
    folder = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))  # 0700
    names: dict[str, str] = {}
    digests: dict[str, str] = {}
    try:
        paths = _write_parts(engine, job.id, folder, names, digests)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    from formgen.scan import landing

    total = landing.page_count(paths)
    _beat(engine, job.id, total_pages=total, done_pages=0)
    done = 0
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT.total_seconds()):
            with contextlib.suppress(Exception):  # a missed beat only risks a re-claim
                _beat(engine, job.id, done_pages=done)

    def progress(pages: int) -> None:
        nonlocal done
        done += pages

    beating = threading.Thread(target=heartbeat, name=f"heartbeat-{job.id}", daemon=True)
    beating.start()
    try:
        reports = import_files(paths, progress)
    except Exception as exc:  # recorded for the person waiting; the worker goes on
        stop.set()
        beating.join()
        _finish(engine, job.id, "failed", [], f"the import failed: {type(exc).__name__}")
        raise
    finally:
        stop.set()
        shutil.rmtree(folder, ignore_errors=True)
    beating.join()
    pages = [_as_uploaded(r.as_dict(), names) for r in reports]
    pages = _earlier_attempt(engine, job, pages, reports, digests)
    _finish(engine, job.id, "done", pages, None, done_pages=total)
    return get(engine, job.id)


def _write_parts(
    engine: Engine, job_id: str, folder: Path, names: dict[str, str], digests: dict[str, str]
) -> list[Path]:
    """The job's files written into ``folder`` (opaque names, owner-only), read from the
    store one part at a time; ``names`` and ``digests`` learn each file's uploaded name
    and SHA-256."""
    paths: list[Path] = []
    with engine.connect() as conn:
        parts = conn.execute(
            select(job_files.c.id, job_files.c.position, job_files.c.part, job_files.c.filename)
            .where(job_files.c.job_id == job_id)
            .order_by(job_files.c.position, job_files.c.part)
        ).all()
        handle: BinaryIO | None = None
        digest = hashlib.sha256()
        current = None
        try:
            for row_id, position, part, filename in parts:
                data = bytes(
                    conn.execute(
                        select(job_files.c.data).where(job_files.c.id == row_id)
                    ).scalar_one()
                )
                if position != current:  # a new file begins with this part
                    if handle is not None:
                        handle.close()
                        digests[str(paths[-1])] = digest.hexdigest()
                    current = position
                    path = folder / f"{len(paths):03d}.{kind_of(data[:8]) or 'bin'}"
                    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                    handle = os.fdopen(fd, "wb")
                    digest = hashlib.sha256()
                    names[str(path)] = sealing.open_job_file_name(
                        conn, job_id, position, part, filename
                    )
                    paths.append(path)
                assert handle is not None
                handle.write(data)
                digest.update(data)
            if handle is not None:
                handle.close()
                digests[str(paths[-1])] = digest.hexdigest()
        finally:
            if handle is not None:
                handle.close()
    return paths


def _as_uploaded(page: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A page's report in the uploaded file's name, also where the reader's reason names
    the file ("000.pdf: truncated PDF" is the worker's temporary copy)."""
    temporary = page["source"]
    uploaded = names.get(temporary, temporary)
    if page.get("reason"):
        page["reason"] = page["reason"].replace(Path(temporary).name, uploaded)
    return {**page, "source": uploaded}


def _earlier_attempt(
    engine: Engine,
    job: Job,
    pages: list[dict[str, Any]],
    reports: Sequence[Any],
    digests: dict[str, str],
) -> list[dict[str, Any]]:
    """A job claimed again after its worker died finds the pages that worker landed
    "already imported": they are this job's own, so report them as they landed."""
    out: list[dict[str, Any]] = []
    for page, report in zip(pages, reports, strict=True):
        digest = digests.get(report.source)
        again = page["status"] == "error" and (page.get("reason") or "").startswith(
            "already imported"
        )
        own = _own(engine, job, page, digest, report.page) if again and digest else []
        out += own or [page]
    return out


def _own(
    engine: Engine, job: Job, page: dict[str, Any], digest: str, number: int | None
) -> list[dict[str, Any]]:
    """The page (or, for a whole file, every page) as it landed, if this job landed it
    (an earlier attempt of it). A page another job landed from the same file is not
    this job's to report: it stays as the import saw it."""
    query = select(scan_pages.c.page, scan_pages.c.form_id).where(
        scan_pages.c.sha256 == digest, scan_pages.c.job_id == job.id
    )
    if number is not None:
        query = query.where(scan_pages.c.page == number)
    found = []
    with engine.connect() as conn:
        for landed, form_id in conn.execute(query.order_by(scan_pages.c.page)):
            source = f"scan:{digest}#{landed}"
            statuses = set(
                conn.execute(select(events.c.status).where(events.c.source == source)).scalars()
            )
            found.append(
                {
                    **page,
                    "page": landed,
                    "form_id": form_id,
                    "status": "review" if "review" in statuses else "ok",
                    "reason": "imported by an earlier attempt of this job",
                    **({"blank": True} if form_id is None else {}),
                }
            )
    return found


def _finish(
    engine: Engine,
    job_id: str,
    state: str,
    pages: list[dict[str, Any]],
    error: str | None,
    **values: Any,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(
                state=state,
                pages=sealing.seal_job_pages(conn, job_id, pages),
                error=error,
                finished_at=records.now(),
                **values,
            )
        )
        conn.execute(delete(job_files).where(job_files.c.job_id == job_id))
