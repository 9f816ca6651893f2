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

from . import config as config_module
from . import online, records, rules, sealing, store
from .config import Config
from .documents import Written
from .errors import OutputError
from .records import Participant, RecordError, Recording
from .rules import Purpose, Status
from .schema import recordings, scan_images, scan_pages


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
    try:
        return rules.check_name(by, "the author's name")
    except ValueError as exc:
        raise RecordError(str(exc)) from exc


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
        raise RecordError("say what changes: the purpose, the deletion date or both")
    with engine.begin() as conn:
        old = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, old)
        try:
            new_purpose = Purpose(purpose) if purpose else old.plan.purpose
        except ValueError as exc:
            raise RecordError(str(exc)) from exc
        new_until = rules.delete_by(old.recorded_on, new_purpose, config.retention)
        if new_purpose is old.plan.purpose:
            new_until = old.delete_by
        if extend_to is not None:
            if extend_to <= new_until:
                raise RecordError(
                    f"the new deletion date {extend_to.isoformat()} is not later than"
                    f" {new_until.isoformat()}; nothing changed"
                )
            try:
                rules.check_extension(extend_to, old.recorded_on, new_purpose, config.retention)
            except ValueError as exc:
                raise RecordError(f"{exc}; nothing changed") from exc
            new_until = extend_to
        reason = rules.reconsent_reason(old.plan.purpose, old.delete_by, new_purpose, new_until)
        if reason is None:
            raise RecordError(
                f"recording {old.id} already has purpose {new_purpose}; nothing changed"
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
    people = records.list_participants(conn, recording.id)
    states = records.form_states(conn, [p.form_id for p in people])
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
        records.append_events(
            conn,
            [(person.form_id, c, Status.INVALIDATED) for c in ending],
            source=source,
            reason=reason,
        )
        if ending:
            invalidated.append(person.form_id)
        if asked and any(s is not Status.WITHDRAWN for s in state.clauses.values()):
            issued.append(records.issue_form(conn, recording, person, person.round + 1, reason))
    return invalidated, issued


def destroy(engine: Engine, recording_id: str, *, by: str) -> dict[str, Any]:
    """Record that the recording was destroyed, delete the scanned pages and crops of its
    forms and the documents formgen wrote for it, and end every consent that has not ended
    as ``expired``. What proof of consent needs stays: the events, whose sources name
    each scan by its SHA-256."""
    source = f"manual:{_who(by)}"
    with engine.begin() as conn:
        recording = records.get_recording(conn, recording_id)
        records.refuse_if_destroyed(conn, recording)
        people = records.list_participants(conn, recording.id, every_round=True)
        form_ids = {p.form_id for p in people}
        states = records.form_states(conn, form_ids)
        ended = [
            (form_id, clause, Status.EXPIRED)
            for form_id, state in states.items()
            for clause, status in state.clauses.items()
            if status not in rules.FINAL
        ]
        records.append_events(conn, ended, source=source, reason="recording destroyed")
        # The scanned pages and crops are personal data: they go in this transaction.
        # What landed (file SHA-256 and page) stays in scan_pages, as the events do.
        pages = select(scan_pages.c.id).where(scan_pages.c.form_id.in_(sorted(form_ids)))
        images = conn.execute(delete(scan_images).where(scan_images.c.page_id.in_(pages)))
        printed = _delete_documents(records.written_documents(conn, recording.id))
        online_removed = online.forget_recording(
            conn, sorted(form_ids), sorted({p.id for p in people})
        )
        records.log_event(
            conn,
            recording.id,
            records.DESTROYED,
            source=source,
            detail={
                "scan_images_removed": images.rowcount,
                "documents_removed": len(printed),
                "online_answers_removed": online_removed,
                "consents_expired": len(ended),
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
        "scan_images_removed": images.rowcount,
        "documents_removed": len(printed),
    }


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
            raise OutputError(f"cannot delete {path}: {exc.strerror or exc}") from exc
        path.unlink()
        deleted.append(path)
    return deleted
