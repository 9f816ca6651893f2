"""The review queue, the due list and the users page, in a real browser against a real
``formgen serve``: review items come from real declarations, marked as signers would and
read back by the scan reader."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from playwright.sync_api import Page, expect

from formgen.aftercare.review import ReviewItem

from ..helpers import timetravel
from ..helpers.pages import images_loaded, recording, scan_declarations
from ..helpers.rendering import rasterise
from ..helpers.scans import Fill, degrade, fill_page, save_pdf
from ..helpers.web import PASSWORD, Live, sign_in

# --- review items made the real way ---------------------------------------------------


def scan_withdrawal(live: Live, form_id: str, fill: Fill, tmp_path: Path, seed: int = 9) -> None:
    """The person's withdrawal form, marked as ``fill`` says, scanned and imported."""
    fg = live.fg
    page = rasterise(fg.withdrawal_form(form_id, save=False).data, 300)[0]
    sheet = next(p for p in fg.layout(form_id)["pages"] if p.get("kind") == "withdrawal")
    rng = np.random.default_rng(seed)
    scanned = degrade(fill_page(page, sheet, fill, rng), "flatbed-200-gray", rng)
    fg.import_scans([save_pdf(tmp_path / f"withdrawal-{seed}.pdf", [scanned])], workers=1)


def clauses(live: Live, rec: str) -> dict[str | None, dict[str, str]]:
    return {
        p.name: {k: str(v) for k, v in p.clauses.items()} for p in live.fg.status(rec).participants
    }


def items(live: Live) -> list[ReviewItem]:
    return live.fg.review_items()


def heading(page: Page) -> Any:
    return page.locator("#rev-heading")


# --- the queue ------------------------------------------------------------------------


@pytest.mark.both_stores
def test_supervisor_resolves_the_queue_with_mouse_and_keys(
    page: Page, live: Live, tmp_path: Path
) -> None:
    rec = recording(live)
    people = scan_declarations(
        live,
        rec,
        [
            ("Ann de Wit", Fill({"recording": ["yes"]}, signed=False)),  # no signature
            ("Bob Smit", Fill({"recording": ["yes", "no"]})),  # both boxes
            ("Cas Bakker", Fill({"recording": ["yes"]})),  # clear: given
            ("Dex Visser", Fill({"recording": ["no"]}, signed=False)),
        ],
        tmp_path,
    )
    # Cas's withdrawal form comes back with both boxes marked: unclear, so review.
    scan_withdrawal(live, people[2].form_id, Fill({"recording": ["yes", "no"]}), tmp_path)
    waiting = {i.name: i for i in items(live)}
    assert set(waiting) == {"Ann de Wit", "Bob Smit", "Cas Bakker", "Dex Visser"}

    supervisor = sign_in(page, live, "supervisor")
    page.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review")
    expect(page.locator(".rev-count")).to_contain_text("Item 1 of 4 waiting")
    expect(heading(page)).to_contain_text("Ann de Wit")
    expect(page.locator(".rev-facts")).to_contain_text("not signed")
    expect(page.locator(".rev-facts")).to_contain_text("Rekenles groep 5")
    # The crops (both boxes, the signature) and the page, served from the store.
    expect(page.get_by_role("img", name="Yes box (as scanned)")).to_be_visible()
    expect(page.get_by_role("img", name="Signature (as scanned)")).to_be_visible()
    images_loaded(page)
    source = page.get_by_role("img", name=re.compile("whole scanned page")).get_attribute("src")
    assert source and not re.search(r"Ann|Wit", source)  # opaque IDs only
    shown = page.request.get(source)
    assert shown.status == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.body()[:3] == b"\xff\xd8\xff" and shown.headers["cache-control"] == "no-store"
    crop = page.get_by_role("img", name="Signature (as scanned)").get_attribute("src")
    assert crop and page.request.get(crop).body()[:4] == b"\x89PNG"
    # The ink beside the thresholds, in words.
    expect(page.locator(".rev-ink")).to_contain_text("Yes box")
    expect(page.locator(".rev-ink")).to_contain_text("above the marked threshold")
    expect(page.get_by_text("A box counts as blank below 3.5 % ink")).to_be_visible()

    # Ann's form has no signature in its field: the reviewer is told what "given" means.
    expect(page.locator(".rev-signature")).to_contain_text("found no signature")

    # Mouse: Ann, given.
    page.get_by_role("button", name="Given").click()
    expect(page.locator(".rev-saved")).to_contain_text("Saved: Given. 3 waiting.")
    expect(heading(page)).to_contain_text("Bob Smit")
    expect(heading(page)).to_be_focused()
    expect(page.locator(".rev-facts")).to_contain_text("both yes and no are marked")
    expect(page.locator(".rev-signature")).to_have_count(0)  # Bob signed

    # Keys: Bob refused (r), Cas's unclear withdrawal withdrawn (w), Dex no answer (n).
    page.keyboard.press("r")
    expect(heading(page)).to_contain_text("Cas Bakker")
    expect(page.locator(".rev-facts")).to_contain_text("withdrawal form unclear")
    decisions = page.locator("#review button.rev-decision")
    expect(decisions).to_have_count(2)
    expect(decisions.nth(0)).to_contain_text("Withdrawn")
    expect(decisions.nth(1)).to_contain_text("Keep given")
    page.keyboard.press("g")  # not a key of this item: nothing happens
    expect(heading(page)).to_contain_text("Cas Bakker")
    page.keyboard.press("w")
    expect(heading(page)).to_contain_text("Dex Visser")
    expect(page.locator(".rev-count")).to_contain_text("Item 1 of 1 waiting")
    page.keyboard.press("n")
    expect(heading(page)).to_have_text("Nothing to review")
    expect(page.locator(".rev-saved")).to_contain_text("Saved: No answer. 0 waiting.")

    assert clauses(live, rec) == {
        "Ann de Wit": {"recording": "given"},
        "Bob Smit": {"recording": "refused"},
        "Cas Bakker": {"recording": "withdrawn"},
        "Dex Visser": {"recording": "no_answer"},
    }
    last = live.fg.history(people[1].form_id)["events"][-1]
    assert last["source"] == f"manual:{supervisor.name}" and last["reason"] == "review resolved"
    assert items(live) == []


def test_shortcuts_can_be_turned_off_and_work_without_javascript(
    browser: Any, page: Page, live: Live, tmp_path: Path
) -> None:
    rec = recording(live)
    scan_declarations(
        live,
        rec,
        [
            ("Eva Mol", Fill({"recording": ["yes", "no"]})),
            ("Fem Kok", Fill({"recording": ["yes", "no"]})),
        ],
        tmp_path,
    )
    sign_in(page, live, "supervisor")
    page.goto("/review")
    expect(heading(page)).to_contain_text("Eva Mol")
    toggle = page.get_by_label("Single-key shortcuts")
    expect(toggle).to_be_checked()
    toggle.uncheck()
    page.reload()  # the choice is remembered in this browser
    expect(page.get_by_label("Single-key shortcuts")).not_to_be_checked()
    page.locator("body").press("r")
    expect(heading(page)).to_contain_text("Eva Mol")
    assert len(items(live)) == 2
    # The skip link goes to the next item, and back.
    page.get_by_role("link", name="Skip to the next item").click()
    expect(heading(page)).to_contain_text("Fem Kok")

    # Without JavaScript the buttons post the form and the page shows the next item.
    context = browser.new_context(base_url=live.url, locale="en-GB", java_script_enabled=False)
    try:
        plain = context.new_page()
        sign_in(plain, live, "supervisor")
        plain.goto("/review")
        expect(plain.locator("#rev-heading")).to_contain_text("Eva Mol")
        plain.get_by_role("button", name="Refused").click()
        expect(plain.locator(".rev-saved")).to_contain_text("Saved: Refused.")
        expect(plain.locator("#rev-heading")).to_contain_text("Fem Kok")
    finally:
        context.close()
    assert clauses(live, rec)["Eva Mol"] == {"recording": "refused"}


def test_a_blank_form_needs_the_name_typed(page: Page, live: Live, tmp_path: Path) -> None:
    rec = recording(live, situation=2)
    scan_declarations(live, rec, [(None, Fill({"recording": ["yes"]}))], tmp_path)
    [item] = items(live)
    assert item.name is None and "name written by hand" in (item.reason or "")
    sign_in(page, live, "supervisor")
    page.goto("/review")
    expect(heading(page)).to_contain_text("Name written by hand")
    expect(page.get_by_role("img", name="Name as written (as scanned)")).to_be_visible()
    field = page.get_by_label("Name as written on the form")
    # Required: a decision without it is not sent.
    page.get_by_role("button", name="Given").click()
    assert field.evaluate("f => f.validity.valueMissing")
    expect(heading(page)).to_contain_text("Name written by hand")
    # Typing letters that are shortcuts, and Enter, decide nothing.
    field.type("Greta van Rijn")
    field.press("Enter")
    expect(field).to_have_value("Greta van Rijn")
    assert len(items(live)) == 1
    # The library refuses a decision without the name, whatever the browser did.
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    bare = page.request.post(
        f"/review/{item.item}",
        form={"csrf": csrf or "", "decision": "given"},
        headers={"Accept-Language": "en"},
        max_redirects=0,
    )
    assert bare.status == 422 and "type the name as written" in bare.text()
    page.get_by_role("button", name="Given").click()
    expect(heading(page)).to_have_text("Nothing to review")
    assert clauses(live, rec) == {"Greta van Rijn": {"recording": "given"}}


def test_items_and_images_are_not_found_for_others(
    browser: Any, live: Live, tmp_path: Path
) -> None:
    rec = recording(live)
    scan_declarations(
        live, rec, [("Ann de Wit", Fill({"recording": ["yes"]}, signed=False))], tmp_path
    )
    [item] = items(live)
    detail = live.fg.review_item(item.item)
    images = [detail.page_image, *detail.crops.values()]
    # An item of another supervisor's recording, for the stranger's own queue.
    live.account("supervisor", "other@example.org")
    for role, email in [
        ("student", "student@example.org"),  # the recording's own student
        ("student", "someone@example.org"),
        ("supervisor", "other@example.org"),
    ]:
        context = browser.new_context(base_url=live.url, locale="en-GB")
        try:
            page = context.new_page()
            sign_in(page, live, role, email)
            assert page.goto(f"/review/{item.item}").status == 404  # type: ignore[union-attr]
            expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
            for name in images:
                got = page.request.get(f"/review/{item.item}/images/{name}")
                assert got.status == 404 and not got.body().startswith((b"\xff\xd8", b"\x89PNG"))
            page.goto("/review")
            expect(heading(page)).to_have_text("Nothing to review")
            csrf = page.locator("input[name=csrf]").first.get_attribute("value")
            sent = page.request.post(
                f"/review/{item.item}", form={"csrf": csrf or "", "decision": "given"}
            )
            assert sent.status == 404 and "Ann" not in sent.text()
        finally:
            context.close()
    assert [i.item for i in items(live)] == [item.item]  # nobody decided anything
    # The officer sees it; an image name that was not kept is not found either.
    officer = browser.new_context(base_url=live.url, locale="en-GB")
    try:
        page = officer.new_page()
        sign_in(page, live, "officer")
        assert page.goto(f"/review/{item.item}").status == 200  # type: ignore[union-attr]
        assert page.request.get(f"/review/{item.item}/images/secret.png").status == 404
        assert page.request.get("/review/XXXX-XXXX-X:recording").status == 404
    finally:
        officer.close()


def test_the_review_page_speaks_dutch(browser: Any, live: Live, tmp_path: Path) -> None:
    rec = recording(live)
    scan_declarations(live, rec, [("Ann de Wit", Fill({"recording": ["yes", "no"]}))], tmp_path)
    context = browser.new_context(base_url=live.url, locale="nl-NL")
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        sign_in(page, live, "supervisor", lang="nl")
        page.goto("/review")
        expect(page.get_by_role("heading", level=1)).to_have_text("Beoordelen")
        expect(page.locator(".rev-facts")).to_contain_text("zowel ja als nee")
        expect(page.get_by_role("button", name="Gegeven")).to_be_visible()
        expect(page.get_by_role("button", name="Geweigerd")).to_be_visible()
        expect(page.get_by_text("Een vakje telt als leeg onder 3,5 % inkt")).to_be_visible()
        page.get_by_role("button", name="Geen antwoord").click()
        expect(page.locator(".rev-saved")).to_contain_text("Opgeslagen: Geen antwoord.")
    finally:
        context.close()


# --- the due list -----------------------------------------------------------------------


def test_due_list(browser: Any, page: Page, live: Live) -> None:
    today = timetravel.today()
    overdue = recording(live, title="Oude les", purpose="reflection")
    timetravel.backdate_to(overdue, dt.date(2000, 3, 1), live.fg.engine)
    # Reflection keeps 4 weeks: recorded 23 days ago, it goes in 5 days.
    soon = recording(live, title="Les van vorige maand", purpose="reflection")
    timetravel.backdate_to(soon, today - dt.timedelta(23), live.fg.engine)
    far = recording(live, title="Eindniveau", purpose="final-level", date=today)
    elsewhere = recording(
        live,
        title="Les van een ander",
        purpose="reflection",
        student="other-student@example.org",
        supervisor="other@example.org",
    )
    timetravel.backdate_to(elsewhere, dt.date(2001, 1, 1), live.fg.engine)
    assert live.fg.recording(soon).delete_by == today + dt.timedelta(5)
    sign_in(page, live, "supervisor")
    page.get_by_role("link", name="Due for deletion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Due for deletion")
    rows = page.locator("table.due tbody tr")
    expect(rows).to_have_count(2)  # due within 30 days by default
    expect(rows.nth(0)).to_contain_text("Oude les")
    expect(rows.nth(0)).to_contain_text("Overdue")
    expect(rows.nth(0)).to_contain_text("29 March 2000")
    expect(rows.nth(1)).to_contain_text("Les van vorige maand")
    expect(rows.nth(1)).to_contain_text("in 5 days")
    expect(rows.nth(1)).not_to_contain_text("Overdue")
    expect(page.get_by_text("2 recordings, 1 of them overdue.")).to_be_visible()
    links = [a.get_attribute("href") for a in page.locator("table.due a").all()]
    assert links == [f"/recordings/{overdue}", f"/recordings/{soon}"]

    page.get_by_label("Show").select_option("0")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Oude les")
    assert page.url.endswith("/due?within=0")
    page.goto("/due?within=30")
    expect(rows).to_have_count(2)
    assert far not in page.content() and elsewhere not in page.content()
    assert page.goto("/due?within=99").status == 400  # type: ignore[union-attr]
    expect(page.get_by_role("alert")).to_have_text("Choose one of the periods in the list.")

    # The officer sees every supervisor's; a student may not see the list.
    for role, expected in [("officer", 3), ("student", None)]:
        context = browser.new_context(base_url=live.url, locale="en-GB")
        try:
            other = context.new_page()
            sign_in(other, live, role)
            answer = other.goto("/due")
            if expected is None:
                assert answer is not None and answer.status == 403
                expect(other.get_by_role("heading", level=1)).to_have_text("Not allowed")
            else:
                expect(other.locator("table.due tbody tr")).to_have_count(expected)
                expect(other.locator("table.due")).to_contain_text("Les van een ander")
        finally:
            context.close()


# --- users ------------------------------------------------------------------------------


def test_officer_adds_an_account_issues_a_token_and_disables(
    browser: Any, page: Page, live: Live
) -> None:
    officer = sign_in(page, live, "officer")
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")

    page.get_by_label("E-mail address").fill("new.supervisor@example.org")
    page.get_by_label("Name", exact=True).fill("Dr. N. Nieuw")
    page.get_by_label("Role").select_option("supervisor")
    page.get_by_label("Language").first.select_option("en")
    page.get_by_label("First password").fill(PASSWORD)
    page.get_by_role("button", name="Add the account").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Account added: new.supervisor@example.org"
    )
    row = page.locator("table.users tr", has_text="new.supervisor@example.org")
    expect(row).to_contain_text("supervisor")
    expect(row).to_contain_text("active")
    assert "new.supervisor" not in page.url

    # The same address twice: the library's refusal, and what was typed stays.
    page.get_by_label("E-mail address").fill("new.supervisor@example.org")
    page.get_by_label("Name", exact=True).fill("Again")
    page.get_by_label("First password").fill(PASSWORD)
    page.get_by_role("button", name="Add the account").click()
    expect(page.get_by_role("alert")).to_contain_text("already an account")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Again")

    # A token, shown once, that works against the API.
    row.get_by_role("button", name="New API token").click()
    token = page.locator("#api-token").inner_text().strip()
    assert token.startswith("fg_")
    with httpx.Client(base_url=live.url, timeout=30) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["email"] == "new.supervisor@example.org"
    page.goto("/users")
    expect(page.locator("#api-token")).to_have_count(0)

    # The new supervisor signs in; disabled, their session stops working.
    context = browser.new_context(base_url=live.url, locale="en-GB")
    try:
        theirs = context.new_page()
        theirs.goto("/sign-in")
        theirs.get_by_label("E-mail address").fill("new.supervisor@example.org")
        theirs.get_by_label("Password").fill(PASSWORD)
        theirs.get_by_role("button", name="Sign in").click()
        theirs.wait_for_url("**/recordings")
        theirs.goto("/review")
        expect(theirs.locator("#rev-heading")).to_have_text("Nothing to review")

        row = page.locator("table.users tr", has_text="new.supervisor@example.org")
        row.get_by_role("button", name="Disable").click()
        expect(page.get_by_role("status").first).to_contain_text("Account disabled")
        expect(row).to_contain_text("disabled")
        theirs.goto("/review")
        theirs.wait_for_url("**/sign-in")
        with httpx.Client(base_url=live.url, timeout=30) as client:
            gone = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert gone.status_code == 401

        # The officer cannot disable themselves: no button (the library refuses it too,
        # tests/test_officer.py).
        mine = page.locator("table.users tr", has_text=officer.email)
        expect(mine.get_by_role("button", name="Disable")).to_have_count(0)
        assert not next(u for u in live.fg.users() if u.email == officer.email).disabled

        # Enabled again, they can sign in again.
        row.get_by_role("button", name="Enable").click()
        expect(page.get_by_role("status").first).to_contain_text("Account enabled")
        theirs.goto("/sign-in")
        theirs.get_by_label("E-mail address").fill("new.supervisor@example.org")
        theirs.get_by_label("Password").fill(PASSWORD)
        theirs.get_by_role("button", name="Sign in").click()
        theirs.wait_for_url("**/recordings")
        # Others than the officer may not see the users.
        assert theirs.goto("/users").status == 403  # type: ignore[union-attr]
    finally:
        context.close()


@pytest.mark.parametrize("role", ["student", "supervisor"])
def test_users_page_is_the_officers(page: Page, live: Live, role: str) -> None:
    sign_in(page, live, role)
    assert page.goto("/users").status == 403  # type: ignore[union-attr]
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    sent = page.request.post(
        "/users",
        form={"csrf": csrf or "", "email": "x@example.org", "name": "X", "role": "officer",
              "password": PASSWORD},
    )  # fmt: skip
    assert sent.status == 403
    assert "x@example.org" not in {u.email for u in live.fg.users()}
