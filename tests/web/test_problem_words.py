"""The library's refusals in Dutch on Dutch pages: a refusal carries its message ID and
parameters (``FormgenError``), translated where it is shown (``formgen.words.problem``),
never matched back from its English. Real messages the library makes, and the pages
themselves (a Dutch-speaking student sees Dutch, the JSON API stays English)."""

from __future__ import annotations

import datetime as dt
import pickle
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from formgen import Formgen, words
from formgen.errors import FormgenError, RecordError
from formgen.record.accounts import User

from ..helpers import test_config
from ..helpers.web import PASSWORD, Live, post_sign_in


def test_a_refusal_keeps_its_english_line_its_id_and_its_parameters() -> None:
    day = dt.date(2026, 3, 1)
    exc = RecordError("recording {id} was destroyed on {day}", id="R-7KQ2M9", day=day)
    assert str(exc) == "recording R-7KQ2M9 was destroyed on 2026-03-01"
    assert words.problem(exc, "nl") == "opname R-7KQ2M9 is op 1 maart 2026 vernietigd"
    assert words.problem(exc, "en") == "recording R-7KQ2M9 was destroyed on 1 March 2026"
    again = pickle.loads(pickle.dumps(exc))  # a scan job's refusal crosses processes
    assert (type(again), again.message_id, again.params) == (
        RecordError,
        exc.message_id,
        exc.params,
    )


def test_words_in_a_refusal_are_translated_and_keys_stay_off_the_page() -> None:
    from formgen import rules

    step = rules.step_word("footage_checked")
    exc = RecordError("step {step} of {id} was confirmed meanwhile", step=step, id="R-7KQ2M9")
    assert "footage_checked" in str(exc)  # the CLI's line names the key
    said = words.problem(exc, "nl")
    assert "footage_checked" not in said and said.startswith('stap "Controleer de beelden')


def test_unknown_messages_stay_as_the_library_wrote_them() -> None:
    for message in ("something formgen has never said", ""):
        assert words.problem(RecordError(message), "nl") == message
        assert words.problem(RecordError(message), "en") == message


# --- real refusals of the library ---------------------------------------------------


@pytest.fixture
def fg(tmp_path: Path) -> Iterator[Formgen]:
    with Formgen.open(
        db=f"sqlite:///{tmp_path / 's.db'}", config=test_config(output_dir=tmp_path)
    ) as opened:
        yield opened


def refusal(call: Callable[[], Any]) -> FormgenError:
    with pytest.raises(FormgenError) as caught:
        call()
    return caught.value


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


def dutch(exc: FormgenError, *parts: str) -> str:
    said = words.problem(exc, "nl")
    assert said != str(exc), str(exc)
    for part in parts:
        assert part in said, (part, said)
    assert not re.search(r"\d{4}-\d\d-\d\d", said), said  # no ISO date in Dutch
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
    before = fg.today()
    fg.destroy(rec.id, by="Sam Student")
    after = fg.today()
    said = dutch(refusal(lambda: fg.add_participant(rec.id, "Daan")), rec.id, "vernietigd")
    # the organisation's day of the destruction (Amsterdam's: at 23:30 UTC in winter it is
    # the next day there), which may turn between the two looks at the clock
    assert any(words.date_words(day, "nl") in said for day in (before, after)), said


def test_refusals_of_a_new_recording_and_a_request(fg: Formgen) -> None:
    dutch(refusal(lambda: recording(fg, days=-365 * 40)), "opnamedatum", "1 januari 2000")
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
    with live.client(headers={"Accept-Language": "nl-NL"}) as client:
        done = post_sign_in(client, account.email)
        assert done.status_code == 303, done.text
        yield client


def test_a_dutch_student_reads_the_refusals_in_dutch(live: Live) -> None:
    with live.client(headers={"Accept-Language": "nl"}) as anonymous:
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


def test_the_readers_reasons_are_in_the_pages_words() -> None:
    nl = words.translations("nl")
    said = words.reason(
        "recording: both yes and no are marked (signature unclear); livestream: yes: between"
        " the thresholds",
        nl,
    )
    assert said == (
        "Opname: zowel ja als nee is aangekruist (handtekening onduidelijk); Livestream: ja:"
        " tussen de drempels"
    )
    assert words.reason("withdrawal form unclear (not signed)", nl) == (
        "intrekkingsformulier onduidelijk (niet ondertekend)"
    )
    assert words.reason("blank page", nl) == "lege pagina"
    assert words.reason("", nl) == ""  # not the catalogue's header
    # An online answer another form's answers make doubtful, as answers.py words it.
    from formgen.online import answers

    flagged = (
        f"{answers.REVIEW_PREFIX}: {answers.flag_text('browser:ABCD-EFGH-J;address:KLMN-PQRS-T')};"
        " it said yes"
    )
    assert words.reason(flagged, nl) == (
        "controleer dit online antwoord: dezelfde browser beantwoordde formulier ABCD-EFGH-J"
        " van deze opname; hetzelfde adres is gebruikt voor formulier KLMN-PQRS-T van deze"
        " opname; het antwoord was ja"
    )
    en = words.translations("en")
    assert words.reason("recording: not signed", en) == "Recording: not signed"
