"""The library under the service: who may do what (rules.may), accounts and sign-in,
one person's view of the record, and scan jobs that survive a dead worker. On SQLite
and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select, text, update

from formgen import Formgen, rules
from formgen.access import ACCESS, NotAllowed, public_methods
from formgen.errors import Conflict, NotFound, RecordError, StoreError
from formgen.record.accounts import SignInRefused
from formgen.record.schema import jobs, scan_pages
from formgen.rules import Act, Relation, Role

from .helpers import timetravel
from .helpers.rendering import rasterise
from .helpers.scans import Fill, blank_backside, degrade, fill_page, save_pdf

PASSWORD = "correct horse battery"


@pytest.fixture
def people(fg: Formgen) -> dict[str, Any]:
    made = {}
    for key, role in [
        ("sam", "student"),
        ("kim", "student"),
        ("jansen", "supervisor"),
        ("de_wit", "supervisor"),
        ("officer", "officer"),
    ]:
        made[key] = fg.add_user(
            f"{key}@example.org", name=key.title(), role=role, password=PASSWORD
        )
    return made


def recording(fg: Formgen, people: dict[str, Any], **values: Any) -> str:
    sam = fg.as_user(people["sam"])
    return sam.create_recording(
        title="Rekenles",
        supervisor="jansen@example.org",
        situation=values.pop("situation", 3),
        purpose="reflection",
        date=values.pop("date", dt.date(2030, 12, 1)),
        **values,
    ).id


# --- the rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "owns", "supervises", "allowed"),
    [
        (Role.STUDENT, True, False, {Act.SEE, Act.CHANGE, Act.DESTROY}),
        (Role.STUDENT, False, False, set()),
        (Role.SUPERVISOR, False, True, set(Act) - {Act.EXPORT}),
        (Role.SUPERVISOR, False, False, set()),
        (Role.OFFICER, False, False, set(Act)),
        # a role and a relation that do not go together give nothing extra
        (Role.SUPERVISOR, True, False, set()),
        (Role.STUDENT, False, True, set()),
    ],
)
def test_who_may_do_what(role: Role, owns: bool, supervises: bool, allowed: set[Act]) -> None:
    assert {act for act in Act if rules.may(act, Relation(role, owns, supervises))} == allowed


def test_sign_in_is_throttled_after_five_failures() -> None:
    now = dt.datetime(2030, 1, 1, 12, 0)
    four = [now - dt.timedelta(minutes=m) for m in range(4)]
    assert rules.sign_in_blocked(four, now) is None
    five = [*four, now - dt.timedelta(minutes=1)]
    assert rules.sign_in_blocked(five, now) == now - dt.timedelta(minutes=3) + rules.SIGN_IN_WINDOW
    old = [now - dt.timedelta(minutes=20)] * 10
    assert rules.sign_in_blocked(old, now) is None


# --- accounts ---------------------------------------------------------------------------


def test_accounts_sign_in_sessions_and_tokens(fg: Formgen, people: dict[str, Any]) -> None:
    sam = fg.authenticate("SAM@example.org ", PASSWORD)
    assert sam.id == people["sam"].id
    with pytest.raises(SignInRefused, match="wrong e-mail address or password"):
        fg.authenticate("sam@example.org", "wrong password!")
    with pytest.raises(SignInRefused, match="wrong e-mail address or password"):
        fg.authenticate("nobody@example.org", PASSWORD)  # the same words: nothing revealed
    for _ in range(5):
        with pytest.raises(SignInRefused):
            fg.authenticate("kim@example.org", "wrong password!")
    with pytest.raises(SignInRefused, match="too many"):
        fg.authenticate("kim@example.org", PASSWORD)
    secret, session = fg.start_session(sam)
    again, _ = fg.start_session(sam)
    assert secret != again and fg.session(secret) == session
    fg.end_session(secret)
    assert fg.session(secret) is None and fg.session(again) is not None
    token = fg.issue_token("sam@example.org")
    assert fg.token_user(token) == sam and fg.token_user(token + "x") is None
    fg.disable_user("sam@example.org")
    assert fg.token_user(token) is None and fg.session(again) is None
    with pytest.raises(SignInRefused):
        fg.authenticate("sam@example.org", PASSWORD)
    with pytest.raises(Conflict):
        fg.add_user("Kim@Example.org", name="Kim", role="student")
    with pytest.raises(RecordError, match="at least 10"):
        fg.add_user("new@example.org", name="New", role="student", password="short")


def test_the_first_officer_comes_from_a_one_time_link(fg: Formgen) -> None:
    first = fg.setup_link()
    second = fg.setup_link()
    assert first and second and not fg.setup_valid(first) and fg.setup_valid(second)
    officer = fg.use_setup_link(second, email="p@example.org", name="P", password=PASSWORD)
    assert officer.role is Role.OFFICER
    assert fg.setup_link() is None and not fg.setup_valid(second)
    with pytest.raises(NotFound):
        fg.use_setup_link(second, email="q@example.org", name="Q", password=PASSWORD)


# --- one person's view ------------------------------------------------------------------


def test_a_person_sees_and_changes_only_what_their_role_allows(
    fg: Formgen, people: dict[str, Any]
) -> None:
    rec = recording(fg, people)
    sam, kim = fg.as_user(people["sam"]), fg.as_user(people["kim"])
    jansen, de_wit = fg.as_user(people["jansen"]), fg.as_user(people["de_wit"])
    officer = fg.as_user(people["officer"])
    assert fg.recording(rec).student == "Sam" and fg.recording(rec).supervisor == "Jansen"
    ann = sam.add_participant(rec, "Ann")
    for outsider in (kim, de_wit):
        assert outsider.recordings() == []
        for attempt in (
            lambda o=outsider: o.status(rec),
            lambda o=outsider: o.forms(rec, save=False),
            lambda o=outsider: o.layout(ann.form_id),
            lambda o=outsider: o.add_participant(rec, "Eve"),
            lambda o=outsider: o.history(ann.form_id),
        ):
            with pytest.raises(NotFound):
                attempt()
    assert [r.id for r in jansen.recordings()] == [rec] == [r.id for r in officer.recordings()]
    with pytest.raises(Conflict, match="may not export"):
        sam.export(rec)
    with pytest.raises(Conflict, match="may not see the due list"):
        sam.due()
    with pytest.raises(Conflict, match="may not create"):
        jansen.create_recording(
            title="x", situation=3, purpose="reflection", date=timetravel.today()
        )
    with pytest.raises(RecordError, match="not the e-mail address of a supervisor"):
        sam.create_recording(
            title="x", supervisor="kim@example.org", situation=3, purpose="reflection",
            date=dt.date(2030, 1, 1),
        )  # fmt: skip
    assert officer.export(rec)["recording"]["id"] == rec
    # Changes name the person who made them, whatever `by` a caller passes.
    sam.set_consent(ann.form_id, "recording", "given", by="someone else", reason="told me")
    assert fg.history(ann.form_id)["events"][-1]["source"] == "manual:Sam"


def test_the_access_table_names_exactly_the_methods_of_formgen(
    fg: Formgen, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert set(ACCESS) == public_methods()
    # A method added to Formgen without a rule: the table no longer covers it, and a
    # signed-in person's call of it is refused, not run unchecked.
    monkeypatch.setattr(Formgen, "forget_everything", lambda self: "done", raising=False)
    assert "forget_everything" in public_methods() - set(ACCESS)
    assert fg.forget_everything() == "done"
    for role in ("sam", "jansen", "officer"):
        with pytest.raises(NotAllowed):
            fg.as_user(people[role]).forget_everything()


def test_accounts_and_the_services_own_work_are_guarded_for_each_role(
    fg: Formgen, people: dict[str, Any]
) -> None:
    rec = recording(fg, people)
    sam, kim, officer = (fg.as_user(people[k]) for k in ("sam", "kim", "officer"))
    assert [t.id for t in officer.api_tokens(people["kim"].id)] == []
    with pytest.raises(NotAllowed, match="may not see other accounts"):
        sam.api_tokens(people["kim"].id)
    # Only one's own language; the officer keeps the users, not their settings.
    sam.set_lang(people["sam"].id, "en")
    assert fg.authenticate("sam@example.org", PASSWORD).lang == "en"
    for person in (sam, officer):
        with pytest.raises(NotAllowed, match="may not change other accounts"):
            person.set_lang(people["kim"].id, "en")
    assert fg.authenticate("kim@example.org", PASSWORD).lang is None
    job = kim.submit_scans([("scan.png", b"\x89PNG\r\n\x1a\n")])
    for person in (sam, kim, officer):
        refused = [
            lambda p=person: p.demo(),
            lambda p=person: p.work(once=True),
            lambda p=person: p.sample(),
            lambda p=person: p.copy_store("sqlite:///elsewhere.db"),
            lambda p=person: p.as_user(people["officer"]),
            lambda p=person: p.authenticate("kim@example.org", PASSWORD),
            lambda p=person: p.setup_link(),
            lambda p=person: p.web_secret(),
            lambda p=person: p.close(),
        ]
        for attempt in refused:
            with pytest.raises(NotAllowed):
                attempt()
    assert fg.job(job.id).state == "queued"  # no worker ran it
    assert [u.email for u in fg.users()] == sorted(f"{k}@example.org" for k in people)
    assert fg.recordings()[0].id == rec and len(fg.recordings()) == 1  # no sample, no demo
    # The public parts: configuration, and the online form (the link is the authority).
    assert sam.retention() == fg.retention() and sam.online is False
    with pytest.raises(NotFound):
        sam.online_form("not-a-link")
    with pytest.raises(AttributeError):
        sam.no_such_method()


def test_a_store_fault_while_looking_up_who_may_is_a_store_error(
    fg: Formgen, people: dict[str, Any]
) -> None:
    rec = recording(fg, people)
    ann = fg.add_participant(rec, "Ann")
    jansen = fg.as_user(people["jansen"])
    with fg.engine.begin() as conn:
        conn.execute(text("ALTER TABLE recording_people RENAME TO who_was_who"))
    for attempt in (
        lambda: jansen.may(Act.SEE, rec),
        lambda: jansen.status(rec),
        lambda: jansen.recordings(),
        lambda: jansen.history(ann.form_id),
    ):
        with pytest.raises(StoreError):
            attempt()


# --- scan jobs --------------------------------------------------------------------------


def stack(fg: Formgen, people: dict[str, Any], tmp_path: Path, count: int = 3) -> tuple[str, Path]:
    rec = recording(fg, people)
    sam = fg.as_user(people["sam"])
    persons = [sam.add_participant(rec, f"P{i}") for i in range(count)]
    pages = rasterise(sam.forms(rec, save=False).data, 300)
    rng = np.random.default_rng(4)
    images = []
    for index, person in enumerate(persons):
        sheet = sam.layout(person.form_id)["pages"][2]
        filled = fill_page(pages[3 * index + 2], sheet, Fill({"recording": ["yes"]}), rng)
        images += [degrade(filled, "flatbed-200-gray", rng), blank_backside(rng)]
    return rec, save_pdf(tmp_path / "stack.pdf", images)


def test_a_job_is_imported_by_a_worker_as_its_uploader(
    fg: Formgen, people: dict[str, Any], tmp_path: Path
) -> None:
    rec, pdf = stack(fg, people, tmp_path)
    kim = fg.as_user(people["kim"])
    # Someone else's forms in an upload: reported like unknown forms, nothing lands.
    theirs = kim.submit_scans([("stack.pdf", pdf.read_bytes())])
    assert theirs.state == "queued" and fg.work(once=True) == 1
    done = kim.job(theirs.id)
    assert done.state == "done" and done.done_pages == done.total_pages == 6
    errors = [p for p in done.pages if p["status"] == "error"]
    assert len(errors) == 3 and all("is not in this record" in p["reason"] for p in errors)
    assert all(p["source"] == "stack.pdf" for p in done.pages)  # the uploaded name, no path
    sam = fg.as_user(people["sam"])
    mine = sam.submit_scans([("stack.pdf", pdf.read_bytes())])
    assert fg.work(once=True) == 1
    assert [p["status"] for p in sam.job(mine.id).pages] == ["ok"] * 6
    assert {p.clauses["recording"] for p in sam.status(rec).participants} == {"given"}
    with pytest.raises(NotFound):
        kim.job(mine.id)
    with fg.engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(jobs)).scalar_one()
    assert left == 2  # the jobs stay, their files are gone
    for bad in [("notes.pdf", b"hello"), ("page.html", b"<html>")]:
        with pytest.raises(RecordError, match="not a PDF or an image"):
            sam.submit_scans([bad])


def test_an_upload_is_stored_and_read_back_in_parts(
    fg: Formgen, people: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An open file is stored part by part, never read whole, and the worker puts the
    parts back together byte for byte (the import lands every form)."""
    from formgen.record import jobs as job_module
    from formgen.record.schema import job_files

    rec, pdf = stack(fg, people, tmp_path)
    content = pdf.read_bytes()
    part = 64 * 1024
    monkeypatch.setattr(job_module, "PART_BYTES", part)
    sam = fg.as_user(people["sam"])
    reads: list[int] = []

    class Watched(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            reads.append(-1 if size is None else size)
            return super().read(size)

    job = sam.submit_scans([("stack.pdf", Watched(content)), ("again.pdf", content)])
    assert reads and all(0 <= size <= part for size in reads)  # never "read it all"
    with fg.engine.connect() as conn:
        stored = conn.execute(
            select(job_files.c.position, job_files.c.part, job_files.c.data)
            .where(job_files.c.job_id == job.id)
            .order_by(job_files.c.position, job_files.c.part)
        ).all()
    expected_parts = -(-len(content) // part)
    assert len(stored) == 2 * expected_parts and max(len(r.data) for r in stored) <= part
    assert b"".join(r.data for r in stored if r.position == 0) == content
    assert fg.work(once=True) == 1
    done = sam.job(job.id)
    assert [p["status"] for p in done.pages if p["source"] == "stack.pdf"] == ["ok"] * 6
    assert {p.clauses["recording"] for p in sam.status(rec).participants} == {"given"}


def test_a_job_whose_worker_died_is_claimed_again_and_nothing_lands_twice(
    fg: Formgen, people: dict[str, Any], tmp_path: Path
) -> None:
    _, pdf = stack(fg, people, tmp_path)
    sam = fg.as_user(people["sam"])
    job = sam.submit_scans([("stack.pdf", pdf.read_bytes())])
    # A worker claims it, lands part of it, and dies (no more heartbeats).
    from formgen.record import jobs as job_module

    claimed = job_module.claim(fg.engine, "dead-worker")
    assert claimed is not None and claimed.id == job.id
    from formgen.scan import landing

    # What the dead worker had landed for the job: every page.
    landing.import_files(fg.engine, [pdf], workers=1, job=job.id)
    assert job_module.claim(fg.engine, "other") is None  # still fresh: not taken
    with fg.engine.begin() as conn:
        stale = dt.datetime.now(dt.UTC).replace(tzinfo=None) - 2 * job_module.STALE
        conn.execute(update(jobs).where(jobs.c.id == job.id).values(heartbeat_at=stale))
    stop = threading.Event()
    assert fg.work(once=True, stop=stop) == 1
    again = sam.job(job.id)
    assert again.state == "done"
    assert [p["status"] for p in again.pages] == ["ok"] * 6
    assert all("earlier attempt" in p["reason"] for p in again.pages)
    with fg.engine.connect() as conn:
        landed = conn.execute(select(func.count()).select_from(scan_pages)).scalar_one()
    assert landed == 6


def test_a_job_reports_only_what_it_landed_itself(
    fg: Formgen, people: dict[str, Any], tmp_path: Path
) -> None:
    """Sam uploads a stack, then Kim (who may not see Sam's recording) and Jansen (who
    supervises it) upload the same file: neither job reports Sam's pages as its own."""
    _, pdf = stack(fg, people, tmp_path)
    sam, kim, jansen = (fg.as_user(people[k]) for k in ("sam", "kim", "jansen"))
    first = sam.submit_scans([("stack.pdf", pdf.read_bytes())])
    theirs = kim.submit_scans([("stack.pdf", pdf.read_bytes())])
    again = jansen.submit_scans([("stack.pdf", pdf.read_bytes())])
    assert fg.work(once=True) == 3  # oldest first: Sam's job lands every page
    assert [p["status"] for p in sam.job(first.id).pages] == ["ok"] * 6
    forms = {p["form_id"] for p in sam.job(first.id).pages if not p.get("blank")}
    assert len(forms) == 3
    # Kim's report: exactly what an upload of forms not in Kim's record says.
    pages = kim.job(theirs.id).pages
    of_forms = [p for p in pages if p["form_id"] is not None]
    assert {p["form_id"] for p in of_forms} == forms
    for page in of_forms:
        assert page["status"] == "error"
        assert page["reason"] == f"form {page['form_id']} is not in this record"
        assert "decisions" not in page
    for form in forms:
        with pytest.raises(NotFound):
            kim.history(form)
    # Jansen may see the forms: the file was imported before, not by this job.
    [seen] = jansen.job(again.id).pages
    assert seen["status"] == "error" and seen["reason"].startswith("already imported on ")


def test_passwords_are_hashed_with_argon2id_at_formgens_cost() -> None:
    """In a process of formgen's own (the tests' processes hash at the lowest cost, see
    tests/conftest.py): argon2id with argon2-cffi's recommended parameters (RFC 9106's
    second choice: 64 MiB, three passes, four lanes)."""
    import subprocess
    import sys

    code = "from formgen.record import accounts; print(accounts._hasher().hash('x' * 12))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), done.stdout
