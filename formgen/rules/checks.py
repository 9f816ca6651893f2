"""Names, addresses and dates as typed, and consent before the fact: what is refused
before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from formgen.errors import RecordError
from formgen.rules.status import Status
from formgen.words import N_, Message, Word

MAX_NAME = 120
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


# The words a refusal names as its parameters (``Word``: what was typed, the role, what
# it may not do, the purpose): in the service's catalogue, so a page translates them.
REFUSAL_WORDS = (
    *(N_("name"), N_("title"), N_("institution"), N_("contact"), N_("reason")),
    *(N_("student"), N_("supervisor"), N_("officer")),
    *(N_("see"), N_("change"), N_("review"), N_("destroy"), N_("export")),
    *(N_("reflection"), N_("assessment"), N_("final-level")),
)


def check_name(name: str, what: str = "name") -> str:
    """Names are stored as typed ('t Hooft, Çelik, even <b>); only what can only be a
    mistake or an attack is refused: control characters, absurd lengths, invisible format
    characters (Unicode category Cf: a bidi override U+202E makes a printed name read
    differently from the stored one; zero-width characters and BOMs make two names that
    look the same differ) and lone surrogates (how Python carries bytes that are not
    UTF-8, e.g. from a terminal in another encoding)."""
    if _SURROGATE.search(name):
        raise RecordError(N_("{what} is not valid text (UTF-8)"), what=Word(what))
    stripped = name.strip()
    if not stripped:
        raise RecordError(N_("{what} is empty"), what=Word(what))
    if _CONTROL.search(stripped):
        raise RecordError(N_("{what} contains control characters"), what=Word(what))
    for char in stripped:
        if unicodedata.category(char) == "Cf":
            label = unicodedata.name(char, "format character")
            raise RecordError(
                N_(
                    "{what} contains an invisible formatting character ({char}); retype it"
                    " without that character"
                ),
                what=Word(what),
                char=f"U+{ord(char):04X} {label}",
            )
    if len(stripped) > MAX_NAME:
        raise RecordError(N_("{what} is longer than {n} characters"), what=Word(what), n=MAX_NAME)
    return stripped


def check_email(address: str, what: str = "e-mail address") -> str:
    """One address a letter can be sent to, parsed (email-validator: syntax and
    normalisation, no look-up of the domain): no display name, no list, no quoting, no
    characters that would end a mail header. Returned in ASCII (a domain in other
    scripts as its IDNA form), so every mail server can carry it."""
    from email_validator import EmailNotValidError, validate_email

    stripped = address.strip()
    try:
        if len(stripped) > MAX_NAME:
            raise EmailNotValidError("too long")
        parsed = validate_email(stripped, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise RecordError(
            N_("{what} {address} is not an e-mail address"), what=Word(what), address=repr(stripped)
        ) from None
    assert parsed.ascii_email is not None  # allow_smtputf8=False: ASCII or refused
    return parsed.ascii_email


# A recording date outside this window is a typing mistake (0001-01-01, 2206-01-01) and
# would put the deletion date centuries away or past the calendar's end.
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)


def check_recording_date(day: dt.date) -> dt.date:
    if not FIRST_DATE <= day <= LAST_DATE:
        raise RecordError(
            N_("recording date {day} is not between {first} and {last}"),
            day=day.isoformat(),
            first=FIRST_DATE.isoformat(),
            last=LAST_DATE.isoformat(),
        )
    return day


# --- Consent before the fact ------------------------------------------------------------
# Consent cannot make a recording already made lawful: it is asked before the recording
# date, and a recording is registered no later than on the day it is made.


def check_new_recording_date(day: dt.date, today: dt.date) -> dt.date:
    """A recording is registered, and its consent asked, before it is made: a date
    before today is refused (today itself is fine)."""
    check_recording_date(day)
    if day < today:
        raise RecordError(
            N_(
                "recording date {day} has passed: consent cannot be asked for a recording"
                " already made"
            ),
            day=day.isoformat(),
        )
    return day


def check_deletion_date(day: dt.date, today: dt.date) -> dt.date:
    """A deletion date that is today or earlier leaves nothing to consent to."""
    if day <= today:
        raise RecordError(N_("the deletion date {day} is not after today"), day=day.isoformat())
    return day


def may_ask_consent(recorded_on: dt.date, today: dt.date, round_: int) -> bool:
    """A declaration, an invitation or an online answer asks for consent: until the day
    of the recording, or later only in a re-consent round (``round_`` 2 and up) for a
    recording made with consent, which asks about a new purpose or a longer retention."""
    return today <= recorded_on or round_ > 1


def asks_again_after_the_fact(statuses: Mapping[str, Status]) -> bool:
    """Who a re-consent round after the recording date asks again: only a person who
    consented to something. Whoever did not was kept out of the recording; asking them
    now would be consent after the fact."""
    return any(s is Status.GIVEN for s in statuses.values())


def too_late(recording_id: str, recorded_on: dt.date) -> Message:
    """The refusal for asking consent after the fact."""
    return Message(
        N_(
            "recording {recording} was made on {day}: consent cannot be asked after the fact"
            " (only a re-consent round can ask again)"
        ),
        recording=recording_id,
        day=recorded_on,
    )
