"""schemathesis against a real ``formgen serve``: every operation of
``/api/v1/openapi.json``, with a bearer token of a student who owns a recording, answers
without a server error and as its document says (status codes, content types, headers,
bodies). Bounded: a few dozen examples per operation, a deadline per example."""

from __future__ import annotations

import datetime as dt
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from formgen import Formgen
from formgen.record import sealing
from formgen.web.app import create_app

from ..helpers import test_config
from ..helpers.web import PASSWORD, start_server, stop_server

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.ignored_auth,
]


@dataclass(frozen=True)
class Served:
    url: str
    token: str
    real: dict[str, str]  # path parameter -> an object the student has
    scratch: dict[str, str]  # operation path -> a recording of its own, to change


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, master_key_file: Path) -> Iterator[Served]:
    """A server on a fresh SQLite store with a student's recording: two participants,
    printed forms, one consent given, and a finished scan job. Module-wide, so it names
    the run's master key itself (the per-test fixture that sets it comes later)."""
    root: Path = tmp_path_factory.mktemp("schemathesis")
    store = f"sqlite:///{root / 'store.db'}"
    config = test_config(output_dir=root / "output", key_file=master_key_file)
    fg = Formgen.open(db=store, config=config)
    student = fg.add_user("student@example.org", name="Sam", role="student", password=PASSWORD)
    guide = fg.add_user("guide@example.org", name="Dr. Jansen", role="supervisor")
    me = fg.as_user(student)
    rec = me.create_recording(
        title="Rekenles",
        supervisor=guide.email,
        situation=3,
        purpose="assessment",
        date=dt.date(2030, 12, 1),
        livestream=True,
    )
    people = me.add_participants(rec.id, ["Ann", "Bob"])
    me.forms(rec.id, save=False)
    me.set_consent(people[0].form_id, "recording", "given", reason="told me in person")
    job = me.submit_scans([("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(64))])
    real = {
        "recording_id": rec.id,
        "form_id": people[0].form_id,
        "job_id": job.id,
        "item": f"{people[1].form_id}:recording",
        "name": "page.jpg",
    }
    # Participants pile up and destruction is final: those get recordings of their own,
    # so the declarations PDF stays two forms long and the rest stays alive.
    scratch = {
        path: me.create_recording(
            title="Kladje", supervisor=guide.email, situation=3, purpose="reflection",
            date=dt.date(2030, 12, 1),
        ).id
        for path in ("/participants", "/destruction")
    }  # fmt: skip
    proc, url = start_server(store, root, extra_env={"FORMGEN_KEY_FILE": str(master_key_file)})
    try:
        yield Served(url, fg.issue_token(student.email), real, scratch)
    finally:
        log = stop_server(proc)
        fg.close()
        assert "Traceback" not in log, log


def document() -> dict[str, Any]:
    """The OpenAPI document as the application makes it (on a store in memory), to
    parametrize the tests at collection; ``test_the_server_serves_this_document`` checks
    that the real server serves the same one."""
    with tempfile.TemporaryDirectory() as folder:  # collection runs before any fixture
        key = Path(folder) / "formgen.key"
        sealing.make_master(key)
        fg = Formgen.open(db="sqlite://", config=test_config(key_file=key))
        try:
            return dict(create_app(fg).openapi())
        finally:
            fg.close()


DOCUMENT = document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


def test_the_server_serves_this_document(served: Served) -> None:
    assert httpx.get(f"{served.url}/api/v1/openapi.json").json() == DOCUMENT


def with_real_objects(case: Any, served: Served) -> None:
    """About half the cases ask about objects that exist (chosen by the generated value,
    so a failure replays the same way); the rest keep what was generated (mostly 404)."""
    own = next((r for p, r in served.scratch.items() if case.path.endswith(p)), None)
    for name, value in (case.path_parameters or {}).items():
        if name in served.real and zlib.crc32(repr(value).encode()) % 2:
            case.path_parameters[name] = (
                own if own and name == "recording_id" else served.real[name]
            )


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=dt.timedelta(seconds=60),  # a guard against a hang, not a speed test
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_to_its_openapi_document(case: Any, served: Served) -> None:
    with_real_objects(case, served)
    case.call_and_validate(
        base_url=served.url,
        headers={"Authorization": f"Bearer {served.token}"},
        checks=CHECKS,
        timeout=60,
    )
