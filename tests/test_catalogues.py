"""The words of the documents (domain ``formgen``) and of the service (``service``: pages,
e-mails, refusals) live in message catalogues (formgen/locale): complete, checked, and
compiled from the .po files that ship beside them."""

from __future__ import annotations

import gettext
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from formgen.documents import render

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "formgen" / "locale"
LANGS = ("nl", "en")


def extracted() -> set[str | tuple[str, str]]:
    """Every message the templates use, as `pybabel extract -F formgen/locale/babel.cfg`
    finds it."""
    method_map = [("**.html", "jinja2"), ("**.txt", "jinja2")]
    options = {
        "**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true", "silent": "false"},
        "**.txt": {"extensions": "jinja2.ext.i18n", "trimmed": "true", "silent": "false"},
    }
    found: set[str | tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT / "templates"), method_map=method_map, options_map=options
    ):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


# What marks a service message in the modules and web templates (formgen/locale/README).
SERVICE_KEYWORDS = {"_": None, "N_": None, "say": None, "gettext": None, "ngettext": (1, 2)}


def extracted_service() -> set[str | tuple[str, str]]:
    """Every message the web templates and the modules mark, as `pybabel extract -F
    formgen/locale/service.cfg` finds it."""
    method_map = [("formgen/**.py", "python"), ("formgen/web/templates/**.html", "jinja2")]
    options = {"formgen/web/templates/**.html": {"silent": "false"}}
    found: set[str | tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options, keywords=SERVICE_KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


@pytest.fixture(scope="module")
def messages() -> dict[str, set[str | tuple[str, str]]]:
    found = {"formgen": extracted(), "service": extracted_service()}
    assert len(found["formgen"]) > 100 and len(found["service"]) > 500
    return found


DOMAINS = [(lang, domain) for domain in ("formgen", "service") for lang in LANGS]


@pytest.mark.parametrize(("lang", "domain"), DOMAINS)
def test_the_catalogue_has_every_message_and_no_other(
    lang: str, domain: str, messages: dict[str, set[str | tuple[str, str]]]
) -> None:
    with (LOCALE / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as file:
        catalogue = read_po(file)
    ids = {m.id for m in catalogue if m.id}
    wanted = messages[domain]
    assert wanted - ids == set(), "run pybabel extract and update (formgen/locale/README)"
    assert ids - wanted == set(), "messages nothing uses any more"
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{lang}: {message.id!r} has no translation"
        assert not message.fuzzy, f"{lang}: {message.id!r} is fuzzy"
    problems = [(m.id, errors) for m, errors in catalogue.check()]
    assert problems == [], problems  # e.g. a %(name)s placeholder lost in translation


@pytest.mark.parametrize(("lang", "domain"), DOMAINS)
def test_the_shipped_mo_is_compiled_from_the_po(lang: str, domain: str) -> None:
    with (LOCALE / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as file:
        catalogue = read_po(file)
    with (LOCALE / lang / "LC_MESSAGES" / f"{domain}.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.string
            assert compiled.ngettext(message.id[0], message.id[1], 1) == singular
            assert compiled.ngettext(message.id[0], message.id[1], 2) == plural
        else:
            assert compiled.gettext(message.id) == message.string, message.id
    entries = sum(2 if isinstance(m.id, tuple) else 1 for m in catalogue if m.id)
    assert len(compiled._catalog) == entries + 1  # the header  # type: ignore[attr-defined]


def test_the_documents_are_read_from_the_catalogues() -> None:
    nl = render.translations("nl")
    assert nl.gettext("Your rights") == "Uw rechten"
    assert render.translations("en").gettext("Your rights") == "Your rights"
    # A language without a catalogue prints the templates' English source.
    assert render.translations("de").gettext("Your rights") == "Your rights"


def test_the_cli_names_what_the_record_knows() -> None:
    """The CLI spells the languages and purposes out, so `--help` need not load the
    store: they must stay the record's."""
    from formgen import cli, rules
    from formgen.record import records

    assert cli.LANGS == records.LANGS
    assert tuple(str(p) for p in rules.Purpose) == cli.PURPOSES


def test_help_loads_neither_the_store_nor_weasyprint() -> None:
    code = (
        "import sys\n"
        "from formgen.cli import cli\n"
        "try:\n"
        "    cli(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'weasyprint', 'jinja2', 'babel', 'formgen.api')"
        " if m in sys.modules]\n"
        "print('loaded:' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.splitlines()[-1] == "loaded:"


def test_the_wheel_ships_the_compiled_catalogues(tmp_path: Path) -> None:
    """`pip install .` gets the words: the .mo files are in the wheel."""
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("formgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in LANGS:
        assert f"formgen/locale/{lang}/LC_MESSAGES/formgen.mo" in names
        assert f"formgen/locale/{lang}/LC_MESSAGES/service.mo" in names
    assert "formgen/templates/declaration.html" in names
    assert "formgen/templates/_words.html" in names


def test_the_service_counts_in_each_language_and_writes_its_dates() -> None:
    from formgen import words

    nl = words.translations("nl")
    one, many = (
        "{n} recording, {overdue} of them overdue.",
        "{n} recordings, {overdue} of them overdue.",
    )
    assert nl.ngettext(one, many, 1).format(n=1, overdue=0) == "1 opname, waarvan 0 te laat."
    assert nl.ngettext(one, many, 2).format(n=2, overdue=1) == "2 opnamen, waarvan 1 te laat."
    assert words.translations("en").ngettext(one, many, 1).startswith("{n} recording,")
    day = __import__("datetime").date(2026, 3, 1)
    assert words.date_words(day, "nl") == "1 maart 2026"
    assert words.date_words(day, "en") == "1 March 2026"


def test_the_cli_hints_by_message_id_not_by_its_english() -> None:
    from formgen import cli
    from formgen.errors import Conflict, RecordError

    unprinted = Conflict("form {form} has not been printed yet", form="7KQ2-M9XD-4")
    assert str(unprinted) + cli._hint(unprinted) == (
        "form 7KQ2-M9XD-4 has not been printed yet: run formgen forms first"
    )
    assert cli._hint(RecordError("the note says: form has not been printed yet")) == ""
