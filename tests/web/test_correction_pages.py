"""Correcting mistakes on the recording page, in a real browser (Debian's Chromium)
against a real ``formgen serve``, on SQLite and PostgreSQL: a pasted class list, a
misspelt name, a participant added by mistake, the recording's title and date, a step
confirmed too soon, a destroyed recording's read-only page, and an upload with one bad
file. Recordings are dated in the future, counted from today."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from formgen.record import ledger
from formgen.rules import Status

from ..helpers.web import Live, sign_in


def notice(page: Any) -> Any:
    return page.locator("main > p.notice[role=status]")


def names_in_status(page: Any) -> list[str]:
    return page.locator("#status table.consent").first.locator("tbody th .pname").all_inner_texts()


def make_recording(live: Live, days: int = 20, email: str | None = None) -> str:
    student = live.account("student", email)
    return (
        live.fg.as_user(student)
        .create_recording(
            title="Rekenles groep 5",
            situation=3,
            purpose="reflection",
            date=dt.date.today() + dt.timedelta(days=days),
        )
        .id
    )


def test_a_student_corrects_mistakes(page: Any, live: Live) -> None:
    rec = make_recording(live)
    fg = live.fg
    sign_in(page, live, "student")
    page.goto(f"/recordings/{rec}")

    # A class list from a spreadsheet: a header, row numbers, an under-16 column and a
    # birth date. A wrong line is named and what was typed stays.
    born = (dt.date.today() - dt.timedelta(days=365 * 10)).strftime("%d-%m-%Y")
    pasted = (
        "Nr\tNaam\tOnder 16\n1\tNoor Bakker\tnee\n2\tDaan 't Hooft\tja\n"
        f"3\tAlex Çelik\t{born}\n4\tSem de Wit\tmisschien\n"
    )
    page.get_by_label("Names, one per line").fill(pasted)
    page.get_by_role("button", name="Add everyone on the list").click()
    expect(page.locator("#participants .problem")).to_contain_text("line 5: 'misschien'")
    expect(page.get_by_label("Names, one per line")).to_have_value(pasted.rstrip("\n"))
    assert fg.status(rec).participants == []  # nothing added

    # Fixed, with a duplicate: the list asks once more.
    fixed = pasted.replace("misschien", "nee") + "5\tNoor Bakker\tnee\n"
    page.get_by_label("Names, one per line").fill(fixed)
    page.get_by_role("button", name="Add everyone on the list").click()
    expect(page.locator("#participants .problem")).to_contain_text(
        "These names occur more than once: Noor Bakker"
    )
    page.get_by_label("Add them all: these are different people").check()
    page.get_by_role("button", name="Add everyone on the list").click()
    expect(notice(page)).to_contain_text("Added")
    people = {p.name: p for p in reversed(fg.status(rec).participants)}  # the first Noor
    assert names_in_status(page) == [
        "Noor Bakker",
        "Daan 't Hooft",
        "Alex Çelik",
        "Sem de Wit",
        "Noor Bakker",
    ]
    assert [p.under_16 for p in fg.status(rec).participants] == [False, True, True, False, False]
    sem, extra_noor = fg.status(rec).participants[3], fg.status(rec).participants[4]

    # A misspelt name.
    corrections = page.locator("#corrections")
    corrections.get_by_text(f"Correct Sem de Wit {sem.form_id}").click()
    page.locator(f"#n-{sem.id}").fill("Sem de With")
    corrections.locator(f"form[action$='/{sem.id}/name']").get_by_role(
        "button", name="Save the name"
    ).click()
    expect(notice(page)).to_contain_text("The name is corrected")
    assert "Sem de With" in names_in_status(page)

    # The second Noor was a mistake after all: nothing came back, so she is gone.
    page.locator("#corrections summary", has_text=extra_noor.form_id).click()
    page.locator(f"form[action$='/{extra_noor.id}/removal']").get_by_role(
        "button", name=re.compile("Remove from this recording")
    ).click()
    expect(notice(page)).to_contain_text("The person is removed from this recording")
    assert names_in_status(page).count("Noor Bakker") == 1
    assert extra_noor.form_id not in {p.form_id for p in fg.status(rec).participants}

    # Daan's form came back refused; removing him needs a reason and keeps the history.
    daan = people["Daan 't Hooft"]
    fg.set_consent(daan.form_id, "recording", "refused", by="Sam", reason="paper")
    page.reload()
    page.locator("#corrections summary", has_text=daan.form_id).click()
    removal = page.locator(f"form[action$='/{daan.id}/removal']")
    removal.get_by_role("button", name=re.compile("Remove from this recording")).click()
    expect(page.locator("#corrections .problem")).to_contain_text("say why it is voided")
    page.locator(f"#x-{daan.id}").fill("not in this class")
    page.locator(f"form[action$='/{daan.id}/removal']").get_by_role(
        "button", name=re.compile("Remove from this recording")
    ).click()
    expect(notice(page)).to_contain_text("voided")
    events = fg.history(daan.form_id)["events"]
    assert [e["status"] for e in events] == ["requested", "refused", "invalidated"]
    expect(page.locator("#status")).to_contain_text("removed: form voided")

    # The title is corrected without new consent; another date needs the acknowledgement
    # and asks everyone again.
    noor = people["Noor Bakker"]
    fg.set_consent(noor.form_id, "recording", "given", by="Sam", reason="paper")
    page.reload()
    page.get_by_text("Correct the title, date or live stream").click()
    page.locator("#e-title").fill("Rekenles groep 6")
    page.get_by_role("button", name="Save the correction").click()
    expect(notice(page)).to_contain_text("The correction is saved.")
    expect(page.locator("h1")).to_contain_text("Rekenles groep 6")
    assert fg.status(rec).participants[0].clauses == {"recording": Status.GIVEN}

    later = dt.date.today() + dt.timedelta(days=27)
    page.get_by_text("Correct the title, date or live stream").click()
    page.locator("#e-date").fill(later.isoformat())
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator("#corrections .problem")).to_contain_text(
        "Confirm that you understand that all earlier consent ends"
    )
    assert fg.recording(rec).recorded_on != later  # nothing changed
    expect(page.locator("#e-date")).to_have_value(later.isoformat())  # kept as typed
    page.locator("#e-understood").check()
    page.get_by_role("button", name="Save the correction").click()
    expect(notice(page)).to_contain_text("Earlier consent no longer counts")
    assert fg.recording(rec).recorded_on == later
    noor_now = next(p for p in fg.status(rec).participants if p.id == noor.id)
    assert noor_now.round == 2 and noor_now.clauses == {"recording": Status.REQUESTED}
    expect(
        page.get_by_role("link", name="Download the new declarations (round 2, PDF)")
    ).to_be_visible()

    # A step confirmed too soon is taken back; the log keeps both.
    step = page.locator("[data-step=transport]")
    step.get_by_role("button", name=re.compile("Confirm: done")).click()
    expect(step.locator(".state")).to_have_text("done")
    page.reload()
    step.get_by_role("button", name=re.compile("Undo the confirmation")).click()
    expect(notice(page)).to_contain_text("The confirmation is taken back")
    expect(step.locator(".state")).to_have_text("to do")
    # Step 3 before the recording date: refused, with the reason.
    footage = page.locator("[data-step=footage_checked]")
    footage.get_by_role("button", name=re.compile("Confirm: done")).click()
    expect(page.locator("#checklist .problem")).to_contain_text("before the recording date")


def test_a_destroyed_recording_is_read_only(page: Any, live: Live) -> None:
    rec = make_recording(live, days=5)
    fg = live.fg
    (ann,) = fg.add_participants(rec, ["Ann Smit"])
    sign_in(page, live, "student")
    page.goto(f"/recordings/{rec}")
    # Before the recording date, destroying asks once more.
    early = page.get_by_label(re.compile(r"^Yes: destroy it before its recording date"))
    expect(early).to_be_visible()
    page.get_by_label(f"Type the recording's ID ({rec}) to confirm").fill(rec)
    early.check()
    page.get_by_role("button", name="Record that it is destroyed").click()
    expect(page.locator("main")).to_contain_text("This recording was destroyed on")
    assert fg.status(rec).destroyed is not None

    # Read-only: no downloads, no camera advice, no steps to do, nothing to correct.
    for gone in (
        "a[href$='declarations.pdf']",
        "a[href$='withdrawal.pdf']",
        ".advice",
        "#checklist",
        "#corrections",
        "#absent-h",
        "form",
    ):
        expect(page.locator(f"main {gone}")).to_have_count(0)
    expect(page.locator("#status")).to_contain_text("Ann Smit")  # the record stays
    answer = page.request.get(f"/recordings/{rec}/declarations.pdf")
    assert answer.status == 409 and b"%PDF" not in answer.body()
    answer = page.request.get(f"/recordings/{rec}/forms/{ann.form_id}/withdrawal.pdf")
    assert answer.status == 409


def test_destroying_before_the_date_is_refused_unless_confirmed(live: Live) -> None:
    """The second ask holds on the server too (a form posted without the browser)."""
    from ..helpers.web import post_sign_in

    rec = make_recording(live, days=5)
    live.account("student")
    with live.client() as client:
        post_sign_in(client, "student@example.org")
        page = client.get(f"/recordings/{rec}").text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token
        answer = client.post(
            f"/recordings/{rec}/destruction", data={"csrf": token.group(1), "confirm": rec}
        )
        assert answer.status_code == 422
        assert "De opnamedatum is nog niet bereikt" in answer.text  # Dutch: no browser language
        assert live.fg.status(rec).destroyed is None


@pytest.mark.worker  # its scans are read by the service's worker process
def test_an_upload_with_one_bad_file_lands_the_good_ones(
    page: Any, live: Live, tmp_path: Path
) -> None:
    rec = make_recording(live)
    live.fg.add_participants(rec, ["Ann Smit"])
    sign_in(page, live, "student")
    page.goto(f"/recordings/{rec}")
    good = tmp_path / "scan.pdf"
    good.write_bytes(
        page.request.get(f"/recordings/{rec}/declarations.pdf").body()
    )  # the unsigned declarations: a real PDF
    bad = tmp_path / "notes.txt"
    bad.write_text("not a scan")
    page.locator("#scan-files").set_input_files([str(good), str(bad)])
    page.get_by_role("button", name="Upload and read").click()
    expect(page.locator("#upload .problem")).to_contain_text(
        "Not read (the other files are): notes.txt is not a PDF or an image"
    )
    # The good file became a scan job of the student's.
    expect(page.locator("#upload")).to_contain_text("scan.pdf", timeout=180_000)


def test_corrections_in_dutch(browser: Any, live: Live) -> None:
    rec = make_recording(live, email="nl@example.org")
    context = browser.new_context(base_url=live.url, locale="nl-NL")
    page = context.new_page()
    try:
        sign_in(page, live, "student", "nl@example.org", lang="nl")
        page.goto(f"/recordings/{rec}")
        expect(page.locator("#corrections-h")).to_have_text("Een vergissing herstellen")
        page.locator("#p-names").fill("Ann;ja\nBob;misschien")
        page.locator("#participants form[action$='/participants/list'] button").click()
        expect(page.locator("#participants .problem")).to_have_text(
            "regel 2: 'misschien' is geen ja/nee en geen geboortedatum (dd-mm-jjjj)"
        )
        footage = page.locator("[data-step=footage_checked]")
        footage.locator("button").click()
        expect(page.locator("#checklist .problem")).to_contain_text("kan niet vóór de opnamedatum")
    finally:
        context.close()


def test_a_supervisor_takes_a_review_decision_back(page: Any, live: Live) -> None:
    supervisor = live.account("supervisor")
    rec = (
        live.fg.as_user(live.account("student"))
        .create_recording(
            title="Rekenles groep 5",
            situation=3,
            purpose="reflection",
            date=dt.date.today() + dt.timedelta(days=20),
            supervisor=supervisor.email,
        )
        .id
    )
    fg = live.fg
    (ann,) = fg.add_participants(rec, ["Ann Smit"])
    with fg.engine.begin() as conn:  # what the reader appends for a doubtful page
        ledger.append_events(
            conn,
            [(ann.form_id, "recording", Status.REVIEW)],
            source="scan:" + "0" * 64 + "#1",
            reason="both yes and no are marked",
        )
    item = f"{ann.form_id}:recording"
    fg.resolve(item, "given", by=supervisor.name)
    sign_in(page, live, "supervisor")
    page.goto(f"/recordings/{rec}")
    decisions = page.locator("ul[aria-labelledby=undo-review-h]")
    expect(decisions).to_contain_text("Ann Smit")
    expect(decisions).to_contain_text("consent given")
    decisions.get_by_role("button", name=re.compile("Undo the decision")).click()
    expect(notice(page)).to_contain_text("the answer is in the review queue again")
    expect(page.locator("ul[aria-labelledby=undo-review-h]")).to_have_count(0)
    assert [i.item for i in fg.review_items()] == [item]
    history = fg.history(ann.form_id)["events"]
    statuses = [e["status"] for e in history if e["clause"] == "recording"]
    assert statuses[-2:] == ["given", "review"]
    # The student sees no such button: deciding is the reviewer's.
    fg.resolve(item, "refused", by=supervisor.name)
    student_view = page.context.browser.new_context(base_url=live.url, locale="en-GB")
    try:
        other = student_view.new_page()
        sign_in(other, live, "student")
        other.goto(f"/recordings/{rec}")
        expect(other.locator("#status")).to_contain_text("refused")
        expect(other.locator("ul[aria-labelledby=undo-review-h]")).to_have_count(0)
    finally:
        student_view.close()
