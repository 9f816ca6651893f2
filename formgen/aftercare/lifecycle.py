"""A recording's life after its declarations: re-consent when the purpose or retention
changes (procedure step 7) and destruction (step 6).

Each operation is one transaction. What a recording was before a change stays in its
``recording_events``; what a consent was stays in the form's events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update

from formgen import config as config_module
from formgen import rules
from formgen.aftercare import returns
from formgen.config import Config
from formgen.documents.declarations import Written
from formgen.errors import OutputError, checked
from formgen.online import answers
from formgen.record import ledger, records, roster, sealing, store
from formgen.record.records import RecordError, Recording
from formgen.record.roster import Participant
from formgen.record.schema import (
    events,
    forms,
    jobs,
    participants,
    recording_events,
    recordings,
    scan_images,
    scan_pages,
    scans,
)
from formgen.rules import Purpose, Status
from formgen.words import N_, Word


@dataclass(frozen=True)
class Change:
    recording: Recording
    before: dict[str, str]
    reason: str
    invalidated: list[str]  # old form IDs whose open consents ended
    issued: list[Participant]  # the new declarations (new form IDs)
    written: Written | None = None  # their PDF, once rendered

    def as_dict(self) -> dict[str, Any]:
        pdf = self.written.pdf if self.written is not None else None
        return {
            "id": self.recording.id,
            "before": self.before,
            "after": {
                "purpose": str(self.recording.plan.purpose),
                "delete_by": self.recording.delete_by.isoformat(),
            },
            "reason": self.reason,
            "invalidated": self.invalidated,
            "issued": [
                {"form_id": p.form_id, "participant_id": p.id, "round": p.round}
                for p in self.issued
            ],
            **({"pdf": str(pdf)} if pdf is not None else {}),
        }


def _who(by: str) -> str:
    return checked(rules.check_name, by, "the author's name")


def change_recording(
    engine: Engine,
    config: Config,
    recording_id: str,
    *,
    by: str,
    purpose: str | None = None,
    extend_to: dt.date | None = None,
) -> Change:
    """Change the purpose and/or extend the retention. Every consent that has not ended
    becomes ``invalidated`` with the reason, and each participant who has not withdrawn
    everything gets a new declaration with a new form ID. Old consent never carries
    over: it was given for what the old paper said."""
    source = f"manual:{_who(by)}"
    if purpose is None and extend_to is None:
        raise RecordError(N_("say what changes: the purpose, the deletion date or both"))
    with engine.begin() as conn:
        old = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, old)
        new_purpose = checked(Purpose, purpose) if purpose else old.plan.purpose
        new_until = rules.delete_by(old.recorded_on, new_purpose, config.retention)
        if new_purpose is old.plan.purpose:
            new_until = old.delete_by
        if extend_to is not None:
            if extend_to <= new_until:
                raise RecordError(
                    N_("the new deletion date {new} is not later than {old}; nothing changed"),
                    new=extend_to.isoformat(),
                    old=new_until.isoformat(),
                )
            try:
                rules.check_extension(extend_to, old.recorded_on, new_purpose, config.retention)
            except ValueError as exc:
                raise RecordError(N_("{exc}; nothing changed"), exc=exc) from exc
            new_until = extend_to
        reason = rules.reconsent_reason(old.plan.purpose, old.delete_by, new_purpose, new_until)
        if reason is None:
            raise RecordError(
                N_("recording {id} already has purpose {purpose}; nothing changed"),
                id=old.id,
                purpose=Word(new_purpose),
            )
        conn.execute(
            update(recordings)
            .where(recordings.c.id == old.id)
            .values(purpose=str(new_purpose), delete_by=new_until)
        )
        new = records.get_recording(conn, old.id)
        invalidated, issued = reconsent(conn, config, new, reason, source)
        before = {"purpose": str(old.plan.purpose), "delete_by": old.delete_by.isoformat()}
        records.log_event(
            conn,
            old.id,
            records.CHANGED,
            source=source,
            detail={
                "before": before,
                "after": {"purpose": str(new_purpose), "delete_by": new_until.isoformat()},
                "reason": reason,
                "invalidated": invalidated,
                "issued": [p.form_id for p in issued],
            },
        )
    return Change(new, before, reason, invalidated, issued)


def reconsent(
    conn: Connection, config: Config, recording: Recording, reason: str, source: str
) -> tuple[list[str], list[Participant]]:
    """End every consent of the recording's current forms that has not ended
    (``invalidated``, with the reason) and issue a new declaration to each participant
    who has not withdrawn everything. Returns the form IDs ended and the new forms."""
    people = roster.list_participants(conn, recording.id)
    states = ledger.form_states(conn, [p.form_id for p in people])
    # After the recording date only those who consented are asked again: consent is
    # never asked for a recording already made (rules.asks_again_after_the_fact).
    made = recording.recorded_on < config_module.today(config)
    invalidated, issued = [], []
    for person in people:
        state = states[person.form_id]
        if state.clauses and all(s is Status.INVALIDATED for s in state.clauses.values()):
            continue  # voided: removed from the recording (corrections.remove_participant)
        ending = [c for c, s in state.clauses.items() if s not in rules.FINAL]
        asked = not made or rules.asks_again_after_the_fact(state.clauses)
        ledger.append_events(
            conn,
            [(person.form_id, c, Status.INVALIDATED) for c in ending],
            source=source,
            reason=reason,
        )
        if ending:
            invalidated.append(person.form_id)
        if asked and any(s is not Status.WITHDRAWN for s in state.clauses.values()):
            issued.append(roster.issue_form(conn, recording, person, person.round + 1, reason))
    return invalidated, issued


def destroy(
    engine: Engine, recording_id: str, *, by: str, config: Config | None = None
) -> dict[str, Any]:
    """Record that the recording was destroyed, delete the documents formgen wrote for
    it, end every consent that has not ended as ``expired`` and forget at once what is
    not proof (``forget_at_destruction``). The proof of consent stays until the proof
    retention ends (``erase_proof``): the events, whose sources name each scan by its
    SHA-256, the names, the scanned pages and crops, the online answers."""
    source = f"manual:{_who(by)}"
    with engine.begin() as conn:
        recording = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, recording)
        people = roster.list_participants(conn, recording.id, every_round=True)
        form_ids = {p.form_id for p in people}
        states = ledger.form_states(conn, form_ids)
        ended = [
            (form_id, clause, Status.EXPIRED)
            for form_id, state in states.items()
            for clause, status in state.clauses.items()
            if status not in rules.FINAL
        ]
        ledger.append_events(conn, ended, source=source, reason=DESTROYED_REASON)
        printed = _delete_documents(records.written_documents(conn, recording.id))
        forgotten = forget_at_destruction(conn, recording.id)
        returns.forget_recording(conn, recording.id)  # the contacts, and no return link
        records.log_event(
            conn,
            recording.id,
            records.DESTROYED,
            source=source,
            detail={
                # the organisation's day, for refusals made where no configuration is
                "day": config_module.local_day(config, records.now()) if config else None,
                "documents_removed": len(printed),
                "consents_expired": len(ended),
                **forgotten,
            },
        )
        event = records.destroyed(conn, recording.id)
        # Everything sealed with the data key is noise from this commit on, in every
        # copy of the store; the proof key stays until the proof retention ends.
        sealing.forget_data_key(conn, recording.id)
    store.fold_log(engine)
    assert event is not None
    return {
        "id": recording.id,
        "destroyed_at": event["at"],
        "by": source.removeprefix("manual:"),
        "consents_expired": len(ended),
        # Kept as proof until the proof retention ends, then erased (erase_proof).
        "scan_images_removed": 0,
        "documents_removed": len(printed),
        "proof_kept_until": erase_on(config or Config(), event).isoformat(),
    }


# --- what goes when -----------------------------------------------------------------
# Two moments. At destruction what is not proof goes at once: what people wrote (reasons,
# notes), the names of uploaded files, the online answers never confirmed, the links and
# the addresses kept for invitations. When the proof retention after the destruction
# ends, everything personal goes: names, typed names, addresses, the scanned pages and
# their crops, the online answers with the text shown. What stays is the facts: which
# form (participant N), which clause, which status, when, from which kind of source.

# The reasons formgen itself writes on events a person causes: not what someone wrote,
# so they stay. Every other reason of a manual event is a person's words.
FORMGEN_REASONS = frozenset(
    {
        "review resolved",
        "signature seen by the reviewer",
        "withdrawn by the person",
        "recording destroyed",
        rules.NOT_RETURNED,
        rules.BLANK_UNUSED,
    }
)
DESTROYED_REASON = "recording destroyed"
# What an erased reason reads; the event log's triggers let an event's reason become
# this and nothing else (migration 0011).
ERASED = "[erased]"
PROOF_ERASED = records.PROOF_ERASED  # the recording event that says so
RENAMED_KIND = "participant_renamed"  # corrections.RENAMED (which imports this module)


def _forms_of(conn: Connection, recording_id: str) -> tuple[list[str], list[str]]:
    """Every form and participant of a recording, every round, removed ones too."""
    rows = conn.execute(
        select(forms.c.id, participants.c.id)
        .join(participants, participants.c.id == forms.c.participant_id)
        .where(participants.c.recording_id == recording_id)
    ).all()
    return sorted({f for f, _ in rows}), sorted({p for _, p in rows})


def forget_at_destruction(conn: Connection, recording_id: str) -> dict[str, int]:
    """At destruction: erase the reasons people wrote on the events, the names of the
    uploaded files, and what online answers hold that is not proof. Returns counts."""
    form_ids, participant_ids = _forms_of(conn, recording_id)
    written = [
        event_id
        for event_id, reason in conn.execute(
            select(events.c.id, events.c.reason).where(
                events.c.form_id.in_(form_ids),
                events.c.source.startswith("manual:"),
                events.c.reason.is_not(None),
            )
        )
        if reason not in FORMGEN_REASONS and reason != ERASED
    ]
    for start in range(0, len(written), 500):
        conn.execute(
            update(events)
            .where(events.c.id.in_(written[start : start + 500]))
            .values(reason=ERASED)
        )
    files = select(scan_pages.c.sha256).where(scan_pages.c.form_id.in_(form_ids))
    named = conn.execute(
        update(scans).where(scans.c.sha256.in_(files), scans.c.filename != "").values(filename="")
    ).rowcount
    named += _forget_job_file_names(conn, set(form_ids))
    online_forgotten = answers.forget_at_destruction(conn, form_ids, participant_ids)
    return {
        "reasons_erased": len(written),
        "file_names_erased": named,
        "online_items_erased": online_forgotten,
    }


def _forget_job_file_names(conn: Connection, form_ids: set[str]) -> int:
    """A finished scan job's page reports name the uploaded files: the reports of pages
    of these forms lose the name (the page number and result stay)."""
    count = 0
    for job_id, pages in conn.execute(
        select(jobs.c.id, jobs.c.pages).where(jobs.c.pages.is_not(None))
    ):
        if not any(p.get("form_id") in form_ids and p.get("source") for p in pages):
            continue
        kept = [{**p, "source": ""} if p.get("form_id") in form_ids else p for p in pages]
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(pages=kept))
        count += 1
    return count


def erase_on(config: Config, destroyed_event: dict[str, Any]) -> dt.date:
    """The day the proof retention ends for a recording destroyed by this event."""
    at = dt.datetime.fromisoformat(destroyed_event["at"])
    return config.proof_after.after(config_module.local(config, at).date())


def erase_proof(conn: Connection, recording_id: str) -> dict[str, int]:
    """When the proof retention has ended: erase everything personal the record still
    holds of a destroyed recording. The participants keep their place ("participant 3"),
    their forms, clause statuses and dates. Returns counts."""
    form_ids, participant_ids = _forms_of(conn, recording_id)
    names = conn.execute(
        update(participants)
        .where(participants.c.id.in_(participant_ids), participants.c.name.is_not(None))
        .values(name=None)
    ).rowcount
    pages = select(scan_pages.c.id).where(scan_pages.c.form_id.in_(form_ids))
    images = conn.execute(delete(scan_images).where(scan_images.c.page_id.in_(pages))).rowcount
    answers_erased = answers.erase_proof(conn, form_ids)
    # The record of a renaming named the participant twice: the names go, the fact stays.
    renamed = conn.execute(
        select(recording_events.c.id, recording_events.c.detail).where(
            recording_events.c.recording_id == recording_id,
            recording_events.c.kind == RENAMED_KIND,
        )
    ).all()
    for event_id, detail in renamed:
        kept = {k: v for k, v in (detail or {}).items() if k not in ("before", "after")}
        if kept != detail:
            conn.execute(
                update(recording_events)
                .where(recording_events.c.id == event_id)
                .values(detail={**kept, "erased": True})
            )
    # Whatever a person wrote that an older formgen kept past the destruction.
    forgotten = forget_at_destruction(conn, recording_id)
    done = {
        "names_erased": names,
        "scan_images_removed": images,
        "online_answers_removed": answers_erased,
        **forgotten,
    }
    records.log_event(conn, recording_id, PROOF_ERASED, source="formgen", detail=done)
    # Every copy of what the proof key sealed (backups, old pages, replicas) is noise now.
    sealing.forget_proof_key(conn, recording_id)
    return done


def proofs_due(
    db: Engine | Connection, config: Config, on: dt.date, within_days: int = 0
) -> list[dict[str, Any]]:
    """Destroyed recordings whose proof retention ends on ``on`` or within N days, and
    whose proof was not erased yet: ``{"id", "title", "destroyed_on", "erase_on",
    "overdue"}``, soonest first."""
    horizon = on + dt.timedelta(days=within_days)
    with records.connection(db) as conn:
        rows = conn.execute(
            select(recording_events.c.recording_id, recording_events.c.kind, recording_events.c.at)
            .where(recording_events.c.kind.in_([records.DESTROYED, PROOF_ERASED]))
            .order_by(recording_events.c.id)
        ).all()
        destroyed_at: dict[str, dt.datetime] = {}
        erased = set()
        for recording_id, kind, at in rows:
            if kind == PROOF_ERASED:
                erased.add(recording_id)
            else:
                destroyed_at.setdefault(recording_id, at)
        found = []
        for recording_id, at in destroyed_at.items():
            if recording_id in erased:
                continue
            until = erase_on(config, {"at": at.isoformat()})
            if until > horizon:
                continue
            title = conn.execute(
                select(recordings.c.title).where(recordings.c.id == recording_id)
            ).scalar_one()
            opened = sealing.open_recording_names(conn, {"id": recording_id, "title": title})
            title = opened["title"]
            found.append(
                {
                    "id": recording_id,
                    "title": title,
                    "destroyed_on": config_module.local(config, at).date().isoformat(),
                    "erase_on": until.isoformat(),
                    "overdue": until <= on,
                }
            )
    return sorted(found, key=lambda r: (r["erase_on"], r["id"]))


def erase_due_proofs(engine: Engine, config: Config, on: dt.date) -> list[str]:
    """Erase the proof of every destroyed recording whose proof retention has ended on
    ``on``, each in its own transaction. Returns their ids."""
    done = []
    for due in proofs_due(engine, config, on):
        if not due["overdue"]:
            continue
        with engine.begin() as conn:
            # Another worker may have erased it meanwhile: writers take turns, so this
            # check and the erasure see the same record.
            if proof_erased(conn, due["id"]) is not None:
                continue
            erase_proof(conn, due["id"])
        done.append(due["id"])
    return done


def proof_erased(conn: Connection, recording_id: str) -> str | None:
    """When the recording's proof was erased (ISO time), or None."""
    found = [e for e in records.recording_log(conn, recording_id) if e["kind"] == PROOF_ERASED]
    return found[0]["at"] if found else None


def _delete_documents(written: list[tuple[Path, str]]) -> list[Path]:
    """Delete the files formgen wrote for the recording that still hold what it wrote
    (a file replaced since is someone else's). Deleted before the commit: if that fails,
    the destruction is not recorded and can be run again."""
    deleted = []
    for path, digest in written:
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                continue
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise OutputError(
                N_("cannot delete {path}: {reason}"), path=path, reason=exc.strerror or exc
            ) from exc
        path.unlink()
        deleted.append(path)
    return deleted
