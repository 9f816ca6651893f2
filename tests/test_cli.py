"""The CLI contract of docs/contract.md, and every refusal: one line, non-zero, no change."""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from formgen.cli import cli

from .conftest import RECORDING, Run


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's path, as people reach it (the group loads its modules on demand)."""
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found += all_commands(command, path)
    return found


def test_the_commands_are_all_there() -> None:
    found = all_commands(cli)
    assert len(found) >= 40, found
    assert ("scan", "import") in found and ("store", "key", "rotate") in found


@pytest.mark.parametrize("path", all_commands(cli), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    command: Any = cli
    for name in path:
        command = command.get_command(click.Context(command), name)
    assert command.help and len(command.help.strip()) > 10, path
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_every_command_module_is_reachable() -> None:
    """Each command a module of the package defines is under its own name in the group
    (loaded on demand): one written but not listed would never run."""
    import importlib

    from formgen import cli as package

    defined: dict[str, click.Command] = {}
    nested: set[int] = set()
    for module in {m.rsplit(".", 1)[0] for m in package.COMMANDS.values()}:
        for value in vars(importlib.import_module(f"formgen.cli.{module}")).values():
            if isinstance(value, click.Command):
                defined[value.name or ""] = value
                if isinstance(value, click.Group):
                    nested |= {id(c) for c in value.commands.values()}
    top = {name: c for name, c in defined.items() if id(c) not in nested}
    ctx = click.Context(cli)
    assert {n: cli.get_command(ctx, n) for n in cli.list_commands(ctx)} == top


def test_a_command_loads_only_its_own_module() -> None:
    """`formgen scan import` starts as fast as it can: the other command modules (and
    the document makers) stay unloaded; `--help` loads them all, and no store."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from formgen.cli import cli\n"
        "try:\n"
        "    cli(sys.argv[1:], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('formgen.cli.'))))\n"
    )

    def loaded(*args: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
        )
        return done.stdout.splitlines()[-1].split()

    assert loaded("scan", "import", "--help") == ["formgen.cli.common", "formgen.cli.scans"]
    assert loaded("--help") == [
        f"formgen.cli.{m}"
        for m in ("common", "consent", "documents", "recordings", "scans", "service")
    ]


def test_a_program_running_the_commands_keeps_its_garbage_collector(
    js: Callable[..., Any], rec: str
) -> None:
    """Only `formgen` itself (``main``) pauses the collector while it starts: a program
    that runs the commands (click's runner, here) keeps its own as it was, nothing
    frozen."""
    import gc

    frozen = gc.get_freeze_count()
    assert js("status", rec)["id"] == rec
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_create_add_status_round_trip(js: Callable[..., Any], rec: str) -> None:
    adult = js("participant", "add", rec, "--name", "'t Hooft")
    child = js("participant", "add", rec, "--name", "Çelik", "--under-16", "--lang", "en")
    assert adult["id"] != child["id"]
    assert adult["variant"] == "adult" and child["variant"] == "parent" and child["lang"] == "en"
    status = js("status", rec)
    assert status["id"] == rec
    assert status["delete_by"] == "2030-12-29"
    assert status["camera_advice"] == "none"
    assert [p["id"] for p in status["participants"]] == [adult["id"], child["id"]]
    first = status["participants"][0]
    assert first == {
        "id": adult["id"],
        "name": "'t Hooft",
        "form_id": adult["form_id"],
        "under_16": False,
        "lang": "nl",
        "signed": None,
        "round": 1,
        "clauses": {"recording": "requested"},
        "may_appear": {"recording": False},  # per activity; this recording has one
        "institution": None,  # situations 1 and 2: what the institution confirmed
    }
    assert {p["id"] for p in status["must_not_appear"]} == {adult["id"], child["id"]}


def test_recording_create_reports_plan(js: Callable[..., Any]) -> None:
    created = js(
        *RECORDING[:-4],
        "--purpose",
        "final-level",
        "--date",
        "2028-02-29",
        "--livestream",
        "--livestream-stored",
        "--360",
        "--media",
        "video",
    )
    assert created["delete_by"] == "2035-02-28"
    assert created["clauses"] == ["recording", "livestream", "360"]
    listed = js("recording", "list")["recordings"]
    assert [r["id"] for r in listed] == [created["id"]]


def test_blank_participants(js: Callable[..., Any], rec: str) -> None:
    added = js("participant", "add", rec, "--blank", "--count", "3")["participants"]
    assert len(added) == 3 and all(p["name"] is None for p in added)
    assert len({p["form_id"] for p in added}) == 3
    status = js("status", rec)
    assert [p["name"] for p in status["participants"]] == [None, None, None]


def test_manual_consent_changes_advice(js: Callable[..., Any], run: Run, rec: str) -> None:
    people = [js("participant", "add", rec, "--name", n) for n in ("A", "B", "C")]
    for person in people[:2]:
        run(
            "consent",
            "set",
            person["form_id"],
            "recording",
            "given",
            "--by",
            "Sam",
            "--reason",
            "paper form checked",
        )
    status = js("status", rec)
    assert status["camera_advice"] == "most"
    assert [p["id"] for p in status["must_not_appear"]] == [people[2]["id"]]
    # typed by hand in lower case without dashes: still the same form
    typed = people[2]["form_id"].replace("-", "").lower()
    run("consent", "set", typed, "recording", "given", "--by", "Sam", "--reason", "checked")
    status = js("status", rec)
    assert status["camera_advice"] == "all" and status["camera"]["allow_360"]
    assert status["must_not_appear"] == []


def test_status_text_is_readable(run: Run, js: Callable[..., Any], rec: str) -> None:
    js("participant", "add", rec, "--name", "<b>Ann</b>")
    text = run("status", rec).stdout
    assert "delete by: 2030-12-29" in text
    assert "<b>Ann</b>" in text and "must not appear" in text


def store_digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest() if db.exists() else "absent"


def recording_with(option: str, value: str) -> list[str]:
    args = list(RECORDING)
    args[args.index(option) + 1] = value
    return args


BAD_INPUTS = [
    (["status", "R-NOPE00"], "no recording"),
    (["participant", "add", "R-NOPE00", "--name", "A"], "no recording"),
    (recording_with("--situation", "9"), "situation"),
    (recording_with("--purpose", "fun"), "purpose"),
    (recording_with("--date", "2026-02-30"), "date"),
    (recording_with("--date", "01-12-2026"), "date"),
    (recording_with("--title", "Les\x00"), "control characters"),
    (recording_with("--student", "x" * 500), "longer than"),
    ([*RECORDING, "--livestream-stored"], "live-streamed"),
    (recording_with("--situation", "2"), "--institution"),
    (
        ["consent", "set", "AAAA-AAAA-A", "recording", "given", "--by", "x", "--reason", "y"],
        "check character",
    ),
    (
        ["consent", "set", "nonsense", "recording", "given", "--by", "x", "--reason", "y"],
        "not a form ID",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS)
def test_bad_input_is_one_line_and_changes_nothing(
    run: Run, rec: str, db: Path, args: list[str], message: str
) -> None:
    run("participant", "add", rec, "--name", "A")
    before = store_digest(db)
    result = run(*args, ok=False)
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert store_digest(db) == before


def test_bad_participant_names(run: Run, rec: str, db: Path) -> None:
    before = store_digest(db)
    for name in ("Ann\nBob", "x" * 200, "tab\there"):
        result = run("participant", "add", rec, "--name", name, ok=False)
        assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert store_digest(db) == before


def test_unknown_form_and_clause(run: Run, js: Callable[..., Any], rec: str, db: Path) -> None:
    person = js("participant", "add", rec, "--name", "A")
    before = store_digest(db)
    result = run(
        "consent", "set", person["form_id"], "360", "given", "--by", "x", "--reason", "y", ok=False
    )
    assert "has no clause" in result.stderr
    result = run(
        "consent",
        "set",
        "0000-0000-0",
        "recording",
        "given",
        "--by",
        "x",
        "--reason",
        "y",
        ok=False,
    )
    assert "no form" in result.stderr
    assert store_digest(db) == before


def test_not_a_formgen_database(
    run: Run, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("FORMGEN_DB", str(junk))
    result = run("recording", "list", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("formgen: cannot open the formgen database")
    assert junk.read_bytes() == b"not a database at all" * 100


def test_foreign_sqlite_database(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    monkeypatch.setenv("FORMGEN_DB", f"sqlite:///{other}")
    result = run("recording", "list", ok=False)
    assert "not a formgen database" in result.stderr


def test_newer_schema_is_refused(run: Run, db: Path) -> None:
    import sqlite3

    run("recording", "list")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    before = store_digest(db)
    result = run("recording", "list", ok=False)
    assert "newer than this formgen knows" in result.stderr
    assert store_digest(db) == before


@pytest.mark.new_store  # the command makes it
def test_database_is_owner_only(run: Run, db: Path) -> None:
    run("recording", "list")
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_json_output_is_a_single_document(run: Run, rec: str) -> None:
    out = run("participant", "add", rec, "--name", "A", "--json").stdout
    json.loads(out)
    out = run("status", rec, "--json").stdout
    assert isinstance(json.loads(out), dict)


def test_name_or_blank_is_required(run: Run, rec: str) -> None:
    result = run("participant", "add", rec, ok=False)
    assert result.exit_code == 2 and "--name or --blank" in result.stderr
