"""The officer downloads the audit table from the due list; nobody else can."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..helpers.web import Live, sign_in


def test_the_officer_downloads_the_audit_table(page: Any, live: Live) -> None:
    student = live.account("student")
    live.account("supervisor")
    mine = live.fg.as_user(student)
    rec = mine.create_recording(
        title="Rekenles", supervisor="supervisor@example.org", situation=3,
        purpose="reflection", date=dt.date(2030, 12, 1),
    ).id  # fmt: skip
    mine.add_participant(rec, "=Ann")
    sign_in(page, live, "officer")
    page.goto("/due")
    link = page.get_by_role("link", name="Download the audit table (CSV)")
    assert link.get_attribute("href") == "/due/audit.csv"
    answer = page.request.get("/due/audit.csv")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    body = answer.body()
    assert body.startswith(b"\xef\xbb\xbf") and rec.encode() in body and b"'=Ann" in body
    page.context.clear_cookies()
    sign_in(page, live, "student")
    assert page.request.get("/due/audit.csv").status == 403
