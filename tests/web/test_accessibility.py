"""WCAG 2.1 A/AA on every main page (axe-core in Debian's Chromium), and a keyboard walk:
from the sign-in page to a recording, Tab reaches every interactive element of the
recording page, in document order, each with a visible focus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from ..helpers.pages import a_recording_with_consent, images_loaded, violations
from ..helpers.web import PASSWORD, Live, sign_in


def test_every_main_page_meets_wcag_21_aa(
    browser: Any, page: Page, live: Live, tmp_path: Path
) -> None:
    rec = a_recording_with_consent(live, tmp_path)
    found: list[str] = []

    page.goto("/sign-in")
    found += violations(page)
    page.get_by_label("E-mail address").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found += violations(page)  # the refusal

    sign_in(page, live, "student")
    found += violations(page)  # my recordings
    page.goto("/recordings/new")
    found += violations(page)
    page.get_by_role("button", name="Create the recording").click()  # browser validation
    found += violations(page)
    page.goto(f"/recordings/{rec}")
    found += violations(page)
    page.goto(f"/recordings/{rec}/must-not-appear")
    found += violations(page)
    page.goto("/review")  # a student's: nothing to review
    found += violations(page)
    page.goto("/recordings/R-NOSUCH")  # the error page
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    found += violations(page)

    context = browser.new_context(base_url=live.url, locale="en-GB")
    try:
        supervisor = context.new_page()
        supervisor.set_default_timeout(30_000)
        sign_in(supervisor, live, "supervisor")
        found += violations(supervisor)  # the supervisor's recordings
        supervisor.goto("/review")
        expect(supervisor.locator("#rev-heading")).to_contain_text("Alex Çelik")
        images_loaded(supervisor)
        found += violations(supervisor)
        supervisor.get_by_role("button", name="No answer").click()
        expect(supervisor.locator("#rev-heading")).to_have_text("Nothing to review")
        found += violations(supervisor)  # after the swap
        supervisor.goto("/due")
        expect(supervisor.locator("table.due tbody tr")).to_have_count(1)
        found += violations(supervisor)
        supervisor.goto(f"/recordings/{rec}")
        found += violations(supervisor)  # the supervisor's view: request letter etc.
    finally:
        context.close()

    context = browser.new_context(base_url=live.url, locale="nl-NL")
    try:
        officer = context.new_page()
        officer.set_default_timeout(30_000)
        sign_in(officer, live, "officer", lang="nl")
        officer.goto("/users")
        found += violations(officer)  # in Dutch
        row = officer.locator("table.users tr", has_text="supervisor@example.org")
        row.get_by_role("button", name="Nieuw API-token").click()
        expect(officer.locator("#api-token")).to_be_visible()
        found += violations(officer)  # with the token shown
        officer.goto("/due")
        found += violations(officer)
    finally:
        context.close()

    assert not found, "\n".join(found)


# --- the keyboard -----------------------------------------------------------------------

# Every element a person can operate, in document order, as long as it is rendered
# (inside a closed <details> or display:none it is not).
TAG_INTERACTIVE = """() => {
  const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
  const all = Array.from(document.querySelectorAll(selector)).filter((el) =>
    !el.disabled && el.tabIndex >= 0 && el.type !== 'hidden' &&
    el.checkVisibility({visibilityProperty: true}));
  all.forEach((el, i) => { el.dataset.kw = String(i); });
  return all.map((el) => ({
    index: el.dataset.kw, tag: el.tagName.toLowerCase(), type: el.type || '',
    name: el.name || '', text: (el.innerText || el.value || el.id || '').trim().slice(0, 60),
  }));
}"""
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const rect = el.getBoundingClientRect();
  return {
    index: el.dataset.kw ?? null, tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.value || el.id || '').trim().slice(0, 60),
    visible: outline || shadow, onScreen: rect.width > 0 && rect.height > 0,
    style: `${style.outlineStyle} ${style.outlineWidth} ${style.boxShadow}`,
    matches: el.matches(':focus'),
  };
}"""


def tab_until(page: Page, predicate: Any, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def test_the_keyboard_reaches_everything_on_the_recording_page(
    page: Page, live: Live, tmp_path: Path
) -> None:
    rec = a_recording_with_consent(live, tmp_path)
    student = live.account("student")

    # Sign in with the keyboard only.
    page.goto("/sign-in")
    tab_until(page, "() => document.activeElement.id === 'email'")
    page.keyboard.type(student.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/recordings")
    # To the recording: Tab to its link, Enter.
    tab_until(page, f"() => document.activeElement.getAttribute('href') === '/recordings/{rec}'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/recordings/{rec}")
    expect(page.locator("#status")).to_contain_text("Alex Çelik")
    # The declarations are rendered ahead; when they are, htmx swaps their download link
    # for a new one: tag the page once it has settled (a slow machine swaps it later).
    page.locator("#declarations-ready[data-ready]").wait_for()

    wanted = page.evaluate(TAG_INTERACTIVE)
    assert len(wanted) > 20  # the page has its forms
    reached: list[dict[str, Any]] = []
    for _ in range(4 * len(wanted)):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (reached and focused["index"] == reached[0]["index"]):
            if reached:
                break  # past the last element (or round to the first again)
            continue
        reached.append(focused)
    order = [f["index"] for f in reached]
    assert None not in order, [f for f in reached if f["index"] is None]  # nothing unexpected
    positions = [int(i) for i in order]
    assert positions == sorted(positions), "focus does not follow the document order"
    # Radio buttons of one group share one tab stop; everything else gets its own.
    missed = [
        w
        for w in wanted
        if w["index"] not in order
        and not (
            w["type"] == "radio"
            and any(
                r["index"] in order
                for r in wanted
                if r["type"] == "radio" and r["name"] == w["name"]
            )
        )
    ]
    assert not missed, f"not reached with Tab: {missed}"
    invisible = [f for f in reached if not (f["visible"] and f["onScreen"])]
    assert not invisible, f"focus not visible on: {invisible}"
