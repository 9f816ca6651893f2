"""The library as a service stands on it: one public object, typed results, one error
hierarchy, imports by form that survive a second process and a kill -9, and
destruction that leaves nothing behind from wherever it runs."""

from __future__ import annotations

import ast
import datetime as dt
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select, text

import formgen
from formgen import Formgen, FormgenError, LetterRequest, NewRecording, demo, rules
from formgen.errors import Conflict, NotFound, RecordError, checked
from formgen.record.formid import new_form_id
from formgen.record.schema import events, scan_images, scan_pages
from formgen.rules import Status
from formgen.scan.landing import CONCURRENT

from .helpers import test_config
from .helpers.rendering import rasterise
from .helpers.scans import Fill, blank_backside, degrade, fill_page, save_pdf, save_png
from .helpers.timetravel import backdate_to, days_from_today

PACKAGE = Path(formgen.__file__).parent


def make_recording(fg: Formgen, **overrides: Any) -> str:
    values: dict[str, Any] = {
        "title": "Rekenles groep 5",
        "student": "Sam de Vries",
        "supervisor": "Dr. Jansen",
        "situation": 3,
        "purpose": "reflection",
        "date": dt.date(2030, 12, 1),
    }
    return fg.create_recording(**{**values, **overrides}).id


# --- the public face ------------------------------------------------------------------


def test_the_library_round_trip_with_typed_results(fg: Formgen) -> None:
    rec = make_recording(fg, livestream=True)
    ann = fg.add_participant(rec, "Ann")
    blank = fg.add_blank(rec, 2, under_16=True)
    status = fg.status(rec)
    assert status.recording.delete_by == dt.date(2030, 12, 29)  # a date, not a string
    assert [p.form_id for p in status.participants] == [ann.form_id, *(b.form_id for b in blank)]
    assert status.as_dict()["delete_by"] == "2030-12-29"
    written = fg.forms(rec, save=False)
    assert written.pdf is None and written.data.startswith(b"%PDF")
    assert not (Path("output") / f"{rec}-declarations.pdf").exists()
    fg.set_consent(ann.form_id.lower(), "recording", "given", by="Sam", reason="told me")
    done = fg.set_consent(ann.form_id, "livestream", "given", by="Sam", reason="told me")
    assert done == {"form_id": ann.form_id, "clause": "livestream", "status": "given"}
    assert fg.status(rec).participants[0].may_appear
    assert fg.withdraw(ann.form_id, by="Sam")["withdrawn"] == ["recording", "livestream"]
    assert ann.form_id in [p.form_id for p in fg.status(rec).must_not_appear]


def test_many_statuses_at_once_equal_one_by_one(fg: Formgen) -> None:
    """``statuses`` (the list page) reads many recordings in a few queries; it must say
    exactly what ``status`` says of each: re-consent rounds, destruction, expiry."""
    plain = make_recording(fg, livestream=True)
    ann, _bob = fg.add_participants(plain, ["Ann", "Bob"])
    fg.set_consent(ann.form_id, "recording", "given", by="Sam", reason="paper")
    again = make_recording(fg, title="Round two")
    cas = fg.add_participant(again, "Cas")
    fg.set_consent(cas.form_id, "recording", "given", by="Sam", reason="paper")
    fg.change_recording(again, by="Sam", purpose="assessment", save=False)  # round 2
    gone = make_recording(fg, title="Destroyed")
    fg.add_participant(gone, "Dee")
    fg.destroy(gone, by="P. Vermeer")
    past = make_recording(fg, title="Past", date=days_from_today(1))
    eve = fg.add_participant(past, "Eve")
    fg.set_consent(eve.form_id, "recording", "given", by="Sam", reason="paper")
    backdate_to(past, dt.date(2020, 1, 6), fg.engine)  # long since past its deletion date
    empty = make_recording(fg, title="Empty")
    many = fg.statuses()
    assert [s.recording.id for s in many] == [plain, again, gone, past, empty]
    assert [s.as_dict() for s in many] == [
        fg.status(r).as_dict() for r in (plain, again, gone, past, empty)
    ]
    assert many[1].participants[0].round == 2 and many[2].destroyed is not None
    assert many[3].participants[0].clauses == {"recording": Status.EXPIRED}


def test_errors_are_one_hierarchy_with_words_for_people(fg: Formgen) -> None:
    rec = make_recording(fg)
    with pytest.raises(NotFound, match="no recording"):
        fg.status("R-NOSUCH")
    with pytest.raises(NotFound):
        fg.layout(new_form_id())
    with pytest.raises(RecordError, match="check character"):
        fg.layout("7KQ2-M9XD-5")
    with pytest.raises(RecordError, match="deletion date") as refused:
        fg.change_recording(rec, by="Dr. Jansen", extend_to=dt.date(2030, 12, 2))
    assert "--" not in str(refused.value)
    with pytest.raises(RecordError, match="2000") as absurd:
        make_recording(fg, date=dt.date(1, 1, 1))
    assert isinstance(absurd.value, FormgenError)
    fg.destroy(rec, by="Sam")
    with pytest.raises(Conflict, match="destroyed"):
        fg.add_participant(rec, "Ann")


def test_one_value_or_its_keywords_make_the_same_recording_and_letter(fg: Formgen) -> None:
    values = {
        "title": "Kringgesprek groep 3", "student": "Sam de Vries", "supervisor": "Dr. Jansen",
        "situation": 1, "institution": "De Linde", "purpose": "assessment",
        "date": dt.date(2030, 12, 1), "livestream": True,
    }  # fmt: skip
    by_keywords = fg.create_recording(**values)
    by_value = fg.create_recording(NewRecording(**values))
    assert by_value.id != by_keywords.id
    assert {**by_value.as_dict(), "id": None} == {**by_keywords.as_dict(), "id": None}
    with pytest.raises(TypeError, match="titel"):  # a misspelt field is not passed over
        fg.create_recording(**{**values, "titel": "x"})
    letter = {"contact": "Mw. Bakker", "count": 3, "under_16": False}
    one = fg.request(by_value.id, LetterRequest(**letter), save=False)
    other = fg.request(by_keywords.id, save=False, **letter)
    assert len(one.forms) == len(other.forms) == 3
    with pytest.raises(RecordError, match="between 1 and 500"):
        fg.request(by_value.id, LetterRequest("Mw. Bakker", 0), save=False)


def test_a_value_check_becomes_the_records_refusal_with_its_words() -> None:
    with pytest.raises(RecordError) as refused:
        checked(rules.check_name, "", "title")
    assert refused.value.message_id == "{what} is empty"  # translatable, as the rule said it
    assert str(refused.value) == "title is empty"
    with pytest.raises(RecordError, match="holiday") as enum:  # a plain ValueError too
        checked(rules.Purpose, "holiday")
    assert type(enum.value.__cause__) is ValueError
    assert checked(rules.Purpose, "assessment") is rules.Purpose.ASSESSMENT


def test_the_public_values_are_exported_without_the_library() -> None:
    """``from formgen import NewRecording`` (and the others) loads neither the database
    nor Formgen itself: a caller that only builds values stays light."""
    probe = (
        "import sys, formgen; formgen.NewRecording; formgen.LetterRequest;"
        " print(sorted(m for m in ('formgen.api', 'sqlalchemy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert formgen.OnlineAnswer.__module__ == "formgen.online.answers"
    assert formgen.PersonalFormgen.__module__ == "formgen.access"
    assert formgen.NotAllowed.__module__ == "formgen.errors"


def test_the_sample_and_the_demo_are_the_same_example(fg: Formgen) -> None:
    sample = fg.sample()
    people = [p.name for p in fg.status(sample.recording.id).participants]
    assert people == [name for name, _ in demo.PEOPLE]
    made = fg.demo()
    assert [(a.role, a.email) for a, _ in made] == [(r, e) for r, e, _ in demo.ACCOUNTS]
    student = fg.as_user(made[0][0])
    (mine,) = student.recordings()
    assert mine.title == sample.recording.title and mine.supervisor == "Dr. A. Jansen"
    assert [p.name for p in student.status(mine.id).participants] == people
    again = fg.demo()  # new passwords, no second recording
    assert [p for _, p in again] != [p for _, p in made] and len(student.recordings()) == 1
    assert fg.authenticate("sam@example.org", again[0][1]).id == made[0][0].id


def test_the_cli_is_a_thin_layer_over_the_library() -> None:
    """The cli package reaches the record only through Formgen (no engine, no store
    modules), and no module outside it imports click."""
    commands = sorted((PACKAGE / "cli").glob("*.py"))
    assert len(commands) > 2, "the cli package is its modules"
    imported = set()
    names = set()
    for module in commands:
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "formgen":
                imported |= {f"formgen.{a.name}" for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("formgen."):
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names if a.name.startswith("formgen")}
        names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    outside = {m for m in imported if not m.startswith("formgen.cli")}
    assert "formgen.api" in outside  # the test reads the imports it is about
    allowed = {"api", "errors", "privacy", "rules", "web"}
    assert outside <= {f"formgen.{m}" for m in allowed}, outside
    assert not names & {"engine", "connect", "begin", "execute"}
    for module in PACKAGE.rglob("*.py"):
        if (PACKAGE / "cli") in module.parents:
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.split(".")[0] == "click" for n in found), module


def test_every_command_goes_through_formgen(run: Any, rec: str) -> None:
    """Each command that touches the record calls a method of Formgen: spying on the
    class (the real methods still run) sees one call per command."""
    from formgen import api

    seen: list[str] = []
    originals = {
        name: value
        for name, value in vars(api.Formgen).items()
        if callable(value)
        and not isinstance(value, staticmethod)
        and not name.startswith("_")
        and name not in ("open", "close")
    }

    def spy(name: str) -> Any:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(name)
            return originals[name](self, *args, **kwargs)

        return call

    for name in originals:
        setattr(api.Formgen, name, spy(name))
    try:
        run("recording", "list")
        run("status", rec)
        run("due")
        run("checklist", rec)
    finally:
        for name, method in originals.items():
            setattr(api.Formgen, name, method)
    # due asks the organisation's day, then lists the recordings to delete and the
    # proofs to erase.
    assert seen == ["recordings", "status", "today", "due", "proofs_due", "checklist"]


# --- scans into the store, form by form -----------------------------------------------


@pytest.fixture
def stack(fg: Formgen, tmp_path: Path) -> dict[str, Any]:
    """Six signed declarations of one recording in one scanned PDF, page 3 of each with
    a blank backside after it: 12 pages, enough for the worker processes."""
    rec = make_recording(fg)
    people = [fg.add_participant(rec, n) for n in ("Ann", "Bob", "Cas", "Dex", "Eva", "Fem")]
    pages = rasterise(fg.forms(rec, save=False).data, 300)
    rng = np.random.default_rng(3)
    images = []
    for index, person in enumerate(people):
        sheet = fg.layout(person.form_id)["pages"][2]
        marked = Fill({"recording": ["yes" if index % 2 else "no"]})
        scanned = fill_page(pages[3 * index + 2], sheet, marked, rng)
        images += [degrade(scanned, "flatbed-200-gray", rng), blank_backside(rng)]
    return {"rec": rec, "people": people, "pdf": save_pdf(tmp_path / "stack.pdf", images)}


def counts(fg: Formgen) -> tuple[int, int, int]:
    with fg.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (scan_pages, scan_images, events)
        )


def test_images_live_in_the_store_and_review_reads_them(fg: Formgen, tmp_path: Path) -> None:
    rec = make_recording(fg)
    person = fg.add_participant(rec, "Ann")
    pages = rasterise(fg.forms(rec, save=False).data, 300)
    rng = np.random.default_rng(8)
    sheet = fg.layout(person.form_id)["pages"][2]
    unsigned = fill_page(pages[2], sheet, Fill({"recording": ["yes"]}, signed=False), rng)
    done = fg.import_scans([save_png(tmp_path / "u.png", degrade(unsigned, "noisy", rng))])
    assert [p.status for p in done.pages] == ["review"] and done.pages[0].name == "Ann"
    assert not (tmp_path / "output" / "scans").exists()
    item = fg.review_items()[0]
    detail = fg.review_item(item.item)
    assert detail.page_image == "page.jpg" and "signature" in detail.crops
    assert fg.review_image(item.item, "page.jpg")[:3] == b"\xff\xd8\xff"
    assert fg.review_image(item.item, detail.crops["signature"])[:4] == b"\x89PNG"
    with pytest.raises(NotFound):
        fg.review_image(item.item, "../../etc/passwd")


def test_a_second_import_of_a_stack_lands_only_what_did_not(
    fg: Formgen, stack: dict[str, Any], tmp_path: Path
) -> None:
    first = fg.import_scans([stack["pdf"]], workers=1)
    assert first.count("ok") == 12 and first.error_summary() is None
    before = counts(fg)
    again = fg.import_scans([stack["pdf"]], workers=1)
    assert [p.status for p in again.pages] == ["error"]
    assert "already imported" in (again.error_summary() or "")
    assert counts(fg) == before


def _import_in_a_process(db_url: str, pdf: str, out: Any) -> None:
    with Formgen.open(db=db_url, config=test_config()) as fg:
        done = fg.import_scans([Path(pdf)], workers=1)
    out.put([(p.page, p.status, p.reason) for p in done.pages])


def test_two_imports_of_the_same_file_at_once(
    fg: Formgen, stack: dict[str, Any], db_url: str
) -> None:
    """Exactly one import lands each page; the other reports it as already imported;
    the record holds each decision once, with its images."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    procs = [
        context.Process(target=_import_in_a_process, args=(db_url, str(stack["pdf"]), out))
        for _ in range(2)
    ]
    for proc in procs:
        proc.start()
    reports = [out.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    # Every form page once, whoever landed it; the other import reports it as landed by
    # an import running at the same time, or (if it landed before that one began) as
    # already imported.
    landed = sum(
        status != "error" and reason not in ("blank page", CONCURRENT)
        for report in reports
        for _, status, reason in report
    )
    assert landed == 6
    for report in reports:
        assert all(
            status != "error" or "already imported" in (reason or "")
            for _, status, reason in report
        )
    pages, images, _ = counts(fg)
    assert pages == 12 and images > 6 * 3  # page image and crops of every signed page
    with fg.engine.connect() as conn:
        decided = conn.execute(
            select(func.count()).where(
                events.c.source.like("scan:%"), events.c.clause == "recording"
            )
        ).scalar_one()
    assert decided == 6
    status = fg.status(stack["rec"])
    assert [p.clauses["recording"] for p in status.participants] == ["refused", "given"] * 3


def test_two_scan_imports_of_one_file_on_the_command_line_both_succeed(
    fg: Formgen, stack: dict[str, Any], db_url: str, tmp_path: Path
) -> None:
    """Two `formgen scan import` of the same file at once split its pages between them;
    a page the other one landed is in the record, so neither fails."""
    formgen = Path(sys.executable).with_name("formgen")
    commands = [
        [str(formgen), "scan", "import", str(stack["pdf"]), "--json"],
        [str(formgen), "scan", "import", str(stack["pdf"])],
    ]
    procs = [
        subprocess.Popen(c, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for c in commands
    ]
    outputs = [proc.communicate(timeout=600) for proc in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0 and b"formgen:" not in err, err.decode()
    pages = json.loads(outputs[0][0])["pages"]
    assert len(pages) == 12 and all(p["status"] == "ok" for p in pages)
    text = outputs[1][0].decode()
    assert "12 ok, 0 to review, 0 errors" in text
    theirs = sum(p.get("reason") == CONCURRENT for p in pages)
    said = "by another import of the same file running at the same time"
    assert (said in text) == (text.count(CONCURRENT) > 0)
    assert theirs + text.count(CONCURRENT) >= 1  # they did run at the same time
    assert counts(fg)[0] == 12
    with fg.engine.connect() as conn:
        decided = conn.execute(
            select(func.count()).where(
                events.c.source.like("scan:%"), events.c.clause == "recording"
            )
        ).scalar_one()
    assert decided == 6
    # Importing it again afterwards is not running at the same time: already imported.
    again = subprocess.run(commands[1], cwd=tmp_path, capture_output=True, check=False)
    assert again.returncode == 1 and b"already imported" in again.stderr


def test_kill_9_during_an_import_leaves_a_consistent_store(
    fg: Formgen, stack: dict[str, Any], db_url: str, tmp_path: Path
) -> None:
    """Killed part-way, every page that landed has its events and images and nothing
    else was written; importing again lands the rest, as one import would have."""
    # two forms to a transaction: the kill falls between transactions of forms, or in one
    script = (
        "import sys\nfrom pathlib import Path\nfrom formgen import Formgen\n"
        "from formgen.config import Config\nfrom formgen.scan import landing\n"
        "landing.BATCH_FORMS = 2\n"
        "fg = Formgen.open(db=sys.argv[1], config=Config())\n"
        "fg.import_scans([Path(sys.argv[2])], workers=1)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, db_url, str(stack["pdf"])])
    deadline = time.monotonic() + 120
    while counts(fg)[0] < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with fg.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, sha256, page, form_id FROM scan_pages")).all()
        for page_id, digest, page, form_id in rows:
            if form_id is None:
                continue  # a blank backside: nothing to prove
            images = conn.execute(
                select(func.count()).where(scan_images.c.page_id == page_id)
            ).scalar_one()
            proved = conn.execute(
                select(func.count()).where(events.c.source == f"scan:{digest}#{page}")
            ).scalar_one()
            assert images and proved, (page, form_id)
        sources = conn.execute(
            select(events.c.source).where(events.c.source.like("scan:%")).distinct()
        ).scalars()
        landed = {f"scan:{d}#{p}" for _, d, p, _ in rows}
        assert set(sources) <= landed
    rest = fg.import_scans([stack["pdf"]], workers=1)
    assert sum(p.status == "ok" for p in rest.pages) == 12 - len(rows)
    assert counts(fg)[0] == 12
    assert [p.clauses["recording"] for p in fg.status(stack["rec"]).participants] == [
        "refused",
        "given",
    ] * 3


def test_a_refused_form_in_a_batch_takes_no_other_form_with_it(fg: Formgen, tmp_path: Path) -> None:
    """Forms land a few to a transaction, each in its own savepoint: the forms of a
    destroyed recording, between forms of a live one in the same stack, are refused and
    leave nothing (no page, image or event); the others land, each with its own."""
    live, gone = make_recording(fg), make_recording(fg, title="Gym")
    stacked = []
    for rec, names in ((live, ("Ann", "Bob", "Cas")), (gone, ("Dex", "Eva"))):
        people = [fg.add_participant(rec, n) for n in names]
        pages = rasterise(fg.forms(rec, save=False).data, 300)
        stacked.append([(rec, p, pages[3 * i + 2]) for i, p in enumerate(people)])
    # live, gone, live, gone, live: every refused form lies between forms that land
    order = [stacked[0][0], stacked[1][0], stacked[0][1], stacked[1][1], stacked[0][2]]
    fg.destroy(gone, by="Sam")
    rng = np.random.default_rng(5)
    images = []
    for index, (_, person, page) in enumerate(order):
        sheet = fg.layout(person.form_id)["pages"][2]
        marked = Fill({"recording": ["yes" if index % 2 else "no"]})
        images.append(degrade(fill_page(page, sheet, marked, rng), "flatbed-200-gray", rng))
    before = counts(fg)
    done = fg.import_scans([save_pdf(tmp_path / "mixed.pdf", images)], workers=1)
    statuses = [(p.status, p.reason) for p in done.pages]
    assert [s for s, _ in statuses] == ["ok", "error", "ok", "error", "ok"], statuses
    assert all("destroyed recording" in (r or "") for s, r in statuses if s == "error")
    pages, images_kept, _ = counts(fg)
    assert pages == before[0] + 3 and images_kept > before[1] + 3 * 3
    with fg.engine.connect() as conn:
        landed = set(conn.execute(select(scan_pages.c.form_id)).scalars())
        proved = {
            form_id
            for form_id in conn.execute(
                select(events.c.form_id).where(events.c.source.like("scan:%"))
            ).scalars()
        }
    live_forms = {p.form_id for _, p, _ in stacked[0]}
    assert landed == proved == live_forms
    assert [p.clauses["recording"] for p in fg.status(live).participants] == [
        "refused",
        "refused",
        "refused",
    ]


# --- destruction ----------------------------------------------------------------------


def test_destroy_from_another_directory_leaves_nothing_behind(
    db_url: str, stack: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "output"
    with Formgen.open(db=db_url, config=test_config(output_dir=output)) as fg:
        written = fg.forms(stack["rec"])
        mine = fg.forms(stack["rec"], out=tmp_path / "mine.pdf")
        other = tmp_path / "other.pdf"  # a file formgen did not write stays
        other.write_bytes(b"%PDF-1.7 someone else's")
        fg.import_scans([stack["pdf"]], workers=1)
        assert counts(fg)[1] > 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with Formgen.open(db=db_url, config=test_config()) as fg:
        done = fg.destroy(stack["rec"], by="Sam")
        # The scans are the proof: kept until the proof retention ends.
        assert done["documents_removed"] == 2 and done["scan_images_removed"] == 0
        assert counts(fg)[1] > 0
        assert fg.erase_due_proofs(on=dt.date.fromisoformat(done["proof_kept_until"]))
        assert counts(fg)[1] == 0
        assert written.pdf is not None and not written.pdf.exists()
        assert mine.pdf is not None and not mine.pdf.exists() and other.exists()
        refused = [
            lambda: fg.forms(stack["rec"], save=False),
            lambda: fg.add_participant(stack["rec"], "Gus"),
            lambda: fg.change_recording(stack["rec"], by="Sam", purpose="assessment"),
            lambda: fg.destroy(stack["rec"], by="Sam"),
        ]
        for attempt in refused:
            with pytest.raises(Conflict, match="destroyed"):
                attempt()
        # A scan of its forms that never landed before: an error, and nothing kept.
        copy = tmp_path / "copy.pdf"
        copy.write_bytes(stack["pdf"].read_bytes() + b"\n%")  # another file, same pages
        before = counts(fg)
        late = fg.import_scans([copy], workers=1)
        forms = [p for p in late.pages if not p.blank]
        assert forms and all(p.status == "error" and "destroyed" in (p.reason or "") for p in forms)
        assert counts(fg)[1:] == before[1:]
    assert not any(elsewhere.iterdir())
