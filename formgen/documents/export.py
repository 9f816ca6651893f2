"""A recording's consent record as JSON: one ISO/IEC TS 27560 consent record per
declaration form, in the terms of the W3C DPV profile for it ("DPV-27560",
https://w3id.org/dpv/guides/consent-27560, schema IRI ``dpv-27560#record``).

Keys named ``prefix:Term`` are DPV (``dpv:``, ``pd:``, ``loc:``, ``eu-gdpr:``), Dublin
Core (``dct:``) or schema.org terms as the profile uses them; plain snake_case keys are
formgen's own (its lifecycle status, the raw event source, the form's round). Every term
was looked up in the DPV sources (w3c/dpv, DPV v2); where the mapping is a judgement,
the comment says so. ``schema/consent-record.schema.json`` describes the document.

Nothing here decides anything: statuses come from the append-only events, and the rule
that open consents show as expired past the deletion date is ``consent_status.status``'s.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, select

from formgen import rules
from formgen.config import Config
from formgen.record import consent_status, ledger, records, roster, sealing
from formgen.record.ledger import SIGNATURE
from formgen.record.records import Recording
from formgen.record.roster import Participant
from formgen.record.schema import events, forms
from formgen.rules import Clause, Media, Purpose, Status

EXPORT_VERSION = 1
PROFILE = "https://w3id.org/dpv/schema/dpv-27560#record"

# formgen's own keys (round, clause, status, source, the recording's fields, the list of
# records itself) are terms of formgen's namespace through @vocab, so a JSON-LD processor
# keeps them as triples instead of dropping them: the document is one graph.
FORMGEN_NS = "urn:formgen:"

# Properties whose values name a term (an IRI), not a piece of text.
_TERM_VALUED = (
    "dpv:hasProcessing",
    "dpv:hasJurisdiction",
    "dpv:hasApplicableLaw",
    "dpv:hasLegalBasis",
    "dpv:isIndicatedBy",
    "dpv:isExercisedAt",
    "skos:broader",
    "schema:url",
)

CONTEXT: dict[str, Any] = {
    "@vocab": FORMGEN_NS,
    "fg": FORMGEN_NS,
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "loc": "https://w3id.org/dpv/loc#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "legal-eu": "https://w3id.org/dpv/legal/eu#",
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    **{term: {"@type": "@id"} for term in _TERM_VALUED},
}

# formgen's lifecycle onto dpv:ConsentStatus. Judgements: no_answer (neither box ticked)
# is neither given nor refused, which is dpv:ConsentRequestDeferred's scope note, not
# ConsentRefused's; review (the reader is not sure) is ConsentUnknown ("cannot be
# trusted"); invalidated after a change of purpose or retention is ConsentInvalidated
# ("deemed to be invalid"), although DPV's example is a court, and ConsentRevoked (the
# controller stops using it) would also fit.
DPV_STATUS: Mapping[Status, str] = {
    Status.REQUESTED: "dpv:ConsentRequested",
    Status.GIVEN: "dpv:ConsentGiven",
    Status.REFUSED: "dpv:ConsentRefused",
    Status.NO_ANSWER: "dpv:ConsentRequestDeferred",
    Status.REVIEW: "dpv:ConsentUnknown",
    Status.WITHDRAWN: "dpv:ConsentWithdrawn",
    Status.EXPIRED: "dpv:ConsentExpired",
    Status.INVALIDATED: "dpv:ConsentInvalidated",
}

# Who expressed each status (dpv:isIndicatedBy, ISO "entity id"): the person who signs
# decides and withdraws; the controller's side asks, doubts, invalidates and ends.
_BY_SIGNER = frozenset({Status.GIVEN, Status.REFUSED, Status.NO_ANSWER, Status.WITHDRAWN})

# The procedure is Dutch and the configuration names no country: the GDPR as applied in NL.
JURISDICTION = ["loc:NL", "loc:EU"]

PURPOSE_TEXT: Mapping[Purpose, str] = {
    Purpose.REFLECTION: "reflection on the student's own practice",
    Purpose.ASSESSMENT: "direct evidence in an assessment",
    Purpose.FINAL_LEVEL: "direct evidence of reaching the programme's final level",
}

# DPV processing operations per clause: dpv:Record is "to make a record (especially
# media)", dpv:Transmit "to send out data", dpv:Share "to give data to others".
CLAUSE_PROCESSING: Mapping[Clause, list[str]] = {
    Clause.RECORDING: ["dpv:Record", "dpv:Store", "dpv:Share"],
    Clause.LIVESTREAM: ["dpv:Transmit"],
    Clause.VIEW360: ["dpv:Record", "dpv:Store", "dpv:Share"],
}

CLAUSE_TEXT: Mapping[Clause, str] = {
    Clause.RECORDING: "recording for the stated purpose",
    Clause.LIVESTREAM: "live streaming",
    Clause.VIEW360: "recording with a 360-degree camera (the whole room)",
}

# pd:Picture is "visual representation or image"; DPV-PD has no category for a voice in
# a recording (pd:VoiceCommunicationRecording is telephony), so sound is described only.
_PICTURE = {"@type": "dpv:PersonalData", "skos:broader": "pd:Picture", "dct:description": "image"}
_VOICE = {"@type": "dpv:PersonalData", "dct:description": "voice and what is said"}
MEDIA_DATA: Mapping[Media, list[dict[str, str]]] = {
    Media.VIDEO: [_PICTURE],
    Media.AUDIO: [_VOICE],
    Media.BOTH: [_PICTURE, _VOICE],
}

RIGHTS = [
    ("eu-gdpr:A7-3", "Right to withdraw consent"),
    ("eu-gdpr:A15", "Right of access"),
    ("eu-gdpr:A17", "Right to erasure"),
    ("eu-gdpr:A77", "Right to lodge a complaint with a supervisory authority"),
]


def utc(moment: dt.datetime) -> str:
    """The store keeps naive UTC (``records.now``); ISO 27560 wants UTC, so say so."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def consent_record(
    engine: Engine, config: Config, recording_id: str, today: dt.date | None = None
) -> dict[str, Any]:
    """The recording's metadata, its own log and one consent record per form ever issued
    (every round). Raises ``RecordError`` for an unknown recording."""
    with engine.connect() as conn:
        recording = records.get_recording(conn, recording_id)
        people = roster.list_participants(conn, recording.id, every_round=True)
        ids = [p.form_id for p in people]
        states = ledger.form_states(conn, ids)
        printed = {
            row["id"]: row
            for row in conn.execute(select(forms).where(forms.c.id.in_(ids))).mappings()
        }
        history: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for row in conn.execute(
            select(events).where(events.c.form_id.in_(ids)).order_by(events.c.id)
        ).mappings():
            opened = {
                **row,
                "reason": sealing.open_reason(conn, recording.id, row),
                "source": sealing.open_event_source(conn, recording.id, row),
            }
            history[row["form_id"]].append(opened)
        log = records.recording_log(conn, recording.id)
        gone = records.destroyed(conn, recording.id)
    # Current forms as consent_status.status shows them (expired past the deletion date); an
    # earlier round's consents all ended when it was replaced, so its fold is final.
    shown = {
        p["form_id"]: p["clauses"]
        for p in consent_status.status(engine, recording.id, today).as_dict()["participants"]
    }
    rounds: dict[str, list[str]] = defaultdict(list)
    for person in people:  # oldest round first
        rounds[person.id].append(person.form_id)
    result = []
    for person in people:
        chain = rounds[person.id]
        at = chain.index(person.form_id)
        current = {
            clause: Status(shown.get(person.form_id, {}).get(clause, status))
            for clause, status in states[person.form_id].clauses.items()
        }
        result.append(
            _record(
                config,
                recording,
                person,
                printed[person.form_id],
                history[person.form_id],
                current,
                states[person.form_id],
                previous=chain[at - 1] if at else None,
                following=chain[at + 1] if at + 1 < len(chain) else None,
            )
        )
    return {
        "@context": CONTEXT,
        "export_version": EXPORT_VERSION,
        "exported_at": utc(records.now()),
        "recording": {
            **recording.as_dict(),
            "destroyed": gone and {"at": gone["at"] + "Z", "source": gone["source"]},
        },
        "recording_log": [{**entry, "at": entry["at"] + "Z"} for entry in log],
        "records": result,
    }


def _record(
    config: Config,
    recording: Recording,
    person: Participant,
    form: Mapping[str, Any],
    history: list[Mapping[str, Any]],
    current: Mapping[str, Status],
    state: ledger.FormState,
    *,
    previous: str | None,
    following: str | None,
) -> dict[str, Any]:
    org = config.org
    # What the paper said; the migration filled these in for forms printed before it.
    purpose = Purpose(form["purpose"] or recording.plan.purpose)
    delete_by: dt.date = form["delete_by"] or recording.delete_by
    signer = "dpv:ParentOfDataSubject" if person.under_16 else "dpv:DataSubject"
    subject: dict[str, Any] = {
        # Under 16 a parent or guardian consents (the procedure). DPV also has
        # dpv:GuardianOfDataSubject; the form does not record which of the two signed.
        # 16 and over is not asserted to be dpv:Adult: a 16-year-old is still a minor.
        "@type": [
            "dpv:DataSubject",
            "dpv:Participant",
            *(["dpv:Child"] if person.under_16 else []),
        ],
        "dct:identifier": person.id,
        "under_16": person.under_16,
    }
    if person.name is not None:  # a blank form's name is only on the paper
        subject["dpv:hasName"] = person.name
    record: dict[str, Any] = {
        "@type": "dpv:ConsentRecord",
        "dct:identifier": person.form_id,
        "dct:conformsTo": PROFILE,
        "dct:created": utc(form["created_at"]),
        "dct:isPartOf": recording.id,
        "round": form["round"],
        "dct:replaces": previous,
        "dct:isReplacedBy": following,
        "dct:language": person.lang,
        "dpv:hasDataSubject": subject,
        "dpv:hasNotice": {
            "@type": "dpv:ConsentNotice",
            "dct:identifier": person.form_id,
            "dct:language": person.lang,
            "variant": person.variant,
            "dct:conformsTo": f"{org.procedure}, {org.procedure_version}",
        },
        "dpv:hasDataController": _controller(config),
        "dpv:hasAuthority": {
            "@type": "dpv:DataProtectionAuthority",
            "dpv:hasName": org.authority,
            "schema:url": org.authority_url,
        },
        "dpv:hasJurisdiction": JURISDICTION,
        "dpv:hasApplicableLaw": "legal-eu:law-GDPR",
        "dpv:hasLegalBasis": "eu-gdpr:A6-1-a",
        "dpv:hasConsentControl": {
            "@type": "dpv:WithdrawConsent",
            "dpv:isExercisedAt": f"mailto:{org.privacy_email}",
            "dct:identifier": person.form_id,
            "dct:description": (
                f"email {org.privacy_email} or tell the student, giving form number"
                f" {person.form_id} (also in the QR code); or return the withdrawal form"
            ),
        },
        "dpv:hasRight": [
            {"@type": ["dpv:DataSubjectRight", term], "dct:title": title} for term, title in RIGHTS
        ],
        "dpv:hasProcess": [
            _process(config, recording, purpose, delete_by, Clause(clause), current, state)
            for clause in person.clauses
        ],
        "signed": state.signed,
        "dpv:hasConsentStatus": [
            _event(row, signer) for row in history if row["clause"] not in (None, SIGNATURE)
        ],
        # The signature (signed / unsigned / unclear) and anything about the whole form:
        # facts about the paper, not consent statuses.
        "form_events": [
            {
                "clause": row["clause"],
                "status": row["status"],
                "at": utc(row["at"]),
                "source": row["source"],
                "reason": row["reason"],
            }
            for row in history
            if row["clause"] in (None, SIGNATURE)
        ],
    }
    return record


def _controller(config: Config) -> dict[str, Any]:
    org = config.org
    return {
        "@type": ["dpv:DataController", "dpv:EducationalOrganisation"],
        "dpv:hasIdentifier": org.short_name,
        "dpv:hasName": org.name,
        "dct:description": f"{org.faculty} / {org.faculty_en}",
        "schema:contactPoint": {
            "@type": "schema:ContactPoint",
            "schema:contactType": "privacy questions",
            "schema:email": org.privacy_email,
        },
    }


def _process(
    config: Config,
    recording: Recording,
    purpose: Purpose,
    delete_by: dt.date,
    clause: Clause,
    current: Mapping[str, Status],
    state: ledger.FormState,
) -> dict[str, Any]:
    processing = list(CLAUSE_PROCESSING[clause])
    description = CLAUSE_TEXT[clause]
    if clause is Clause.LIVESTREAM:
        if recording.plan.livestream_stored:
            processing += ["dpv:Record", "dpv:Store"]
        description += ", also stored" if recording.plan.livestream_stored else ", not stored"
    durations: list[dict[str, str]] = [
        {"@type": "dpv:UntilTimeDuration", "rdf:value": delete_by.isoformat()}
    ]
    period = config.retention[purpose]
    # The period holds only when the date was not extended beyond it (procedure step 7).
    if rules.delete_by(recording.recorded_on, purpose, config.retention) == delete_by:
        durations.append({"@type": "dpv:TemporalDuration", "rdf:value": _iso_period(period)})
    status = current.get(str(clause), Status.REQUESTED)
    folded = state.clauses.get(str(clause))
    reason = state.reasons.get(str(clause))
    if folded is not None and folded is not status:  # only consent_status.status's expiry rule
        reason = f"open consent past the deletion date {recording.delete_by.isoformat()}"
    storage: list[dict[str, Any]] = [
        {
            "@type": "dpv:StorageLocation",
            "dpv:hasLocation": {
                "dct:title": config.org.platform,
                "schema:url": config.org.platform_url,
            },
        },
        {"@type": "dpv:StorageDuration", "dpv:hasDuration": durations},
        {
            "@type": "dpv:StorageDeletion",
            "dpv:hasDuration": {
                "@type": "dpv:UntilTimeDuration",
                "rdf:value": delete_by.isoformat(),
            },
        },
    ]
    if clause is Clause.LIVESTREAM and not recording.plan.livestream_stored:
        storage = [{"@type": "dpv:StorageCondition", "dct:description": "the stream is not stored"}]
    return {
        "@type": "dpv:Process",
        "clause": str(clause),
        "dct:description": description,
        "dpv:hasPurpose": {
            "@type": "dpv:Purpose",
            "dct:identifier": str(purpose),
            "dct:description": PURPOSE_TEXT[purpose],
        },
        "dpv:hasProcessing": processing,
        "dpv:hasPersonalData": MEDIA_DATA[recording.plan.media],
        "dpv:hasRecipient": {
            "@type": "dpv:Recipient",
            "dct:description": "only those who need access for the stated purpose; no publication",
        },
        "dpv:hasStorageCondition": storage,
        "dpv:hasConsentStatus": {
            "@type": DPV_STATUS[status],
            "status": str(status),
            "reason": reason,
        },
    }


def _event(row: Mapping[str, Any], signer: str) -> dict[str, Any]:
    status = Status(row["status"])
    source: str = row["source"]
    if source.startswith("scan:"):
        method = "paper declaration, read from the scan"
    elif source.startswith("manual:"):
        method = "recorded by hand"
    else:
        method = "issued by formgen"
    return {
        "@type": DPV_STATUS[status],
        "clause": row["clause"],
        "status": str(status),
        "dpv:isIndicatedAtTime": utc(row["at"]),
        "dpv:isIndicatedBy": signer if status in _BY_SIGNER else "dpv:DataController",
        "dpv:hasIndicationMethod": method,
        "source": source,
        "reason": row["reason"],
    }


def _iso_period(period: rules.Period) -> str:
    """ISO 8601 duration: P4W, P1Y, P7Y, P6M."""
    return f"P{period.amount}{period.unit[0].upper()}"
