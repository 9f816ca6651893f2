"""formgen: consent declarations for recordings in educational practice.

The library's face is one object, ``from formgen import Formgen``; its refusals are
``formgen.FormgenError`` and subclasses (``formgen.errors``). ``NewRecording``,
``LetterRequest`` and ``OnlineAnswer`` are what a caller may hand
``Formgen.create_recording``, ``Formgen.request`` and ``Formgen.online_answer`` instead
of their keywords; ``PersonalFormgen`` is ``Formgen.as_user``'s view of one person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from formgen.errors import FormgenError, NotAllowed

if TYPE_CHECKING:
    from formgen.access import PersonalFormgen
    from formgen.api import Formgen
    from formgen.online.answers import OnlineAnswer
    from formgen.values import LetterRequest, NewRecording

__all__ = [
    "Formgen",
    "FormgenError",
    "LetterRequest",
    "NewRecording",
    "NotAllowed",
    "OnlineAnswer",
    "PersonalFormgen",
]

# Imported on first use: `formgen --help` and the scan workers need none of it.
_LAZY = {
    "Formgen": "formgen.api",
    "LetterRequest": "formgen.values",
    "NewRecording": "formgen.values",
    "OnlineAnswer": "formgen.online.answers",
    "PersonalFormgen": "formgen.access",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'formgen' has no attribute {name!r}")
