"""The words of the recording pages, one table each (English message IDs marked ``N_``,
Dutch in the service catalogue), and dates and periods the language's way. Shared by the
recording pages, the online declaration and the return link."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date
from babel.units import format_unit

from formgen import rules
from formgen.words import N_

# --- Words (English message IDs, marked N_; Dutch in the service catalogue) --------------

# Each situation in one plain sentence: who collects consent (rules.consent_collector).
SITUATIONS: dict[str, tuple[str, str]] = {
    "1": (
        N_("At a partner institution"),
        N_(
            "An institution the faculty works with structurally (a training school, say), with"
            " a protocol: the institution asks for consent beforehand. Check with your"
            " supervisor or the contact person there who has given general consent, and"
            " discuss whether your supervisor should ask for extra declarations. Do not ask for"
            " consent yourself."
        ),
    ),
    "2": (
        N_("At another internship institution"),
        N_(
            "Another internship institution (a primary or secondary school, or childcare): the"
            " most common situation. Check with your supervisor or the contact person there"
            " what the institution has arranged and who has given general consent; if needed,"
            " your supervisor asks for extra declarations. Do not ask for consent yourself."
        ),
    ),
    "3": (
        N_("Outside any institution"),
        N_(
            "Outside any institution nothing is arranged beforehand: you arrange every"
            " declaration yourself, with the standard form, and keep them (a digital copy)"
            " until the recording is destroyed."
        ),
    ),
}
PURPOSES = {
    "reflection": N_("Reflection"),
    "assessment": N_("Direct evidence in an assessment"),
    "final-level": N_("Direct evidence of reaching the programme's final level"),
}
MEDIA = {"both": N_("Image and sound"), "video": N_("Image only"), "audio": N_("Sound only")}
CLAUSES = {"recording": "Recording", "livestream": "Live stream", "360": "360 degrees"}
STATUS_WORDS = {
    "requested": N_("requested: form not back yet"),
    "given": N_("consent given"),
    "refused": N_("refused"),
    "no_answer": N_("no answer: no consent"),
    "review": "to review",
    "withdrawn": "withdrawn",
    "expired": N_("expired"),
    "invalidated": N_("invalidated: asked again"),
}
SUMMARY_WORDS = {
    "destroyed": (N_("Destroyed"), N_("the recording was destroyed")),
    "due": (N_("Due"), N_("the deletion date has come: destroy it")),
    "empty": (N_("Empty"), N_("no participants registered yet")),
    "open": (N_("Open"), N_("someone's consent is not settled yet (form not back, or to review)")),
    "partial": (N_("Partial"), N_("settled, but someone must not appear")),
    "complete": (N_("Complete"), N_("everyone registered may appear")),
}
STEP_STATES = {"open": N_("to do"), "done": N_("done"), "not_needed": N_("not needed")}
LANG_NAMES = {"nl": N_("Dutch"), "en": N_("English")}
# How a withdrawal reached the student: recorded as the event's reason.
WITHDRAWAL_WAYS = {
    "email": (N_("By e-mail"), "by e-mail"),
    "person": (N_("In person"), "in person"),
    "phone": (N_("By phone"), "by phone"),
    "letter": (N_("By letter or on the withdrawal form"), "by letter or on the withdrawal form"),
    "other": (N_("Another way"), "in another way"),
}
NOTICES = {
    "created": N_("The recording is made. Add its participants next."),
    "added": N_("Added. Their declarations are in the PDF."),
    "withdrawn": N_("The withdrawal is recorded. The person must not appear any more."),
    "reconsent": N_("Changed. Earlier consent no longer counts: hand out the new declarations."),
    "destroyed": N_("The destruction is recorded."),
    "confirmed": "The step is confirmed.",
    "reminded": N_("Recorded: the reminders were sent."),
    "invited": N_("The invitations are sent."),
    "invited_none": N_("Nothing was sent: no one with an e-mail address is waiting for one."),
    "not_returned": N_("Recorded: the forms not returned count as no consent."),
    "institution": N_("Recorded: the camera set-up follows the institution's answer."),
    "edited": N_("The correction is saved."),
    "edited_reconsent": (
        N_(
            "The correction is saved. Earlier consent no longer counts: hand out the new"
            " declarations."
        )
    ),
    "renamed": N_("The name is corrected."),
    "removed": N_("The person is removed from this recording."),
    "voided": N_("The person's form is voided: their consent ended, its history stays."),
    "undone": N_("The confirmation is taken back."),
    "review_undone": N_("The decision is taken back: the answer is in the review queue again."),
}
LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def date_words(day: dt.date | str, lang: str, full: bool = False) -> str:
    """A date the language's way; a moment as the record keeps it (ISO) by its day."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return format_date(day, format="full" if full else "long", locale=LOCALES[lang])


def period_words(amount: int, unit: str, lang: str) -> str:
    return format_unit(amount, f"duration-{unit.rstrip('s')}", locale=LOCALES[lang], length="long")


def words(lang: str) -> dict[str, Any]:
    """What every recording template needs to say things."""
    return {
        "situations": SITUATIONS,
        "purpose_names": PURPOSES,
        "media_names": MEDIA,
        "clause_names": CLAUSES,
        "status_words": STATUS_WORDS,
        "summary_words": SUMMARY_WORDS,
        "step_states": STEP_STATES,
        "lang_names": LANG_NAMES,
        "withdrawal_ways": WITHDRAWAL_WAYS,
        "setup": rules.SETUP,
        "date_words": lambda day, full=False: date_words(day, lang, full),
        "period_words": lambda amount, unit: period_words(amount, unit, lang),
    }


MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}  # fmt: skip


def plain_day(day: dt.date, lang: str) -> str:
    """A date as people write it: 3 March 2027, 3 maart 2027."""
    return f"{day.day} {MONTHS.get(lang, MONTHS['en'])[day.month - 1]} {day.year}"
