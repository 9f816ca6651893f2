"""The words of the service (pages, e-mails, the library's refusals where a page shows
them) in gettext catalogues: formgen/locale/<lang>/LC_MESSAGES/service.po, the domain
beside the documents' ``formgen`` (see formgen/locale/README). The English source is the
message ID, so a message without a translation shows English, never a key.

A refusal (``FormgenError``) keeps its message ID and parameters; ``problem`` translates
it where it is shown. Parameters that are words themselves (``Word``) are translated too,
dates are written the language's way."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from formgen.errors import FormgenError

DOMAIN = "service"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
LOCALES = {"nl": "nl_NL", "en": "en_GB"}  # how Babel writes dates and durations


def N_(message: str) -> str:
    """Marks a message for ``pybabel extract`` where it is defined; it is translated
    where it is shown."""
    return message


class Word(str):
    """A parameter of a message that is a word itself: ``str`` is the English the CLI
    and the JSON API print (an internal key may stay there), ``shown`` the message a
    page translates and shows instead."""

    shown: str

    def __new__(cls, text: str, shown: str | None = None) -> Word:
        word = super().__new__(cls, text)
        word.shown = shown if shown is not None else text
        return word

    def __reduce__(self) -> tuple[Any, ...]:
        return (Word, (str(self), self.shown))


class Message(str):
    """A line the library writes in English (the CLI and the JSON API print it as it is)
    that a page says in its own words: its message ID and parameters are kept."""

    message_id: str
    params: dict[str, Any]

    def __new__(cls, message: str, /, **params: Any) -> Message:
        line = super().__new__(cls, message.format(**params) if params else message)
        line.message_id, line.params = message, params
        return line

    def __reduce__(self) -> tuple[Any, ...]:
        return (_message, (self.message_id, self.params))


def _message(message: str, params: dict[str, Any]) -> Message:
    return Message(message, **params)


def load(domain: str, lang: str, user_dir: Path | None = None) -> NullTranslations:
    """The words of one language and domain: a faculty's own catalogue
    (``<templates_dir>/locale``) first, message by message, then the shipped one; without
    either, the English source."""
    found: NullTranslations | None = None
    for base in (user_dir / "locale" if user_dir else None, LOCALE_DIR):
        path = base / lang / "LC_MESSAGES" / f"{domain}.mo" if base else None
        if path is None or not path.is_file():
            continue
        with path.open("rb") as file:
            catalogue = GNUTranslations(file)
        if found is None:
            found = catalogue
        else:
            found.add_fallback(catalogue)
    return found or NullTranslations()


@lru_cache(maxsize=32)
def translations(lang: str, user_dir: Path | None = None) -> NullTranslations:
    """The service's words in ``lang`` (cached: a catalogue is read once per process)."""
    return load(DOMAIN, lang, user_dir)


def date_words(day: dt.date, lang: str, full: bool = False) -> str:
    from babel.dates import format_date

    return format_date(day, format="full" if full else "long", locale=LOCALES.get(lang, "en_GB"))


def say(words: NullTranslations, lang: str, message: str, params: dict[str, Any]) -> str:
    """One message with its parameters, in the language of ``words``."""
    if not message:
        return message  # gettext("") is the catalogue's header
    shown = {name: _value(words, lang, value) for name, value in params.items()}
    text = words.gettext(message)
    return text.format(**shown) if params else text


def _value(words: NullTranslations, lang: str, value: Any) -> Any:
    from formgen.errors import FormgenError

    if isinstance(value, (Message, FormgenError)):
        return say(words, lang, value.message_id, value.params)  # a refusal inside a refusal
    if isinstance(value, ValueError) and len(value.args) == 1:
        return _value(words, lang, value.args[0])  # a rule's ValueError(Message(...))
    if isinstance(value, Word):
        return words.gettext(value.shown)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return date_words(value, lang)
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        return date_words(dt.date.fromisoformat(value), lang)  # as the record writes it
    return value


_PART = re.compile(r"(?P<what>[\w-]+): (?P<why>.+)")


def _aside(part: str) -> tuple[str, str] | None:
    """ "main (aside)", the aside the last bracket pair, which may hold brackets of its
    own ("withdrawal form unclear (yes: a bar (a staple?) runs through the box)")."""
    if not part.endswith(")"):
        return None
    depth = 0
    for at in range(len(part) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(part[at], 0)
        if depth == 0:
            main = part[:at]
            return (main[:-1], part[at + 1 : -1]) if main.endswith(" ") and main.strip() else None
    return None


def reason(text: str, words: NullTranslations) -> str:
    """A reader's reason as the record keeps it (``rules.Decision`` reasons, joined by the
    reader as "clause: reason; clause: reason", an aside in brackets) in the page's
    words: each piece is a message of the catalogue; a piece it does not know stays."""

    def piece(part: str) -> str:
        if not part:
            return part  # gettext("") is the catalogue's header
        said = words.gettext(STATUS_IN_REASONS.get(part, part))
        if said != part:
            return said
        for template, pattern in _reason_patterns():
            if found := pattern.fullmatch(part):
                values = {
                    name: piece(value)
                    if name == "why"
                    else words.gettext(STATUS_IN_REASONS.get(value, value))
                    if name in ("answer", "status")
                    else value
                    for name, value in found.groupdict().items()
                }
                return words.gettext(template).format(**values)
        if split := _aside(part):
            return f"{piece(split[0])} ({piece(split[1])})"
        if found := _PART.fullmatch(part):
            what = words.gettext(CLAUSE_WORDS.get(found["what"], found["what"]))
            return f"{what}: {piece(found['why'])}"
        return part

    return "; ".join(piece(part) for part in text.split("; "))


# Reasons with a part of their own (a form ID, an answer), as online/answers.py writes them:
# matched by their template, translated with the part in its place.
REASON_TEMPLATES = (
    N_("check this online answer: {why}"),
    N_("the same browser answered form {form} of this recording"),
    N_("the same address was used for form {form} of this recording"),
    N_("it said {answer}"),
    # the reader's (rules/marks.py, rules/scanned.py)
    N_("a loop {share} of the way round the answer"),
    N_(
        "both yes and no are marked, the {answer} box filled in or scribbled over: a correction?"
        " a person decides which answer counts"
    ),
    N_("only a mark of {mm} mm in the signature field"),
    N_("already {status}"),
)
# A clause's status where a reason names it ("already given", "... (no_answer)").
STATUS_IN_REASONS = {
    "requested": N_("requested"),
    "given": N_("given"),
    "refused": N_("refused"),
    "no_answer": N_("no answer"),
    "review": N_("to review"),
    "withdrawn": N_("withdrawn"),
    "expired": N_("expired"),
    "invalidated": N_("invalidated"),
}


@lru_cache(maxsize=1)
def _reason_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each template as a pattern: compiled where a reason is first shown, not by every
    command that imports the words (a scan import shows none)."""
    return [
        (
            template,
            re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(template)), re.DOTALL),
        )
        for template in REASON_TEMPLATES
    ]


# What a reason calls a clause or the signature ("recording: both yes and no are marked").
CLAUSE_WORDS = {
    "recording": N_("Recording"),
    "livestream": N_("Live stream"),
    "360": N_("360 degrees"),
    "signature": N_("Signature"),
}


def problem(exc: FormgenError | Message | str, lang: str, user_dir: Path | None = None) -> str:
    """A refusal of the library (or a ``Message``) in ``lang``, from its message ID and
    parameters (a plain line: translated whole, if the catalogue has it)."""
    if isinstance(exc, Message):
        return say(translations(lang, user_dir), lang, exc.message_id, exc.params)
    if isinstance(exc, str):
        return say(translations(lang, user_dir), lang, exc, {})
    return say(translations(lang, user_dir), lang, exc.message_id, exc.params)
