"""Parts of formgen imported at their first use rather than with the library."""

from __future__ import annotations

import importlib
from typing import Any


class Submodule:
    """A part of formgen imported at its first use, not with the library: a command
    such as ``formgen scan import`` never needs the documents, the online form or the
    store copy, and importing them all cost it a third of its start-up. The import
    itself is Python's, with its locks, so threads may race to the first use."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<formgen part {self._name}, imported when first used>"
