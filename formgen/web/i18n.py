"""The service's words in Dutch and English: gettext catalogues of the ``service``
domain (formgen/words.py, formgen/locale/README). Pages are written in English, the
message IDs, so a missing translation shows English, never a key.
A person's language is their own choice (saved with their account) or else their
browser's; Dutch when the browser states neither."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request

from formgen import words

LANGS = ("nl", "en")
COOKIE = "formgen_lang"  # the language chosen before signing in


def translator(lang: str, user_dir: Path | None = None) -> Callable[[str], str]:
    """``gettext`` of the service's catalogue in ``lang`` (formgen/words.py); ``user_dir``
    is the faculty's templates_dir, whose own catalogue comes first."""
    return words.translations(lang, user_dir).gettext


def ngettext(lang: str, user_dir: Path | None = None) -> Callable[[str, str, int], str]:
    return words.translations(lang, user_dir).ngettext


def user_dir(request: Request) -> Path | None:
    """The faculty's templates_dir (formgen.toml), where its own catalogue lives."""
    return request.app.state.fg.config.templates_dir


def negotiate(accept_language: str | None, chosen: str | None = None) -> str:
    """The person's own choice, else the first of nl/en in the browser's list by its
    q-values, else Dutch."""
    if chosen in LANGS:
        return chosen  # type: ignore[return-value]
    best, best_q = "nl", -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower()[:2]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if lang in LANGS and q > best_q:
            best, best_q = lang, q
    return best
