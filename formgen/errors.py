"""The one error hierarchy of the library. Every message is one line for a person and
speaks of recordings, forms and consent, never of command-line options or SQL; the CLI
and the service add their own hints (and the service its HTTP status) by class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class FormgenError(Exception):
    """Something formgen refuses or cannot do; ``str(exc)`` is one line for a person, in
    English (what the CLI and the JSON API print). A page shows it in the person's
    language from its message ID (the English with ``{name}`` placeholders, marked with
    ``N_`` for the catalogue) and parameters: see formgen/words.py."""

    def __init__(self, message: str = "", /, **params: Any) -> None:
        if not params and hasattr(message, "message_id"):
            # A line made ahead (``words.Message``, a rule's reason): its ID and parameters.
            message, params = message.message_id, dict(message.params)
        self.message_id = message
        self.params = params
        super().__init__(message.format(**params) if params else message)

    def __reduce__(self) -> tuple[Any, ...]:
        # A refusal crosses a process boundary (a scan job) with its ID and parameters.
        return (_rebuild, (type(self), self.message_id, self.params))


def _rebuild(kind: type[FormgenError], message: str, params: dict[str, Any]) -> FormgenError:
    return kind(message, **params)


class RecordError(FormgenError, ValueError):
    """A request the consent record refuses (a bad value, or a state that forbids it)."""

    @classmethod
    def of(cls, exc: ValueError) -> RecordError:
        """A value check's refusal (``rules``) as the record's, its message ID kept."""
        if isinstance(exc, FormgenError):
            return cls(exc.message_id, **exc.params)
        said = exc.args[0] if len(exc.args) == 1 else None
        # A rule raises ValueError(words.Message(...)): the message ID comes along.
        return cls(said if hasattr(said, "message_id") else str(exc))


def checked(check: Callable[..., T], *args: Any) -> T:
    """``check(*args)``, its ValueError (a rule's value check, an enum of the record)
    raised as the record's refusal, its message ID kept: the one place that does so."""
    try:
        return check(*args)
    except ValueError as exc:
        raise RecordError.of(exc) from exc


class NotFound(RecordError):
    """No such recording, form, participant or review item (or not one you may see)."""


class Conflict(RecordError):
    """The record's state forbids it: destroyed, already decided, already imported."""


class NotAllowed(Conflict):
    """What the person's role may not do (to a recording they may see): a refusal like
    any Conflict for the library's callers; the service answers it 403."""


class StoreError(FormgenError):
    """The store cannot be used: unreachable, locked too long, foreign, newer, read-only."""


class ConfigError(FormgenError, ValueError):
    """The configuration cannot be read or holds a value formgen does not know."""


class RenderError(FormgenError):
    """A document could not be made (a template, a font, a layout the reader needs)."""


class OutputError(FormgenError):
    """A file could not be written where asked (not a regular file, no room, no right)."""


class ScanInputError(FormgenError):
    """A scanned file or page cannot be read (not a PDF or image, broken, too large)."""
