"""Forms that never come back, closed in the browser: after the return date the student
marks a person's form "not returned: no consent" (or every open form at once), the
institution's unused blank forms are discarded, and the platform description works."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import update

from formgen.record.schema import forms

from ..helpers.pages import check_axe
from ..helpers.timetravel import backdate, days_from_today
from ..helpers.web import Live, sign_in


def handed_out_long_ago(live: Live, form_ids: list[str]) -> None:
    """Forms handed out a month ago, before the recording: their return date (the
    recording date) has passed. Only the record's clock is moved, nothing else."""
    month_ago = dt.datetime.now() - dt.timedelta(days=30)
    with live.fg.engine.begin() as conn:
        conn.execute(update(forms).where(forms.c.id.in_(form_ids)).values(created_at=month_ago))


def history(live: Live, form_id: str) -> list[dict[str, Any]]:
    return live.fg.history(form_id)["events"]


def test_a_student_closes_forms_that_never_came_back(page: Any, live: Live) -> None:
    student = live.account("student")
    fg = live.fg
    rec = (
        fg.as_user(student)
        .create_recording(
            title="Gymles groep 7",
            situation=2,
            institution="De Regenboog",
            purpose="reflection",
            date=days_from_today(2),  # made before, asked before: then the days pass
        )
        .id
    )
    ann, cem = fg.add_participants(rec, ["Ann Smit", "Cem Yilmaz"])
    fg.set_consent(cem.form_id, "recording", "given", by="S", reason="paper")
    letter = fg.request(rec, contact="Mw. Bakker", count=3, save=False)
    blanks = [f["form_id"] for f in letter.forms]
    backdate(rec, 3, live.fg.engine)  # the recording was yesterday
    handed_out_long_ago(live, [ann.form_id, cem.form_id, *blanks])

    sign_in(page, live, "student")
    page.goto(f"/recordings/{rec}")
    section = page.locator("#not-returned")
    expect(section.get_by_role("heading", name="Forms that did not come back")).to_be_visible()
    check_axe(page)
    expect(page.locator("#description")).to_contain_text("not settled")
    expect(section.locator("li")).to_have_count(4)  # Ann and the three blank forms
    expect(section).not_to_contain_text("Cem Yilmaz")  # his form came back

    section.get_by_role("button", name="Not returned: no consent (Ann Smit)").click()
    expect(page.locator("main > p.notice[role=status]")).to_have_text(
        "Recorded: the forms not returned count as no consent."
    )
    last = history(live, ann.form_id)[-1]
    assert (last["status"], last["source"]) == ("no_answer", f"not_returned:{student.name}")
    row = page.locator("#status table.consent tbody tr", has_text="Ann Smit")
    expect(row).to_contain_text("no answer: no consent")
    expect(page.locator("#not-returned li")).to_have_count(3)

    page.get_by_role("button", name="Mark all open forms as not returned: no consent").click()
    expect(page.locator("main > p.notice[role=status]")).to_be_visible()
    expect(page.locator("#not-returned")).to_have_count(0)  # nothing open any more
    table = page.locator("#status table.consent tbody tr")
    expect(table).to_have_count(2)  # the blank forms are no one: discarded
    expect(page.locator("#status table.consent")).not_to_contain_text("name on the paper form")
    for form_id in blanks:
        assert history(live, form_id)[-1]["status"] == "discarded"
    assert fg.status(rec).camera.present == 2
    expect(page.locator("#description-text")).to_contain_text(rec)
    assert not any(s == "given" for s in fg.status(rec).participants[0].clauses.values())


def test_in_dutch_a_form_not_due_yet_is_refused_in_dutch(browser: Any, live: Live) -> None:
    student = live.account("student", "noor@example.org")
    fg = live.fg
    fg.set_lang(student.id, "nl")
    rec = (
        fg.as_user(student)
        .create_recording(
            title="Voorleesles",
            situation=3,
            purpose="reflection",
            date=days_from_today(2),  # made before, asked before: then the days pass
        )
        .id
    )
    early, late = fg.add_participants(rec, ["Noor Bakker", "Daan 't Hooft"])
    backdate(rec, 3, live.fg.engine)  # the recording was yesterday
    handed_out_long_ago(live, [early.form_id])  # Daan's form was handed out today

    context = browser.new_context(base_url=live.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, live, "student", "noor@example.org", lang="nl")
        page.goto(f"/recordings/{rec}")
        section = page.locator("#not-returned")
        expect(section.get_by_role("heading")).to_have_text("Formulieren die niet terugkwamen")
        section.get_by_role("button", name="Niet terug: geen toestemming (Daan 't Hooft)").click()
        refusal = page.locator("#not-returned p.problem[role=alert]")
        expect(refusal).to_contain_text(f"formulier {late.form_id} moet vóór")
        expect(refusal).to_contain_text("markeer het pas daarna als niet terug")
        assert history(live, late.form_id)[-1]["status"] == "requested"  # nothing changed

        section = page.locator("#not-returned")
        section.get_by_role("button", name="Niet terug: geen toestemming (Noor Bakker)").click()
        expect(page.locator("main > p.notice[role=status]")).to_have_text(
            "Vastgelegd: de formulieren die niet terugkwamen tellen als geen toestemming."
        )
        row = page.locator("#status table.consent tbody tr", has_text="Noor Bakker")
        expect(row).to_contain_text("geen antwoord: geen toestemming")
    finally:
        context.close()
