"""Consent online, the person's side: the page a form's QR code (or a receipt's link)
opens, phone first. No account: the link's secret is the authority, as holding the
paper is. The library decides everything (``Formgen.online_*``); a refusal of the link
itself is one plain page that says nothing about why."""

from __future__ import annotations

import html
import re
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from formgen import words
from formgen.errors import Conflict, NotFound, RecordError
from formgen.mail import MailError
from formgen.online.answers import CodeRefused, LinkRefused
from formgen.web import i18n
from formgen.web.auth import Posted
from formgen.web.ids import SECRET
from formgen.web.page_words import CLAUSES, STATUS_WORDS
from formgen.web.templating import render

router = APIRouter(default_response_class=Response)
MAX_FIELD = 300  # longer than any name or address the library accepts
# A random id the browser keeps, so that one browser answering the forms of several
# people of a recording is noticed (the library keeps only its hash). Not personal
# data: it names no one, and it never appears in a URL or a log.
BROWSER_COOKIE = "formgen_browser"
BROWSER_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _browser(request: Request) -> str:
    """This browser's id: the one it keeps, else a new one (set by ``_keep_browser``)."""
    known = request.cookies.get(BROWSER_COOKIE, "")
    if BROWSER_ID.match(known):
        return known
    if not hasattr(request.state, "browser"):
        request.state.browser = secrets.token_urlsafe(24)
    return str(request.state.browser)


def _keep_browser(request: Request, response: Response) -> Response:
    browser = _browser(request)
    if request.cookies.get(BROWSER_COOKIE) != browser:
        response.set_cookie(
            BROWSER_COOKIE,
            browser,
            max_age=400 * 24 * 3600,
            path="/c/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def _lang(request: Request, form: Any) -> str:
    """The person's chosen language (the footer's choice), else the form's own."""
    chosen = request.cookies.get(i18n.COOKIE)
    if chosen in i18n.LANGS:
        return chosen
    return form.person.lang if form else i18n.negotiate(request.headers.get("accept-language"))


def _form(request: Request, token: str) -> Any:
    """The link's form; a malformed link is refused like a wrong one, before the store
    is asked."""
    if not re.match(SECRET, token):
        raise LinkRefused()
    return request.app.state.fg.online_form(token)


def _refused(request: Request) -> Response:
    return render(request, "online_refused.html", status=404)


def _page(
    request: Request,
    token: str,
    form: Any,
    status: int = 200,
    problem: str | None = None,
    sent: dict[str, str] | None = None,
) -> Response:
    fg = request.app.state.fg
    lang = _lang(request, form)
    declaration = fg.online_page(form, lang)
    for key, value in (sent or {}).items():  # keep what was chosen when asking again
        if key.startswith("clause:") and value in ("yes", "no"):
            mark = f'name="{html.escape(key)}" value="{value}"'
            declaration = declaration.replace(mark, mark + " checked")
    response = render(
        request,
        "online.html",
        status=status,
        token=token,
        form=form,
        page_lang=lang,
        declaration=declaration,
        problem=problem,
        sent=sent or {},
    )
    return _keep_browser(request, response)


@router.get("/c/{token}")
def online_form(request: Request, token: str) -> Response:
    try:
        form = _form(request, token)
    except LinkRefused:
        return _refused(request)
    return _page(request, token, form)


@router.post("/c/{token}")
def online_answer(request: Request, token: str, posted: Posted) -> Response:
    fg = request.app.state.fg
    try:
        form = _form(request, token)
    except LinkRefused:
        return _refused(request)
    sent = {k: v[:MAX_FIELD] for k, v in posted.items() if isinstance(v, str) and len(k) < 40}
    if "code" in sent:  # the code posted back to the form's own address
        return _confirm(request, token, sent.get("answer", ""), sent["code"], sent.get("email", ""))
    answers = {k.removeprefix("clause:"): v for k, v in sent.items() if k.startswith("clause:")}
    lang = _lang(request, form)
    try:
        pending = fg.online_answer(
            token,
            answers=answers,
            name=sent.get("name", ""),
            email=sent.get("email", ""),
            relation=sent.get("relation") or None,
            other_email=sent.get("other_email") or None,
            child=sent.get("child") or None,
            child_agrees=sent.get("child_agrees") or None,
            lang=lang,
            authority=sent.get("authority") == "yes",
            browser=_browser(request),
        )
    except LinkRefused:
        return _refused(request)
    except (RecordError, MailError) as exc:
        status = 409 if isinstance(exc, Conflict) else 422 if isinstance(exc, RecordError) else 503
        return _page(
            request, token, form, status, words.problem(exc, lang, i18n.user_dir(request)), sent
        )
    if pending.landed is not None:  # a no to everything by name only: recorded already
        return _keep_browser(request, _done(request, token, pending.landed))
    return _keep_browser(request, render(
        request, "online_code.html", token=token, answer=pending.id, email=pending.email,
        kind=str(pending.kind),
    ))  # fmt: skip


@router.post("/c/{token}/confirm")
def online_confirm(
    request: Request,
    token: str,
    code: Annotated[str, Form(max_length=20)],
    answer: Annotated[str, Form(max_length=20)] = "",
    email: Annotated[str, Form(max_length=MAX_FIELD)] = "",
) -> Response:
    return _confirm(request, token, answer, code, email)


def _confirm(request: Request, token: str, answer: str, code: str, email: str) -> Response:
    fg = request.app.state.fg
    try:
        _form(request, token)
        done = fg.online_confirm(token, answer, code)
    except (LinkRefused, NotFound):
        return _refused(request)
    except CodeRefused as exc:
        return render(
            request, "online_code.html", status=422, token=token, answer=answer, email=email,
            problem=words.problem(exc, _lang(request, None), i18n.user_dir(request)),
        )  # fmt: skip
    return _done(request, token, done)


def _done(request: Request, token: str, done: Any) -> Response:
    form = request.app.state.fg.online_form(token)  # the organisation's today
    return render(
        request, "online_done.html", done=done, form=form, token=token,
        clause_names=CLAUSES, status_words=STATUS_WORDS,
    )  # fmt: skip


@router.get("/demo/mail")
def demo_mail(request: Request) -> Response:
    """``formgen serve --demo`` only: the mail formgen sent, newest first, so the online
    path can be tried without a mailbox of one's own."""
    box = getattr(request.app.state, "mailbox", None)
    if box is None:
        return render(request, "error.html", status=404, status_code=404, title="Not found")
    return render(request, "demo_mail.html", mails=list(reversed(box.received)))
