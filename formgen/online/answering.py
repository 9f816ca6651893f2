"""An online answer from the page to the record: the answers kept with a one-time code
sent by e-mail and, once the code confirms them, landed and the receipt sent.

``answers`` keeps and lands the answers; this module adds the page, the mail and the
organisation's clock around it, for ``Formgen.online_answer`` and ``online_confirm``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from sqlalchemy import Engine

from formgen import mail
from formgen.config import Config
from formgen.documents import declarations, render
from formgen.errors import FormgenError
from formgen.online import answers, receipts
from formgen.online.answers import Confirmed, OnlineAnswer, Pending
from formgen.online.page import day_of, open_form, page, text_hash
from formgen.record import records, roster

log = logging.getLogger("formgen")


def start(
    engine: Engine,
    config: Config,
    token: str,
    answer: OnlineAnswer,
    now: dt.datetime | None,
) -> Pending:
    """Keep the answers and send a one-time code to ``answer.email``; nothing is
    recorded until ``confirm``. The returned value does not carry the code."""
    day = day_of(config, now)
    form = open_form(engine, token, day)
    for typed in answer.typed():  # the receipt prints them
        declarations.check_printable(typed)
    shown = answer.lang if answer.lang in records.LANGS else form.person.lang
    pending = answers.start(
        engine,
        token,
        answer,
        lang=shown,
        # The page as shown, kept beside its hash: after an upgrade changed the
        # wording, the proof still shows what this person read.
        text_hash=text_hash(html := page(config, form, shown)),
        text_html=html,
        own_domains=config.org.mail_domains,
        now=now,
        today=day,
    )
    if pending.landed is not None:  # a no to everything by name only: no code, no receipt
        receipts.tell_student(engine, config, pending.landed)
        return pending
    pieces = mail.words(shown)
    letter = mail.Letter(
        pending.email,
        pieces["code_subject"].format(form=pending.form_id),  # never the code itself
        pieces["code_text"].format(
            code=pending.code,
            form=pending.form_id,
            organisation=render.org_view(config.org, shown).local_name,
            title=form.recording.title,
            student=form.recording.student,
        ),
    )
    try:
        mail.send(config.mail, [letter])
    except mail.MailError:
        answers.forget(engine, pending.id)
        raise
    return dataclasses.replace(pending, code="")


def confirm(
    engine: Engine,
    config: Config,
    token: str,
    answer_id: str,
    code: str,
    now: dt.datetime | None,
) -> Confirmed:
    """Record the answers the code confirms, then send the receipt (the filled-in
    form as PDF and a link to withdraw) and, if given, the other parent's link. The
    answers stand even if that mail fails: the record is what counts."""
    done = answers.confirm(engine, token, answer_id, code, now=now, today=day_of(config, now))
    try:
        mail.send(config.mail, receipts.letters(engine, config, token, done))
    except FormgenError as exc:
        # The mail server's words name only the server; any other message may quote
        # a name, so only its kind is logged.
        why = exc if isinstance(exc, mail.MailError) else type(exc).__name__
        log.warning("receipt for an online answer not sent: %s", why)
        return done
    return dataclasses.replace(done, receipt_sent=True)


def confirmed(engine: Engine, recording_id: str) -> list[dict[str, Any]]:
    """The confirmed online answers of a recording's forms, every round."""
    with engine.connect() as conn:
        rec = records.get_recording(conn, recording_id)
        people = roster.list_participants(conn, rec.id, every_round=True)
        return answers.confirmed_answers(conn, [p.form_id for p in people])


def kept_text(engine: Engine, recording_id: str, answer_id: str) -> tuple[str, bool]:
    """The page an online answer's giver saw, and whether it matches its hash."""
    with engine.connect() as conn:
        rec = records.get_recording(conn, recording_id)
        people = roster.list_participants(conn, rec.id, every_round=True)
        return answers.kept_text(conn, [p.form_id for p in people], str(answer_id)[:16])
