"""Situations 1 and 2 in the browser: on the recording page the student records what the
institution confirmed (for the whole group or the people ticked: covered by the
institution's consent, not covered, extra declaration requested) with the contact's
name and the date, and the camera advice follows it. The request letter's 25 blank forms
show as one count for the institution, not as 25 placeholder people. Real server, real
Chromium, SQLite and PostgreSQL, English and Dutch."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from ..helpers.pages import check_axe
from ..helpers.timetravel import days_from_today
from .conftest import Live, sign_in


def school_recording(live: Live, student: Any) -> tuple[str, Any, Any]:
    """A recording at a school (situation 2) with two pupils known by name and the
    supervisor's request for 25 blank forms."""
    fg = live.fg
    rec = (
        fg.as_user(student)
        .create_recording(
            title="Rekenles groep 5",
            situation=2,
            institution="OBS De Regenboog",
            purpose="reflection",
            date=days_from_today(5),
        )
        .id
    )
    ada, bo = fg.add_participants(rec, ["Ada Smit", "Bo Yilmaz"])
    fg.request(rec, contact="Mw. De Wit", count=25, save=False)
    return rec, ada, bo


def shown_form(live: Live, rec: str, form_id: str) -> dict[str, str]:
    (person,) = [p for p in live.fg.status(rec).participants if p.form_id == form_id]
    return {k: str(v) for k, v in person.clauses.items()}


def test_a_student_records_what_the_school_confirmed(page: Any, live: Live) -> None:
    student = live.account("student")
    rec, ada, bo = school_recording(live, student)
    sign_in(page, live, "student")
    page.goto(f"/recordings/{rec}")

    status = page.locator("#status")
    expect(status.locator("p.blanks")).to_have_text(
        "25 blank forms for OBS De Regenboog have not come back (yet)."
    )
    expect(status.locator("table.consent tbody tr")).to_have_count(2)  # Ada and Bo only
    expect(status.locator("table.consent")).not_to_contain_text("name on the paper form")
    expect(status.locator(".advice-text")).to_have_text(
        "no one consented: set up so that only you are in frame"
    )
    section = page.locator("#institution")
    expect(section.get_by_role("heading", level=2)).to_have_text("What the institution confirmed")
    expect(page.locator("#institution-group")).to_have_text(
        "Nothing recorded yet for the whole group."
    )
    check_axe(page)

    # No answer chosen: refused beside the form, what was typed kept, nothing recorded.
    section.get_by_label("Who at the institution confirmed it").fill("Mw. Vos")
    section.get_by_role("button", name="Record the institution's answer").click()
    section = page.locator("#institution")
    expect(section.locator("p.problem[role=alert]")).to_have_text(
        "Choose what the institution confirmed."
    )
    expect(section.get_by_label("Who at the institution confirmed it")).to_have_value("Mw. Vos")
    assert live.fg.status(rec).institution.group is None

    # The whole group is covered by the school's consent: everyone may appear.
    section.get_by_label("covered by the institution's consent", exact=True).check()
    section.get_by_role("button", name="Record the institution's answer").click()
    expect(page.locator("main > p.notice[role=status]")).to_have_text(
        "Recorded: the camera set-up follows the institution's answer."
    )
    today = live.fg.today()
    expect(page.locator("#institution-group")).to_contain_text(
        "The whole group: covered by the institution's consent (confirmed by Mw. Vos on"
    )
    expect(page.locator("#advice-institution")).to_have_text(
        "The institution confirmed for the whole group: covered by the institution's consent."
    )
    expect(status.locator(".advice-text")).to_have_text(
        "everyone may appear: no restriction in frame, but no 360 degrees"
    )
    expect(status).to_contain_text("2 of 2 registered participants may appear.")
    expect(status).to_contain_text("360-degree recording: not allowed")

    # Bo is not covered: ticked on his own, the advice follows, the table agrees.
    section = page.locator("#institution")
    section.get_by_label("Only the people ticked below").check()
    section.get_by_label("Bo Yilmaz").check()
    section.get_by_label("not covered by the institution's consent").check()
    section.get_by_label("Who at the institution confirmed it").fill("Mw. Vos")
    section.get_by_role("button", name="Record the institution's answer").click()
    expect(page.locator("main > p.notice[role=status]")).to_be_visible()
    expect(status.locator(".advice-text")).to_have_text(
        "few consented: set up so that only you are in frame"
    )
    expect(status).to_contain_text("1 of 2 registered participants may appear.")
    row = page.locator("#status table.consent tbody tr", has_text="Bo Yilmaz")
    expect(row.locator("td").last).to_have_text("no")
    covered = page.locator("#status table.consent tbody tr", has_text="Ada Smit")
    expect(covered.locator("td").last).to_have_text("yes")  # through the group's answer
    expect(covered.locator(".tag.institution")).to_have_text("covered by the institution's consent")
    expect(row.locator(".tag.institution")).to_have_text("not covered by the institution's consent")
    assert shown_form(live, rec, ada.form_id) == {"recording": "requested"}
    people = page.locator("#institution ul.people").first
    expect(people).to_contain_text(
        f"Bo Yilmaz {bo.form_id}: not covered by the institution's consent (confirmed by Mw. Vos"
    )
    check_axe(page)
    shown = live.fg.status(rec)
    assert shown.institution.people[bo.id].source == f"institution:Mw. Vos, {today.isoformat()}"
    # No declaration changed: the school's consent is not a yes on paper.
    assert all(s == "requested" for p in shown.participants for s in p.clauses.values())
    # The contact's name is in no address the browser went to.
    assert "Vos" not in page.url
    # On a phone (360 px) the section, its ticks and its fields fit without scrolling sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    expect(page.locator("#institution form")).to_be_visible()
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 360, wide


def test_in_dutch(browser: Any, live: Live) -> None:
    student = live.account("student", "noor@example.org")
    live.fg.set_lang(student.id, "nl")
    rec, _, _ = school_recording(live, student)
    context = browser.new_context(base_url=live.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, live, "student", "noor@example.org", lang="nl")
        page.goto(f"/recordings/{rec}")
        expect(page.locator("#status p.blanks")).to_have_text(
            "25 blanco formulieren voor OBS De Regenboog zijn (nog) niet terug."
        )
        section = page.locator("#institution")
        expect(section.get_by_role("heading", level=2)).to_have_text("Wat de instelling bevestigde")
        section.get_by_label("valt onder de toestemming van de instelling", exact=True).check()
        section.get_by_label("Wie van de instelling het bevestigde").fill("Dhr. Bakker")
        section.get_by_role("button", name="Antwoord van de instelling vastleggen").click()
        expect(page.locator("main > p.notice[role=status]")).to_have_text(
            "Vastgelegd: de camera-opstelling volgt het antwoord van de instelling."
        )
        expect(page.locator("#institution-group")).to_contain_text(
            "De hele groep: valt onder de toestemming van de instelling (bevestigd door"
            " Dhr. Bakker op"
        )
        expect(page.locator("#status .advice-text")).to_have_text(
            "iedereen mag in beeld: geen beperking, maar geen 360 graden"
        )
        # A date still to come is refused in Dutch, beside the form.
        section = page.locator("#institution")
        section.get_by_label("extra verklaring aangevraagd").check()
        section.get_by_label("Wie van de instelling het bevestigde").fill("Dhr. Bakker")
        section.get_by_label("Datum van de bevestiging").evaluate(
            "(el, day) => { el.removeAttribute('max'); el.value = day; }",
            days_from_today(3).isoformat(),
        )
        section.get_by_role("button", name="Antwoord van de instelling vastleggen").click()
        expect(page.locator("#institution p.problem[role=alert]")).to_contain_text(
            "de datum van de bevestiging"
        )
        expect(page.locator("#institution p.problem[role=alert]")).to_contain_text("moet tussen")
        assert live.fg.status(rec).institution.group.confirmed == "covered"  # unchanged
        check_axe(page)
    finally:
        context.close()
