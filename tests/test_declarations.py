"""Issue 11: what a privacy officer checks on the generated documents beyond the
phrases every form carries (test_render.py): who gets the signed page back, the data
protection officer from the configuration, what a re-consent form says changed, the
parental version's boxes and lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formgen import rules
from formgen.documents import render
from formgen.record.formid import Instance
from formgen.rules import Media, Plan, Purpose, Situation

from .conftest import RECORDING, Run
from .helpers import write_toml
from .helpers.rendering import CONFIG, rasterise, recording, spec, text_of
from .helpers.timetravel import backdate, days_from_today

Js = Callable[..., Any]


BACK = {
    "nl": "Geef dit blad vóór 1 december 2026 terug aan ",
    "en": "Hand in this page before 1 December 2026 to ",
}


@pytest.mark.parametrize(
    ("lang", "situation", "back"),
    [
        ("nl", Situation.OUTSIDE, BACK["nl"] + "Sam de Vries, de student."),
        ("en", Situation.OUTSIDE, BACK["en"] + "Sam de Vries, the student."),
        ("nl", Situation.INTERNSHIP, BACK["nl"] + "de contactpersoon van Basisschool De"),
        ("en", Situation.PARTNER, BACK["en"] + "the contact person at Basisschool De Regenboog."),
    ],
)
def test_the_signed_page_says_where_it_goes_and_by_when(
    lang: str, situation: Situation, back: str
) -> None:
    plan = Plan(Purpose.REFLECTION)
    rec = recording(plan, situation=situation)
    forms = [
        replace(
            spec(plan, lang, variant, rec=rec),
            context=render.recording_context(rec, CONFIG, lang, today=dt.date(2026, 11, 1)),
        )
        for variant in ("adult", "parent")
    ]
    pages = text_of(render.render(forms, Instance.create(), CONFIG).pdf)
    for *kept, second in (pages[0:3], pages[3:6]):
        assert back in second and back not in " ".join(kept)


def test_a_recording_already_made_gives_two_weeks() -> None:
    plan = Plan(Purpose.ASSESSMENT)
    rec = recording(plan, situation=Situation.OUTSIDE)  # made on 1 December 2026
    context = render.recording_context(rec, CONFIG, "nl", today=dt.date(2026, 12, 3))
    form = replace(spec(plan, "nl", "adult", rec=rec), context=context)
    first, _, second = text_of(render.render([form], Instance.create(), CONFIG).pdf)
    assert "Geef dit blad vóór 17 december 2026 terug" in second
    assert "Op 1 december 2026 heeft Sam de Vries een opname gemaakt van" in first


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_data_protection_officer_from_the_configuration(lang: str) -> None:
    config = replace(CONFIG, org=replace(CONFIG.org, dpo_contact="fg@hva.nl"))
    forms = [spec(Plan(Purpose.REFLECTION), lang, v) for v in ("adult", "parent")]
    text = " ".join(text_of(render.render(forms, Instance.create(), config).pdf))
    said = {
        "nl": "De functionaris gegevensbescherming (FG) van de HvA bereikt u via fg@hva.nl.",
        "en": "The data protection officer (DPO) of the HvA can be reached at fg@hva.nl.",
    }
    assert text.count(said[lang]) == 2


def test_no_declaration_is_printed_without_a_way_to_reach_the_dpo(
    run: Run, js: Callable[..., Any], db_url: str
) -> None:
    """Art. 13(1)(b): while formgen.toml names no DPO contact, printing declarations and
    request letters is refused with one line saying what to set; nothing is written.
    The sample prints with an example contact, so a newcomer sees a whole form."""
    Path("formgen.toml").write_text('[organisation]\nshort_name = "HvA"\n')
    rec = js(*RECORDING)["id"]
    js("participant", "add", rec, "--name", "Ann")
    refused = run("forms", rec, ok=False)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "formgen: declarations must say how to reach the data protection officer: set"
        ' dpo_contact in [organisation] of formgen.toml (e.g. dpo_contact = "fg@university.nl")\n'
    )
    assert not list(Path(".").rglob("*.pdf"))
    sample = js("sample")
    text = " ".join(text_of(Path(sample["pdf"]).read_bytes()))
    assert "fg@example.org" in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_parental_version_has_boxes_and_lines(lang: str) -> None:
    """Two boxes "parent / guardian" (read as a field, not as a consent), a line for
    the child's own agreement, and no write-in for the relationship."""
    form = spec(Plan(Purpose.REFLECTION, media=Media.AUDIO), lang, "parent", name="Daan")
    rendered = render.render([form], Instance.create(), CONFIG)
    sheet = rendered.layouts[form.form_id]["pages"][2]
    fields = {f["field"]: f["rect_mm"] for f in sheet["fields"]}
    assert set(fields) == {"name", "signer", "relation", "child", "date"}
    # The consent boxes, and the child's own box (one box: "does not want to appear").
    assert {(b["clause"], b["answer"]) for b in sheet["boxes"]} == {
        ("recording", "yes"),
        ("recording", "no"),
        ("child_refuses", "yes"),
    }
    # The relation field holds two drawn squares: horizontal edges 5 mm long (no letter
    # has one), starting at two places.
    page = rasterise(rendered.pdf, 200, pages=[2])[0]
    px = 200 / 25.4
    x, y, w, h = fields["relation"]
    strip = page[int(y * px) : int((y + h) * px), int(x * px) : int((x + w) * px)] < 128
    starts = set()
    for row in strip:
        padded = np.concatenate(([0], row.astype(int), [0]))
        edges = np.flatnonzero(np.diff(padded))
        for begin, end in zip(edges[::2], edges[1::2], strict=True):
            if end - begin >= 4.5 * px:
                starts.add(int(begin // 4))
    assert len({s // 2 for s in starts}) == 2, starts
    text = " ".join(text_of(rendered.pdf))
    assert {"nl": "niet te horen is op de opname", "en": "cannot be heard"}[lang] in text
    assert {"nl": "(schrijf op wat klopt)", "en": "(write which)"}[lang] not in text


def future_recording(js: Js, *extra: str) -> str:
    args = list(RECORDING)
    args[args.index("--date") + 1] = days_from_today(1).isoformat()
    args[args.index("--purpose") + 1] = "assessment"
    return str(js(*args, *extra)["id"])


def consented(run: Run, form_id: str) -> None:
    run("consent", "set", form_id, "recording", "given", "--by", "S", "--reason", "paper")


def test_a_new_purpose_form_says_what_changed(js: Js, run: Run) -> None:
    rec = future_recording(js)
    ann = js("participant", "add", rec, "--name", "Ann")
    dex = js("participant", "add", rec, "--name", "Dex", "--under-16", "--lang", "en")
    consented(run, ann["form_id"])
    consented(run, dex["form_id"])
    backdate(rec, 11)  # made ten days ago, with their consent
    changed = js("recording", "change", rec, "--purpose", "final-level", "--by", "Dr. Jansen")
    pages = text_of(Path(changed["pdf"]).read_bytes())
    nl, en = pages[0] + " " + pages[1], pages[3] + " " + pages[4]
    assert (
        "Nieuw formulier: we willen de opname gebruiken voor bewijs dat de student het"
        " eindniveau van de opleiding heeft gehaald. U gaf toestemming voor bewijs bij een"
        " beoordeling van de student. Nu het doel verandert, geldt uw eerdere toestemming"
        " niet meer."
    ) in nl
    # what yes, no and no answer mean
    assert "Zegt u nee, of antwoordt u niet? Dan haalt de student u uit de opname" in nl
    assert "heeft Sam de Vries een opname gemaakt van" in nl  # it exists: past tense
    assert "We bewaren de opname 7 jaar." in nl
    assert (
        "New form: we want to use the recording for evidence that the student has reached"
        " the programme's final level. You gave consent for evidence in an assessment of the"
        " student."
    ) in en
    assert "Your earlier consent no longer counts" in en and "Sam de Vries recorded" in en
    assert "Then the student removes your child from the recording or deletes it." in en
    assert "Dit nieuwe formulier vervangt het vorige." in pages[2]
    assert "This new form replaces the earlier one." in pages[5]
    assert {f["form_id"] for f in changed["issued"]}.isdisjoint({ann["form_id"], dex["form_id"]})


def test_an_extension_prints_the_period_its_date_means(js: Js, run: Run) -> None:
    rec = future_recording(js)
    consented(run, js("participant", "add", rec, "--name", "Ann")["form_id"])
    backdate(rec, 11)
    made = dt.date.fromisoformat(js("status", rec)["date"])
    target = rules.add_months(made, 18)  # the purpose's term was 1 year
    write_toml(Path("."), '[retention]\nassessment = "2 years"\n')
    changed = js("recording", "change", rec, "--extend-to", target.isoformat(), "--by", "S")
    one, two, second = text_of(Path(changed["pdf"]).read_bytes())
    first = one + " " + two
    assert "Nieuw formulier: we willen de opname langer bewaren, tot" in first
    assert "We bewaren de opname 18 maanden." in first
    assert "We bewaren de opname 1 jaar" not in first
    assert render.long_date(target, "nl") in second


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_withdrawal_sheet_with_every_clause_fits(lang: str) -> None:
    from formgen.documents import declarations
    from formgen.record.roster import Participant

    plan = Plan(Purpose.FINAL_LEVEL, Media.BOTH, True, True, True)
    rec = recording(plan, situation=Situation.OUTSIDE)
    specs = []
    for variant in ("adult", "parent"):
        person = Participant(
            id="P-X", recording_id=rec.id, name="Ann", under_16=variant == "parent", lang=lang,
            form_id=spec(plan, lang, variant).form_id, variant=variant,
            clauses=["recording", "livestream", "360"],
        )  # fmt: skip
        specs.append(declarations.withdrawal_spec(rec, person, CONFIG, letter=True))
    pages = text_of(render.render(specs, Instance.create(), CONFIG).pdf)  # RenderError if not
    assert len(pages) == 4
    labels = {"nl": "Intrekken Niet intrekken", "en": "Withdraw Keep"}[lang]
    assert pages[1].count(labels) == 3 and pages[3].count(labels) == 3
