from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from formgen.cli import cli


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh store and working directory per test (output/ lands in tmp_path)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "store.db"
    monkeypatch.setenv("FORMGEN_DB", str(path))
    monkeypatch.delenv("FORMGEN_CONFIG", raising=False)
    return path


Run = Callable[..., Result]


@pytest.fixture
def run(db: Path) -> Run:
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return invoke


@pytest.fixture
def js(run: Run) -> Callable[..., Any]:
    """Run a command with --json and return the parsed document."""

    def invoke(*args: str) -> Any:
        return json.loads(run(*args, "--json").stdout)

    return invoke


RECORDING = (
    "recording",
    "create",
    "--title",
    "Rekenles groep 5",
    "--student",
    "Sam de Vries",
    "--supervisor",
    "Dr. Jansen",
    "--situation",
    "3",
    "--purpose",
    "reflection",
    "--date",
    "2030-12-01",
)


@pytest.fixture
def rec(js: Callable[..., Any]) -> str:
    return js(*RECORDING)["id"]
