"""The JSON API under /api/v1 against a real ``formgen serve`` (SQLite and PostgreSQL):
the whole consent procedure with bearer tokens, real signed scans through a background
job, and documents equal to the CLI's ``--json`` on the same store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from ..helpers.rendering import rasterise
from ..helpers.scans import Fill, blank_backside, degrade, fill_page, save_pdf
from ..helpers.web import Live

API = "/api/v1"
RECORDING = {
    "title": "Rekenles groep 5",
    "situation": 3,
    "purpose": "reflection",
    "date": "2030-12-01",
    "livestream": True,
}


Connect = Callable[..., httpx.Client]


@pytest.fixture
def connect(live: Live, documented: Callable[[httpx.Response], None]) -> Iterator[Connect]:
    """``connect(role, email=None)``: an API client with a new token of that account,
    whose every answer is checked against the OpenAPI document."""
    made: list[httpx.Client] = []

    def client(role: str, email: str | None = None) -> httpx.Client:
        made.append(live.client(live.token(role, email)))
        made[-1].event_hooks["response"] = [documented]
        return made[-1]

    yield client
    for opened in made:
        opened.close()


def cli(live: Live, cwd: Path, *args: str) -> Any:
    """``formgen ARGS --json`` in its own process on the server's store."""
    env = {**os.environ, "FORMGEN_DB": live.store}
    env.pop("FORMGEN_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-c", "from formgen.cli import main; main()", *args, "--json"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def new_recording(client: httpx.Client, supervisor: str, **values: Any) -> str:
    made = client.post(f"{API}/recordings", json={**RECORDING, "supervisor": supervisor, **values})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def add(client: httpx.Client, rec: str, name: str, **values: Any) -> dict[str, Any]:
    added = client.post(f"{API}/recordings/{rec}/participants", json={"name": name, **values})
    assert added.status_code == 201, added.text
    return dict(added.json())


def signed_stack(
    client: httpx.Client, rec: str, fills: dict[str, Fill], path: Path, seed: int = 5
) -> Path:
    """The declarations PDF from the API, page 3 of each form in ``fills`` (form ID ->
    marks) signed and marked as a person would, scanned on a flatbed with a blank
    backside after each: a scanner's PDF."""
    pdf = client.get(f"{API}/recordings/{rec}/declarations.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    order = [p["form_id"] for p in client.get(f"{API}/recordings/{rec}").json()["participants"]]
    wanted = [order.index(form_id) for form_id in fills]
    pages = rasterise(pdf.content, 300, [3 * i + 2 for i in wanted])
    rng = np.random.default_rng(seed)
    images = []
    for page, (form_id, fill) in zip(pages, fills.items(), strict=True):
        sheet = client.get(f"{API}/forms/{form_id}/layout").json()["pages"][2]
        scanned = fill_page(page, sheet, fill, rng)
        images += [degrade(scanned, "flatbed-200-gray", rng), blank_backside(rng)]
    return save_pdf(path, images)


def upload(client: httpx.Client, *files: Path) -> httpx.Response:
    return client.post(
        f"{API}/scans",
        files=[("files", (f.name, f.read_bytes(), "application/octet-stream")) for f in files],
    )


def finished(client: httpx.Client, url: str) -> dict[str, Any]:
    """Poll a job until its worker is done with it (bounded: a stuck job fails here)."""
    deadline = time.monotonic() + 600
    while True:
        job = client.get(url)
        assert job.status_code == 200, job.text
        if job.json()["state"] in ("done", "failed"):
            return dict(job.json())
        assert time.monotonic() < deadline, job.json()
        time.sleep(0.5)


@pytest.mark.worker  # its scans are read by the service's worker process
@pytest.mark.slow  # the whole procedure, with real scans read by the worker
def test_the_consent_procedure_through_the_api(
    live: Live, connect: Connect, tmp_path: Path
) -> None:
    student = live.account("student", name="Sam de Vries")
    supervisor = live.account("supervisor", name="Dr. A. Jansen")
    live.account("officer")
    api, guide, officer = connect("student"), connect("supervisor"), connect("officer")

    # A recording of the signed-in student, as `recording create --json` would print it.
    made = api.post(f"{API}/recordings", json={**RECORDING, "supervisor": supervisor.email})
    assert made.status_code == 201
    rec = made.json()["id"]
    assert made.headers["location"] == f"{API}/recordings/{rec}"
    by_cli = cli(
        live, tmp_path, "recording", "create", "--title", RECORDING["title"],
        "--student", student.name, "--supervisor", supervisor.name, "--situation", "3",
        "--purpose", "reflection", "--date", "2030-12-01", "--livestream",
    )  # fmt: skip
    assert {**made.json(), "id": None} == {**by_cli, "id": None}
    assert made.json()["student"] == student.name and made.json()["supervisor"] == supervisor.name

    ann = add(api, rec, "Ann")
    bob = add(api, rec, "Bob", lang="en")
    cas = add(api, rec, "Cas")
    dex = add(api, rec, "Dex", under_16=True)
    assert set(ann) == set(cli(live, tmp_path, "participant", "add", by_cli["id"], "--name", "Z"))
    assert (bob["lang"], dex["variant"], ann["variant"]) == ("en", "parent", "adult")

    # The forms come back signed (Cas ticked both boxes of one clause) as one scanned PDF,
    # through a job.
    fills = {
        ann["form_id"]: Fill({"recording": ["yes"], "livestream": ["yes"]}),
        bob["form_id"]: Fill({"recording": ["no"], "livestream": ["no"]}),
        cas["form_id"]: Fill({"recording": ["yes", "no"], "livestream": ["yes"]}),
    }
    assert api.get(f"{API}/forms/{ann['form_id']}/layout").status_code == 409  # not printed
    stack = signed_stack(api, rec, fills, tmp_path / "stack.pdf")
    layout = api.get(f"{API}/forms/{ann['form_id']}/layout").json()
    assert layout == cli(live, tmp_path, "layout", ann["form_id"])
    accepted = upload(api, stack)
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert job["state"] in ("queued", "running", "done")
    assert accepted.headers["location"] == f"{API}/jobs/{job['id']}"
    done = finished(api, accepted.headers["location"])
    assert done["state"] == "done" and done["done_pages"] == done["total_pages"] == 6
    assert [(p["source"], p["page"]) for p in done["pages"]] == [
        ("stack.pdf", n) for n in range(1, 7)
    ]
    landed = {p["form_id"]: p["status"] for p in done["pages"] if p["form_id"]}
    assert landed == {ann["form_id"]: "ok", bob["form_id"]: "ok", cas["form_id"]: "review"}, done

    # The status document is the CLI's, and shows what was marked.
    status = api.get(f"{API}/recordings/{rec}").json()
    assert status == cli(live, tmp_path, "status", rec)
    clauses = {p["form_id"]: p["clauses"] for p in status["participants"]}
    assert clauses[ann["form_id"]] == {"recording": "given", "livestream": "given"}
    assert clauses[bob["form_id"]] == {"recording": "refused", "livestream": "refused"}
    assert clauses[cas["form_id"]] == {"recording": "review", "livestream": "given"}
    assert set(clauses[dex["form_id"]].values()) == {"requested"}
    assert status["camera"]["consented"] == 1

    # The supervisor decides what the reader was unsure of; the student may not.
    assert api.get(f"{API}/reviews").json() == {"items": []}
    items = guide.get(f"{API}/reviews").json()["items"]
    assert [(i["item"], i["recording_id"], i["name"]) for i in items] == [
        (f"{cas['form_id']}:recording", rec, "Cas")
    ]
    detail = guide.get(f"{API}/reviews/{items[0]['item']}").json()
    assert detail["item"] == items[0]["item"] and detail["page_image"] == "page.jpg"
    image = guide.get(f"{API}/reviews/{items[0]['item']}/images/page.jpg")
    assert image.headers["content-type"] == "image/jpeg" and image.content[:3] == b"\xff\xd8\xff"
    refused = api.post(f"{API}/reviews/{items[0]['item']}", json={"decision": "given"})
    assert refused.status_code == 403
    for item in items:
        decided = guide.post(f"{API}/reviews/{item['item']}", json={"decision": "given"})
        assert decided.json() == {"item": item["item"], "status": "given"}
    again = guide.post(f"{API}/reviews/{items[0]['item']}", json={"decision": "refused"})
    assert again.status_code == 409
    status = api.get(f"{API}/recordings/{rec}").json()
    assert status["camera"]["consented"] == 2
    assert cas["form_id"] not in {p["form_id"] for p in status["must_not_appear"]}
    history = api.get(f"{API}/forms/{cas['form_id']}/history").json()
    assert history["events"][-1]["source"] == f"manual:{supervisor.name}"

    # Ann withdraws; she must not appear any more.
    withdrawn = api.post(
        f"{API}/forms/{ann['form_id']}/withdrawal", json={"reason": "e-mail of 3 March"}
    )
    assert withdrawn.json() == {"form_id": ann["form_id"], "withdrawn": ["recording", "livestream"]}
    status = api.get(f"{API}/recordings/{rec}").json()
    assert ann["form_id"] in {p["form_id"] for p in status["must_not_appear"]}
    assert api.post(f"{API}/forms/{ann['form_id']}/withdrawal").status_code == 409

    # What is due, and the list of recordings, as the CLI sees them (the officer sees all).
    due = officer.get(f"{API}/due", params={"on": "2031-01-01"}).json()
    assert due == cli(live, tmp_path, "due", "--on", "2031-01-01")
    assert rec in {r["id"] for r in due["recordings"] if r["overdue"]}
    assert api.get(f"{API}/due").status_code == 403
    listed = officer.get(f"{API}/recordings").json()
    assert listed == cli(live, tmp_path, "recording", "list")
    assert [r["id"] for r in api.get(f"{API}/recordings").json()["recordings"]] == [rec]

    # The officer exports; the student destroys the recording when it is due.
    exported = officer.get(f"{API}/recordings/{rec}/export").json()
    by_cli = cli(live, tmp_path, "export", rec)
    assert {**exported, "exported_at": None} == {**by_cli, "exported_at": None}
    assert {r["dct:identifier"] for r in exported["records"]} == set(clauses)
    assert api.get(f"{API}/recordings/{rec}/export").status_code == 403
    destroyed = api.post(f"{API}/recordings/{rec}/destruction")
    assert destroyed.status_code == 200
    assert destroyed.json()["id"] == rec and destroyed.json()["by"] == student.name
    assert destroyed.json()["scan_images_removed"] == 0  # kept as proof for now
    assert api.post(f"{API}/recordings/{rec}/destruction").status_code == 409
    assert api.get(f"{API}/recordings/{rec}").json()["destroyed"]["by"] == student.name
    assert api.get(f"{API}/reviews").json() == {"items": []}


def test_blank_forms_and_what_the_body_may_hold(live: Live, connect: Connect) -> None:
    supervisor = live.account("supervisor")
    api = connect("student")
    rec = new_recording(api, supervisor.email, situation="2", institution="OBS De Linde")
    blank = api.post(f"{API}/recordings/{rec}/participants", json={"blank": True, "count": 3})
    assert blank.status_code == 201
    assert [p["name"] for p in blank.json()["participants"]] == [None] * 3
    with_name = api.post(
        f"{API}/recordings/{rec}/participants", json={"blank": True, "name": "Ann"}
    )
    assert with_name.status_code == 422
    assert "either name or blank" in with_name.json()["detail"]
    for body in (
        {**RECORDING, "supervisor": supervisor.email, "view360": True},  # the CLI's name is 360
        {**RECORDING, "supervisor": supervisor.email, "situation": 4},
        {**RECORDING, "supervisor": supervisor.email, "date": "1 December 2030"},
        {**RECORDING, "supervisor": "Dr. Jansen"},
    ):
        refused = api.post(f"{API}/recordings", json=body)
        assert refused.status_code == 422, body
        assert refused.headers["content-type"] == "application/problem+json"
    with_360 = api.post(
        f"{API}/recordings", json={**RECORDING, "supervisor": supervisor.email, "360": True}
    )
    assert with_360.json()["360"] is True and "360" in with_360.json()["clauses"]
    # The record's own refusals are problems too, in words for a person.
    no_supervisor = api.post(f"{API}/recordings", json={**RECORDING, "supervisor": "x@example.org"})
    assert no_supervisor.status_code == 422
    assert "not the e-mail address of a supervisor" in no_supervisor.json()["detail"]
    too_early = api.post(
        f"{API}/recordings",
        json={**RECORDING, "supervisor": supervisor.email, "date": "1999-01-01"},
    )
    assert too_early.status_code == 422 and "between 2000-01-01" in too_early.json()["detail"]
    officer = connect("officer")
    assert (
        officer.post(
            f"{API}/recordings", json={**RECORDING, "supervisor": supervisor.email}
        ).status_code
        == 403
    )


def test_programs_need_a_working_token(live: Live, connect: Connect) -> None:
    live.account("student")
    for headers in ({}, {"Authorization": "Bearer fg_not-a-token"}, {"Authorization": "Basic x"}):
        with live.client(headers=headers) as anonymous:
            refused = anonymous.get(f"{API}/recordings")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["status"] == 401
    api = connect("student")
    assert api.get(f"{API}/me").json()["email"] == "student@example.org"
    live.fg.disable_user("student@example.org")
    assert api.get(f"{API}/me").status_code == 401


def test_the_openapi_document_describes_the_api(live: Live) -> None:
    with live.client() as anonymous:
        doc = anonymous.get(f"{API}/openapi.json").json()
    paths = doc["paths"]
    spec = {
        ("post", "/recordings"): "201",
        ("get", "/recordings"): "200",
        ("get", "/recordings/{recording_id}"): "200",
        ("post", "/recordings/{recording_id}/participants"): "201",
        ("get", "/recordings/{recording_id}/declarations.pdf"): "200",
        ("get", "/forms/{form_id}/layout"): "200",
        ("post", "/scans"): "202",
        ("get", "/jobs/{job_id}"): "200",
        ("get", "/reviews"): "200",
        ("post", "/reviews/{item}"): "200",
        ("post", "/forms/{form_id}/withdrawal"): "200",
        ("get", "/due"): "200",
        ("post", "/recordings/{recording_id}/destruction"): "200",
        ("get", "/recordings/{recording_id}/export"): "200",
    }
    for (method, path), success in spec.items():
        operation = paths[API + path][method]
        assert success in operation["responses"], (method, path)
        assert operation["security"] == [{"bearer": []}]
        for code, response in operation["responses"].items():
            if code >= "400":
                assert list(response["content"]) == ["application/problem+json"], (path, code)
            else:
                assert response["content"], (path, code)
        assert "401" in operation["responses"]
    assert all(path.startswith(API + "/") for path in paths)  # the pages are not the API
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    pdf = paths[f"{API}/recordings/{{recording_id}}/declarations.pdf"]["get"]["responses"]["200"]
    assert list(pdf["content"]) == ["application/pdf"]
    upload = paths[f"{API}/scans"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    body = doc["components"]["schemas"]["RecordingIn"]["properties"]
    assert set(body) == {
        "title", "supervisor", "situation", "purpose", "date", "institution", "media",
        "livestream", "livestream_stored", "360", "lang",
    }  # fmt: skip
    assert set(doc["components"]["schemas"]["ParticipantIn"]["properties"]) >= {
        "name", "under_16", "lang",
    }  # fmt: skip


def test_a_worker_starting_leaves_running_imports_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker sweeps the job folders crashed workers left behind when it starts;
    a folder whose worker still runs holds an import in progress and stays."""
    from formgen.record import jobs

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    running = Path(tempfile.mkdtemp(prefix=f"{jobs.TEMP_PREFIX}{os.getpid()}-"))
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                           capture_output=True, text=True)  # fmt: skip
    crashed = tmp_path / f"{jobs.TEMP_PREFIX}{ended.stdout.strip()}-x1"
    older = tmp_path / f"{jobs.TEMP_PREFIX}k2j4h6"  # named before folders named their worker
    for folder in (crashed, older):
        folder.mkdir()
    jobs.sweep_temp()
    assert running.is_dir() and not crashed.exists() and not older.exists()
