"""Data that travels: the officer's CSV audit table, and a whole store copied from SQLite
to PostgreSQL and back without losing anything."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from formgen import Formgen
from formgen.documents.audit import COLUMNS
from formgen.errors import Conflict, StoreError

from .conftest import Run
from .helpers import test_config
from .helpers.rendering import rasterise
from .helpers.scans import Fill, degrade, fill_page, save_png

SNEAKY = ['=HYPERLINK("http://x")', "+31 6 1234", "-Ann", "@SUM(A1)", "Zoë Çelik"]


@pytest.fixture
def fg(tmp_path: Path) -> Iterator[Formgen]:
    with Formgen.open(
        db=tmp_path / "source.db", config=test_config(output_dir=tmp_path / "output")
    ) as opened:
        yield opened


def full_store(fg: Formgen, tmp_path: Path) -> list[str]:
    """Every kind of record: accounts, a service recording with a scanned page (images),
    consent by hand, a withdrawal, a re-consent round, a destroyed recording, a job."""
    sam = fg.add_user("sam@example.org", name="Sam", role="student", password="x" * 12)
    fg.add_user("jansen@example.org", name="Jansen", role="supervisor", password="y" * 12)
    fg.issue_token("sam@example.org")
    mine = fg.as_user(sam)
    rec = mine.create_recording(
        title="Rekenles", supervisor="jansen@example.org", situation=3, purpose="reflection",
        date=dt.date(2030, 12, 1), livestream=True,
    ).id  # fmt: skip
    people = [mine.add_participant(rec, name) for name in SNEAKY]
    pages = rasterise(mine.forms(rec, save=False).data, 300)
    sheet = mine.layout(people[0].form_id)["pages"][2]
    rng = np.random.default_rng(2)
    filled = fill_page(pages[2], sheet, Fill({"recording": ["yes"], "livestream": ["no"]}), rng)
    scan = save_png(tmp_path / "scan.png", degrade(filled, "flatbed-200-gray", rng))
    assert mine.import_scans([scan], workers=1).error_summary() is None
    mine.set_consent(people[1].form_id, "recording", "given", by="x", reason="told me")
    mine.withdraw(people[1].form_id, reason="email")
    mine.submit_scans([("scan.png", scan.read_bytes())])
    other = fg.create_recording(
        title="Oud", student="S", supervisor="V", situation=3, purpose="assessment",
        date=dt.date(2029, 1, 1),
    ).id  # fmt: skip
    fg.add_participant(other, "Bo")
    fg.change_recording(other, by="V", purpose="final-level", save=False)
    gone = fg.create_recording(
        title="Weg", student="S", supervisor="V", situation=3, purpose="reflection",
        date=dt.date(2029, 1, 1),
    ).id  # fmt: skip
    fg.add_participant(gone, "Cas")
    fg.destroy(gone, by="V")
    return [rec, other, gone]


def exports(fg: Formgen, ids: list[str]) -> dict[str, Any]:
    found = {}
    for rec in ids:
        document = fg.export(rec)
        document.pop("exported_at")
        found[rec] = document
    return found


def test_the_audit_table_opens_right_in_a_spreadsheet(fg: Formgen, tmp_path: Path) -> None:
    rec, other, gone = full_store(fg, tmp_path)
    data = fg.consent_csv()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(table[0]) == list(COLUMNS)
    mine = [r for r in table if r["recording"] == rec]
    assert len(mine) == len(SNEAKY) * 2  # recording and livestream for each form
    names = {r["name"] for r in mine}
    assert '\'=HYPERLINK("http://x")' in names and "'+31 6 1234" in names
    assert "'-Ann" in names and "'@SUM(A1)" in names and "Zoë Çelik" in names
    scanned = next(
        r for r in mine if r["name"].endswith('http://x")') and r["clause"] == "recording"
    )
    assert scanned["status"] == "given" and scanned["source"] == "scan page"
    assert scanned["source_detail"].startswith("page 1 of file sha256:")
    withdrawn = next(r for r in mine if r["name"] == "'+31 6 1234" and r["clause"] == "recording")
    assert (withdrawn["status"], withdrawn["source"]) == ("withdrawn", "by hand")
    rounds = {r["round"] for r in table if r["recording"] == other}
    assert rounds == {"1", "2"}
    assert {r["status"] for r in table if r["recording"] == gone} == {"expired"}
    # A person's view: only the officer may export.
    sam = fg.as_user(fg.users()[1] if fg.users()[1].role == "student" else fg.users()[0])
    with pytest.raises(Conflict):
        sam.consent_csv([rec])


def test_csv_on_the_command_line(run: Run, js: Any, rec: str, tmp_path: Path) -> None:
    js("participant", "add", rec, "--name", "=1+1")
    printed = run("export", "--csv", "--all").stdout_bytes
    assert printed.startswith(b"\xef\xbb\xbf") and b"'=1+1" in printed
    out = tmp_path / "audit.csv"
    run("export", rec, "--csv", "--out", str(out))
    assert out.read_bytes() == printed
    assert run("export", "--csv", ok=False).exit_code == 2


@pytest.fixture
def empty_pg(pg_server: Engine) -> Iterator[str]:
    made = []

    def database() -> str:
        name = f"fg_{secrets.token_hex(6)}"
        with pg_server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return pg_server.url.set(database=name).render_as_string(hide_password=False)

    yield database  # type: ignore[misc]
    with pg_server.connect() as conn:
        for name in made:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_a_store_goes_to_postgresql_and_back_whole(
    fg: Formgen, tmp_path: Path, empty_pg: Any
) -> None:
    ids = full_store(fg, tmp_path)
    before = exports(fg, ids)
    images = fg.review_items()  # nothing to review, but the scan images must come along
    pg_url = empty_pg()
    done = fg.copy_store(pg_url)
    assert done.counts["scan_images"] > 0 and done.counts["events"] >= 20
    with Formgen.open(db=pg_url, config=fg.config) as on_pg:
        assert exports(on_pg, ids) == before
        assert [u.email for u in on_pg.users()] == [u.email for u in fg.users()]
        assert on_pg.authenticate("sam@example.org", "x" * 12).email == "sam@example.org"
        # The copied sequences go on after the copied rows: new events can be added.
        more = on_pg.create_recording(
            title="Nieuw", student="S", supervisor="V", situation=3, purpose="reflection",
            date=dt.date(2031, 1, 1),
        ).id  # fmt: skip
        person = on_pg.add_participant(more, "Dex")
        on_pg.set_consent(person.form_id, "recording", "given", by="V", reason="told me")
        with pytest.raises(StoreError, match="not empty"):
            on_pg.copy_store(pg_url)
        back = tmp_path / "back.db"
        again = on_pg.copy_store(f"sqlite:///{back}")
        assert again.checksum != done.checksum  # the new events came along too
    with Formgen.open(db=back, config=fg.config) as returned:
        assert exports(returned, ids) == before
        assert returned.review_items() == images
        assert returned.recording(more).title == "Nieuw"


def test_store_copy_on_the_command_line(run: Run, js: Any, rec: str, tmp_path: Path) -> None:
    js("participant", "add", rec, "--name", "Ann")
    target = tmp_path / "copy.db"
    copied = js("store", "copy", "--to", f"sqlite:///{target}")
    assert copied["tables"]["participants"] == 1 and len(copied["event_log_sha256"]) == 64
    refused = run("store", "copy", "--to", f"sqlite:///{target}", ok=False)
    assert refused.exit_code == 1 and "not empty" in refused.stderr
    assert json.loads(run("status", rec, "--json").stdout)["participants"][0]["name"] == "Ann"
