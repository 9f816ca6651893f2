"""A recording's life after its declarations: re-consent when the purpose or retention
changes (seed step 7) and destruction (step 6).

Each operation is one transaction. What a recording was before a change stays in its
``recording_events``; what a consent was stays in the form's events.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update

from . import records, rules
from .config import Config
from .records import Participant, RecordError, Recording
from .rules import Purpose, Status
from .schema import recordings


@dataclass(frozen=True)
class Change:
    recording: Recording
    before: dict[str, str]
    reason: str
    invalidated: list[str]  # old form IDs whose open consents ended
    issued: list[Participant]  # the new declarations (new form IDs)

    def as_dict(self) -> dict[str, Any]:
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
        }


def _who(by: str) -> str:
    try:
        return rules.check_name(by, "--by")
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
        raise RecordError("say what changes: --purpose and/or --extend-to")
    with engine.begin() as conn:
        old = records.get_recording(conn, recording_id)
        records._refuse_if_destroyed(conn, old)
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
                    f"--extend-to {extend_to.isoformat()} is not later than the deletion date"
                    f" {new_until.isoformat()}; nothing changed"
                )
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
        people = records.list_participants(conn, old.id)
        states = records.form_states(conn, [p.form_id for p in people])
        invalidated, issued = [], []
        for person in people:
            state = states[person.form_id]
            ending = [c for c, s in state.clauses.items() if s not in rules.FINAL]
            records._append(
                conn,
                [(person.form_id, c, Status.INVALIDATED) for c in ending],
                source=source,
                reason=reason,
            )
            if ending:
                invalidated.append(person.form_id)
            if any(s is not Status.WITHDRAWN for s in state.clauses.values()):
                issued.append(records._issue_form(conn, new, person, person.round + 1, reason))
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


def scan_folders(config: Config, form_ids: set[str]) -> list[Path]:
    """formgen's own copies of scanned pages and crops of these forms: the reader keeps
    them as ``scans/<sha>/p<NNN>-<FORM-ID>/``."""
    root = config.output_dir / "scans"
    if not root.is_dir():
        return []
    return sorted(
        folder
        for folder in root.glob("*/p*-*")
        if folder.is_dir() and folder.name.split("-", 1)[1] in form_ids
    )


def printed_documents(config: Config, recording_id: str, form_ids: set[str]) -> list[Path]:
    """The PDFs formgen wrote for a recording under their default names (declarations,
    reminders, request letters, withdrawal forms): they carry the participants' names.
    Files written elsewhere with --out are the user's to delete."""
    root = config.output_dir
    found = set(root.glob(f"{recording_id}-*.pdf"))
    found.update(p for p in root.glob("*-withdrawal.pdf") if p.name[:-15] in form_ids)
    return sorted(found)


def destroy(engine: Engine, config: Config, recording_id: str, *, by: str) -> dict[str, Any]:
    """Record that the recording was destroyed, delete formgen's scans and crops of its
    forms and the documents it printed for it, and end every consent that has not ended
    as ``expired``. What proof of consent needs stays: the events, whose sources name
    each scan by its SHA-256."""
    source = f"manual:{_who(by)}"
    with engine.begin() as conn:
        recording = records.get_recording(conn, recording_id)
        records._refuse_if_destroyed(conn, recording)
        people = records.list_participants(conn, recording.id, every_round=True)
        form_ids = {p.form_id for p in people}
        states = records.form_states(conn, form_ids)
        ended = [
            (form_id, clause, Status.EXPIRED)
            for form_id, state in states.items()
            for clause, status in state.clauses.items()
            if status not in rules.FINAL
        ]
        records._append(conn, ended, source=source, reason="recording destroyed")
        # Files go before the commit: if deleting fails, the destruction is not recorded
        # and can simply be run again.
        folders = scan_folders(config, form_ids)
        for folder in folders:
            shutil.rmtree(folder)
            if not any(folder.parent.iterdir()):
                folder.parent.rmdir()
        printed = printed_documents(config, recording.id, form_ids)
        for document in printed:
            document.unlink()
        records.log_event(
            conn,
            recording.id,
            records.DESTROYED,
            source=source,
            detail={
                "scan_folders_removed": len(folders),
                "documents_removed": len(printed),
                "consents_expired": len(ended),
            },
        )
        event = records.destroyed(conn, recording.id)
    assert event is not None
    return {
        "id": recording.id,
        "destroyed_at": event["at"],
        "by": source.removeprefix("manual:"),
        "consents_expired": len(ended),
        "scan_folders_removed": len(folders),
        "documents_removed": len(printed),
    }
