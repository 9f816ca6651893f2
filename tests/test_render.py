"""Declarations as printed: content (docs/contract.md, issue 11), QR codes, exact layout
(section 4), typography, templates a faculty overrides."""

from __future__ import annotations

import io
import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zxingcpp
from pypdf import PdfReader

from formgen.documents import render, templates, weasy
from formgen.record.formid import FormIdError, Instance
from formgen.rules import Media, Plan, Purpose

from .helpers import phrases
from .helpers.rendering import CONFIG, rasterise, recording, spec, text_of


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
    assert matrix["rendered"].pages[form.form_id] == 3
    one, two, second = matrix["text"][3 * index : 3 * index + 3]
    first = f"{one} {two}"  # the pages the person keeps
    text = f"{first} {second}"
    for item, fragments in phrases.ITEMS[lang].items():
        for fragment in fragments:
            assert fragment in text, f"{lang}/{variant}: item {item}: {fragment!r} missing"
    for fragment in phrases.PAGE1[lang]:
        assert fragment in first and fragment not in second, fragment
    for fragment in phrases.PAGE2[lang]:
        assert fragment in second, fragment
    for fragment in phrases.PARENT[lang]:
        assert (fragment in text) == (variant == "parent"), fragment
    for fragment in phrases.RETIRED[lang]:
        assert fragment not in text, fragment
    assert phrases.DATES[lang] in first and phrases.DATES[lang] in second
    assert first.count(form.form_id) >= 3  # top right, in the withdrawal text, footer
    assert second.count(form.form_id) >= 2
    assert (phrases.LIVESTREAM[lang]["who"] in text) == (stream != "none")
    assert (phrases.LIVESTREAM[lang]["stored"] in text) == (stream == "stored")
    assert (phrases.LIVESTREAM[lang]["not"] in text) == (stream == "not-stored")
    assert (phrases.LIVESTREAM[lang]["no"] in text) == (stream != "none")  # what a no means
    for fragment in phrases.VIEW360[lang]:
        assert (fragment in text) == view360, fragment
    assert phrases.MEDIA[lang]["both"] in text
    assert phrases.OUT_OF_IT[lang]["video"] in first
    assert phrases.PURPOSE[lang]["assessment"] in first
    assert phrases.ACCESS[lang]["assessment"] in first
    layout = matrix["rendered"].layouts[form.form_id]
    boxes = [b for page in layout["pages"] for b in page["boxes"]]
    # A yes/no pair per clause; the parental form adds the child's own box.
    assert len(boxes) == 2 * len(form.clauses) + (variant == "parent")
    assert [b["clause"] == "child_refuses" for b in boxes].count(True) == (variant == "parent")
    assert {b["rect_mm"][1] > 0 for b in boxes} == {True}
    assert layout["pages"][0]["boxes"] == layout["pages"][1]["boxes"] == []  # kept: no boxes


def test_media_and_who_is_kept_out(matrix: dict[str, Any]) -> None:
    """What is recorded is named; without consent one is kept out of frame, or out of
    the sound of an audio recording (both variants)."""
    for lang, media, variant in itertools.product(("nl", "en"), Media, ("adult", "parent")):
        view = Plan(Purpose.REFLECTION, media=media)
        rendered = render.render([spec(view, lang, variant)], matrix["instance"], CONFIG)
        text = " ".join(text_of(rendered.pdf))
        for other, fragment in phrases.MEDIA[lang].items():
            assert (fragment in text) == (other == media), (lang, media, fragment)
        kept = phrases.OUT_OF_IT[lang]
        assert (kept["audio"] in text) == (media is Media.AUDIO), (lang, media, variant)
        assert (kept["video"] in text) == (media is not Media.AUDIO), (lang, media, variant)
        assert phrases.ACCESS[lang]["reflection"] in text
        assert phrases.ACCESS[lang]["assessment"] not in text  # no assessors for reflection


def test_no_box_is_pre_ticked(matrix: dict[str, Any]) -> None:
    pages = rasterise(matrix["rendered"].pdf, 100)
    px = 100 / 25.4
    for index, form in enumerate(matrix["specs"]):
        for sheet in matrix["rendered"].layouts[form.form_id]["pages"]:
            image = pages[3 * index + sheet["page"] - 1]
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
    expected = [(s.form_id, p) for s in matrix["specs"] for p in (1, 2, 3)]
    for image, (form_id, page) in zip(pages, expected, strict=True):
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert len(found) == 1
        assert instance.verify(found[0].text) == (form_id, page)


def test_the_pdf_asks_for_one_sided_printing(matrix: dict[str, Any]) -> None:
    root = PdfReader(io.BytesIO(matrix["rendered"].pdf)).trailer["/Root"]
    assert root["/ViewerPreferences"]["/Duplex"] == "/Simplex"


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
    from .helpers.rendering import PLANS

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
    assert checked == 2 * len(form.clauses) + 1 + (variant == "parent")  # the child's box


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
        page_text = text[3 * index + 2].replace(" ", "")
        assert form.name is not None and form.name.replace(" ", "") in page_text
        assert "&lt;" not in page_text and "&amp;" not in page_text
        first = text[3 * index].replace(" ", "")
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
    pages = rasterise(rendered.pdf, dpi, pages=[3 * i + 2 for i in range(len(forms) + 1)])
    for image, form in zip(pages, [reference, *forms], strict=True):
        sheet = rendered.layouts[form.form_id]["pages"][2]
        top = outline(image, sheet["signature"]["rect_mm"], dpi)[1]
        assert abs(top - sheet["signature"]["rect_mm"][1]) <= 0.5


# --- Typography --------------------------------------------------------------------------

PT = 96 / 72  # CSS px per point


def _text_boxes(page: Any) -> Iterator[tuple[Any, list[str]]]:
    """Every text box of a page with the classes of the elements it sits in."""

    def walk(box: Any, classes: list[str]) -> Iterator[tuple[Any, list[str]]]:
        element = getattr(box, "element", None)
        mine = classes
        if element is not None and getattr(box, "element_tag", None):
            mine = [*classes, *element.attrib.get("class", "").split()]
        if type(box).__name__ == "TextBox" and box.text.strip():
            yield box, mine
        # An absolutely placed box's placeholder answers for it, its children included.
        for child in getattr(box, "children", ()):
            yield from walk(child, mine)

    yield from walk(weasy.page_box(page), [])


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_body_text_is_at_least_11_pt_in_one_humanist_sans(lang: str) -> None:
    """Everything a person reads is 11 pt or more, in DejaVu Sans (the form ID in its
    monospaced sister); only the footer line is smaller. The CSS names one family."""
    from weasyprint import HTML

    plan = Plan(Purpose.FINAL_LEVEL, livestream=True, livestream_stored=True, view360=True)
    specs = [spec(plan, lang, variant) for variant in ("adult", "parent")]
    document = HTML(string=render.build_html(specs, Instance.create(), CONFIG)).render()
    seen = 0
    for page in document.pages:
        for box, classes in _text_boxes(page):
            family = box.style["font_family"]
            if "foot" in classes:
                assert box.style["font_size"] >= 8 * PT - 0.01
                continue
            assert box.style["font_size"] >= 11 * PT - 0.01, (box.text, classes)
            assert family[0] in ("DejaVu Sans", "DejaVu Sans Mono"), family
            seen += 1
    assert seen > 100
    css = (render.template_dirs(CONFIG)[-1] / "document.html").read_text()
    assert 'html { font-family: "DejaVu Sans", sans-serif;' in css


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_line_breaks_inside_an_e_mail_address_or_a_form_number(lang: str) -> None:
    """Raw text lines (not joined): every address and form ID on a line of its own."""
    plan = Plan(Purpose.ASSESSMENT, livestream=True, view360=True)
    narrow = recording(plan, student="Alexandra Wilhelmina van Oranje-Nassau")
    forms = [spec(plan, lang, variant, rec=narrow) for variant in ("adult", "parent")]
    config = replace(
        CONFIG, org=replace(CONFIG.org, dpo_contact="functionaris-gegevensbescherming@hva.nl")
    )
    rendered = render.render(forms, Instance.create(), config)
    tokens = [
        "gegevensbescherming-foo@hva.nl",
        "functionaris-gegevensbescherming@hva.nl",
        "https://autoriteitpersoonsgegevens.nl",
        *(f.form_id for f in forms),
    ]
    for page in PdfReader(io.BytesIO(rendered.pdf)).pages:
        raw = re.sub(r"[ \t]*\n[ \t]*", "\n", page.extract_text())
        for token in tokens:
            for cut in range(1, len(token)):
                assert f"{token[:cut]}\n{token[cut:]}" not in raw, (token, cut)
    text = " ".join(text_of(rendered.pdf))
    assert text.count("functionaris-gegevensbescherming@hva.nl") == 2


# --- Templates a faculty changes ---------------------------------------------------------


def test_an_override_extends_the_shipped_template(tmp_path: Path) -> None:
    """A faculty's template may extend "default:declaration.html" and replace one block;
    the rest stays the shipped one, in every language."""
    (tmp_path / "declaration.html").write_text(
        '{% extends "default:declaration.html" %}'
        "{% block rights %}<h2>{{ _('Your rights') }}</h2><p>Our own wording.</p>{% endblock %}"
    )
    config = replace(CONFIG, templates_dir=tmp_path)
    for lang, heading in (("en", "Your rights"), ("nl", "Uw rechten")):
        form = spec(Plan(Purpose.REFLECTION), lang, "adult")
        text = " ".join(text_of(render.render([form], Instance.create(), config).pdf))
        assert f"{heading} Our own wording." in text
        assert "Autoriteit Persoonsgegevens" not in text  # the block was replaced
        assert phrases.ITEMS[lang]["8 keep and return"][0] in text  # the rest is shipped


def test_an_old_style_override_per_language_still_wins(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    shipped = render.template_dirs(CONFIG)[-1] / "declaration.html"
    (tmp_path / "en" / "declaration.html").write_text(
        shipped.read_text().replace("{% block rights %}", "{% block rights %}<p>English own</p>")
    )
    config = replace(CONFIG, templates_dir=tmp_path)
    en = spec(Plan(Purpose.REFLECTION), "en", "adult")
    assert "English own" in " ".join(text_of(render.render([en], Instance.create(), config).pdf))
    nl = spec(Plan(Purpose.REFLECTION), "nl", "adult")
    text = " ".join(text_of(render.render([nl], Instance.create(), config).pdf))
    assert "English own" not in text and "Uw rechten" in text


def test_a_faculty_catalogue_changes_wording_in_one_place(tmp_path: Path) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalogue = Catalog(locale="nl", domain="formgen")
    catalogue.add("Your rights", "Wat u mag")
    target = tmp_path / "locale" / "nl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "formgen.mo").open("wb") as file:
        write_mo(file, catalogue)
    config = replace(CONFIG, templates_dir=tmp_path)
    form = spec(Plan(Purpose.REFLECTION), "nl", "adult")
    text = " ".join(text_of(render.render([form], Instance.create(), config).pdf))
    assert "Wat u mag" in text and "Uw rechten" not in text
    assert "U mag nee zeggen" in text  # everything else from the shipped catalogue


def test_content_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "declaration.html").write_text(
        '{% extends "default:declaration.html" %}'
        "{% block rights %}" + "<p>filler</p>" * 120 + "{% endblock %}"
    )
    config = replace(CONFIG, templates_dir=tmp_path)
    with pytest.raises(render.RenderError, match="does not fit"):
        render.render([spec(Plan(Purpose.REFLECTION), "en", "adult")], Instance.create(), config)


def test_a_long_title_and_names_still_fit() -> None:
    """The fullest form (parent, final level, stored stream, 360) with long but real
    names fits its three pages in both languages, also as a re-consent (the longest
    page handed in, 12 pt at line height 1.35 like the rest)."""
    plan = Plan(Purpose.FINAL_LEVEL, Media.BOTH, True, True, True)
    rec = recording(
        plan,
        title="Rekenles groep 5: breuken en procenten met de hele klas in het lokaal",
        student="Sam de Vries-van der Berghe",
        institution="Openbare Basisschool De Regenboog Amsterdam-Noord",
        supervisor="Dr. A.B.C. Jansen-de Groot",
    )
    forms = [spec(plan, lang, "parent", name="Daan 't Hooft", rec=rec) for lang in ("nl", "en")]
    for lang in ("nl", "en"):
        again = spec(plan, lang, "parent", name="Daan 't Hooft", rec=rec)
        again.context["reconsent"] = {"purpose_before": "reflection", "delete_by_before": None}
        forms.append(again)
    rendered = render.render(forms, Instance.create(), CONFIG)  # RenderError if not
    assert all(rendered.pages[f.form_id] == 3 for f in forms)


def test_compiled_templates_are_kept_only_in_a_safe_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja's per-user cache directory must be ours and mode 700, and a template changed
    on disk is compiled afresh; if the directory is not safe, or cannot be written,
    templates are compiled each time and still load."""
    import shutil
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cache = templates._bytecode_cache()
    assert cache is not None
    folder = Path(cache.directory)
    assert folder.parent == tmp_path and (folder.stat().st_mode & 0o777) == 0o700

    env = templates._environment.__wrapped__((Path(render.template_dirs(CONFIG)[-1]),))
    env.bytecode_cache = cache
    env.get_template("declaration.html")
    kept = list(folder.iterdir())
    assert kept and all((p.stat().st_mode & 0o777) == 0o600 for p in kept)

    # A template changed on disk is compiled afresh, not read from the cache.
    shipped = render.template_dirs(CONFIG)[-1]
    own = tmp_path / "own"
    own.mkdir()
    (own / "note.html").write_text("first")
    both = templates._environment.__wrapped__((own, Path(shipped)))
    both.bytecode_cache = cache
    assert both.get_template("note.html").render() == "first"
    (own / "note.html").write_text("second, longer")
    both.cache.clear()
    assert both.get_template("note.html").render() == "second, longer"

    # A full disk (here: the folder gone, a file in its place) costs only the cache.
    shutil.rmtree(folder)
    folder.write_text("")
    env.cache.clear()
    assert env.get_template("declaration.html") is not None  # the failed write ignored
    folder.unlink()

    # A link planted where the directory goes (another user's trick) is not used.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    folder.symlink_to(elsewhere)
    assert templates._bytecode_cache() is None


def test_importing_render_loads_no_weasyprint_jinja_or_zxing() -> None:
    """The render modules import WeasyPrint, Jinja2, zxing-cpp and pydyf where a document
    is made: a command that only names ``render`` (or reads scans) starts without them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from formgen.documents import render\n"
        "heavy = ('weasyprint', 'jinja2', 'zxingcpp', 'pydyf', 'markupsafe')\n"
        "print('loaded:' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "loaded:"
