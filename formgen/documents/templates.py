"""Templates and their words: the Jinja2 environment and the ``formgen`` domain's
message catalogues, and the dates, periods and names the templates print.

One structural template per document kind (``formgen/templates``, overridable by a
user folder the datasette way, where ``default:NAME`` is the shipped template an
override may extend) and the words per language in Babel message catalogues
(``formgen/locale``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zlib
from contextlib import suppress
from contextvars import ContextVar
from functools import cache
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.units import format_unit

from formgen.config import Config, Organisation

if TYPE_CHECKING:
    from gettext import NullTranslations

    from jinja2 import Environment, Template

# Jinja2 is imported where a template is first needed: commands that only read scans
# or the record start without it.

LOCALES = {"nl": "nl_NL", "en": "en_GB"}
DOMAIN = "formgen"  # the message catalogues: locale/<lang>/LC_MESSAGES/formgen.mo
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def template_dirs(config: Config) -> list[Path]:
    """User templates first, then the shipped ones (``formgen/templates`` in a wheel,
    the repository's ``templates/`` in a checkout)."""
    shipped = Path(str(resources.files("formgen"))) / "templates"
    if not shipped.is_dir():
        shipped = Path(__file__).resolve().parent.parent.parent / "templates"
    return [d for d in (config.templates_dir, shipped) if d is not None]


@cache
def translations(lang: str, user_dir: Path | None = None) -> NullTranslations:
    """The words of one language: a faculty's own catalogue (``<templates_dir>/locale``)
    first, then the shipped one; without either, the templates' English source."""
    import gettext

    found: NullTranslations | None = None
    for base in (user_dir / "locale" if user_dir else None, LOCALE_DIR):
        path = base / lang / "LC_MESSAGES" / f"{DOMAIN}.mo" if base else None
        if path is None or not path.is_file():
            continue
        with path.open("rb") as file:
            catalogue = gettext.GNUTranslations(file)
        if found is None:
            found = catalogue
        else:
            found.add_fallback(catalogue)
    return found or gettext.NullTranslations()


# The words templates are rendered in: one environment (each template compiled once)
# serves every language, the language being the renderer's, thread by thread.
_WORDS: ContextVar[NullTranslations | None] = ContextVar("formgen_words", default=None)


def _words() -> NullTranslations:
    import gettext

    return _WORDS.get() or gettext.NullTranslations()


def _gettext(message: str) -> str:
    return _words().gettext(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _words().ngettext(singular, plural, count)


_OPTIONS: dict[str, Any] = {
    # No trim_blocks: a newline after a tag is the space between two sentences in HTML;
    # the plain-text description controls its whitespace with "-".
    "lstrip_blocks": True,
    "extensions": ["jinja2.ext.i18n"],
}


def _bytecode_cache() -> Any:
    """Compiled templates kept between processes: compiling the declaration costs a
    command some 0.1 s. Jinja's own per-user directory (mode 700, checked); a template
    changed on disk (a faculty's override too) is compiled afresh. Templates hold no
    personal data. Without a safe directory, or when it cannot be read or written (a
    full disk), templates are simply compiled each time."""
    from jinja2 import FileSystemBytecodeCache

    class Cache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            with suppress(OSError):
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket: Any) -> None:
            with suppress(OSError):
                super().dump_bytecode(bucket)

    try:
        # The environment's options shape the compiled code: the files are named by them.
        options = zlib.crc32(repr(sorted(_OPTIONS.items())).encode())
        return Cache(pattern=f"formgen-{options:08x}-%s.cache")
    except (OSError, RuntimeError):
        return None


@cache
def _environment(dirs: tuple[Path, ...]) -> Environment:
    from jinja2 import (
        ChoiceLoader,
        Environment,
        FileSystemLoader,
        PrefixLoader,
        StrictUndefined,
        select_autoescape,
    )

    shipped = FileSystemLoader(str(dirs[-1]))
    env = Environment(
        bytecode_cache=_bytecode_cache(),
        loader=ChoiceLoader(
            [FileSystemLoader(str(d)) for d in dirs]
            # "default:declaration.html" is always the shipped one, so an override can
            # extend it and replace a block.
            + [PrefixLoader({"default": shipped}, delimiter=":")]
        ),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        **_OPTIONS,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def environment(config: Config) -> Environment:
    return _environment(tuple(template_dirs(config)))


def template(config: Config, lang: str, name: str) -> Template:
    """A document's template: an old-style per-language override (``<lang>/<name>``)
    if a faculty has one, else the one template for all languages."""
    return environment(config).select_template([f"{lang}/{name}", name])


def render_template(config: Config, language: str, name: str, /, **context: Any) -> str:
    """A template rendered in a language's words (``context`` may hold ``lang`` too)."""
    dirs = template_dirs(config)
    user = dirs[0] if len(dirs) > 1 else None
    token = _WORDS.set(translations(language, user))
    try:
        return template(config, language, name).render(**context)
    finally:
        _WORDS.reset(token)


def long_date(day: dt.date, lang: str) -> str:
    return format_date(day, format="long", locale=LOCALES.get(lang, lang))


def period_text(amount: int, unit: str, lang: str) -> str:
    return format_unit(
        amount, f"duration-{unit.rstrip('s')}", locale=LOCALES.get(lang, lang), length="long"
    )


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january"),
            ("februari", "february"),
            ("maart", "march"),
            ("april",),
            ("mei", "may"),
            ("juni", "june"),
            ("juli", "july"),
            ("augustus", "august"),
            ("september",),
            ("oktober", "october"),
            ("november",),
            ("december",),
        ),
        start=1,
    )
    for name in names
}


def version_text(version: str, lang: str) -> str:
    """The procedure's version in the reader's language when it is a date ("20 augustus
    2020" or 2020-08-20 prints as "20 August 2020" in English); anything else as set."""
    day: dt.date | None = None
    try:
        day = dt.date.fromisoformat(version.strip())
    except ValueError:
        parts = version.split()
        if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit():
            month = _MONTHS.get(parts[1].lower())
            if month:
                try:
                    day = dt.date(int(parts[2]), month, int(parts[0]))
                except ValueError:
                    day = None
    return long_date(day, lang) if day else version


def org_view(org: Organisation, lang: str) -> SimpleNamespace:
    """The organisation as the templates see it: every configured field, and its name,
    faculty and procedure version in the reader's language (fields without a suffix are
    Dutch; other languages use the ``_en`` ones)."""
    values = dataclasses.asdict(org)

    def local(name: str) -> str:
        if lang == "nl":
            return str(values[name])
        return str(values.get(f"{name}_{lang}") or values.get(f"{name}_en") or values[name])

    return SimpleNamespace(
        **values,
        local_name=local("name"),
        local_faculty=local("faculty"),
        local_storage_location=local("storage_location"),
        # as people type it ("www.hva.nl"): the scheme is noise on paper (B1)
        website_shown=org.website.removeprefix("https://").removeprefix("http://").rstrip("/"),
        version=version_text(org.procedure_version, lang),
    )


# How a Dutch letter greets someone whose title was typed abbreviated: "Beste mevrouw De
# Wit," (B1), never "Beste Mw. De Wit,".
_DUTCH_TITLES = {
    "mw.": "mevrouw",
    "mw": "mevrouw",
    "mevr.": "mevrouw",
    "mevr": "mevrouw",
    "mevrouw": "mevrouw",
    "dhr.": "meneer",
    "dhr": "meneer",
    "hr.": "meneer",
    "meneer": "meneer",
    "de heer": "meneer",
}


def salutation(contact: str, lang: str) -> str:
    """The name after "Beste"/"Dear": in Dutch an abbreviated title written out."""
    words = contact.split()
    if lang != "nl" or len(words) < 2:
        return contact
    for size in (2, 1):
        title = " ".join(words[:size]).lower()
        if title in _DUTCH_TITLES and len(words) > size:
            return " ".join([_DUTCH_TITLES[title], *words[size:]])
    return contact
