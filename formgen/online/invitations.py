"""Situation 3 by e-mail: the invitation to answer online, and the one reminder to who
has not answered yet. Each letter carries the person's own link and page 1 of their
declaration as text; what went out is logged by form ID, never by address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from formgen import mail, rules
from formgen.config import Config
from formgen.documents import declarations
from formgen.errors import RecordError, checked
from formgen.online import answers, webform
from formgen.record import ledger, records, roster
from formgen.words import N_


def invite(
    engine: Engine, config: Config, recording_id: str, *, by: str, reminder: bool, day: dt.date
) -> dict[str, Any]:
    """Situation 3: e-mail each participant with an address a link to answer online,
    with page 1 of their declaration as text; a reminder goes only to those who have
    not answered. Sent only when a person asks (this call). ``{"id", "sent": [form
    IDs], "without_address": n}``."""
    by = checked(rules.check_name, by, "the author's name")
    with engine.begin() as conn:
        rec = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, rec)
        if not rules.may_invite(rec.situation):
            raise RecordError(
                N_(
                    "recording {id} is in situation {n}: the institution asks its people"
                    " for consent; the student sends no invitations or reminders"
                ),
                id=rec.id,
                n=rec.situation,
            )
        if not config.public_url:
            raise RecordError(N_("online answers need public_url in the configuration"))
        if config.mail is None:
            raise RecordError(N_("formgen cannot send e-mail: [mail] is not configured"))
        people = roster.list_participants(conn, rec.id)
        address = answers.addresses(conn, [p.id for p in people])
        states = ledger.form_states(conn, [p.form_id for p in people])
        reminded = records.reminded_online(conn, rec.id) if reminder else set()
        chosen = [  # a reminder: once, and only to who has not answered yet
            p
            for p in people
            if p.id in address
            and (
                not reminder
                or (
                    rules.online_mode(states[p.form_id].clauses) is rules.OnlineMode.ANSWER
                    and p.form_id not in reminded
                )
            )
        ]
        if not all(rules.may_ask_consent(rec.recorded_on, day, p.round) for p in chosen):
            raise RecordError(rules.too_late(rec.id, rec.recorded_on))
        links = {p.form_id: answers.new_link(conn, config, p.form_id) for p in chosen}
    letters = []
    for p in chosen:
        pieces = mail.words(p.lang)
        spec = declarations.declaration_spec(rec, p, config, today=day)
        letters.append(
            mail.Letter(
                address[p.id],
                pieces["reminder_subject" if reminder else "invite_subject"].format(
                    title=rec.title
                ),
                pieces["reminder_text" if reminder else "invite_text"].format(
                    student=rec.student,
                    link=links[p.form_id],
                    page=webform.first_page_text(spec, config),
                ),
            )
        )
    if letters:
        mail.send(config.mail, letters)
    with engine.begin() as conn:  # what went out, by form ID: no addresses
        records.log_event(
            conn,
            rec.id,
            records.INVITED,
            source=f"manual:{by}",
            detail={"forms": [p.form_id for p in chosen], "reminder": reminder},
        )
    return {
        "id": rec.id,
        "sent": [p.form_id for p in chosen],
        "without_address": sum(p.id not in address for p in people),
    }


def checked_address(email: str | None) -> str | None:
    """A participant's address as it is kept (None or empty: none)."""
    return checked(rules.check_email, email).lower() if email and email.strip() else None


def set_address(engine: Engine, participant_id: str, email: str | None) -> None:
    """Keep (or, None or empty, forget) a participant's address for the invitation."""
    address = checked_address(email)
    with engine.begin() as conn:
        person = roster.get_participant(conn, participant_id)
        records.refuse_if_destroyed(conn, records.get_recording(conn, person.recording_id))
        answers.set_address(conn, person.id, address)


def addresses_of(engine: Engine, recording_id: str) -> dict[str, str]:
    """The participants' e-mail addresses, by participant ID."""
    with engine.connect() as conn:
        rec = records.get_recording(conn, recording_id)
        people = roster.list_participants(conn, rec.id)
        return answers.addresses(conn, [p.id for p in people])


def add_participants(
    engine: Engine,
    recording_id: str,
    names: Sequence[str | None],
    *,
    under_16: bool | Sequence[bool] = False,
    lang: str | None = None,
    emails: Sequence[str | None] | None = None,
) -> list[roster.Participant]:
    """Add participants, each with a declaration form, and the addresses their
    invitations go to, in one transaction. A name no installed font can print and an
    address that is not one are refused before anything is stored."""
    for name in names:
        if name is not None:
            declarations.check_printable(name)
    addresses = [checked_address(e) for e in (emails or [])]
    with engine.begin() as conn:
        added = roster.add_participants(
            conn, recording_id, list(names), under_16=under_16, lang=lang
        )
        for person, address in zip(added, addresses, strict=False):
            if address:
                answers.set_address(conn, person.id, address)
    return added
