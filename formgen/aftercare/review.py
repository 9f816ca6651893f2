"""What the scan reader was not sure about, for a person to decide: the queue, one
item with what the reader measured and the images it kept (from the store), and the
decision, recorded as a manual event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from formgen import rules
from formgen.errors import Conflict, NotFound, RecordError, checked
from formgen.record import by_hand, consent_status, ledger, records, roster, sealing
from formgen.record.schema import events, forms, participants, scan_images
from formgen.rules import Status
from formgen.words import N_

PERSON_CROPS = ("signature", "name", "signer")  # crops shown with every clause's item


@dataclass(frozen=True)
class ReviewItem:
    item: str  # "FORM-ID:clause"
    recording_id: str
    form_id: str
    clause: str
    name: str | None
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "recording_id": self.recording_id,
            "form_id": self.form_id,
            "clause": self.clause,
            "name": self.name,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ReviewDetail:
    """One item as the reader saw it. ``images`` names the stored images (the page and
    the crops that matter for this clause); ``image`` fetches their bytes."""

    item: ReviewItem
    source: str
    ink: dict[str, float] | None
    signature_ink: float | None
    residual_mm: float | None
    page_image: str | None
    crops: dict[str, str] = field(default_factory=dict)  # crop key -> image name

    def as_dict(self) -> dict[str, Any]:
        thresholds = rules.Thresholds()
        return {
            **self.item.as_dict(),
            "needs_name": self.item.name is None,
            "source": self.source,
            "ink": self.ink,
            "thresholds": {"empty": thresholds.empty, "marked": thresholds.marked},
            "signature_ink": self.signature_ink,
            "residual_mm": self.residual_mm,
            "page_image": self.page_image,
            "crops": self.crops,
        }


def items(db: Engine | Connection, recording_ids: set[str] | None = None) -> list[ReviewItem]:
    """Every clause whose current status is review (of these recordings only, if given)."""
    with records.connection(db) as conn:
        query = (
            select(forms.c.id, participants.c.recording_id, participants.c.id, participants.c.name)
            .join(participants, participants.c.id == forms.c.participant_id)
            .order_by(participants.c.recording_id, participants.c.position, forms.c.round)
        )
        if recording_ids is not None:
            query = query.where(participants.c.recording_id.in_(sorted(recording_ids)))
        rows = [
            (form_id, recording_id, sealing.open_name(conn, recording_id, person_id, name))
            for form_id, recording_id, person_id, name in conn.execute(query)
        ]
        states = ledger.form_states(conn, [r[0] for r in rows])
    return [
        ReviewItem(
            f"{form_id}:{clause}",
            recording_id,
            form_id,
            clause,
            name,
            states[form_id].reasons.get(clause),
        )
        for form_id, recording_id, name in rows
        for clause, status in states[form_id].clauses.items()
        if status is Status.REVIEW
    ]


def pending(conn: Connection, item: str) -> tuple[roster.Participant, str]:
    """The form and clause of a review item ("FORM-ID:clause") that is still open."""
    form_id, sep, clause = item.partition(":")
    if not sep or not clause:
        raise RecordError(
            N_("{item!r} is not a review item (like 7KQ2-M9XD-4:recording)"), item=item
        )
    person = roster.get_form(conn, form_id)
    state = ledger.form_states(conn, [person.form_id])[person.form_id]
    if state.clauses.get(clause) is not Status.REVIEW:
        raise Conflict(N_("{item} is not waiting for review"), item=f"{person.form_id}:{clause}")
    return person, clause


def _last_event(conn: Connection, form_id: str, clause: str) -> Any:
    return (
        conn.execute(
            select(events)
            .where(events.c.form_id == form_id, events.c.clause == clause)
            .order_by(events.c.id.desc())
            .limit(1)
        )
        .mappings()
        .one()
    )


def show(db: Engine | Connection, item: str) -> ReviewDetail:
    with records.connection(db) as conn:
        person, clause = pending(conn, item)
        last = _last_event(conn, person.form_id, clause)
        source = sealing.open_event_source(conn, person.recording_id, last)
        state = ledger.form_states(conn, [person.form_id])[person.form_id]
        detail = last["detail"] or {}
        stored = set()
        if (page_id := detail.get("scan_page")) is not None:
            stored = set(
                conn.execute(
                    select(scan_images.c.name).where(scan_images.c.page_id == page_id)
                ).scalars()
            )
    crops = {
        key: name
        for key, name in (detail.get("crops") or {}).items()
        if (key.startswith(f"{clause}-") or key in PERSON_CROPS) and name in stored
    }
    return ReviewDetail(
        item=ReviewItem(
            f"{person.form_id}:{clause}",
            person.recording_id,
            person.form_id,
            clause,
            person.name,
            state.reasons.get(clause),
        ),
        source=source,
        ink=detail.get(f"ink_{clause}"),
        signature_ink=detail.get("signature_ink"),
        residual_mm=detail.get("residual_mm"),
        page_image="page.jpg" if "page.jpg" in stored else None,
        crops=crops,
    )


def image(db: Engine | Connection, item: str, name: str) -> bytes:
    """The bytes of one image ``show`` named for an item still waiting for review."""
    with records.connection(db) as conn:
        person, clause = pending(conn, item)
        page_id = (_last_event(conn, person.form_id, clause)["detail"] or {}).get("scan_page")
        data = conn.execute(
            select(scan_images.c.data).where(
                scan_images.c.page_id == page_id, scan_images.c.name == name
            )
        ).scalar()
        data = sealing.open_image(conn, person.recording_id, page_id, name, data)
    if data is None:
        raise NotFound(N_("no image {name!r} for review item {item}"), name=name, item=item)
    return bytes(data)


def resolve(
    engine: Engine,
    item: str,
    decision: str,
    *,
    by: str,
    name: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """A person's decision on a review item, recorded as a manual event. For a blank
    form the handwritten name is typed in as part of resolving it. Deciding "given" on a
    form the reader found unsigned (or unclear) says the reviewer saw the signature: it
    is recorded as signed, by them. ``reason``: the reviewer's own words (why an online
    answer is rejected), kept with the decision until the recording is destroyed."""
    said = checked(rules.check_name, reason, "reason") if reason and reason.strip() else None
    with engine.begin() as conn:
        person, clause = pending(conn, item)
        if person.name is None and not name:
            raise RecordError(N_("this form's name was written by hand: type the name as written"))
        if name:
            typed = checked(rules.check_name, name, "name")
            sealed = sealing.seal_name(conn, person.recording_id, person.id, typed)
            conn.execute(
                update(participants).where(participants.c.id == person.id).values(name=sealed)
            )
        why = f"{rules.REVIEW_RESOLVED}: {said}" if said else rules.REVIEW_RESOLVED
        # the reviewer's own words are written by a person: sealed, gone at destruction
        by_hand.set_consent(
            conn, person.form_id, clause, decision, by=by, reason=why, written=bool(said)
        )
        signed = ledger.form_states(conn, [person.form_id])[person.form_id].signed
        if rules.review_confirms_signature(Status(decision), signed):
            ledger.append_events(
                conn,
                [(person.form_id, ledger.SIGNATURE, "signed")],
                source=f"manual:{by.strip()}",
                reason="signature seen by the reviewer",
            )
    return {"item": f"{person.form_id}:{clause}", "status": decision}


def decisions(engine: Engine, item: str) -> list[str]:
    """The decisions a reviewer chooses from for an item still waiting."""
    with engine.connect() as conn:
        person, clause = pending(conn, item)
    history = [
        rules.Status(e["status"])
        for e in consent_status.form_events(engine, person.form_id)
        if e["clause"] == clause
    ]
    return [str(s) for s in rules.review_decisions(history)]
