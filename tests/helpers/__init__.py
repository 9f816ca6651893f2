"""What many test modules share, imported from here rather than from each other.

A faculty must configure how people reach its data protection officer before formgen
prints a declaration; the tests run as such a faculty does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import Result
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from formgen.config import Config, Organisation

DPO = "fg@test.example"
# The formgen.toml every test's working directory starts with (tests that write their
# own add to it).
TOML = f'[organisation]\ndpo_contact = "{DPO}"\n'


def test_config(**fields: Any) -> Config:
    """``Config(**fields)`` with the DPO contact set (unless ``org`` is given)."""
    config = Config(**fields)
    if "org" not in fields:
        config = replace(config, org=replace(config.org, dpo_contact=DPO))
    return config


test_config.__test__ = False  # type: ignore[attr-defined]  # not a test for pytest


def write_toml(folder: Path, extra: str = "") -> Path:
    """formgen.toml in ``folder``: the tests' organisation, then ``extra`` (top-level
    keys first, then tables, as TOML wants them)."""
    path = folder / "formgen.toml"
    path.write_text(extra + ("\n" if extra and not extra.endswith("\n") else "") + TOML)
    return path


# A CLI command run in the test's process (the ``run`` fixture): its arguments, and
# ``ok=False`` for one that may fail.
Run = Callable[..., Result]

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


def store_dump(url: str | None = None) -> str:
    """Every row of every formgen table, in key order, on either backend: to check that
    a refused command changed nothing (a file's bytes would not do: WAL mode and
    PostgreSQL write when they like)."""
    from sqlalchemy import select

    from formgen.record.schema import metadata
    from formgen.record.store import database_url

    engine = create_engine(database_url(url), poolclass=NullPool)
    lines = []
    try:
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                key = list(table.primary_key.columns) or list(table.columns)
                for row in conn.execute(select(table).order_by(*key)):
                    lines.append(f"{table.name} {tuple(row)!r}")
    finally:
        engine.dispose()
    return "\n".join(lines)


__all__ = [
    "DPO",
    "RECORDING",
    "TOML",
    "Organisation",
    "Run",
    "store_dump",
    "test_config",
    "write_toml",
]
