"""After the declarations: the text for the video platform's description (procedure step 5,
TIP 1 and 2) and a checklist through the procedure's seven steps (``rules.STEPS``).

Most steps formgen derives from the record; the ones only a person can know (footage
checked, moved to secure storage, stored on the platform) are confirmed by hand and
kept as a "step" event in the recording's append-only log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Engine, func, select

from formgen import config as config_module
from formgen import rules
from formgen.config import Config
from formgen.documents import declarations, render
from formgen.errors import checked
from formgen.record import consent_status, ledger, records, roster
from formgen.record.records import RecordError, Recording
from formgen.record.schema import events
from formgen.rules import CameraAdvice, Situation, Status
from formgen.values import Overview
from formgen.words import N_, Message, Word

STEP = "step"  # log kind of a step confirmed by hand; detail {"step": KEY}
STEP_UNDONE = "step_undone"  # the last confirmation taken back; detail {"step": KEY}

STEP_KEYS = [s.key for s in rules.STEPS]

# Why a derived step cannot be confirmed by hand, and what records it instead.
DERIVED_BY = {
    "consent": N_("formgen derives it from the declarations and the decisions on them"),
    "camera": N_("formgen derives it from the consents (see the status)"),
    "reminded": N_("formgen records it when the reminders for {id} are recorded as sent"),
    "destroyed": N_("record the destruction of {id} instead"),
    "reconsent": N_("formgen records it when the purpose or retention of {id} changes"),
}


@dataclass(frozen=True)
class Facts:
    """What the record knows about a recording on one day: read once, in one connection,
    and shared by the status, the checklist, the description and the earlier rounds (a
    recording's page shows them all)."""

    recording: Recording
    today: dt.date
    status: consent_status.ConsentStatus
    unsettled: list[str]  # form IDs whose consent is not settled
    log: list[dict[str, Any]]
    last_withdrawal: dt.datetime | None
    earlier: list[consent_status.PersonStatus]  # forms a re-consent replaced, oldest round first

    @cached_property
    def report(self) -> dict[str, Any]:
        return self.status.as_dict()

    @property
    def advice(self) -> CameraAdvice:
        return self.status.camera

    def confirmation(self, key: str) -> dict[str, str] | None:
        found = _confirmations(self.log, key)
        if not found:
            return None
        return {"at": found[-1]["at"], "by": found[-1]["source"].removeprefix("manual:")}


def _confirmations(log: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The confirmations of a step that stand: an undo takes back the last one."""
    standing: list[dict[str, Any]] = []
    for e in log:
        if e["kind"] in (STEP, STEP_UNDONE) and (e["detail"] or {}).get("step") == key:
            if e["kind"] == STEP:
                standing.append(e)
            elif standing:
                standing.pop()
    return standing


def facts(engine: Engine, recording_id: str, today: dt.date | None = None) -> Facts:
    day = today or dt.date.today()
    with engine.connect() as conn:
        status = consent_status.status(conn, recording_id, today=day)
        recording = status.recording
        every_round = roster.list_participants(conn, recording.id, every_round=True)
        last_round = {p.id: p for p in every_round}  # the latest round wins
        current = {p.form_id for p in last_round.values()}
        # Unexpired states: past the deletion date status() shows everything expired,
        # which would hide that consent was never settled.
        states = ledger.form_states(conn, [p.form_id for p in every_round])
        last_withdrawal = conn.execute(
            select(func.max(events.c.at)).where(
                events.c.form_id.in_([p.form_id for p in every_round]),
                events.c.status == str(Status.WITHDRAWN),
            )
        ).scalar_one()
        log = records.recording_log(conn, recording.id)
    unsettled = [
        p.form_id
        for p in every_round
        if p.form_id in current
        and any(s in rules.UNSETTLED for s in states[p.form_id].clauses.values())
    ]
    earlier = [
        consent_status.PersonStatus.of(p, states[p.form_id])
        for p in every_round
        if p.form_id not in current
    ]
    return Facts(recording, day, status, unsettled, log, last_withdrawal, earlier)


# --- The checklist ----------------------------------------------------------------------


def _step(
    key: str, state: str, known: str, confirmed: dict[str, str] | None = None
) -> dict[str, Any]:
    step = next(s for s in rules.STEPS if s.key == key)
    return {
        "step": key,
        "procedure_step": step.procedure_step,
        "title": step.title,
        "state": state,
        "known": known,
        "confirmed": confirmed,
        "by_person": step.by_person,
    }


def _consent(f: Facts) -> dict[str, Any]:
    people = f.report["participants"]
    if f.unsettled:
        return _step(
            "consent",
            "open",
            Message(
                N_(
                    "{n} of {total} participant(s) not settled yet (requested or to review):"
                    " see the status of {id}"
                ),
                n=len(f.unsettled),
                total=len(people),
                id=f.recording.id,
            ),
        )
    if f.recording.situation is not Situation.OUTSIDE:
        return _step(
            "consent",
            "done",
            Message(
                N_(
                    "check with {institution} who has a generic declaration; {n} additional"
                    " declaration(s) in the record, all settled"
                ),
                institution=f.recording.institution,
                n=len(people),
            ),
        )
    if not people:
        return _step(
            "consent", "done", Message(N_("no participants registered: only you may appear"))
        )
    return _step("consent", "done", Message(N_("all {n} declaration(s) settled"), n=len(people)))


def _camera(f: Facts) -> dict[str, Any]:
    advice = f.advice
    setup = Word(rules.SETUP[advice.level])
    counted = {"setup": setup, "n": advice.consented, "total": advice.present}
    if f.recording.plan.view360 and not advice.allow_360:
        known = Message(
            N_("{setup} ({n}/{total}); no 360-degree recording: not everyone consented"),
            **counted,
        )
    else:
        known = Message(N_("{setup} ({n}/{total})"), **counted)
    if f.unsettled:
        return _step("camera", "open", Message(N_("advice so far: {known}"), known=known))
    return _step("camera", "done", known)


def _footage(f: Facts) -> dict[str, Any]:
    confirmed = f.confirmation("footage_checked")
    # A withdrawal after the check means the person must now be cut out or the
    # recording destroyed: the check is due again.
    withdrawn = f.last_withdrawal
    if confirmed and withdrawn and withdrawn > dt.datetime.fromisoformat(confirmed["at"]):
        return _step(
            "footage_checked",
            "open",
            Message(
                N_(
                    "consent withdrawn on {day}, after the check: remove the person or destroy"
                    " the recording, then confirm again"
                ),
                day=withdrawn.date(),
            ),
            confirmed,
        )
    if confirmed:
        return _step("footage_checked", "done", Message(N_("checked")), confirmed)
    if not f.unsettled and not rules.footage_check_needed(f.recording.situation, f.advice):
        return _step("footage_checked", "not_needed", Message(N_("everyone registered consented")))
    absent = len(f.report["must_not_appear"])
    if f.recording.situation is not Situation.OUTSIDE:
        known = Message(N_("check that no one without consent (generic or additional) appears"))
    elif absent:
        known = Message(
            N_("{n} person(s) must not appear (see the status): check they do not"), n=absent
        )
    else:
        known = Message(N_("check that no one without consent appears"))
    return _step("footage_checked", "open", known)


def _covered(events: list[dict[str, Any]], everyone: set[str]) -> set[str]:
    covered: set[str] = set()
    for event in events:
        forms = event["detail"].get("forms")
        covered |= set(forms) if isinstance(forms, list) else everyone
    return covered


def _reminded(f: Facts) -> dict[str, Any]:
    """Counted once the letters are recorded as sent, not when they are made: a letter
    in a drawer reminds no one."""
    if not rules.reminder_required(f.recording.situation):
        return _step(
            "reminded", "not_needed", Message(N_("only after recording outside an institution"))
        )
    if f.unsettled:
        return _step(
            "reminded", "open", Message(N_("after the consents are settled and you recorded"))
        )
    consented = {
        p["form_id"] for p in f.report["participants"] if rules.needs_reminder(p["clauses"])
    }
    made = [e for e in f.log if e["kind"] == records.REMINDED]
    sent = [e for e in f.log if e["kind"] == declarations.REMINDERS_SENT]
    if not consented and not made:
        return _step("reminded", "not_needed", Message(N_("no one gave consent: no one to remind")))
    if missing := consented - _covered(sent, consented):
        if made and not missing - _covered(made, consented):
            return _step(
                "reminded",
                "open",
                Message(
                    N_(
                        "reminder letters made on {day}: send them, then record that the"
                        " reminders for {id} were sent"
                    ),
                    day=made[-1]["at"][:10],
                    id=f.recording.id,
                ),
            )
        if f.today < f.recording.recorded_on:
            return _step(
                "reminded",
                "open",
                Message(N_("after the recording on {day}"), day=f.recording.recorded_on),
            )
        return _step(
            "reminded",
            "open",
            Message(
                N_(
                    "{n} participant(s) who consented not reminded yet: make the reminders for {id}"
                ),
                n=len(missing),
                id=f.recording.id,
            ),
        )
    return _step(
        "reminded", "done", Message(N_("reminders sent on {day}"), day=sent[-1]["at"][:10])
    )


def _transport(f: Facts) -> dict[str, Any]:
    confirmed = f.confirmation("transport")
    if confirmed:
        return _step("transport", "done", Message(N_("moved; local copy destroyed")), confirmed)
    return _step(
        "transport",
        "open",
        Message(
            N_(
                "as soon as possible, preferably on location; then destroy the copy on the"
                " camera, phone or SD card"
            )
        ),
    )


def _stored(f: Facts, config: Config) -> dict[str, Any]:
    confirmed = f.confirmation("stored")
    if confirmed:
        stored = Message(N_("stored on {platform}"), platform=config.org.platform)
        return _step("stored", "done", stored, confirmed)
    return _step(
        "stored",
        "open",
        Message(
            N_(
                "only on {platform}, strictest security settings, shared only with who needs"
                " it; see the description of {id}; automatic deletion on {day}"
            ),
            platform=config.org.platform,
            id=f.recording.id,
            day=f.recording.delete_by,
        ),
    )


def _destroyed(f: Facts, config: Config) -> dict[str, Any]:
    gone = f.report["destroyed"]
    if gone:
        day = config_module.local_day(config, gone["at"])
        gone_on = Message(N_("destroyed on {day} by {by}"), day=day, by=gone["by"])
        return _step("destroyed", "done", gone_on)
    until = f.recording.delete_by
    how = Message(N_("destroy it, then record the destruction of {id}"), id=f.recording.id)
    if _overdue(f):
        overdue = Message(N_("OVERDUE: delete by {day}; {how}"), day=until, how=how)
        return _step("destroyed", "open", overdue)
    left = (until - f.today).days
    due = Message(N_("delete by {day} ({n} days left); {how}"), day=until, n=left, how=how)
    return _step("destroyed", "open", due)


def _reconsent(f: Facts) -> dict[str, Any]:
    changes = [e for e in f.log if e["kind"] == records.CHANGED]
    if not changes:
        return _step(
            "reconsent",
            "not_needed",
            Message(N_("purpose and retention unchanged; a change asks everyone again")),
        )
    last = changes[-1]
    return _step(
        "reconsent",
        "done",
        Message(
            N_(
                "{n} change(s), last on {day}: {reason}; new declarations issued (see step consent)"
            ),
            n=len(changes),
            day=last["at"][:10],
            reason=Word(str(last["detail"].get("reason"))),
        ),
    )


def _overdue(f: Facts) -> bool:
    # The same day as ``formgen due``: due on the deletion date itself.
    return not f.report["destroyed"] and f.recording.delete_by <= f.today


def _steps(f: Facts, config: Config) -> list[dict[str, Any]]:
    derive = {
        "consent": _consent,
        "camera": _camera,
        "footage_checked": _footage,
        "reminded": _reminded,
        "transport": _transport,
        "stored": lambda facts: _stored(facts, config),
        "destroyed": lambda facts: _destroyed(facts, config),
        "reconsent": _reconsent,
    }
    return [derive[key](f) for key in STEP_KEYS]


def checklist(
    engine: Engine, config: Config, recording_id: str, today: dt.date | None = None
) -> dict[str, Any]:
    """The procedure's seven steps with what the record knows about each."""
    return checklist_of(facts(engine, recording_id, today or config_module.today(config)), config)


def overview(engine: Engine, config: Config, recording_id: str, today: dt.date) -> Overview:
    """A recording as its page shows it, from one reading of the record."""
    found = facts(engine, recording_id, today)
    try:
        description, problem = describe_of(found, config), None
    except RecordError as exc:
        description, problem = None, exc
    return Overview(found.status, checklist_of(found, config), description, problem, found.earlier)


def checklist_of(f: Facts, config: Config) -> dict[str, Any]:
    return {
        "id": f.recording.id,
        "situation": int(f.recording.situation),
        "delete_by": f.recording.delete_by.isoformat(),
        "overdue": _overdue(f),
        "destroyed": f.report["destroyed"],
        "steps": _steps(f, config),
    }


def confirm_step(
    engine: Engine,
    recording_id: str,
    step: str,
    by: str,
    *,
    config: Config | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Record that a person did a step only a person can know about."""
    config = config or Config()
    key = step.strip().lower()
    definition = next((s for s in rules.STEPS if s.key == key), None)
    if definition is None:
        raise RecordError(
            N_("no checklist step {step!r}; the steps are {steps}"),
            step=step,
            steps=", ".join(STEP_KEYS),
        )
    recording = records.get_recording(engine, recording_id)
    if not definition.by_person:
        how = Message(DERIVED_BY[key], id=recording.id)
        raise RecordError(
            N_("step {key} is not confirmed by hand: {how}"), key=rules.step_word(key), how=how
        )
    who = checked(rules.check_name, by, "the author's name")
    f = facts(engine, recording.id, today or config_module.today(config))
    if f.report["destroyed"]:
        raise RecordError(
            N_("recording {id} was destroyed on {day}"),
            id=recording.id,
            day=config_module.local_day(config, f.report["destroyed"]["at"]),
        )
    current = next(s for s in _steps(f, config) if s["step"] == key)
    if current["state"] == "done":
        done = current["confirmed"]
        raise RecordError(
            N_("step {step} of {id} was already confirmed by {by} on {day}"),
            step=rules.step_word(key),
            id=recording.id,
            by=done["by"],
            day=done["at"][:10],
        )
    if current["state"] == "not_needed":
        raise RecordError(
            N_("step {step} is not needed for {id}: {known}"),
            step=rules.step_word(key),
            id=recording.id,
            known=Word(current["known"]),
        )
    if rules.too_early(key, recording.recorded_on, f.today):
        raise RecordError(
            N_(
                "step {step} of {id} cannot be confirmed before the recording date {day}:"
                " there is no footage yet"
            ),
            step=rules.step_word(key),
            id=recording.id,
            day=recording.recorded_on.isoformat(),
        )
    with engine.begin() as conn:
        records.refuse_if_destroyed(conn, recording)
        # Someone may have confirmed it since we looked.
        if _confirmations(records.recording_log(conn, recording.id), key) != _confirmations(
            f.log, key
        ):
            raise RecordError(
                N_("step {step} of {id} was confirmed meanwhile"),
                step=rules.step_word(key),
                id=recording.id,
            )
        records.log_event(conn, recording.id, STEP, source=f"manual:{who}", detail={"step": key})
    after = checklist(engine, config, recording.id, today)
    return {"id": recording.id, **next(s for s in after["steps"] if s["step"] == key)}


def undo_step(
    engine: Engine,
    recording_id: str,
    step: str,
    by: str,
    *,
    config: Config | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Take back the last confirmation of a step: a new log entry says so, and both
    stay in the recording's log."""
    config = config or Config()
    key = step.strip().lower()
    if key not in STEP_KEYS:
        raise RecordError(
            N_("no checklist step {step!r}; the steps are {steps}"),
            step=step,
            steps=", ".join(STEP_KEYS),
        )
    who = checked(rules.check_name, by, "the author's name")
    with engine.begin() as conn:
        recording = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, recording)
        standing = _confirmations(records.recording_log(conn, recording.id), key)
        if not standing:
            raise RecordError(
                N_("step {step} of {id} is not confirmed: nothing to undo"),
                step=rules.step_word(key),
                id=recording.id,
            )
        records.log_event(
            conn,
            recording.id,
            STEP_UNDONE,
            source=f"manual:{who}",
            detail={"step": key, "undoes_at": standing[-1]["at"]},
        )
    after = checklist(engine, config, recording.id, today)
    return {"id": recording.id, **next(s for s in after["steps"] if s["step"] == key)}


# --- The description on the video platform (TIP 1 and 2) -------------------------------


def description_text(
    recording: Recording,
    config: Config,
    *,
    registered: int,
    absent: int,
    checked_on: dt.date | None,
) -> str:
    """Plain text in the recording's language from ``templates/<lang>/description.txt``
    (a faculty can override it like the forms), without anyone's name: who the student
    is shows on the platform already, and the description may outlive a participant's
    consent. ``absent`` counts registered people who must not appear. Access is only
    for who needs it for the purpose (``rules.ACCESS``, in the form's own words)."""
    lang = recording.lang
    return render.render_template(
        config,
        lang,
        "description.txt",
        id=recording.id,
        purpose=str(recording.plan.purpose),
        delete_by=render.long_date(recording.delete_by, lang),
        outside=recording.situation is Situation.OUTSIDE,
        institution=recording.institution,
        registered=registered,
        absent=absent,
        checked_on=render.long_date(checked_on, lang) if checked_on else None,
        org=render.org_view(config.org, lang),
    ).strip()


def describe(
    engine: Engine, config: Config, recording_id: str, today: dt.date | None = None
) -> dict[str, Any]:
    """The text to paste into the video's description and the date to set for its
    automatic deletion. Refused while anyone's consent is not settled: until then it
    is not known who may appear. Nobody registered is allowed (the procedure's "geen
    verklaringen": only the student in frame) and the text says so."""
    return describe_of(facts(engine, recording_id, today or config_module.today(config)), config)


def describe_of(f: Facts, config: Config) -> dict[str, Any]:
    rec = f.recording
    if f.report["destroyed"]:
        raise RecordError(
            N_("recording {id} was destroyed on {day}: there is nothing to describe"),
            id=rec.id,
            day=config_module.local_day(config, f.report["destroyed"]["at"]),
        )
    if f.today > rec.delete_by:
        raise RecordError(
            N_("recording {id} was to be deleted by {day}: destroy it and record the destruction"),
            id=rec.id,
            day=rec.delete_by.isoformat(),
        )
    if f.unsettled:
        raise RecordError(
            N_(
                "cannot describe {id}: consent of {n} participant(s) is not settled (requested or"
                " to review); see the status"
            ),
            id=rec.id,
            n=len(f.unsettled),
        )
    steps = {s["step"]: s for s in _steps(f, config)}
    footage = steps["footage_checked"]
    checked = footage["confirmed"] if footage["state"] == "done" else None
    text = description_text(
        rec,
        config,
        registered=len(f.report["participants"]),
        absent=len(f.report["must_not_appear"]),
        checked_on=dt.date.fromisoformat(checked["at"][:10]) if checked else None,
    )
    notes = []
    if footage["state"] == "open":
        notes.append(N_("the footage check (step 3) is not confirmed yet"))
    return {
        "id": rec.id,
        "lang": rec.lang,
        "text": text,
        "delete_on": rec.delete_by.isoformat(),
        "notes": notes,
    }
