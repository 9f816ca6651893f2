"""The command line tried as an attacker or a clumsy user would: every refusal is one
line on stderr and a non-zero exit code, never a traceback, and nothing is half-written.
Run as real processes (the installed ``formgen`` command), so what click or Python do with
odd bytes and signals is part of the test."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import RECORDING, store_dump

FORMGEN = Path(sys.executable).with_name("formgen")


def formgen(*args: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(FORMGEN), *args],
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def refused(result: subprocess.CompletedProcess, words: str = "") -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in err and err.startswith("formgen: "), err
    assert err.count("\n") == 1, err
    assert words in err, err
    return err


@pytest.fixture
def made(db: Path) -> dict[str, str]:
    rec = json.loads(formgen(*RECORDING, "--json").stdout)["id"]
    person = json.loads(formgen("participant", "add", rec, "--name", "Ann", "--json").stdout)
    return {"rec": rec, "form": person["form_id"]}


def test_out_never_replaces_what_is_not_a_regular_file(
    made: dict[str, str], tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = tmp_path / "target.pdf"
    target.write_bytes(b"mine")
    link = tmp_path / "link.pdf"
    link.symlink_to(target)
    (tmp_path / "afile").write_text("x")
    cases = {
        str(fifo): "FIFO",
        str(link): "symbolic link",
        str(tmp_path): "",  # a folder
        "/proc/version": "",
        "": "",
        str(tmp_path / ("x" * 300 + ".pdf")): "too long",
        str(tmp_path / "afile" / "in.pdf"): "",
    }
    before = store_dump()
    for out, words in cases.items():
        refused(formgen("forms", made["rec"], "--out", out), words)
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()
    assert target.read_bytes() == b"mine"
    assert store_dump() == before  # no layout stored for a document not written


def test_names_and_dates_that_cannot_be_right_are_refused(made: dict[str, str]) -> None:
    rec = made["rec"]
    for name, words in [
        (b"Ann\xff\xfe", "UTF-8"),
        ("Ann\u202eedc", "invisible"),
        ("An\u200bn", "invisible"),
        ("\ufeffAnn", "invisible"),
        ("x" * 500, "longer than"),
    ]:
        refused(formgen("participant", "add", rec, "--name", name), words)
    for day in ("0001-01-01", "9999-12-31", "2101-01-01"):
        args = list(RECORDING)
        args[args.index("--date") + 1] = day
        refused(formgen(*args), "2000")
    refused(formgen("recording", "change", rec, "--extend-to", "9999-12-31", "--by", "V"))


def test_a_name_in_any_script_prints(made: dict[str, str], tmp_path: Path) -> None:
    rec = made["rec"]
    for name in ("Zoë 😀 Çelik", "李小龍", "Νίκος", "محمد"):
        assert formgen("participant", "add", rec, "--name", name).returncode == 0
    written = formgen("forms", rec, "--json")
    assert written.returncode == 0, written.stderr
    refused(formgen("participant", "add", rec, "--name", "Ann \ue000"), "font")


def test_scan_import_of_what_is_not_a_scan(made: dict[str, str], tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    (tmp_path / "tiny.png").write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
            "3a7e9b550000000a49444154789c63600000000200015e2fbc3b0000000049454e44ae426082"
        )
    )
    before = store_dump()
    for name, words in [
        ("/dev/zero", "not a regular file"),
        (str(fifo), "not a regular file"),
        (str(tmp_path / "tiny.png"), "too small"),
        (str(tmp_path / "missing.pdf"), ""),
    ]:
        refused(formgen("scan", "import", name), words)
    assert store_dump() == before


def test_a_store_that_cannot_be_used(tmp_path: Path, made: dict[str, str]) -> None:
    for url, words in [
        ("foo://nowhere", ""),
        ("postgresql+nosuchdriver://u@127.0.0.1/x", ""),
        (str(tmp_path / "afile" / "x.db"), ""),
    ]:
        (tmp_path / "afile").write_text("x")
        refused(formgen("recording", "list", env={"FORMGEN_DB": url}), words)
