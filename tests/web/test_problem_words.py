"""The library's refusals in Dutch on Dutch pages (``words_problems.problem``): real
messages the library makes, a table that cannot rot silently, and the pages themselves
(a Dutch-speaking student sees Dutch, the JSON API stays English)."""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

import formgen
from formgen import Formgen
from formgen.accounts import User
from formgen.errors import FormgenError
from formgen.web import words_online
from formgen.web.words_problems import NL, PATTERNS, problem

from ..helpers import test_config
from .conftest import PASSWORD, Live, post_sign_in

# One English message per entry of the table and per pattern, in the shapes the library
# (or a page) writes them; test_every_example_is_a_message_formgen_writes checks that.
EXAMPLES = [
    *NL,
    "name is empty",
    "title is not valid text (UTF-8)",
    "institution contains control characters",
    "name contains an invisible formatting character (U+202E RIGHT-TO-LEFT OVERRIDE);"
    " retype it without that character",
    "reason is longer than 120 characters",
    "e-mail address 'piet@' is not an e-mail address",
    "'piet@' is not an e-mail address",
    "the name has characters no installed font can print (U+1F600)",
    "language 'fr' is not one of nl, en",
    "recording date 1990-05-01 is not between 2000-01-01 and 2100-12-31",
    "recording date 2026-03-01 has passed: consent cannot be asked for a recording already made",
    "the deletion date 2026-03-01 is not after today",
    "recording R-7KQ2M9 is in situation 2: the institution asks its people for consent; the"
    " student sends no invitations or reminders",
    "the new deletion date 2060-01-01 is later than 2031-01-01: a recording for reflection is"
    " kept at most 4 weeks from its date 2030-12-04; nothing changed",
    "recording R-7KQ2M9 was made on 2026-03-01: consent cannot be asked after the fact (only a"
    " re-consent round can ask again)",
    "nobody@example.org is not the e-mail address of a supervisor",
    "recording R-7KQ2M9 was destroyed on 2026-03-01",
    "recording R-7KQ2M9 was destroyed on 2026-03-01: there is nothing to describe",
    "recording R-7KQ2M9 was destroyed: there is nothing to add scans to",
    "recording R-7KQ2M9 has no participants yet",
    "recording R-7KQ2M9 has no participants yet: add them first",
    "recording R-7KQ2M9 was to be deleted by 2026-03-01: destroy it and record the destruction",
    "cannot describe R-7KQ2M9: consent of 2 participant(s) is not settled (requested or to"
    " review); see the status",
    "the new deletion date 2026-03-01 is not later than 2026-04-01; nothing changed",
    "recording R-7KQ2M9 already has purpose assessment; nothing changed",
    "step stored of R-7KQ2M9 was already confirmed by Sam Student on 2026-03-01",
    "step transport of R-7KQ2M9 was confirmed meanwhile",
    "step footage_checked is not needed for R-7KQ2M9: everyone registered consented",
    "recording R-7KQ2M9 is in situation 2: the institution keeps the declarations and reminds"
    " its people",
    "nobody has given consent for recording R-7KQ2M9: no reminders",
    "recording R-7KQ2M9 is made on 2026-03-01: the reminder of the right to withdraw comes"
    " after the recording",
    "no reminder letters were made for recording R-7KQ2M9: make them first",
    "the reminders for recording R-7KQ2M9 were recorded as sent on 2026-03-01; make new ones"
    " first if someone else consented since",
    "the return date 2026-03-01 is not after today",
    "form 7KQ2-M9XD-4 is due back before 2026-03-01: mark it not returned from then on",
    "form 7KQ2-M9XD-4 came back or was decided: it is not unreturned",
    "recording R-7KQ2M9 has no form to close: none is unreturned past its return date",
    "sam@example.org signs in with the institution: there is no password",
    "no API token '0123456789abcdef'",
    "your role (student) may not reset passwords",
    "form 7KQ2-M9XD-4 has no given consent to withdraw",
    "7KQ2-M9XD-4:recording is not waiting for review",
    "'maybe' is not a decision for this item",
    "there is already an account for new@example.org",
    "the account old@example.org is disabled",
    "too many failed sign-ins: try again in 14 minutes",
    "your role (student) may not review recording R-7KQ2M9",
    "your role (student) may not request recording R-7KQ2M9",
    "your role (supervisor) may not add scans to R-7KQ2M9",
    "your role (supervisor) may not see the users",
    "at most 200 files at a time",
    "notes.txt is not a PDF or an image (PNG, JPEG, TIFF)",
    "the files are larger than 512 MiB together",
    "scan.pdf is larger than 256 MiB",
    "the store is busy: another formgen process held it for more than 30 s; try again",
    "cannot send e-mail through mail.example.org:25: Connection refused",
    "step footage_checked of R-7KQ2M9 cannot be confirmed before the recording date"
    " 2031-03-01: there is no footage yet",
    "step transport of R-7KQ2M9 is not confirmed: nothing to undo",
    "form 7KQ2-M9XD-4 has answers: say why it is voided (a reason)",
    "form 7KQ2-M9XD-4 has no consent left to void",
    "form 7KQ2-M9XD-4 was removed from its recording",
    "recording R-7KQ2M9 already reads like that; nothing changed",
    "the name of 7KQ2-M9XD-4 is already 'Anne'; nothing changed",
    "recording R-7KQ2M9 was destroyed: its documents are gone",
    "'misschien' is not ja/nee (yes/no) or a birth date (dd-mm-yyyy)",
    "birth date 2040-01-01 is after the recording date",
]


def _templates() -> list[re.Pattern[str]]:
    """Every string formgen's code holds (f-strings with any value where they format
    one), except the words tables: the messages it can write."""
    root = Path(formgen.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name.startswith("words_") or path.name == "i18n.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(re.escape(node.value))
            elif isinstance(node, ast.JoinedStr):
                parts = [
                    re.escape(v.value) if isinstance(v, ast.Constant) else ".+" for v in node.values
                ]
                fixed = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                if len(fixed.strip()) >= 8:  # "{x}: {y}" would match anything
                    found.append("".join(parts))
    return [re.compile(t, re.S) for t in found]


def test_every_entry_has_an_example_and_every_example_is_dutch() -> None:
    for message in EXAMPLES:
        dutch = problem("nl", message)
        assert dutch != message, message
        assert problem("en", message) == message
    unused = [p.pattern for p, _ in PATTERNS if not any(p.match(m) for m in EXAMPLES)]
    assert not unused, unused
    # Each example is translated by one entry only: a pattern cannot shadow another.
    for message in EXAMPLES:
        hits = [p.pattern for p, _ in PATTERNS if p.match(message)]
        assert len(hits) <= (0 if message in NL else 1), (message, hits)


def test_every_example_is_a_message_formgen_writes() -> None:
    templates = _templates()
    unknown = [m for m in EXAMPLES if not any(t.fullmatch(m) for t in templates)]
    assert not unknown, unknown


def test_ids_dates_names_and_numbers_are_kept() -> None:
    cases = {
        "recording R-7KQ2M9 has no participants yet": "opname R-7KQ2M9 heeft nog geen deelnemers",
        "recording date 1990-05-01 is not between 2000-01-01 and 2100-12-31": (
            "de opnamedatum 1990-05-01 ligt niet tussen 2000-01-01 en 2100-12-31"
        ),
        "nobody@example.org is not the e-mail address of a supervisor": (
            "nobody@example.org is niet het e-mailadres van een begeleider"
        ),
        "your role (supervisor) may not destroy recording R-7KQ2M9": (
            "met uw rol (begeleider) mag u opname R-7KQ2M9 niet vernietigen"
        ),
        "recording R-7KQ2M9 already has purpose final-level; nothing changed": (
            'opname R-7KQ2M9 heeft al het doel "direct bewijs voor het eindniveau van de'
            ' opleiding"; er is niets veranderd'
        ),
        "title is longer than 120 characters": "de titel is langer dan 120 tekens",
        'e-mail address "o\'neil@" is not an e-mail address': ('"o\'neil@" is geen e-mailadres'),
    }
    for english, dutch in cases.items():
        assert problem("nl", english) == dutch
    step = problem(
        "nl", "step stored of R-7KQ2M9 was already confirmed by Sam Student on 2026-03-01"
    )
    assert step.startswith('stap "Bewaar de opname op het videoplatform')
    assert step.endswith("van opname R-7KQ2M9 is al bevestigd door Sam Student op 2026-03-01")


def test_unknown_messages_stay_as_the_library_wrote_them() -> None:
    for message in (
        "something formgen has never said",
        "the author's name is empty",  # a name the pages never ask for: not guessed
        "your role (student) may not fly",
        "",
    ):
        assert problem("nl", message) == message
        assert problem("en", message) == message


def test_the_online_pages_fall_back_to_these_words() -> None:
    assert words_online.problem("nl", "wrong code; 3 tries left") == (
        "verkeerde code; u kunt het nog 3 keer proberen"
    )
    assert words_online.problem("nl", "choose yes or no for every question") == (
        "kies bij elke vraag ja of nee"
    )
    assert words_online.problem("nl", "your name is empty") == "uw naam is leeg"
    assert words_online.problem("nl", "recording R-7KQ2M9 was destroyed on 2026-03-01") == (
        "opname R-7KQ2M9 is op 2026-03-01 vernietigd"
    )
    assert words_online.problem("en", "your name is empty") == "your name is empty"


# --- real refusals of the library ---------------------------------------------------


@pytest.fixture
def fg(tmp_path: Path) -> Iterator[Formgen]:
    with Formgen.open(
        db=f"sqlite:///{tmp_path / 's.db'}", config=test_config(output_dir=tmp_path)
    ) as opened:
        yield opened


def refusal(call: Callable[[], Any]) -> str:
    with pytest.raises(FormgenError) as caught:
        call()
    return str(caught.value)


def recording(fg: Formgen, situation: str = "3", days: int = 7, **kw: Any) -> Any:
    return fg.create_recording(
        title="Rekenles groep 5",
        student="Sam Student",
        supervisor="Dr. Gita Guide",
        situation=situation,
        purpose="reflection",
        date=dt.date.today() + dt.timedelta(days=days),
        institution="Basisschool De Regenboog" if situation != "3" else None,
        **kw,
    )


def dutch(message: str, *words: str) -> str:
    said = problem("nl", message)
    assert said != message, message
    for word in words:
        assert word in said, (word, said)
    return said


def test_refusals_about_a_recording(fg: Formgen) -> None:
    rec = recording(fg)
    dutch(refusal(lambda: fg.forms(rec.id, save=False)), rec.id, "geen deelnemers")
    dutch(refusal(lambda: fg.add_participant(rec.id, "   ")), "de naam is leeg")
    dutch(
        refusal(lambda: fg.remind(rec.id, by="Sam Student", save=False)),
        rec.id,
        "niemand heeft toestemming gegeven",
    )
    dutch(
        refusal(lambda: fg.reminders_sent(rec.id, by="Sam Student")),
        rec.id,
        "herinneringsbrieven",
    )
    dutch(
        refusal(lambda: fg.change_recording(rec.id, by="Sam Student", purpose="reflection")),
        rec.id,
        '"reflectie"',
    )
    person = fg.add_participant(rec.id, "Noor Bakker")
    dutch(refusal(lambda: fg.describe(rec.id)), rec.id, "1 deelnemer(s)", "staat nog niet vast")
    dutch(
        refusal(lambda: fg.withdraw(person.form_id, by="Sam Student")),
        person.form_id,
        "geen gegeven toestemming",
    )
    fg.destroy(rec.id, by="Sam Student")
    said = dutch(refusal(lambda: fg.add_participant(rec.id, "Daan")), rec.id, "vernietigd")
    assert dt.date.today().isoformat() in said


def test_refusals_of_a_new_recording_and_a_request(fg: Formgen) -> None:
    dutch(refusal(lambda: recording(fg, days=-365 * 40)), "opnamedatum", "2000-01-01")
    dutch(refusal(lambda: recording(fg, livestream_stored=True)), "livestream")
    institution = recording(fg, situation="1")
    dutch(
        refusal(lambda: fg.request(institution.id, contact="Mw. Jansen", count=0, save=False)),
        "blanco verklaringen",
    )
    outside = recording(fg)
    dutch(
        refusal(lambda: fg.request(outside.id, contact="Mw. Jansen", count=3, save=False)),
        "situatie 3",
    )
    fg.confirm_step(institution.id, "transport", by="Sam Student")
    dutch(
        refusal(lambda: fg.confirm_step(institution.id, "transport", by="Sam Student")),
        institution.id,
        "al bevestigd door Sam Student",
        "Zet de beelden op een veilige plek",
    )


def test_refusals_about_accounts_and_roles(fg: Formgen) -> None:
    dutch(
        refusal(lambda: fg.add_user("a@example.org", name="A", role="student", password="short")),
        "minstens 10 tekens",
    )
    student: User = fg.add_user("s@example.org", name="Sam", role="student", password=PASSWORD)
    dutch(
        refusal(lambda: fg.add_user("s@example.org", name="S", role="student", password=PASSWORD)),
        "er is al een account voor s@example.org",
    )
    dutch(
        refusal(lambda: fg.add_user("no-address", name="S", role="student", password=PASSWORD)),
        "'no-address' is geen e-mailadres",
    )
    dutch(refusal(lambda: fg.authenticate("s@example.org", "wrong", "")), "verkeerd e-mailadres")
    as_student = fg.as_user(student)
    dutch(refusal(as_student.users), "met uw rol (student) mag u de gebruikers niet zien")
    dutch(refusal(lambda: as_student.due()), "lijst met te verwijderen opnamen")
    dutch(
        refusal(lambda: as_student.submit_scans([("notes.txt", b"hello")])),
        "notes.txt is geen pdf",
    )


# --- the pages ----------------------------------------------------------------------


@contextmanager
def dutch_browser(live: Live, role: str) -> Iterator[httpx.Client]:
    """A browser whose language is Dutch, signed in as ``role``."""
    account = live.account(role)
    with httpx.Client(base_url=live.url, headers={"Accept-Language": "nl-NL"}) as client:
        done = post_sign_in(client, account.email)
        assert done.status_code == 303, done.text
        yield client


def test_a_dutch_student_reads_the_refusals_in_dutch(live: Live) -> None:
    with httpx.Client(base_url=live.url, headers={"Accept-Language": "nl"}) as anonymous:
        live.account("student")
        wrong = post_sign_in(anonymous, "student@example.org", "not it")
        assert wrong.status_code == 401 and "verkeerd e-mailadres of wachtwoord" in wrong.text
    with dutch_browser(live, "student") as browser:
        form = browser.get("/recordings/new")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf, form.text
        refused = browser.post(
            "/recordings/new",
            data={
                "csrf": csrf.group(1),
                "title": "Rekenles groep 5",
                "date": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
                "situation": "3",
                "purpose": "reflection",
                "supervisor": "nobody@example.org",
            },
        )
        assert refused.status_code == 422
        assert "nobody@example.org is niet het e-mailadres van een begeleider" in refused.text
        # The plain error page (403) speaks Dutch too.
        users = browser.get("/users")
        assert users.status_code == 403
        assert "met uw rol (student) mag u de gebruikers niet zien" in users.text
    # The JSON API keeps the library's English, whatever the caller's language.
    token = live.token("student")
    with live.client(token) as api:
        answer = api.get("/api/v1/users", headers={"Accept-Language": "nl"})
        assert answer.status_code == 403
        assert answer.json()["detail"] == "your role (student) may not see the users"
