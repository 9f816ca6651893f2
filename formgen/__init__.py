"""formgen: consent declarations for recordings in educational practice.

The library's face is one object, ``from formgen import Formgen``; its refusals are
``formgen.FormgenError`` and subclasses (``formgen.errors``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from formgen.errors import FormgenError

if TYPE_CHECKING:
    from formgen.api import Formgen

__all__ = ["Formgen", "FormgenError"]


def __getattr__(name: str) -> Any:
    # Imported on first use: `formgen --help` and the scan workers need none of it.
    if name == "Formgen":
        from formgen.api import Formgen

        return Formgen
    raise AttributeError(f"module 'formgen' has no attribute {name!r}")
