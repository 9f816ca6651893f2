"""The return link in a real Chromium against a real server (SQLite and PostgreSQL): an
anonymous browser opens the link decoded from the request letter's QR code, uploads a
scanned stack and learns only how many pages came in; the supervisor then sees the job
on the recording page and the forms it landed. An expired link, a replaced link, a
guessed one, garbage and a post without the form's token each get one plain page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import zxingcpp
from playwright.sync_api import Page, expect
from sqlalchemy import update

from formgen import Formgen
from formgen.record.schema import institution_requests

from ..helpers import test_config, write_toml
from ..helpers.pages import violations
from ..helpers.paper import signed_scan
from ..helpers.rendering import rasterise
from ..helpers.timetravel import days_from_today
from ..helpers.web import Live, free_port, sign_in, start_server, stop_server


@pytest.fixture
def served(store_url: str, tmp_path: Path) -> Iterator[Live]:
    """A server whose links point at itself (public_url in formgen.toml), with a worker."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    write_toml(tmp_path, f'public_url = "{url}"\n')
    fg = Formgen.open(
        db=store_url, config=test_config(output_dir=tmp_path / "output", public_url=url)
    )
    proc, _ = start_server(store_url, tmp_path, workers=1, port=port)
    try:
        yield Live(url, store_url, fg)
    finally:
        log = stop_server(proc)
        fg.close()
        assert "Traceback" not in log, log
        assert "/r/" not in log.replace("/r/{secret}", "")  # no link in the server's output


@pytest.fixture
def anonymous(browser: Any, served: Live) -> Iterator[Page]:
    context = browser.new_context(base_url=served.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def supervisor_page(browser: Any, served: Live) -> Iterator[Page]:
    context = browser.new_context(base_url=served.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def partner_request(live: Live, **kw: Any) -> tuple[str, Any, str]:
    """A situation-2 recording of the student, the supervisor's request for it, and the
    link as a phone reads it from the letter's QR code."""
    student = live.account("student", "sam@example.org", "Sam de Vries")
    supervisor = live.account("supervisor", "jansen@example.org", "Dr. A. Jansen")
    rec = (
        live.fg.as_user(student)
        .create_recording(
            title="Rekenles groep 5",
            supervisor=supervisor.email,
            situation=2,
            purpose="assessment",
            date=days_from_today(10),
            institution="OBS De Regenboog",
        )
        .id
    )
    values: dict[str, Any] = {"contact": "Mw. De Wit", "count": 2, "save": False, **kw}
    written = live.fg.as_user(supervisor).request(rec, **values)
    letter = rasterise(written.data, 200)[: -3 * len(written.forms)]  # three pages a form
    codes = [code for page in letter for code in zxingcpp.read_barcodes(page)]
    assert len(codes) == 1 and codes[0].text.startswith(f"{live.url}/r/")
    return rec, written, codes[0].text


@pytest.mark.worker  # its scans are read by the service's worker process
def test_the_institution_uploads_and_the_supervisor_sees_the_job(
    served: Live, anonymous: Page, supervisor_page: Page, tmp_path: Path
) -> None:
    rec, written, link = partner_request(served)
    stack = signed_scan(served.fg, written, tmp_path / "scan-0001.pdf")
    forms = [f["form_id"] for f in written.forms]
    anonymous.goto(link)
    expect(anonymous.get_by_role("heading", name="Return the signed forms")).to_be_visible()
    until = days_from_today(10) + dt.timedelta(days=14)
    expect(anonymous.get_by_text(f"{until.day} {until.strftime('%B')}")).to_be_visible()
    found = violations(anonymous)
    anonymous.locator("#scan-files").set_input_files(str(stack))
    anonymous.get_by_role("button", name="Send the signed forms").click()
    expect(anonymous.get_by_role("heading", name="Received")).to_be_visible()
    # Two forms, each with a blank backside: four pages; nothing else of the record.
    expect(anonymous.get_by_role("status")).to_have_text(
        "4 page(s) received in 1 file(s). The supervisor will check them."
    )
    found += violations(anonymous)
    received = anonymous.content()
    anonymous.goto(link)
    for shown in (received, anonymous.content()):
        for secret in ("Rekenles", "Sam de Vries", "De Wit", "Jansen", "Regenboog", *forms):
            assert secret not in shown, secret
    anonymous.goto("/r/" + "A" * 26)
    expect(anonymous.get_by_role("heading", name="This link does not work")).to_be_visible()
    found += violations(anonymous)
    assert not found, found

    sign_in(supervisor_page, served, "supervisor", "jansen@example.org")
    supervisor_page.goto(f"/recordings/{rec}")
    returns = supervisor_page.locator("#returns")
    expect(returns).to_contain_text("contact Mw. De Wit")
    expect(returns).to_contain_text("Return link: works until")
    assert not violations(supervisor_page)
    returns.get_by_role("link", name=re.compile("Returned through the link")).click()
    job = supervisor_page.locator("#job")
    expect(job).to_have_attribute("data-state", "done", timeout=120_000)
    for form_id in forms:
        expect(job.locator("code", has_text=form_id)).to_be_visible()
    # The blank forms' names are written by hand: both wait for the supervisor to type.
    expect(job).to_contain_text("2 page(s) to review")


def test_expired_replaced_guessed_and_garbage_get_plain_pages(
    served: Live, supervisor_page: Page, tmp_path: Path
) -> None:
    rec, _, link = partner_request(served)
    with httpx.Client(base_url=served.url, timeout=60, headers=ENGLISH) as client:
        refusals(served, supervisor_page, client, rec, link)


ENGLISH = {"Accept-Language": "en"}


def refusals(
    served: Live, supervisor_page: Page, client: httpx.Client, rec: str, link: str
) -> None:
    assert client.get(link).status_code == 200
    # Garbage with the form's own token: refused on the upload page, nothing stored.
    page = client.get(link)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    garbage = client.post(
        link,
        data={"csrf": token.group(1)},
        files=[("files", ("evil.html", b"<script>alert(1)</script>", "text/html"))],
    )
    assert garbage.status_code == 422 and "evil.html is not a PDF or an image" in garbage.text
    assert "<script>alert(1)" not in garbage.text
    empty = client.post(link, data={"csrf": token.group(1)})
    assert empty.status_code == 422 and "Choose at least one file" in empty.text
    # Without the token (another site's form): refused, nothing stored.
    forged = httpx.post(
        link, headers=ENGLISH, files=[("files", ("a.pdf", b"%PDF-1.4\n", "application/pdf"))]
    )
    assert forged.status_code == 403
    assert not served.fg.institution_requests(rec)[0].jobs
    # Guesses: one plain page, whatever the shape.
    for guess in ("A" * 26, "nope", "0" * 300, link.rsplit("/", 1)[1].lower()):
        answer = client.get(f"/r/{guess}")
        assert answer.status_code == 404, guess
        assert "This link does not work" in answer.text and "Traceback" not in answer.text
        assert client.post(f"/r/{guess}").status_code == 403  # no form token: refused first
    escape = client.get("/r/..%2F..%2Fetc%2Fpasswd")
    assert escape.status_code == 404 and "Traceback" not in escape.text
    # A new link, made on the recording page, ends the old one.
    sign_in(supervisor_page, served, "supervisor", "jansen@example.org")
    supervisor_page.goto(f"/recordings/{rec}")
    supervisor_page.get_by_role("button", name="Make a new return link").click()
    expect(supervisor_page.get_by_role("heading", name="New return link")).to_be_visible()
    assert not violations(supervisor_page)
    new = supervisor_page.locator("#return-url").inner_text().strip()
    assert new.startswith(f"{served.url}/r/") and new != link
    old = client.get(link)
    assert old.status_code == 404 and "This link does not work" in old.text
    assert client.get(new).status_code == 200
    # Past the return date plus 14 days: expired.
    with served.fg.engine.begin() as conn:
        conn.execute(
            update(institution_requests)
            .where(institution_requests.c.recording_id == rec)
            .values(return_by=days_from_today(-15))
        )
    expired = client.get(new)
    assert expired.status_code == 410 and "This link has expired" in expired.text
    assert "Rekenles" not in expired.text and "De Wit" not in expired.text
