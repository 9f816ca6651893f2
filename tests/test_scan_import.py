"""Signed scans back into the record through `formgen scan import`: never inventing
consent, one transaction per form, review for everything unsure, images in the store."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formgen.rules import Status

from .conftest import Run, store_dump
from .helpers.rendering import rasterise
from .helpers.scans import Fill, blank_backside, degrade, fill_page, save_pdf, save_png

LIVE = ("--livestream",)

pytestmark = pytest.mark.usefixtures("db_url")  # on SQLite and on PostgreSQL


@pytest.fixture
def printed(js: Callable[..., Any], run: Run, rec_live: str) -> dict[str, Any]:
    """Four participants of a live-streamed recording, their forms printed; the pages
    the tests use (the first form's information page, each form's page to sign)
    rasterised at 300 dpi, by their index in the PDF."""
    people = [js("participant", "add", rec_live, "--name", n) for n in ("Ann", "Bob", "Cas")]
    people.append(js("participant", "add", rec_live, "--name", "Dex", "--under-16"))
    pdf = Path(js("forms", rec_live)["pdf"]).read_bytes()
    used = [0, *(3 * index + 2 for index in range(len(people)))]
    pages = dict(zip(used, rasterise(pdf, 300, used), strict=True))
    layouts = {p["form_id"]: js("layout", p["form_id"]) for p in people}
    return {"rec": rec_live, "people": people, "pages": pages, "layouts": layouts}


@pytest.fixture
def rec_live(js: Callable[..., Any]) -> str:
    from .conftest import RECORDING

    return js(*RECORDING, *LIVE)["id"]


def page2(printed: dict[str, Any], index: int) -> tuple[np.ndarray, dict[str, Any]]:
    person = printed["people"][index]
    return printed["pages"][3 * index + 2], printed["layouts"][person["form_id"]]["pages"][2]


FILLS = [
    Fill({"recording": ["yes"], "livestream": ["no"]}),
    Fill({"recording": ["no"], "livestream": []}, kind="cross", pen="black-ballpoint"),
    Fill({"recording": ["yes", "no"], "livestream": ["yes"]}, kind="fill", pen="black-felt"),
    Fill({"recording": ["yes"], "livestream": ["yes"]}, signed=False, kind="scribble"),
]


def import_json(run: Run, *files: Path, ok: bool = True) -> dict[str, Any]:
    result = run("scan", "import", *map(str, files), "--json", ok=ok)
    return json.loads(result.stdout)


# Every condition is read into SQLite; PostgreSQL, where the landing is what differs,
# gets the first (conftest: ``one_store`` on a parameter).
CONDITIONS = [
    "flatbed-200-gray",
    "flatbed-300-bw",
    "flatbed-300-dither",
    "flatbed-rot5",
    "flatbed-rot180",
    "fit-to-page",
    "noisy",
    "phone-photo",
]


@pytest.mark.parametrize(
    "condition",
    [CONDITIONS[0], *(pytest.param(c, marks=pytest.mark.one_store) for c in CONDITIONS[1:])],
)
def test_decisions_follow_the_marks(
    printed: dict[str, Any], run: Run, js: Callable[..., Any], condition: str
) -> None:
    rng = np.random.default_rng(7)
    files = []
    for index, fill in enumerate(FILLS):
        page, sheet = page2(printed, index)
        scan = degrade(fill_page(page, sheet, fill, rng), condition, rng)
        files.append(save_png(Path(f"scan-{index}.png"), scan))
    # the back of a sheet, taken the same way: reported blank, not an error
    files.append(save_png(Path("back.png"), degrade(blank_backside(rng, 300), condition, rng)))
    report = import_json(run, *files)
    *forms, back = report["pages"]
    assert [p["form_id"] for p in forms] == [p["form_id"] for p in printed["people"]]
    assert (back["status"], back.get("blank")) == ("ok", True), back
    status = js("status", printed["rec"])
    for person, fill in zip(status["participants"], FILLS, strict=True):
        for clause, got in person["clauses"].items():
            truth = fill.truth(clause)
            assert got != Status.GIVEN or truth is Status.GIVEN, (condition, clause, person)
            assert got == truth, (condition, person["name"], clause, got, truth)
        assert person["signed"] is fill.signed
    assert [p["name"] for p in status["must_not_appear"]] == ["Ann", "Bob", "Cas", "Dex"]


def test_a_scanner_stack_in_any_order(
    printed: dict[str, Any], run: Run, js: Callable[..., Any]
) -> None:
    """One PDF: forms shuffled, one upside down, information pages and blank backsides."""
    rng = np.random.default_rng(3)
    everyone = Fill({"recording": ["yes"], "livestream": ["yes"]})
    images = []
    for index in (2, 0, 3, 1):
        page, sheet = page2(printed, index)
        images.append(degrade(fill_page(page, sheet, everyone, rng), "flatbed-200-gray", rng))
        images.append(blank_backside(rng))
    images.insert(3, degrade(np.rot90(printed["pages"][0], 2).copy(), "flatbed-200-gray", rng))
    images[0] = np.rot90(images[0], 2).copy()
    report = import_json(run, save_pdf(Path("stack.pdf"), images))
    pages = report["pages"]
    assert len(pages) == 9
    assert [p["status"] for p in pages] == ["ok"] * 9
    assert sum(bool(p.get("blank")) for p in pages) == 4
    status = js("status", printed["rec"])
    assert status["camera_advice"] == "all" and status["must_not_appear"] == []


def store_digest(db: Path) -> str:
    return store_dump()


def test_the_same_scan_twice_changes_nothing(printed: dict[str, Any], run: Run, db: Path) -> None:
    rng = np.random.default_rng(5)
    page, sheet = page2(printed, 0)
    scan = save_png(
        Path("once.png"), degrade(fill_page(page, sheet, FILLS[0], rng), "flatbed-200-gray", rng)
    )
    import_json(run, scan)
    before = store_digest(db)
    result = run("scan", "import", str(scan), ok=False)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "already imported" in result.stderr
    assert store_digest(db) == before


def test_a_later_scan_that_disagrees_goes_to_review(
    printed: dict[str, Any], run: Run, js: Callable[..., Any]
) -> None:
    rng = np.random.default_rng(9)
    page, sheet = page2(printed, 0)
    first = Fill({"recording": ["yes"], "livestream": ["yes"]})
    second = Fill({"recording": ["no"], "livestream": ["yes"]})
    for name, fill in (("first.png", first), ("second.png", second)):
        image = degrade(fill_page(page, sheet, fill, rng), "flatbed-200-gray", rng)
        import_json(run, save_png(Path(name), image))
    person = js("status", printed["rec"])["participants"][0]
    assert person["clauses"] == {"recording": "review", "livestream": "given"}
    items = js("review", "list")["items"]
    assert [i["item"] for i in items] == [f"{person['form_id']}:recording"]
    assert "conflicts" in items[0]["reason"]


def test_review_show_and_resolve(printed: dict[str, Any], run: Run, js: Callable[..., Any]) -> None:
    rng = np.random.default_rng(11)
    page, sheet = page2(printed, 3)
    unsigned = FILLS[3]
    import_json(
        run,
        save_png(
            Path("u.png"), degrade(fill_page(page, sheet, unsigned, rng), "flatbed-200-gray", rng)
        ),
    )
    form_id = printed["people"][3]["form_id"]
    shown = js("review", "show", f"{form_id}:recording")
    assert shown["reason"] == "not signed" and shown["ink"]["yes"] > shown["thresholds"]["marked"]
    assert shown["page_image"] == "page.jpg" and "signature" in shown["crops"]
    assert not Path("output/scans").exists()  # images live in the store only
    saved = js("review", "show", f"{form_id}:recording", "--save-crops", "crops")["saved"]
    assert set(saved) == {"page.jpg", *shown["crops"].values()}
    for name, path in saved.items():
        assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
        head = Path(path).read_bytes()[:4]
        assert head == (b"\xff\xd8\xff\xe0" if name.endswith(".jpg") else b"\x89PNG"), name
    assert stat.S_IMODE(Path("crops").stat().st_mode) == 0o700
    run("review", "resolve", f"{form_id}:recording", "given", "--by", "Dr. Jansen")
    person = js("status", printed["rec"])["participants"][3]
    assert person["clauses"]["recording"] == "given"
    # Deciding "given" says the reviewer saw a signature the reader did not.
    assert person["signed"] is True
    assert js("consent", "history", form_id)["events"][-1]["reason"] == (
        "signature seen by the reviewer"
    )
    again = run("review", "resolve", f"{form_id}:recording", "given", "--by", "x", ok=False)
    assert "not waiting for review" in again.stderr


def test_blank_form_needs_the_handwritten_name(js: Callable[..., Any], run: Run) -> None:
    from .conftest import RECORDING

    args = list(RECORDING)
    args[args.index("--situation") + 1] = "1"
    rec = js(*args, "--institution", "OBS")["id"]
    written = js("request", rec, "--institution", "OBS", "--contact", "Mw. X")
    form_id = written["forms"][0]["form_id"]
    pages = rasterise(Path(written["pdf"]).read_bytes(), 300)
    sheet = js("layout", form_id)["pages"][2]
    rng = np.random.default_rng(2)
    image = degrade(
        fill_page(pages[3], sheet, Fill({"recording": ["yes"]}), rng), "flatbed-300-gray", rng
    )
    report = import_json(run, save_png(Path("blank.png"), image))
    assert report["pages"][0]["status"] == "review"
    item = f"{form_id}:recording"
    assert "name" in js("review", "show", item)["crops"]
    refused = run("review", "resolve", item, "given", "--by", "Dr. J", ok=False)
    assert "--name" in refused.stderr
    run("review", "resolve", item, "given", "--by", "Dr. J", "--name", "Lotte de Wit")
    person = js("status", rec)["participants"][0]
    assert person["name"] == "Lotte de Wit" and person["clauses"]["recording"] == "given"


def test_bad_pages_write_nothing_and_good_forms_still_land(
    printed: dict[str, Any], run: Run, db: Path, tmp_path: Path
) -> None:
    from formgen.documents import render
    from formgen.record.formid import Instance
    from formgen.rules import Plan, Purpose

    from .helpers.rendering import CONFIG, spec

    rng = np.random.default_rng(13)
    page, sheet = page2(printed, 0)
    good = degrade(fill_page(page, sheet, FILLS[0], rng), "flatbed-200-gray", rng)
    foreign_spec = spec(Plan(Purpose.REFLECTION), "nl", "adult")
    foreign = rasterise(render.render([foreign_spec], Instance.create(), CONFIG).pdf, 200)[2]
    (tmp_path / "notes.pdf").write_text("not a pdf at all")
    (tmp_path / "truncated.pdf").write_bytes(
        save_pdf(tmp_path / "x.pdf", [good]).read_bytes()[:900]
    )
    unknown_spec = spec(Plan(Purpose.REFLECTION), "nl", "adult")
    from formgen.record.store import instance, open_store

    engine = open_store()
    mine = instance(engine)
    engine.dispose()
    unknown = rasterise(render.render([unknown_spec], mine, CONFIG).pdf, 200)[2]
    text = np.full((2339, 1654), 255, np.uint8)
    text[400:600, 200:1400] = 0  # content, but no QR
    cases = {
        "notes.pdf": "not a PDF",
        "truncated.pdf": "",
        "foreign.pdf": "another formgen",
        "unknown.pdf": "not in this record",
        "noqr.pdf": "no formgen QR",
    }
    save_pdf(tmp_path / "foreign.pdf", [foreign])
    save_pdf(tmp_path / "unknown.pdf", [unknown])
    save_pdf(tmp_path / "noqr.pdf", [text])
    before = store_digest(db)
    for name, message in cases.items():
        result = run("scan", "import", str(tmp_path / name), "--json", ok=False)
        assert result.exit_code == 1, name
        assert len(result.stderr.strip().splitlines()) == 1
        pages = json.loads(result.stdout)["pages"]
        assert all(p["status"] == "error" for p in pages), pages
        assert any(message in (p.get("reason") or "") for p in pages), (name, pages)
    assert store_digest(db) == before
    # The unit is the form: in a stack with a foreign page, the good form lands.
    mixed = save_pdf(tmp_path / "mixed.pdf", [foreign, good])
    result = run("scan", "import", str(mixed), "--json", ok=False)
    assert result.exit_code == 1 and "another formgen" in result.stderr
    pages = json.loads(result.stdout)["pages"]
    assert [p["status"] for p in pages] == ["error", "ok"]
    person = printed["people"][0]["form_id"]
    history = [
        e["source"]
        for e in json.loads(run("consent", "history", person, "--json").stdout)["events"]
    ]
    assert any(s.endswith("#2") for s in history)
    # Importing the file again reads only the page that did not land.
    again = json.loads(run("scan", "import", str(mixed), "--json", ok=False).stdout)["pages"]
    assert [p["status"] for p in again] == ["error", "error"]
    assert "another formgen" in again[0]["reason"] and "already imported" in again[1]["reason"]


def _with_huge_page(path: Path, index: int) -> Path:
    """The PDF with one page's image claiming more pixels than a page may have: that page
    cannot be loaded (the file reads up to it, like a scan broken part-way)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, NumberObject

    writer = PdfWriter(clone_from=PdfReader(path))
    for image in writer.pages[index]["/Resources"]["/XObject"].values():
        image = image.get_object()
        image[NameObject("/Width")] = NumberObject(20000)
        image[NameObject("/Height")] = NumberObject(20000)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def _events(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT form_id, clause, status, source, reason FROM events WHERE source LIKE 'scan:%'"
            " ORDER BY id"
        ).fetchall()


def _kept(db: Path) -> list[tuple[Any, ...]]:
    """The images in the store, by file and page."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT p.sha256, p.page, i.name FROM scan_images i JOIN scan_pages p"
            " ON p.id = i.page_id ORDER BY p.sha256, p.page, i.name"
        ).fetchall()


@pytest.mark.parametrize("kind", ["Pool", "Processes"])
def test_readers_read_as_one_thread_does(
    kind: str,
    printed: dict[str, Any],
    run: Run,
    db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two reader threads, or two reader processes, give the same reports, events and
    kept images as reading in one thread: for a stack with a page that has no code and
    one that cannot be loaded (each an error; every form around them lands) and for a
    file imported again. (On SQLite only: it compares two copies of one store.)"""
    from formgen.scan import landing, readers

    if not os.environ["FORMGEN_DB"].startswith("sqlite:"):
        pytest.skip("compares copies of an SQLite store")
    from formgen.record.store import open_store

    pools: list[tuple[str, int]] = []
    real_start = readers.start_readers

    def spy(count: int, pages: int, identify: Any) -> Any:
        pool = real_start(count, pages, identify)
        pools.append((type(pool).__name__, pool.readers))
        return pool

    monkeypatch.setattr(readers, "start_readers", spy)
    # (forked here even beside a test runner's threads: they hold nothing a reader uses)
    monkeypatch.setattr(readers, "forkable", lambda: kind == "Processes")
    monkeypatch.setattr(readers, "PROCESS_MIN_PAGES", 2)
    rng = np.random.default_rng(17)
    scans = []
    for index, fill in enumerate(FILLS):
        page, sheet = page2(printed, index)
        scans.append(degrade(fill_page(page, sheet, fill, rng), "flatbed-200-gray", rng))
    noqr = np.full((2339, 1654), 250, np.uint8)
    noqr[400:600, 200:1400] = 20  # print, but no QR code
    info = degrade(printed["pages"][0], "flatbed-200-gray", rng)
    failing = save_pdf(
        tmp_path / "failing.pdf", [scans[0], blank_backside(rng), info, noqr, scans[1], scans[2]]
    )
    good = save_pdf(tmp_path / "good.pdf", [scans[1], blank_backside(rng), info, scans[2]])
    photos = [save_png(tmp_path / f"photo-{i}.png", scans[i]) for i in (0, 3)]
    broken = _with_huge_page(
        save_pdf(tmp_path / "broken.pdf", [scans[3], blank_backside(rng), info, scans[0]]), 2
    )
    files = [failing, broken, good, *photos, good]  # the last: already imported by then
    results = {}
    for workers in (1, 2):
        store = tmp_path / f"store-{workers}.db"
        with sqlite3.connect(db) as source, sqlite3.connect(store) as copy:
            source.backup(copy)
        engine = open_store(str(store))
        ticks: list[int] = []
        reports = landing.import_files(engine, files, progress=ticks.append, workers=workers)
        engine.dispose()
        results[workers] = ([r.as_dict() for r in reports], _events(store), _kept(store), ticks)
    assert pools == [(kind, 2)]  # the second run read in two threads or processes
    assert results[2] == results[1]
    pages, events, kept, ticks = results[1]
    statuses = [(Path(p["source"]).name, p["page"], p["status"]) for p in pages]
    assert statuses == [
        *[("failing.pdf", n, s) for n, s in enumerate(["ok"] * 3 + ["error", "ok", "review"], 1)],
        *[("broken.pdf", n, s) for n, s in enumerate(["review", "ok", "error", "ok"], 1)],
        *[("good.pdf", n, s) for n, s in enumerate(["ok", "ok", "ok", "review"], 1)],
        ("photo-0.png", 1, "ok"),
        ("photo-3.png", 1, "review"),
        ("good.pdf", None, "error"),
    ]
    assert pages[3]["reason"] == "no formgen QR code found on this page"
    assert "pixel image is too large" in pages[8]["reason"]
    assert "already imported" in pages[-1]["reason"]
    landed = {hashlib.sha256(f.read_bytes()).hexdigest() for f in (failing, broken, good, *photos)}
    assert {digest for digest, _, _ in kept} == landed
    assert len(ticks) == len(pages) - 1 and events  # a tick per page read


def _four_pages(printed: dict[str, Any], tmp_path: Path, seed: int) -> Path:
    """A scanned stack: three forms filled in (FILLS), a blank backside after the first."""
    rng = np.random.default_rng(seed)
    scans = []
    for index, fill in enumerate(FILLS[:3]):
        page, sheet = page2(printed, index)
        scans.append(degrade(fill_page(page, sheet, fill, rng), "flatbed-200-gray", rng))
    return save_pdf(tmp_path / "stack.pdf", [scans[0], blank_backside(rng), *scans[1:]])


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)  # SQLite: no session
def test_reader_processes_leave_the_importer_its_postgresql_session(
    printed: dict[str, Any], store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reader processes are forked from a process that keeps a pool of PostgreSQL
    connections: each inherits their sockets, and never uses them nor closes them (it
    ends without finalizers), so the importing process keeps its same session through
    the import, and the forms land."""
    from sqlalchemy import text

    from formgen.record.store import open_store
    from formgen.scan import landing, readers

    monkeypatch.setattr(readers, "forkable", lambda: True)  # (beside the test runner's threads)
    monkeypatch.setattr(readers, "PROCESS_MIN_PAGES", 2)
    started: list[str] = []
    real_start = readers.start_readers
    monkeypatch.setattr(
        readers,
        "start_readers",
        lambda *args: started.append(type(pool := real_start(*args)).__name__) or pool,
    )
    stack = _four_pages(printed, tmp_path, 19)
    engine = open_store(store_url)
    sessions = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    try:
        with engine.connect() as conn:  # the session the pool keeps
            kept = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        reports = landing.import_files(engine, [stack], workers=2)
        with engine.connect() as conn:
            assert kept in set(conn.execute(sessions).scalars())  # still there
    finally:
        engine.dispose()
    assert started == ["Processes"]
    assert [r.status for r in reports] == ["ok", "ok", "ok", "review"]


def test_a_reader_process_that_dies_costs_only_the_pages_it_did_not_read(
    printed: dict[str, Any], run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader process killed in the middle of a stack (the kernel, out of memory):
    the import ends with its report and one line, no traceback; what was read lands, the
    pages not read are each an error that says so, and importing the file again reads
    them."""
    from formgen import scan
    from formgen.scan import readers

    monkeypatch.setattr(readers, "forkable", lambda: True)  # (beside the test runner's threads)
    monkeypatch.setattr(readers, "PROCESS_MIN_PAGES", 2)
    monkeypatch.setattr(readers.Pool, "AHEAD", 1)  # the first page lands before the third
    real_look = scan.look
    killed = tmp_path / "killed"

    def look(page: Any, identify: Any, dpi: float) -> Any:
        if page.page == 3 and not killed.exists():  # in the reader process: as if killed
            killed.touch()
            os._exit(9)
        return real_look(page, identify, dpi)

    monkeypatch.setattr(scan, "look", look)  # (the forked readers inherit it)
    stack = _four_pages(printed, tmp_path, 23)
    result = run("scan", "import", str(stack), "--json", ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    pages = json.loads(result.stdout)["pages"]
    assert pages[0]["status"] == "ok"
    lost = [p for p in pages if p["status"] == "error"]
    assert lost and all("a reader process ended" in p["reason"] for p in lost), pages
    again = json.loads(run("scan", "import", str(stack), "--json", ok=False).stdout)["pages"]
    read_now = {p["page"] for p in again if p["status"] != "error"}
    assert {p["page"] for p in lost} <= read_now, again


def _ends_on_sigterm() -> bool:
    """(run in a reader process)"""
    import signal

    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


@pytest.mark.one_store  # no store: a reader process's signal handlers
def test_a_reader_process_ends_when_its_pool_ends_it() -> None:
    """``formgen worker`` answers SIGTERM by setting a flag. A reader forked from it must
    not keep that handler: a pool whose reader died ends the others with SIGTERM, and a
    reader that only set the flag stayed blocked on its full result pipe, the import
    waiting for it for good (seen in this suite, after a test ran the worker command)."""
    import signal

    from formgen.scan import readers

    before = signal.signal(signal.SIGTERM, lambda *_: None)  # as the worker command's
    try:
        pool = readers.Processes(1, lambda texts: None)
        try:
            assert pool.executor.submit(_ends_on_sigterm).result(timeout=120)
        finally:
            pool.close()
    finally:
        signal.signal(signal.SIGTERM, before)


@pytest.mark.one_store  # no store: a reader process's result pipe
def test_a_reader_process_hands_over_a_whole_page_at_once() -> None:
    """A reader process's page (pickled with its images, up to ~1.5 MB) goes into a
    result pipe that holds a MiB, not the 64 KB a pipe holds by default: the reader goes
    on to its next page instead of waiting for the importing process to take it."""
    import fcntl

    from formgen.scan import readers

    pool = readers.Processes(1, lambda texts: None)
    try:
        writer = pool.executor._result_queue._writer  # type: ignore[attr-defined]
        assert fcntl.fcntl(writer.fileno(), fcntl.F_GETPIPE_SZ) >= readers.RESULT_PIPE_BYTES
        page = pool.executor.submit(bytes, 3 * readers.RESULT_PIPE_BYTES // 2)
        assert len(page.result(timeout=120)) == 3 * readers.RESULT_PIPE_BYTES // 2
    finally:
        pool.close()


@pytest.mark.one_store  # the handlers, not the store
def test_the_worker_command_gives_back_the_signal_handlers_it_found(run: Run) -> None:
    """Run in a program's own process (a test, a script), the command leaves its
    handlers as they were."""
    import signal

    found = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    run("worker", "--once")
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == found


def test_scan_import_loads_only_what_reading_needs(printed: dict[str, Any], tmp_path: Path) -> None:
    """`formgen scan import`, as people run it (a new process): neither the documents'
    WeasyPrint and Jinja2 nor Alembic (the store is current) nor the service's parts
    are loaded; for a page with nothing to read (page 1) neither registration nor
    measuring; a page with boxes loads them and reads. The garbage collector, paused
    while the command starts, runs again once the store is open."""
    rng = np.random.default_rng(5)
    info = save_png(tmp_path / "info.png", degrade(printed["pages"][0], "flatbed-200-gray", rng))
    page, sheet = page2(printed, 0)
    filled = degrade(fill_page(page, sheet, FILLS[0], rng), "flatbed-200-gray", rng)
    boxes = save_png(tmp_path / "boxes.png", filled)
    code = (
        "import atexit, gc, sys; atexit.register(lambda: print(gc.isenabled(),"
        " ' '.join(sorted(sys.modules)), file=sys.stderr)); from formgen.cli import main; main()"
    )
    loaded = {}
    for path in (info, boxes):
        done = subprocess.run(
            [sys.executable, "-c", code, "scan", "import", str(path), "--json"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["pages"][0]["form_id"] == printed["people"][0]["form_id"]
        collector, *modules = done.stderr.strip().splitlines()[-1].split()
        assert collector == "True"
        loaded[path.name] = set(modules)
    # nor the service (its web framework, address checks, password hashing, Babel), nor
    # the library's people, jobs and statuses, nor the rules of roles, institutions,
    # online answers and class lists
    unused = ("weasyprint", "jinja2", "alembic", "fastapi", "starlette", "email_validator")
    unused += ("argon2", "babel", "pydantic")
    parts = {"formgen.access", "formgen.record.accounts", "formgen.record.jobs"}
    parts |= {"formgen.record.consent_status", "formgen.documents", "formgen.online"}
    parts |= {"formgen.values"}  # the library's values: a scan import returns landing.Import
    parts |= {f"formgen.rules.{m}" for m in ("roles", "institution", "online", "classlist")}
    for modules in loaded.values():
        assert not {m for m in modules if m.split(".")[0] in unused}
        assert not parts & modules
    reading = {"formgen.scan.measuring", "formgen.scan.registration"}
    assert not reading & loaded["info.png"]
    assert reading <= loaded["boxes.png"]
