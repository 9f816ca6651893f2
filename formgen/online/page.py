"""The page an online link shows: the declaration in the paper's words (the same
template and catalogues), with the choices still open, on the organisation's day."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Engine

from formgen import config as config_module
from formgen.config import Config
from formgen.documents import declarations
from formgen.online import answers, webform
from formgen.online.answers import OnlineForm
from formgen.record import records


def day_of(config: Config, now: dt.datetime | None) -> dt.date:
    """The organisation's day at ``now`` (a stored UTC time; None: today)."""
    return config_module.local(config, now).date() if now else config_module.today(config)


def open_form(engine: Engine, token: str, today: dt.date) -> OnlineForm:
    with engine.connect() as conn:
        return answers.open_form(conn, token, today)


def spec(
    config: Config, form: OnlineForm, lang: str | None, extra: dict[str, Any] | None = None
) -> Any:
    """The declaration's words for the page (or the receipt) in ``lang``."""
    person = form.person
    if lang in records.LANGS and lang != person.lang:
        person = dataclasses.replace(person, lang=lang)
    return declarations.declaration_spec(
        form.recording,
        person,
        config,
        # No "scan the QR code" on the page the QR code opened.
        extra={
            "statuses": {k: str(v) for k, v in form.statuses.items()},
            "online_url": None,
            **(extra or {}),
        },
    )


def page(config: Config, form: OnlineForm, lang: str | None = None) -> str:
    """The declaration as the phone shows it: the paper's words (same template and
    catalogues) with a yes/no choice per clause, or the choices still open."""
    return webform.page_html(spec(config, form, lang), config, form.mode)


def text_hash(shown: str) -> str:
    return hashlib.sha256(shown.encode()).hexdigest()
