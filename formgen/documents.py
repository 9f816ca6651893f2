"""Documents for a recording: its declarations and the supervisor's request letter.

Joins the record (who, which form IDs, which clauses) to the renderer, stores each
form's rendered layout with the form, and writes the PDF owner-only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from . import records, render, rules
from .config import Config
from .errors import Conflict
from .privacy import write_private
from .records import Participant, RecordError, Recording
from .schema import forms
from .store import instance


@dataclass(frozen=True)
class Written:
    """A rendered document: its bytes, where it was written (None: not written, e.g.
    served by the service) and its forms as spec section 6 lists them."""

    data: bytes
    forms: list[dict[str, Any]]
    pdf: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"pdf": None if self.pdf is None else str(self.pdf), "forms": self.forms}


def _save(conn: Connection, recording_id: str, data: bytes, out: Path | None) -> Path | None:
    """Write a document owner-only, remembering where, so destroying the recording can
    delete it wherever it was written."""
    if out is None:
        return None
    path = write_private(out, data)
    records.remember_document(conn, recording_id, path, data)
    return path


def declaration_spec(recording: Recording, person: Participant, config: Config) -> render.FormSpec:
    return render.FormSpec(
        form_id=person.form_id,
        kind="declaration",
        lang=person.lang,
        variant=person.variant,
        name=person.name,
        clauses=person.clauses,
        context=render.recording_context(recording, config, person.lang),
    )


def _select(people: Sequence[Participant], wanted: Sequence[str] | None) -> list[Participant]:
    if not wanted:
        return list(people)
    by_id = {p.id: p for p in people}
    by_form = {p.form_id: p for p in people}
    chosen = []
    for key in wanted:
        person = by_id.get(key.strip().upper()) or by_form.get(key.strip().upper())
        if person is None:
            raise RecordError(f"no participant {key!r} in this recording")
        chosen.append(person)
    return chosen


def _render_and_store(
    conn: Connection,
    specs: Sequence[render.FormSpec],
    config: Config,
    progress: Callable[[int], None] | None,
    before: Sequence[render.Page] = (),
) -> render.Rendered:
    """Render, and store each form's layout in the caller's transaction, so a failed
    render or write leaves the record as it was."""
    rendered = render.render(specs, instance(conn), config, progress, before=before)
    for form_id, layout in rendered.layouts.items():
        # Merge by page number: printing a withdrawal sheet (or reprinting) must not
        # forget the pages printed before, which may still come back as scans.
        stored = conn.execute(select(forms.c.layout).where(forms.c.id == form_id)).scalar()
        if stored:
            pages = {p["page"]: p for p in stored["pages"]}
            pages.update({p["page"]: p for p in layout["pages"]})
            layout = {**layout, "pages": [pages[n] for n in sorted(pages)]}
        conn.execute(update(forms).where(forms.c.id == form_id).values(layout=layout))
    return rendered


def write_forms(
    engine: Engine,
    config: Config,
    recording_id: str,
    *,
    participants: Sequence[str] | None = None,
    out: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """One PDF with the declarations of the recording's participants, in their order
    (or in the order given). A form keeps its ID however often it is printed."""
    with engine.connect() as conn:
        recording = records.get_recording(conn, recording_id)
        people = _select(records.list_participants(conn, recording.id), participants)
        records.refuse_if_destroyed(conn, recording)
    if not people:
        raise RecordError(f"recording {recording.id} has no participants yet")
    specs = [declaration_spec(recording, p, config) for p in people]
    with engine.begin() as conn:
        rendered = _render_and_store(conn, specs, config, progress)
        path = _save(conn, recording.id, rendered.pdf, out)
    return _written(path, people, rendered)


def declarations_name(recording_id: str, participants: Sequence[str] | None) -> str:
    """The default file name of a recording's declarations: opaque IDs only."""
    suffix = "" if not participants else "-" + "-".join(p.upper() for p in participants[:3])
    return f"{recording_id}-declarations{suffix}.pdf"


def _written(
    path: Path | None, people: Sequence[Participant], rendered: render.Rendered
) -> Written:
    return Written(
        rendered.pdf,
        [
            {
                "form_id": p.form_id,
                "participant_id": p.id,
                "variant": p.variant,
                "lang": p.lang,
                "pages": rendered.pages[p.form_id],
            }
            for p in people
        ],
        path,
    )


# The withdrawal sheet's page number in its QR code: it belongs to the declaration's form
# ID, after any page a declaration could have.
WITHDRAWAL_PAGE = 9


def withdrawal_spec(
    recording: Recording,
    person: Participant,
    config: Config,
    *,
    letter: bool = False,
    today: dt.date | None = None,
) -> render.FormSpec:
    """One page to withdraw the consent given on ``person``'s form; with ``letter``, the
    reminder of the right to withdraw comes first."""
    spec = declaration_spec(recording, person, config)
    return dataclasses.replace(
        spec,
        kind="withdrawal",
        context={
            **spec.context,
            "page": WITHDRAWAL_PAGE,
            "letter": letter,
            "today": render.long_date(today or dt.date.today(), spec.lang),
        },
    )


def write_withdrawal(
    engine: Engine, config: Config, form_id: str, *, out: Path | None = None
) -> Written:
    """The withdrawal form for one declaration, to hand to whoever asks for it."""
    with engine.connect() as conn:
        person = records.get_form(conn, form_id)
        recording = records.get_recording(conn, person.recording_id)
        records.refuse_if_destroyed(conn, recording)
    with engine.begin() as conn:
        rendered = _render_and_store(
            conn, [withdrawal_spec(recording, person, config)], config, None
        )
        path = _save(conn, recording.id, rendered.pdf, out)
    return _written(path, [person], rendered)


def write_reminders(
    engine: Engine,
    config: Config,
    recording_id: str,
    *,
    by: str,
    out: Path | None = None,
    today: dt.date | None = None,
) -> Written:
    """Situation 3, after recording (procedure step 3): a letter per participant who gave
    consent, reminding them of the right to withdraw, with their withdrawal form. The
    record notes that the reminders were produced."""
    try:
        by = rules.check_name(by, "the author's name")
    except ValueError as exc:
        raise RecordError(str(exc)) from exc
    with engine.connect() as conn:
        recording = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, recording)
        people = records.list_participants(conn, recording.id)
        states = records.form_states(conn, [p.form_id for p in people])
    if not rules.reminder_required(recording.situation):
        raise RecordError(
            f"recording {recording.id} is in situation {recording.situation}: the institution"
            " keeps the declarations and reminds its people"
        )
    reminded = [p for p in people if rules.needs_reminder(states[p.form_id].clauses)]
    if not reminded:
        raise RecordError(f"nobody has given consent for recording {recording.id}: no reminders")
    specs = [withdrawal_spec(recording, p, config, letter=True, today=today) for p in reminded]
    with engine.begin() as conn:
        rendered = _render_and_store(conn, specs, config, None)
        path = _save(conn, recording.id, rendered.pdf, out)
        records.log_event(
            conn,
            recording.id,
            records.REMINDED,
            source=f"manual:{by}",
            detail={"forms": [p.form_id for p in reminded]},
        )
    return _written(path, reminded, rendered)


def layout(engine: Engine, form_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        person = records.get_form(conn, form_id)
        stored = conn.execute(select(forms.c.layout).where(forms.c.id == person.form_id)).scalar()
    if stored is None:
        raise Conflict(f"form {person.form_id} has not been printed yet")
    return render.public_layout(stored)


def write_request(
    engine: Engine,
    config: Config,
    recording_id: str,
    *,
    institution: str,
    contact: str,
    count: int,
    under_16: bool = True,
    lang: str | None = None,
    out: Path | None = None,
    today: dt.date | None = None,
) -> Written:
    """Situations 1 and 2: the supervisor asks the institution's contact person for
    additional declarations; the institution, not the student, asks its people."""
    with engine.connect() as conn:
        recording = records.get_recording(conn, recording_id)
    if not rules.may_request_from_institution(recording.situation):
        raise RecordError(
            "situation 3 has no institution to ask: the student collects consent "
            "personally, with a declaration for each participant"
        )
    try:
        institution = rules.check_name(institution, "institution")
        contact = rules.check_name(contact, "contact")
    except ValueError as exc:
        raise RecordError(str(exc)) from exc
    language = lang or recording.lang
    with engine.begin() as conn:
        people = records.add_participants(
            conn, recording.id, [None] * count, under_16=under_16, lang=language
        )
        letter = render.Page(
            template=f"{language}/request.html",
            context={
                **render.recording_context(recording, config, language),
                "org": config.org,
                "lang": language,
                "addressee": institution,
                "contact": contact,
                "count": count,
                "variant": "parent" if under_16 else "adult",
                "today": render.long_date(today or dt.date.today(), language),
                "first_form": people[0].form_id,
                "last_form": people[-1].form_id,
            },
        )
        specs = [declaration_spec(recording, p, config) for p in people]
        rendered = _render_and_store(conn, specs, config, None, before=[letter])
        path = _save(conn, recording.id, rendered.pdf, out)
    return _written(path, people, rendered)
