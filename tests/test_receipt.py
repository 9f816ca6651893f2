"""The receipt of an online answer (render.render_receipt): the declaration as answered,
boxes ticked, the signer's name and the e-mail confirmation filled in, and nothing a
scan reader would take for a paper answer. And the paper form's note that it can also
be answered (or withdrawn) online with its QR code."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import zxingcpp

from formgen.documents import render
from formgen.record.formid import Instance
from formgen.rules import Plan, Purpose

from .helpers.rendering import CONFIG, PLANS, rasterise, spec, text_of


@pytest.fixture(autouse=True)
def no_weasyprint_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        yield
    problems = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert not problems, problems


PLAN = PLANS["stream-stored-360"]  # three clauses: recording, livestream, 360
EMAIL = "ann.de-boer@example.org"
CONFIRMED = {"nl": "1 december 2026 om 18:40", "en": "1 December 2026 at 18:40"}
SAID = {
    "nl": {
        "confirmed": f"Bevestigd per e-mail op 1 december 2026 om 18:40 ({EMAIL}).",
        "receipt": "Ontvangstbewijs: online ingevuld.",
        "keep": "Bewaar dit ontvangstbewijs. U hoeft het niet terug te geven.",
        "unsigned": "Geen handtekening betekent: geen toestemming.",
        "hand in": "Geef dit blad vóór",
        "online": "Liever online? Scan de QR-code met uw telefoon.",
        "withdraw": "U kunt uw toestemming ook online intrekken: scan de QR-code.",
    },
    "en": {
        "confirmed": f"Confirmed by e-mail on 1 December 2026 at 18:40 ({EMAIL}).",
        "receipt": "Receipt: answered online.",
        "keep": "Keep this receipt. You do not need to hand it in.",
        "unsigned": "No signature means: no consent.",
        "hand in": "Hand in this page before",
        "online": "Prefer online? Scan the QR code with your phone.",
        "withdraw": "You can also withdraw online: scan the QR code.",
    },
}
CASES = [
    # language, variant, answers in clause order, relation
    ("nl", "adult", ("yes", "no", "yes"), None),
    ("en", "adult", ("no", "yes", "no"), None),
    ("nl", "parent", ("yes", "yes", "no"), "parent"),
    ("en", "parent", ("no", "no", "yes"), "guardian"),
]


def receipt_spec(
    lang: str, variant: str, answers: tuple[str, ...], relation: str | None
) -> render.FormSpec:
    """A declaration's spec (as documents.declaration_spec makes it) with the online
    answer the caller adds."""
    form = spec(PLAN, lang, variant, name="Daan Jansen" if variant == "parent" else None)
    online = {
        "answers": dict(zip(form.clauses, answers, strict=True)),
        "signer": "Ann de Boer",
        "relation": relation,
        "email": EMAIL,
        "confirmed": CONFIRMED[lang],
    }
    return replace(form, context={**form.context, "online": online})


def inner(image: np.ndarray, rect_mm: list[float], dpi: int, inset: float) -> np.ndarray:
    """What lies inside a box, its outline left out."""
    px = dpi / 25.4
    x, y, w, h = rect_mm
    return image[
        int((y + inset) * px) : int((y + h - inset) * px),
        int((x + inset) * px) : int((x + w - inset) * px),
    ]


def relation_squares(image: np.ndarray, rect_mm: list[float], dpi: int) -> list[np.ndarray]:
    """The insides of the two drawn squares (parent, guardian) in the relation field, as
    dark (True) or not: the columns dark over most of the field's height are their
    vertical edges, the rows dark over most of their width their horizontal ones."""
    px = dpi / 25.4
    x, y, w, h = rect_mm
    strip = image[int(y * px) : int((y + h) * px), int(x * px) : int((x + w) * px)] < 128
    columns = np.flatnonzero(strip.mean(axis=0) > 0.7)
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    assert len(runs) == 4, [(r[0], r[-1]) for r in runs]
    pad = int(0.5 * px)
    insides = []
    for left, right in ((runs[0], runs[1]), (runs[2], runs[3])):
        square = strip[:, left[0] : right[-1] + 1]
        rows = np.flatnonzero(square.mean(axis=1) > 0.7)
        top, bottom = rows[rows < len(square) / 2], rows[rows > len(square) / 2]
        assert len(top) and len(bottom), rows
        insides.append(
            strip[top[-1] + 1 + pad : bottom[0] - pad, left[-1] + 1 + pad : right[0] - pad]
        )
    return insides


@pytest.mark.parametrize(("lang", "variant", "answers", "relation"), CASES, ids=str)
def test_a_receipt_shows_the_answer_given(
    lang: str, variant: str, answers: tuple[str, ...], relation: str | None
) -> None:
    form = receipt_spec(lang, variant, answers, relation)
    pdf = render.render_receipt(form, CONFIG)
    assert pdf.startswith(b"%PDF")
    one, two, second = text_of(pdf)
    first = f"{one} {two}"  # the pages the person keeps
    said = SAID[lang]
    # The declaration's words, both pages: the recording, its title, the form ID.
    for page in (first, second):
        assert "Rekenles groep 5" in page and form.form_id in page
    assert said["receipt"] in second and said["keep"] in second
    assert said["confirmed"] in second
    assert "Ann de Boer" in second
    if variant == "parent":
        assert "Daan Jansen" in second  # the child's name stays printed
    # No field to sign, nowhere to hand it in, nothing about answering online.
    for gone in ("unsigned", "hand in", "online", "withdraw"):
        assert said[gone] not in f"{first} {second}", gone

    # No QR code a reader could decode, and no registration marks in the corners.
    dpi = 150
    pages = rasterise(pdf, dpi)
    assert len(pages) == 3
    for image in pages:
        assert zxingcpp.read_barcodes(image) == []
        for left, top in ((7, 7), (197, 7), (7, 284), (197, 284)):
            assert inner(image, [left, top, 6, 6], dpi, 0).min() > 200, (left, top)
        assert inner(image, [166, 13, 32, 30], dpi, 0).min() > 200  # where the QR was

    # The chosen box of each pair is ticked, the other one stays empty.
    rendered = render.receipt_document(form, CONFIG)
    assert text_of(rendered.pdf) == [one, two, second]
    layout = rendered.layouts[form.form_id]
    assert [len(p["boxes"]) for p in layout["pages"]] == [0, 0, 2 * len(form.clauses)]
    assert all(not p["marks"] and p["qr"] is None for p in layout["pages"])
    image = pages[2]
    for box in layout["pages"][2]["boxes"]:
        inside = inner(image, box["rect_mm"], dpi, 1.2)
        chosen = form.context["online"]["answers"][box["clause"]] == box["answer"]
        if chosen:
            assert (inside < 128).mean() > 0.08, box
        else:
            assert inside.min() > 200, box
    if variant == "parent":
        fields = {f["field"]: f["rect_mm"] for f in layout["pages"][2]["fields"]}
        parent, guardian = relation_squares(image, fields["relation"], dpi)
        ticked, empty = (parent, guardian) if relation == "parent" else (guardian, parent)
        assert ticked.mean() > 0.05 and not empty.any(), (ticked.mean(), np.argwhere(empty))


def test_a_receipt_needs_every_answer() -> None:
    form = receipt_spec("nl", "adult", ("yes", "no", "yes"), None)
    online = dict(form.context["online"])
    for broken, words in (
        ({**online, "answers": {"recording": "yes"}}, "clauses"),
        ({**online, "answers": dict.fromkeys(form.clauses, "maybe")}, "yes or no"),
        ({**online, "email": ""}, "email"),
        (None, "no online answer"),
    ):
        with pytest.raises(render.RenderError, match=words):
            render.render_receipt(replace(form, context={**form.context, "online": broken}), CONFIG)


def test_a_paper_form_never_shows_an_online_answer() -> None:
    """The online answer in a spec printed on paper changes nothing: no box ticked."""
    form = receipt_spec("en", "adult", ("yes", "yes", "yes"), None)
    rendered = render.render([form], Instance.create(), CONFIG)
    second = text_of(rendered.pdf)[2]
    assert SAID["en"]["unsigned"] in second and SAID["en"]["receipt"] not in second
    dpi = 100
    image = rasterise(rendered.pdf, dpi, pages=[2])[0]
    for box in rendered.layouts[form.form_id]["pages"][2]["boxes"]:
        assert inner(image, box["rect_mm"], dpi, 1.2).min() > 200


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_paper_form_says_it_can_be_answered_online(lang: str) -> None:
    """With a public address, every page says beside its QR code that the form can be
    answered online, and page 2 that consent can be withdrawn online; without one,
    neither. The QR codes still decode and every page still fits (render checks)."""
    instance = Instance.create()
    plan = Plan(Purpose.FINAL_LEVEL, livestream=True, livestream_stored=True, view360=True)
    plain = [spec(plan, lang, variant) for variant in ("adult", "parent")]
    online = [
        replace(form, context={**form.context, "online_url": "https://formgen.example.org"})
        for form in plain
    ]
    said = SAID[lang]
    rendered = render.render(online, instance, CONFIG)
    pages = text_of(rendered.pdf)
    assert len(pages) == 6
    for number, page in enumerate(pages):
        assert said["online"] in page
        assert (said["withdraw"] in page) == (number % 3 == 1)  # page 2: how to say no
    images = rasterise(rendered.pdf, 150)
    expected = [(form.form_id, page) for form in online for page in (1, 2, 3)]
    for image, where in zip(images, expected, strict=True):
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert [instance.verify(code.text) for code in found] == [where]
    text = " ".join(text_of(render.render(plain, instance, CONFIG).pdf))
    assert said["online"] not in text and said["withdraw"] not in text
    # A receipt has no QR code to scan: it says neither.
    answered = receipt_spec(lang, "adult", ("yes", "no", "yes"), None)
    answered = replace(answered, context={**answered.context, "online_url": "https://x.example"})
    text = " ".join(text_of(render.render_receipt(answered, CONFIG)))
    assert said["online"] not in text and said["withdraw"] not in text
    assert said["confirmed"] in text


def test_the_receipt_keeps_a_faculty_block(tmp_path: Any) -> None:
    """A faculty's template that replaces a block still makes a receipt: the new parts
    are in the shipped blocks and macros."""
    (tmp_path / "declaration.html").write_text(
        '{% extends "default:declaration.html" %}'
        "{% block rights %}<h2>{{ _('Your rights') }}</h2><p>Our own wording.</p>{% endblock %}"
    )
    config = replace(CONFIG, templates_dir=tmp_path)
    form = receipt_spec("en", "parent", ("yes", "no", "no"), "parent")
    text = " ".join(text_of(render.render_receipt(form, config)))
    assert "Our own wording." in text and SAID["en"]["confirmed"] in text
