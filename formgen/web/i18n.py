"""The service's words in Dutch and English. Pages are written in English and look their
Dutch up here by the English text, so a missing translation shows English, never a key.
A person's language is their own choice (saved with their account) or else their
browser's; Dutch when the browser states neither."""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("nl", "en")
COOKIE = "formgen_lang"  # the language chosen before signing in

NL: dict[str, str] = {
    # layout and navigation
    "Consent for recordings": "Toestemming voor opnamen",
    "Skip to content": "Naar de inhoud",
    "My recordings": "Mijn opnamen",
    "Recordings": "Opnamen",
    "Review": "Beoordelen",
    "Due for deletion": "Te verwijderen",
    "Users": "Gebruikers",
    "Sign in": "Inloggen",
    "Sign out": "Uitloggen",
    "Language": "Taal",
    "Nederlands": "Nederlands",
    "English": "English",
    "E-mail address": "E-mailadres",
    "Password": "Wachtwoord",
    "Name": "Naam",
    "Save": "Opslaan",
    # sign-in and set-up
    "Wrong e-mail address or password.": "Verkeerd e-mailadres of wachtwoord.",
    "Set up formgen": "formgen instellen",
    "You are the first person here: make the privacy officer's account.": (
        "U bent de eerste hier: maak het account van de privacyfunctionaris."
    ),
    "At least 10 characters.": "Minstens 10 tekens.",
    "This link is not valid (any more).": "Deze link is niet (meer) geldig.",
    # errors
    "Not found": "Niet gevonden",
    "That page does not exist, or it is not yours to see.": (
        "Die pagina bestaat niet, of is niet voor u."
    ),
    "Not allowed": "Niet toegestaan",
    "Something went wrong": "Er ging iets mis",
    "The request could not be handled. Nothing was changed.": (
        "Het verzoek kon niet worden verwerkt. Er is niets veranderd."
    ),
    "The form has expired. Reload the page and try again.": (
        "Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens."
    ),
    "Back to the start": "Terug naar het begin",
}


def _tables() -> dict[str, dict[str, str]]:
    from . import (
        words_finish,
        words_oidc,
        words_online,
        words_recording,
        words_return,
        words_review,
    )

    tables = [NL, words_recording.NL, words_review.NL, words_online.NL, words_oidc.NL]
    tables += [words_finish.NL, words_return.NL]
    return {"nl": {k: v for table in tables for k, v in table.items()}, "en": {}}


TABLES = _tables()


def translator(lang: str) -> Callable[[str], str]:
    table = TABLES.get(lang, {})

    def gettext(text: str) -> str:
        return table.get(text, text)

    return gettext


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
