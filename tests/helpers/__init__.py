"""What many test modules share, imported from here rather than from each other.

A faculty must configure how people reach its data protection officer before formgen
prints a declaration; the tests run as such a faculty does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

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


__all__ = ["DPO", "TOML", "Organisation", "test_config", "write_toml"]
