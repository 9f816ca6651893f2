"""A table for the privacy officer's audit: one row per form and clause, every round,
as a CSV file a spreadsheet program opens right (UTF-8 with a byte-order mark, formulas
neutralised so a name like ``=HYPERLINK(…)`` stays text)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, select

from formgen.documents import render
from formgen.online import answers
from formgen.record import consent_status, ledger, records, roster, sealing
from formgen.record.ledger import SIGNATURE
from formgen.record.schema import events

COLUMNS = (
    "recording",
    "title",
    "purpose",
    "delete_by",
    "form",
    "round",
    "participant",
    "name",
    "under_16",
    "clause",
    "status",
    "since",
    "source",
    "source_detail",
    # The form's latest confirmed online answer: the address that confirmed it, and why
    # a person had to check it (answers.flag_text), if anything was odd.
    "online_email",
    "online_flag",
    # Situations 1 and 2: what the institution confirmed of the person (or the group) on
    # their current form, and its source ("institution:<contact>, <date>").
    "institution",
    "institution_source",
)
# A cell starting with one of these is a formula to a spreadsheet (OWASP's list).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def source_kind(source: str) -> tuple[str, str]:
    """Where an event came from, in words an auditor reads: scan page, by hand, online,
    or formgen itself; and the detail (the scan's file hash and page, or who)."""
    if source.startswith("scan:"):
        digest, _, page = source.removeprefix("scan:").partition("#")
        return "scan page", f"page {page} of file sha256:{digest[:16]}"
    if source.startswith("manual:"):
        return "by hand", source.removeprefix("manual:")
    if source.startswith("online"):
        return "online", source.partition(":")[2]
    return "formgen", ""


def rows(
    engine: Engine,
    recording_ids: Sequence[str],
    *,
    names: bool = True,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """One row per form (every round) and clause of these recordings; the status as
    ``status`` shows it for current forms (expired past the deletion date)."""
    out: list[dict[str, Any]] = []
    for recording_id in recording_ids:
        consent = consent_status.status(engine, recording_id, today)
        shown = {p.form_id: p.clauses for p in consent.participants}
        current = {p.form_id for p in consent.participants}
        confirmed = consent.institution
        with engine.connect() as conn:
            rec = records.get_recording(conn, recording_id)
            people = roster.list_participants(conn, rec.id, every_round=True)
            ids = [p.form_id for p in people]
            states = ledger.form_states(conn, ids)
            answered = {a["form_id"]: a for a in answers.confirmed_answers(conn, ids)}
            last: dict[tuple[str, str], Any] = {}
            for row in conn.execute(
                select(
                    events.c.form_id, events.c.clause, events.c.status, events.c.at, events.c.source
                )
                .where(events.c.form_id.in_(ids))
                .order_by(events.c.id)
            ).mappings():
                if row["clause"] not in (None, SIGNATURE):
                    opened = {**row, "source": sealing.open_event_source(conn, rec.id, row)}
                    last[(row["form_id"], row["clause"])] = SimpleNamespace(**opened)
        for person in people:
            for clause in person.clauses:
                status = shown.get(person.form_id, {}).get(
                    clause, states[person.form_id].clauses.get(clause)
                )
                event = last.get((person.form_id, clause))
                answer = answered.get(person.form_id)
                kind, detail = source_kind(event.source) if event else ("", "")
                said = None
                if person.form_id in current:
                    said = confirmed.people.get(person.id) or confirmed.group
                out.append(
                    {
                        "recording": rec.id,
                        "title": rec.title,
                        "purpose": str(rec.plan.purpose),
                        "delete_by": rec.delete_by.isoformat(),
                        "form": person.form_id,
                        "round": person.round,
                        "participant": person.id,
                        "name": _name(person, consent.proof_erased, rec.lang) if names else "",
                        "under_16": "yes" if person.under_16 else "no",
                        "clause": clause,
                        "status": str(status) if status is not None else "",
                        "since": event.at.isoformat(timespec="seconds") + "Z" if event else "",
                        "source": kind,
                        "source_detail": detail,
                        "online_email": answer["email"] if answer else "",
                        "online_flag": answers.flag_text(answer["flag"]) if answer else "",
                        "institution": str(said.confirmed) if said else "",
                        "institution_source": said.source if said and names else "",
                    }
                )
    return out


def _name(person: roster.Participant, proof_erased: str | None, lang: str) -> str:
    """The participant's name; once the proof retention ended, their place in the
    recording's list ("deelnemer 3" in a Dutch recording's words)."""
    if person.name is not None or proof_erased is None:
        return person.name or ""
    words = render.translations(lang)
    return words.gettext(PARTICIPANT) % {"number": person.position + 1}


# The msgid of templates/_words.html's ``participant`` macro.
PARTICIPANT = "participant %(number)s"


def to_csv(table: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in table:
        writer.writerow([safe_cell(row[c]) for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
