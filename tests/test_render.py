"""Declarations as printed: content (spec section 3), QR codes, exact layout (section 4)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import zxingcpp

from formgen import render
from formgen.formid import FormIdError, Instance
from formgen.rules import Media, Plan, Purpose

from . import phrases
from .rendering import CONFIG, rasterise, recording, spec, text_of


@pytest.fixture(autouse=True)
def no_weasyprint_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Any WeasyPrint warning or error during a render fails the test."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        yield
    problems = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert not problems, problems


STREAMS = {"none": (False, False), "not-stored": (True, False), "stored": (True, True)}
MATRIX = list(itertools.product(("nl", "en"), ("adult", "parent"), STREAMS, (False, True)))


@pytest.fixture(scope="module")
def matrix() -> dict[str, Any]:
    """Every language × variant × live stream × 360 combination, rendered as ONE batch."""
    instance = Instance.create()
    specs, plans = [], []
    for lang, variant, stream, view360 in MATRIX:
        livestream, stored = STREAMS[stream]
        plan = Plan(Purpose.ASSESSMENT, Media.BOTH, livestream, stored, view360)
        plans.append(plan)
        specs.append(spec(plan, lang, variant, name="Ann" if variant == "adult" else None))
    rendered = render.render(specs, instance, CONFIG)
    return {
        "specs": specs,
        "rendered": rendered,
        "text": text_of(rendered.pdf),
        "instance": instance,
    }


@pytest.mark.parametrize(("index", "case"), list(enumerate(MATRIX)), ids=str)
def test_declaration_says_everything(matrix: dict[str, Any], index: int, case: tuple) -> None:
    lang, variant, stream, view360 = case
    form = matrix["specs"][index]
    assert matrix["rendered"].pages[form.form_id] == 2
    text = " ".join(matrix["text"][2 * index : 2 * index + 2])
    for item, fragments in phrases.ITEMS[lang].items():
        for fragment in fragments:
            assert fragment in text, f"{lang}/{variant}: item {item}: {fragment!r} missing"
    for fragment in phrases.PARENT[lang]:
        assert (fragment in text) == (variant == "parent"), fragment
    assert phrases.DATES[lang] in text
    assert text.count(form.form_id) >= 3  # printed on both pages and in the withdrawal text
    assert (phrases.LIVESTREAM[lang]["stored"] in text) == (stream == "stored")
    assert (phrases.LIVESTREAM[lang]["not"] in text) == (stream == "not-stored")
    assert (phrases.VIEW360[lang] in text) == view360
    assert phrases.MEDIA[lang]["both"] in text
    layout = matrix["rendered"].layouts[form.form_id]
    boxes = [b for page in layout["pages"] for b in page["boxes"]]
    assert len(boxes) == 2 * len(form.clauses)


def test_media_is_named(matrix: dict[str, Any]) -> None:
    for lang, media in itertools.product(("nl", "en"), Media):
        view = Plan(Purpose.REFLECTION, media=media)
        rendered = render.render([spec(view, lang, "adult")], matrix["instance"], CONFIG)
        text = " ".join(text_of(rendered.pdf))
        for other, fragment in phrases.MEDIA[lang].items():
            assert (fragment in text) == (other == media), (lang, media, fragment)


def test_no_box_is_pre_ticked(matrix: dict[str, Any]) -> None:
    pages = rasterise(matrix["rendered"].pdf, 100)
    px = 100 / 25.4
    for index, form in enumerate(matrix["specs"]):
        for sheet in matrix["rendered"].layouts[form.form_id]["pages"]:
            image = pages[2 * index + sheet["page"] - 1]
            for box in sheet["boxes"]:
                x, y, w, h = (v * px for v in box["rect_mm"])
                inner = image[
                    int(y + 1.2 * px) : int(y + h - 1.2 * px),
                    int(x + 1.2 * px) : int(x + w - 1.2 * px),
                ]
                assert inner.size and inner.min() > 200, (form.form_id, box)


def test_every_page_qr_decodes_at_150_dpi(matrix: dict[str, Any]) -> None:
    instance: Instance = matrix["instance"]
    pages = rasterise(matrix["rendered"].pdf, 150)
    expected = [(s.form_id, p) for s in matrix["specs"] for p in (1, 2)]
    for image, (form_id, page) in zip(pages, expected, strict=True):
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert len(found) == 1
        assert instance.verify(found[0].text) == (form_id, page)


def test_changed_or_foreign_payload_fails(matrix: dict[str, Any]) -> None:
    instance: Instance = matrix["instance"]
    payload = instance.payload(matrix["specs"][0].form_id, 2)
    changed = payload.replace(".2.", ".1.")
    with pytest.raises(FormIdError, match="integrity"):
        instance.verify(changed)
    with pytest.raises(FormIdError, match="another formgen"):
        Instance.create().verify(payload)
    with pytest.raises(FormIdError, match="not a formgen"):
        instance.verify("https://example.org/")


def outline(image: np.ndarray, rect_mm: list[float], dpi: int) -> tuple[float, ...]:
    """Where the drawn square outline actually is (mm): the rows and columns of the
    search window that are mostly dark."""
    px = dpi / 25.4
    x, y, w, h = rect_mm
    pad = 1.5
    x0, y0 = int((x - pad) * px), int((y - pad) * px)
    x1, y1 = int((x + w + pad) * px), int((y + h + pad) * px)
    dark = image[y0:y1, x0:x1] < 128
    cols = np.flatnonzero(dark.mean(axis=0) > 0.6)
    rows = np.flatnonzero(dark.mean(axis=1) > 0.6)
    return (
        (x0 + cols[0]) / px,
        (y0 + rows[0]) / px,
        (x0 + cols[-1] + 1) / px,
        (y0 + rows[-1] + 1) / px,
    )


LAYOUT_CASES = [
    ("nl", "adult", "plain"),
    ("en", "parent", "stream-stored-360"),
    ("nl", "parent", "stream-not-stored"),
    ("en", "adult", "video-360"),
]


@pytest.mark.parametrize(("lang", "variant", "plan"), LAYOUT_CASES)
def test_layout_lands_on_the_drawn_outlines(lang: str, variant: str, plan: str) -> None:
    from .rendering import PLANS

    form = spec(PLANS[plan], lang, variant)
    rendered = render.render([form], Instance.create(), CONFIG)
    layout = render.public_layout(rendered.layouts[form.form_id])
    dpi = 300
    pages = rasterise(rendered.pdf, dpi)
    checked = 0
    for sheet in layout["pages"]:
        rects = [b["rect_mm"] for b in sheet["boxes"]]
        if sheet["signature"]:
            rects.append(sheet["signature"]["rect_mm"])
        for rect in rects:
            left, top, right, bottom = outline(pages[sheet["page"] - 1], rect, dpi)
            x, y, w, h = rect
            for drawn, reported in ((left, x), (top, y), (right, x + w), (bottom, y + h)):
                assert abs(drawn - reported) <= 0.5, (rect, (left, top, right, bottom))
            checked += 1
    assert checked == 2 * len(form.clauses) + 1


NAMES = [
    "'t Hooft",
    "Ben & Jerry <b>bold</b>",
    "Çelik Øster-Ångström",
    "Wolfeschlegelsteinhausenbergerdorff" * 3,
]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_awkward_names_render_escaped_and_keep_the_layout(lang: str) -> None:
    plan = Plan(Purpose.ASSESSMENT, livestream=True, view360=True)
    rec = recording(plan, title="Les <script>alert(1)</script> & co", student="Jan 't Hooft")
    forms = [spec(plan, lang, "parent", name=n, rec=rec) for n in NAMES]
    reference = spec(plan, lang, "parent", name="Ann", rec=rec)
    rendered = render.render([reference, *forms], Instance.create(), CONFIG)
    text = text_of(rendered.pdf)
    for index, form in enumerate(forms, start=1):
        page_text = text[2 * index + 1].replace(" ", "")
        assert form.name is not None and form.name.replace(" ", "") in page_text
        assert "&lt;" not in page_text and "&amp;" not in page_text
        first = text[2 * index].replace(" ", "")
        assert "<script>alert(1)</script>&co" in first
    # Every name is one line here or wraps; boxes and signature stay inside the page and
    # the long name pushes nothing off: `layout` reports where they really are.
    for form in forms:
        layout = rendered.layouts[form.form_id]
        for sheet in layout["pages"]:
            for box in sheet["boxes"]:
                x, y, w, h = box["rect_mm"]
                assert x >= 0 and x + w <= 210 and y >= 0 and y + h <= 297
    dpi = 200
    pages = rasterise(rendered.pdf, dpi, pages=[2 * i + 1 for i in range(len(forms) + 1)])
    for image, form in zip(pages, [reference, *forms], strict=True):
        sheet = rendered.layouts[form.form_id]["pages"][1]
        top = outline(image, sheet["signature"]["rect_mm"], dpi)[1]
        assert abs(top - sheet["signature"]["rect_mm"][1]) <= 0.5


def test_user_templates_override_shipped_ones(tmp_path: Any) -> None:
    from dataclasses import replace

    (tmp_path / "en").mkdir()
    shipped = render.template_dirs(CONFIG)[-1] / "en" / "declaration.html"
    (tmp_path / "en" / "declaration.html").write_text(
        shipped.read_text().replace("Your rights", "Your rights (our own wording)")
    )
    config = replace(CONFIG, templates_dir=tmp_path)
    form = spec(Plan(Purpose.REFLECTION), "en", "adult")
    text = " ".join(text_of(render.render([form], Instance.create(), config).pdf))
    assert "our own wording" in text
    nl = spec(Plan(Purpose.REFLECTION), "nl", "adult")
    assert "Uw rechten" in " ".join(text_of(render.render([nl], Instance.create(), config).pdf))


def test_content_that_does_not_fit_is_refused(tmp_path: Any) -> None:
    from dataclasses import replace

    (tmp_path / "en").mkdir()
    shipped = render.template_dirs(CONFIG)[-1] / "en" / "declaration.html"
    (tmp_path / "en" / "declaration.html").write_text(
        shipped.read_text().replace("<h2>Your rights</h2>", "<p>filler</p>" * 120)
    )
    config = replace(CONFIG, templates_dir=tmp_path)
    with pytest.raises(render.RenderError, match="does not fit"):
        render.render([spec(Plan(Purpose.REFLECTION), "en", "adult")], Instance.create(), config)
