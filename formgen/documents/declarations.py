"""Documents for a recording: its declarations and the supervisor's request letter.

Joins the record (who, which form IDs, which clauses) to the renderer, stores each
form's rendered layout with the form, and writes the PDF owner-only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from formgen import config as config_module
from formgen import rules
from formgen.aftercare import returns
from formgen.config import Config
from formgen.documents import render
from formgen.errors import ConfigError, Conflict, checked
from formgen.online import answers
from formgen.privacy import write_private
from formgen.record import ledger, records, roster
from formgen.record.records import RecordError, Recording
from formgen.record.roster import Participant
from formgen.record.schema import forms
from formgen.values import LetterRequest
from formgen.words import N_

# Kind of the recording event that says the reminder letters went out (the checklist
# counts a reminder then, not when its letter is made: records.REMINDED).
REMINDERS_SENT = "reminders_sent"


@dataclass(frozen=True)
class Written:
    """A rendered document: its bytes, where it was written (None: not written, e.g.
    served by the service) and its forms as docs/contract.md lists them."""

    data: bytes
    forms: list[dict[str, Any]]
    pdf: Path | None = None
    warnings: list[str] = field(default_factory=list)  # worth a look, not a refusal

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "pdf": None if self.pdf is None else str(self.pdf),
            "forms": self.forms,
        }
        if self.warnings:
            found["warnings"] = self.warnings
        return found


# A declaration is three one-sided pages: two the person keeps, the third they sign and
# hand in (templates/declaration.html).
PAGES_PER_FORM = 3


def _save(conn: Connection, recording_id: str, data: bytes, out: Path | None) -> Path | None:
    """Write a document owner-only, remembering where, so destroying the recording can
    delete it wherever it was written."""
    if out is None:
        return None
    path = write_private(out, data)
    records.remember_document(conn, recording_id, path, data)
    return path


def declaration_spec(
    recording: Recording,
    person: Participant,
    config: Config,
    *,
    reconsent: Mapping[str, str | None] | None = None,
    extra: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> render.FormSpec:
    """``reconsent``: what an earlier round said, for a form that asks again;
    ``extra``: context a document adds (the contact the signed page goes back to)."""
    context = render.recording_context(recording, config, person.lang, today)
    context["reconsent"] = dict(reconsent) if reconsent else None
    context["online_url"] = config.public_url
    context.update(extra or {})
    return render.FormSpec(
        form_id=person.form_id,
        kind="declaration",
        lang=person.lang,
        variant=person.variant,
        name=person.name,
        clauses=person.clauses,
        context=context,
    )


def earlier_round(
    conn: Connection, recording: Recording, people: Sequence[Participant]
) -> dict[str, dict[str, str | None]]:
    """For each participant asked again (round 2 and up), what the form before said:
    the purpose if it changed, and the deletion date, for the new form to name what
    changed (procedure step 7). Keyed by participant ID."""
    asked_again = {p.id: p.round for p in people if p.round > 1}
    if not asked_again:
        return {}
    rows = conn.execute(
        select(forms.c.participant_id, forms.c.round, forms.c.purpose, forms.c.delete_by).where(
            forms.c.participant_id.in_(sorted(asked_again))
        )
    )
    before: dict[str, dict[str, str | None]] = {}
    now = str(recording.plan.purpose)
    for participant_id, round_, purpose, delete_by in rows:
        if round_ != asked_again[participant_id] - 1:
            continue
        before[participant_id] = {
            "purpose_before": purpose if purpose and purpose != now else None,
            "delete_by_before_date": delete_by.isoformat() if delete_by else None,
        }
    return before


def _reconsent_words(found: Mapping[str, str | None] | None, lang: str) -> dict[str, Any] | None:
    if not found:
        return None
    day = found.get("delete_by_before_date")
    return {
        "purpose_before": found.get("purpose_before"),
        "delete_by_before": render.long_date(dt.date.fromisoformat(day), lang) if day else None,
    }


def _select(people: Sequence[Participant], wanted: Sequence[str] | None) -> list[Participant]:
    if not wanted:
        return list(people)
    by_id = {p.id: p for p in people}
    by_form = {p.form_id: p for p in people}
    chosen = []
    for key in wanted:
        person = by_id.get(key.strip().upper()) or by_form.get(key.strip().upper())
        if person is None:
            raise RecordError(N_("no participant {key!r} in this recording"), key=key)
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
    coded = answers.coder(conn, config)
    rendered = render.render(specs, coded, config, progress, before=before)  # type: ignore[arg-type]
    answers.keep_links(conn, coded)
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
    recording, people, specs = forms_specs(engine, config, recording_id, participants)
    with engine.begin() as conn:
        rendered = _render_and_store(conn, specs, config, progress)
        path = _save(conn, recording.id, rendered.pdf, out)
    written = _written(path, people, rendered)
    warnings = [
        rules.situation_warning(recording.situation, recording.institution),
        config_module.procedure_warning(config),
    ]
    return dataclasses.replace(written, warnings=[w for w in warnings if w])


def forms_specs(
    engine: Engine, config: Config, recording_id: str, participants: Sequence[str] | None = None
) -> tuple[Recording, list[Participant], list[render.FormSpec]]:
    """What ``write_forms`` renders, read from the record (or refused): cheap beside the
    render, so the declarations cache can tell by it whether a PDF is still current."""
    refuse_without_dpo(config)
    with engine.connect() as conn:
        recording = records.get_recording(conn, recording_id)
        people = _select(roster.list_participants(conn, recording.id), participants)
        records.refuse_if_destroyed(conn, recording)
        before = earlier_round(conn, recording, people)
        asked = returns.contacts(conn, [p.id for p in people])
    if not people:
        raise RecordError(N_("recording {id} has no participants yet"), id=recording.id)
    refuse_if_too_late(recording, people, config)
    specs = [
        declaration_spec(
            recording,
            p,
            config,
            reconsent=_reconsent_words(before.get(p.id), p.lang),
            extra=_returned_to(*asked[p.id], p.lang) if p.id in asked else None,
        )
        for p in people
    ]
    return recording, list(people), specs


def _returned_to(contact: str, return_by: dt.date, lang: str) -> dict[str, Any]:
    """A form an institution's contact hands out (situations 1 and 2): it names them
    as the person to return it to and to withdraw with, and the request's return date."""
    return {"contact": contact, "return_by": render.long_date(return_by, lang)}


def refuse_without_dpo(config: Config) -> None:
    """No declaration leaves formgen without the way to reach the DPO (art. 13)."""
    if problem := config_module.missing_dpo(config):
        raise ConfigError(problem)


def refuse_if_too_late(recording: Recording, people: Sequence[Participant], config: Config) -> None:
    """Consent is asked before the recording is made; after it, only a re-consent
    round asks again."""
    today = config_module.today(config)
    if not all(rules.may_ask_consent(recording.recorded_on, today, p.round) for p in people):
        raise RecordError(rules.too_late(recording.id, recording.recorded_on))


def page_count(engine: Engine, recording_id: str, participants: Sequence[str] = ()) -> int:
    """Pages ``write_forms`` will render for these participants (all: none named)."""
    with engine.connect() as conn:
        rec = records.get_recording(conn, recording_id)
        count = len(participants) or len(roster.list_participants(conn, rec.id))
    return PAGES_PER_FORM * count


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
    clauses: Sequence[str] | None = None,
) -> render.FormSpec:
    """One page to withdraw the consent given on ``person``'s form; with ``letter``, the
    reminder of the right to withdraw comes first. ``clauses``: only these (a reminder
    names only what was answered yes)."""
    spec = declaration_spec(recording, person, config, today=today)
    return dataclasses.replace(
        spec,
        kind="withdrawal",
        clauses=list(clauses) if clauses is not None else spec.clauses,
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
        person = roster.get_form(conn, form_id)
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
    consent, reminding them of the right to withdraw what they said yes to, with their
    withdrawal form. The record notes that the letters were made; the checklist counts
    them once they are recorded as sent (``record_reminders_sent``)."""
    by = checked(rules.check_name, by, "the author's name")
    day = today or dt.date.today()
    with engine.connect() as conn:
        recording = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, recording)
        people = roster.list_participants(conn, recording.id)
        states = ledger.form_states(conn, [p.form_id for p in people])
    if not rules.reminder_required(recording.situation):
        raise RecordError(
            N_(
                "recording {id} is in situation {n}: the institution keeps the declarations"
                " and reminds its people"
            ),
            id=recording.id,
            n=recording.situation,
        )
    reminded = [p for p in people if rules.needs_reminder(states[p.form_id].clauses)]
    if not reminded:
        raise RecordError(
            N_("nobody has given consent for recording {id}: no reminders"), id=recording.id
        )
    if not rules.may_remind(recording.recorded_on, day):
        raise RecordError(
            N_(
                "recording {id} is made on {day}: the reminder of the right to withdraw comes"
                " after the recording"
            ),
            id=recording.id,
            day=recording.recorded_on.isoformat(),
        )
    specs = [
        withdrawal_spec(
            recording,
            p,
            config,
            letter=True,
            today=day,
            clauses=rules.given_clauses(states[p.form_id].clauses),
        )
        for p in reminded
    ]
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


def _forms_of(events: Sequence[Mapping[str, Any]], kind: str) -> set[str]:
    found: set[str] = set()
    for event in events:
        if event["kind"] == kind and isinstance(event["detail"].get("forms"), list):
            found |= set(event["detail"]["forms"])
    return found


def record_reminders_sent(engine: Engine, recording_id: str, *, by: str) -> dict[str, Any]:
    """Record that the reminder letters made for a recording were sent (or handed out):
    from now on the checklist counts those participants as reminded."""
    by = checked(rules.check_name, by, "the author's name")
    with engine.begin() as conn:
        recording = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, recording)
        log = records.recording_log(conn, recording.id)
        made = _forms_of(log, records.REMINDED)
        if not made:
            raise RecordError(
                N_("no reminder letters were made for recording {id}: make them first"),
                id=recording.id,
            )
        waiting = sorted(made - _forms_of(log, REMINDERS_SENT))
        if not waiting:
            last = [e for e in log if e["kind"] == REMINDERS_SENT][-1]
            raise Conflict(
                N_(
                    "the reminders for recording {id} were recorded as sent on {day}; make new"
                    " ones first if someone else consented since"
                ),
                id=recording.id,
                day=last["at"][:10],
            )
        records.log_event(
            conn, recording.id, REMINDERS_SENT, source=f"manual:{by}", detail={"forms": waiting}
        )
        at = records.recording_log(conn, recording.id)[-1]["at"]
    return {"id": recording.id, "sent": waiting, "at": at, "by": by}


def layout(engine: Engine, form_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        person = roster.get_form(conn, form_id)
        stored = conn.execute(select(forms.c.layout).where(forms.c.id == person.form_id)).scalar()
    if stored is None:
        raise Conflict(N_("form {form} has not been printed yet"), form=person.form_id)
    return render.public_layout(stored)


def check_printable(name: str) -> None:
    """Refuse a name no installed font can print, before anything is stored."""
    missing = render.unprintable(checked(rules.check_name, name))
    if missing:
        shown = " ".join(f"U+{ord(c):04X}" for c in missing[:5])
        raise RecordError(
            N_("the name has characters no installed font can print ({shown})"), shown=shown
        )


def write_request(
    engine: Engine,
    config: Config,
    recording_id: str,
    letter: LetterRequest,
    *,
    out: Path | None = None,
    today: dt.date | None = None,
) -> Written:
    """Situations 1 and 2: the supervisor asks the institution's contact person for
    additional declarations; the institution, not the student, asks its people. The
    letter is for the recording's own institution (another one is refused), says where
    the signed pages go (the supervisor's e-mail address: given, or the supervisor's
    account) and by when, and lists every form number."""
    institution, contact, count = letter.institution, letter.contact, letter.count
    under_16, lang = letter.under_16, letter.lang
    supervisor_email, return_by = letter.supervisor_email, letter.return_by
    refuse_without_dpo(config)
    day = today or config_module.today(config)
    with engine.connect() as conn:
        recording = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, recording)
    if not rules.may_ask_consent(recording.recorded_on, day, 1):
        raise RecordError(rules.too_late(recording.id, recording.recorded_on))
    if not rules.may_request_from_institution(recording.situation):
        raise RecordError(
            N_(
                "situation 3 has no institution to ask: the student collects consent "
                "personally, with a declaration for each participant"
            )
        )
    asked = checked(rules.check_name, institution, "institution") if institution else None
    contact = checked(rules.check_name, contact, "contact")
    if asked is not None and not rules.same_institution(asked, recording.institution):
        raise RecordError(
            N_(
                "recording {recording} is made at {institution}, not at {asked}: ask the "
                "institution where it is made, or correct the recording first"
            ),
            recording=recording.id,
            institution=recording.institution,
            asked=asked,
        )
    reply_to = _supervisor_email(engine, recording, supervisor_email)
    back_by = return_by or rules.return_before(recording.recorded_on, day)
    if back_by <= day:
        raise RecordError(N_("the return date {day} is not after today"), day=back_by.isoformat())
    language = lang or recording.lang
    _, supervisor_id = records.people_of(engine, recording.id)
    with engine.begin() as conn:
        people = roster.add_participants(
            conn, recording.id, [None] * count, under_16=under_16, lang=language
        )
        _, link = returns.record_request(
            conn,
            config,
            recording,
            contact=contact,
            return_by=back_by,
            people=people,
            supervisor_id=supervisor_id,
        )
        letter = render.Page(
            template="request.html",
            context={
                **render.recording_context(recording, config, language, day),
                "lang": language,
                "addressee": recording.institution,
                "contact": contact,
                "salutation": render.salutation(contact, language),
                "count": count,
                "variant": "parent" if under_16 else "adult",
                "today": render.long_date(day, language),
                "forms": [p.form_id for p in people],
                "return_by": render.long_date(back_by, language),
                "supervisor_email": reply_to,
                "return_link": link,
                "return_qr": render.qr_data_uri(link) if link else None,
                "link_until": render.long_date(returns.open_until(back_by), language),
            },
        )
        specs = [
            declaration_spec(
                recording,
                p,
                config,
                today=day,
                extra=_returned_to(contact, back_by, p.lang),
            )
            for p in people
        ]
        rendered = _render_and_store(conn, specs, config, None, before=[letter])
        path = _save(conn, recording.id, rendered.pdf, out)
    written = _written(path, people, rendered)
    warnings = []
    if link is None and reply_to is None:
        warnings.append(
            f"the letter names no e-mail address for the signed forms (recording"
            f" {recording.id} has no supervisor's account): give the supervisor's"
            " e-mail address"
        )
    if link is None:
        warnings.append(returns.why_no_link(config, supervisor_id))
    return dataclasses.replace(written, warnings=[w for w in warnings if w])


def _supervisor_email(engine: Engine, recording: Recording, given: str | None) -> str | None:
    """Where the institution e-mails the signed pages: the address given, else the
    account of the recording's supervisor (a recording made in the service), else
    none (the letter then asks for the paper in an envelope, and warns)."""
    if given:
        return checked(rules.check_email, given, "the supervisor's e-mail address")
    from formgen.record import accounts

    _, supervisor_id = records.people_of(engine, recording.id)
    if supervisor_id is not None:
        return accounts.get(engine, supervisor_id).email
    return None
