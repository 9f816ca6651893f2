"""Pages in the person's language: the Jinja2 environment (a faculty's own templates
first), the language a request is answered in, and ``render``, which gives every
template what it needs to say things."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape

from formgen import words
from formgen.api import Formgen
from formgen.errors import FormgenError
from formgen.web import i18n
from formgen.web.auth import person_or_none

HERE = Path(__file__).parent
API = "/api/v1"  # where the JSON API lives: the templates link to its documents


def environment(fg: Formgen) -> Environment:
    """Templates: a faculty's own (``templates_dir/web``) first, then the shipped ones,
    which stay reachable as ``default:NAME`` so an override can extend them."""
    shipped = FileSystemLoader(HERE / "templates")
    loaders: list[Any] = []
    if fg.config.templates_dir is not None:
        loaders.append(FileSystemLoader(fg.config.templates_dir / "web"))
    loaders += [shipped, PrefixLoader({"default": shipped})]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["API"] = API
    return env


def request_lang(request: Request) -> str:
    """The page's language: the person's own choice, else the one chosen before signing
    in (the cookie), else the browser's."""
    person = person_or_none(request)
    chosen = person.user.lang if person else None
    return i18n.negotiate(
        request.headers.get("accept-language"), chosen or request.cookies.get(i18n.COOKIE)
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the person's language, with what every page needs."""
    person = person_or_none(request)
    lang = request_lang(request)
    env: Environment = request.app.state.templates
    html = env.get_template(template).render(
        request=request,
        person=person,
        lang=lang,
        _=i18n.translator(lang, i18n.user_dir(request)),
        ngettext=i18n.ngettext(lang, i18n.user_dir(request)),
        said=lambda line: words.problem(line, lang, i18n.user_dir(request)),
        reason_words=lambda text: words.reason(
            text, words.translations(lang, i18n.user_dir(request))
        ),
        csrf=person.csrf if person else None,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def said(request: Request, exc: FormgenError | str) -> str:
    """A refusal of the library in the page's language (formgen/words.py)."""
    return words.problem(exc, request_lang(request), i18n.user_dir(request))


def translate(request: Request) -> Callable[[str], str]:
    """The page's words, in the language ``render`` chooses for the page around them."""
    return i18n.translator(request_lang(request), i18n.user_dir(request))
