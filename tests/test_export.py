"""Export: a recording's consent record as ISO/IEC TS 27560 records in W3C DPV terms,
checked against the JSON Schema kept in the repo (schema/consent-record.schema.json)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from formgen import config as config_module
from formgen.documents import export
from formgen.record.store import open_store

from .conftest import Run

SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "consent-record.schema.json"
GIVE = ("recording", "given", "--by", "Sam", "--reason", "paper form checked")

Js = Callable[..., Any]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(validator: Draft202012Validator, document: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


def events(record: dict[str, Any]) -> list[str]:
    return [e["@type"] for e in record["dpv:hasConsentStatus"]]


def now_status(record: dict[str, Any]) -> dict[str, Any]:
    (process,) = record["dpv:hasProcess"]
    return process["dpv:hasConsentStatus"]


@pytest.fixture
def history(js: Js, run: Run, rec: str) -> dict[str, Any]:
    """Ann gives and withdraws; Bo (under 16) is given by a parent; a blank form stays
    unanswered. Then the purpose changes: open consents are invalidated and Bo and the
    blank form get round-2 forms; Ann, who withdrew everything, gets none."""
    ann = js("participant", "add", rec, "--name", "Ann")
    bo = js("participant", "add", rec, "--name", "Bo", "--under-16")
    (blank,) = js("participant", "add", rec, "--blank")["participants"]
    for person in (ann, bo):
        run("consent", "set", person["form_id"], *GIVE)
    run("withdraw", ann["form_id"], "--by", "Sam", "--reason", "email of 3 March")
    change = js("recording", "change", rec, "--purpose", "assessment", "--by", "Dr. Jansen")
    issued = {i["participant_id"]: i["form_id"] for i in change["issued"]}
    return {"ann": ann, "bo": bo, "blank": blank, "bo2": issued[bo["id"]], "issued": issued}


def test_export_is_valid_and_tells_what_happened(
    js: Js, rec: str, history: dict[str, Any], validator: Draft202012Validator
) -> None:
    document = js("export", rec)
    assert problems(validator, document) == []
    forms = {r["dct:identifier"]: r for r in document["records"]}
    ann, bo, bo2 = (
        forms[history["ann"]["form_id"]],
        forms[history["bo"]["form_id"]],
        forms[history["bo2"]],
    )
    blank = forms[history["blank"]["form_id"]]
    assert len(forms) == 5  # Ann, Bo and the blank form in round 1; Bo and blank in round 2
    assert history["ann"]["id"] not in history["issued"]
    assert sum(len(r["dpv:hasConsentStatus"]) for r in forms.values()) == 3 + 3 + 1 + 2 + 1

    # Ann: asked, gave, withdrew; the person decides, the controller's side asks.
    assert events(ann) == ["dpv:ConsentRequested", "dpv:ConsentGiven", "dpv:ConsentWithdrawn"]
    asked, gave, withdrew = ann["dpv:hasConsentStatus"]
    assert (asked["dpv:isIndicatedBy"], asked["source"]) == ("dpv:DataController", "formgen")
    assert (gave["dpv:isIndicatedBy"], gave["source"]) == ("dpv:DataSubject", "manual:Sam")
    assert gave["reason"] == "paper form checked" and gave["clause"] == "recording"
    assert withdrew["dpv:isIndicatedBy"] == "dpv:DataSubject"
    assert now_status(ann) == {
        "@type": "dpv:ConsentWithdrawn",
        "status": "withdrawn",
        "reason": "email of 3 March",
    }
    assert ann["dpv:hasDataSubject"]["dpv:hasName"] == "Ann"
    assert "dpv:Child" not in ann["dpv:hasDataSubject"]["@type"]
    assert (ann["round"], ann["dct:replaces"], ann["dct:isReplacedBy"]) == (1, None, None)

    # Bo: a parent decided; the change invalidated it and issued a new form.
    assert "dpv:Child" in bo["dpv:hasDataSubject"]["@type"]
    assert bo["dpv:hasNotice"]["variant"] == "parent"
    assert bo["dpv:hasConsentStatus"][1]["dpv:isIndicatedBy"] == "dpv:ParentOfDataSubject"
    assert events(bo)[-1] == "dpv:ConsentInvalidated"
    assert "purpose changed from reflection to assessment" in now_status(bo)["reason"]
    assert (bo["dct:isReplacedBy"], bo2["dct:replaces"], bo2["round"]) == (
        history["bo2"],
        bo["dct:identifier"],
        2,
    )
    # Each form keeps what its paper said: purpose, deletion date, retention period.
    for record, purpose, until, period in (
        (bo, "reflection", "2030-12-29", "P4W"),
        (bo2, "assessment", "2031-12-01", "P1Y"),
    ):
        (process,) = record["dpv:hasProcess"]
        assert process["dpv:hasPurpose"]["dct:identifier"] == purpose
        assert process["dpv:hasProcessing"] == ["dpv:Record", "dpv:Store", "dpv:Share"]
        location, duration, deletion = process["dpv:hasStorageCondition"]
        assert location["dpv:hasLocation"]["dct:title"] == "MediaSite (mijnvideo)"
        assert [d["rdf:value"] for d in duration["dpv:hasDuration"]] == [until, period]
        assert deletion["dpv:hasDuration"]["rdf:value"] == until
    assert events(bo2) == ["dpv:ConsentRequested"]

    # No invented consent: only the two decisions by hand are ConsentGiven, and a clause
    # that was only ever requested is not given now.
    given = [
        (r["dct:identifier"], e["source"])
        for r in forms.values()
        for e in r["dpv:hasConsentStatus"]
        if e["@type"] == "dpv:ConsentGiven"
    ]
    assert given == [(ann["dct:identifier"], "manual:Sam"), (bo["dct:identifier"], "manual:Sam")]
    assert events(blank) == ["dpv:ConsentRequested", "dpv:ConsentInvalidated"]
    for record in forms.values():
        if "dpv:ConsentGiven" not in events(record):
            assert now_status(record)["@type"] != "dpv:ConsentGiven"
    assert "dpv:hasName" not in blank["dpv:hasDataSubject"]  # the name is on the paper

    # Controller, jurisdiction, withdrawal method: from the configuration and the form.
    controller = bo2["dpv:hasDataController"]
    assert controller["dpv:hasName"] == "Hogeschool van Amsterdam"
    assert controller["schema:contactPoint"]["schema:email"] == "gegevensbescherming-foo@hva.nl"
    assert bo2["dpv:hasJurisdiction"] == ["loc:NL", "loc:EU"]
    assert bo2["dpv:hasConsentControl"]["@type"] == "dpv:WithdrawConsent"
    assert bo2["dpv:hasConsentControl"]["dpv:isExercisedAt"].startswith("mailto:")
    assert history["bo2"] in bo2["dpv:hasConsentControl"]["dct:description"]
    assert bo2["dct:conformsTo"] == "https://w3id.org/dpv/schema/dpv-27560#record"

    # The recording and its own log.
    assert document["recording"]["purpose"] == "assessment"
    assert document["recording"]["destroyed"] is None
    assert [e["kind"] for e in document["recording_log"]] == ["changed"]
    assert document["recording_log"][0]["source"] == "manual:Dr. Jansen"


def test_export_out_writes_an_owner_only_file(js: Js, run: Run, rec: str, tmp_path: Path) -> None:
    person = js("participant", "add", rec, "--name", "Ann")
    run("consent", "set", person["form_id"], *GIVE)
    path = tmp_path / "export" / "record.json"
    printed = js("export", rec, "--out", str(path))
    assert json.loads(path.read_text(encoding="utf-8")) == printed
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    summary = run("export", rec).stdout
    assert person["form_id"] in summary and "recording=given" in summary
    assert not summary.lstrip().startswith("{")


def test_unknown_recording_is_refused(run: Run) -> None:
    result = run("export", "R-NOPE00", "--json", ok=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no recording" in result.stderr


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Overwrite one field, given as keys and list indexes separated by '/'."""

    def mutate(document: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = document
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is KeyError:
            del node[last]
        else:
            node[last] = value

    return mutate


EVENT = "records/0/dpv:hasConsentStatus/1"
BROKEN = {
    "unknown DPV status": _set(f"{EVENT}/@type", "dpv:ConsentMaybe"),
    "status and DPV term disagree": _set(
        "records/0/dpv:hasConsentStatus/0/@type", "dpv:ConsentGiven"
    ),
    "given by the controller": _set(f"{EVENT}/dpv:isIndicatedBy", "dpv:DataController"),
    "time not ISO 8601": _set(f"{EVENT}/dpv:isIndicatedAtTime", "yesterday"),
    "time without UTC": _set(f"{EVENT}/dpv:isIndicatedAtTime", "2030-12-01T10:00:00"),
    "source unknown": _set(f"{EVENT}/source", "gut feeling"),
    "no controller": _set("records/0/dpv:hasDataController", KeyError),
    "no withdrawal method": _set("records/0/dpv:hasConsentControl", KeyError),
    "invented key": _set("records/0/consent", True),
    "child without parental form": _set("records/0/dpv:hasDataSubject/under_16", True),
    "bad form ID": _set("records/0/dct:identifier", "not-a-form"),
    "current status invented": _set("records/0/dpv:hasProcess/0/dpv:hasConsentStatus/status", "ok"),
}


@pytest.mark.parametrize("mutate", BROKEN.values(), ids=BROKEN.keys())
def test_schema_rejects_a_broken_document(
    js: Js,
    run: Run,
    rec: str,
    validator: Draft202012Validator,
    mutate: Callable[[dict[str, Any]], None],
) -> None:
    person = js("participant", "add", rec, "--name", "Ann")
    run("consent", "set", person["form_id"], *GIVE)
    document = js("export", rec)
    assert problems(validator, document) == []
    broken = copy.deepcopy(document)
    mutate(broken)
    assert problems(validator, broken) != []


def test_past_the_deletion_date_and_after_destruction_consent_is_expired(
    js: Js, run: Run, rec: str, validator: Draft202012Validator
) -> None:
    person = js("participant", "add", rec, "--name", "Ann")
    run("consent", "set", person["form_id"], *GIVE)
    engine = open_store()
    later = export.consent_record(engine, config_module.load(), rec, today=dt.date(2030, 12, 30))
    engine.dispose()
    assert problems(validator, later) == []
    (record,) = later["records"]
    assert now_status(record)["@type"] == "dpv:ConsentExpired"
    assert "past the deletion date 2030-12-29" in now_status(record)["reason"]
    assert events(record) == ["dpv:ConsentRequested", "dpv:ConsentGiven"]  # derived, not stored

    run("destroy", rec, "--by", "Sam")
    document = js("export", rec)
    assert problems(validator, document) == []
    (record,) = document["records"]
    assert document["recording"]["destroyed"]["source"] == "manual:Sam"
    assert events(record)[-1] == "dpv:ConsentExpired"
    assert record["dpv:hasConsentStatus"][-1]["reason"] == "recording destroyed"
    assert now_status(record)["status"] == "expired"
    assert [e["kind"] for e in document["recording_log"]] == ["destroyed"]


# --- The export as linked data ------------------------------------------------------------

TERMS = Path(__file__).resolve().parent / "data" / "dpv-2.2-terms.txt"
DPV_FAMILY = (
    "https://w3id.org/dpv#",
    "https://w3id.org/dpv/pd#",
    "https://w3id.org/dpv/loc#",
    "https://w3id.org/dpv/legal/eu#",
    "https://w3id.org/dpv/legal/eu/gdpr#",
)


# rdflib's own JSON-LD parser still builds on its deprecated ConjunctiveGraph.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_the_export_is_one_graph_of_real_dpv_terms(
    js: Js, rec: str, history: dict[str, Any]
) -> None:
    """Read as JSON-LD by a tool nobody here wrote (rdflib), every record, event and the
    recording's log become triples, and every DPV-family term is defined in DPV 2.2
    (tests/data/dpv-2.2-terms.txt, made by tests/data/make_dpv_terms.py)."""
    from rdflib import RDF, Graph, Namespace, URIRef

    document = js("export", rec)
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    dpv = Namespace("https://w3id.org/dpv#")
    fg = Namespace(export.FORMGEN_NS)
    records = set(graph.subjects(RDF.type, dpv.ConsentRecord))
    assert len(records) == len(document["records"]) == 5
    # Each record's events are its dpv:hasConsentStatus nodes, as consent history lists.
    for record in records:
        form_id = str(graph.value(record, URIRef("http://purl.org/dc/terms/identifier")))
        shown = js("consent", "history", form_id)["events"]
        statuses = [e for e in shown if e["clause"] not in (None, "signature")]
        assert len(list(graph.objects(record, dpv.hasConsentStatus))) == len(statuses)
    # The status the current form shows is there too, per process.
    current = {p["form_id"]: p["clauses"] for p in js("status", rec)["participants"]}
    for form_id, clauses in current.items():
        (record,) = [
            r
            for r in records
            if str(graph.value(r, URIRef("http://purl.org/dc/terms/identifier"))) == form_id
        ]
        for process in graph.objects(record, dpv.hasProcess):
            clause = str(graph.value(process, fg.clause))
            status = graph.value(process, dpv.hasConsentStatus)
            assert str(graph.value(status, fg.status)) == clauses[clause]
    # formgen's own keys are kept in its namespace, not dropped.
    assert len(list(graph.objects(None, fg.records))) == 5
    log = list(graph.objects(None, fg.recording_log))
    assert len(log) == len(document["recording_log"]) >= 1
    # Every DPV-family term used is real.
    known = set(TERMS.read_text(encoding="utf-8").split())
    used = {
        str(term)
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(DPV_FAMILY)
    }
    assert used and used <= known, sorted(used - known)
    assert "https://w3id.org/dpv/legal/eu#law-GDPR" in used
    print(f"{len(graph)} triples for {len(records)} records")
