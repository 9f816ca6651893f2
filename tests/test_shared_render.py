"""A group's forms share one laid-out master page; only QR code, form ID and name are
drawn per form (render.render(shared=True), the default). The result must be the full
render's: the same layout, the same words on every page, the same QR codes, the same
pixels."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import numpy as np
import pytest
import zxingcpp
from pypdf import PdfReader

from formgen.documents import render
from formgen.record.formid import Instance
from formgen.rules import Media, Plan, Purpose, Situation

from .helpers.rendering import CONFIG, rasterise, recording, spec, text_of

PLAN = Plan(Purpose.ASSESSMENT, Media.BOTH, livestream=True, livestream_stored=True)
INSTITUTION = recording(PLAN, situation=Situation.PARTNER)


def mixed() -> list[render.FormSpec]:
    """nl and en, adult and parent, named and blank (institution) forms, a form of its
    own, and names that need the full render (one that wraps, twice, and one whose
    script makes the line taller)."""
    specs = [spec(PLAN, "nl", "parent", name=f"Leerling {i:02d}") for i in range(4)]
    specs += [spec(PLAN, "en", "adult", name=n) for n in ("Ann", "Bob", "Zoë Çelik")]
    specs += [spec(PLAN, "nl", "adult", name=None, rec=INSTITUTION) for _ in range(3)]
    specs.insert(2, spec(PLAN, "en", "parent", name="Alone"))
    specs.insert(5, spec(PLAN, "nl", "parent", name="Wolfeschlegelsteinhausenbergerdorff" * 3))
    # the same long name on a second form: each form's name is its own part
    specs.append(spec(PLAN, "nl", "parent", name="Wolfeschlegelsteinhausenbergerdorff" * 3))
    specs.insert(6, spec(PLAN, "nl", "parent", name="张伟 Ελένη محمد"))
    return specs


@pytest.fixture(scope="module")
def both() -> dict[str, Any]:
    specs = mixed()
    instance = Instance.create()
    counted: list[int] = []
    shared = render.render(specs, instance, CONFIG, progress=counted.append)
    full = render.render(specs, instance, CONFIG, shared=False)
    return {"specs": specs, "shared": shared, "full": full, "instance": instance, "n": counted}


def test_the_shared_path_shares(both: dict[str, Any]) -> None:
    reader = PdfReader(io.BytesIO(both["shared"].pdf))
    names = set(reader.pages[0]["/Resources"]["/XObject"])
    masters = {n for n in names if n.startswith("/fgMaster")}
    # Three pages each of three masters: nl parents, en adults, blank institution forms.
    assert len(masters) == 9
    assert len(both["shared"].pdf) < len(both["full"].pdf)  # each master is stored once
    assert sum(both["n"]) == 3 * len(both["specs"])  # progress counts printed pages


def test_same_layout_and_pages(both: dict[str, Any]) -> None:
    assert both["shared"].layouts == both["full"].layouts
    assert both["shared"].pages == both["full"].pages
    assert list(both["shared"].layouts) == [s.form_id for s in both["specs"]]


def test_same_words_on_every_page(both: dict[str, Any]) -> None:
    """The same words per page; only their order in the PDF differs (a page draws its
    master first, then its own form ID and name)."""
    shared, full = text_of(both["shared"].pdf), text_of(both["full"].pdf)
    assert len(shared) == len(full) == 3 * len(both["specs"])
    for number, (ours, theirs) in enumerate(zip(shared, full, strict=True)):
        assert Counter(ours.split()) == Counter(theirs.split()), number
    for index, form in enumerate(both["specs"]):
        assert form.form_id in shared[3 * index] and form.form_id in shared[3 * index + 2]
        if form.name:
            assert form.name.replace(" ", "") in shared[3 * index + 2].replace(" ", "")


def test_same_qr_codes(both: dict[str, Any]) -> None:
    instance: Instance = both["instance"]
    expected = [(s.form_id, page) for s in both["specs"] for page in (1, 2, 3)]
    for pdf in (both["shared"].pdf, both["full"].pdf):
        found = []
        for image in rasterise(pdf, 150):
            codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            assert len(codes) == 1
            found.append(instance.verify(codes[0].text))
        assert found == expected


def test_same_pixels(both: dict[str, Any]) -> None:
    for number, (ours, theirs) in enumerate(
        zip(rasterise(both["shared"].pdf, 100), rasterise(both["full"].pdf, 100), strict=True)
    ):
        assert np.array_equal(ours, theirs), number


def test_letters_keep_their_place() -> None:
    """A covering letter comes first, and a reminder letter before its own form."""
    from formgen.documents import declarations

    rec = recording(PLAN, recorded_on=INSTITUTION.recorded_on)
    letter = render.Page(
        "request.html",
        {
            **render.recording_context(rec, CONFIG, "nl"),
            "lang": "nl",
            "addressee": "School",
            "contact": "Mw. X",
            "salutation": "mevrouw X",
            "count": 2,
            "variant": "adult",
            "today": "1 december 2026",
            "forms": ["AAAA-BBBB-C", "DDDD-EEEE-F"],
            "return_by": "1 december 2026",
            "supervisor_email": None,
            "return_link": None,  # no public address: the pages go back by post or e-mail
            "return_qr": None,
        },
    )
    forms = [spec(PLAN, "nl", "adult", name=None) for _ in range(2)]
    pages = text_of(render.render(forms, Instance.create(), CONFIG, before=[letter]).pdf)
    assert "Verzoek om extra toestemmingsformulieren" in pages[0]
    assert forms[0].form_id in pages[1] and forms[1].form_id in pages[6]
    assert declarations.WITHDRAWAL_PAGE == 9  # reminders are rendered in full (kind withdrawal)


def test_a_template_that_prints_the_name_elsewhere_is_laid_out_in_full(tmp_path: Any) -> None:
    """A faculty's own template may print ID or name outside the parts drawn per form:
    then nothing is shared, and every form still shows its own."""
    from dataclasses import replace

    (tmp_path / "declaration.html").write_text(
        '{% extends "default:declaration.html" %}'
        "{% block who %}<p>Beste {{ name }} ({{ form_id }}),</p>{{ super() }}{% endblock %}"
    )
    config = replace(CONFIG, templates_dir=tmp_path)
    forms = [spec(PLAN, "nl", "adult", name=n) for n in ("Ann", "Bob")]
    rendered = render.render(forms, Instance.create(), config)
    pages = text_of(rendered.pdf)
    assert f"Beste Ann ({forms[0].form_id})," in pages[0]
    assert f"Beste Bob ({forms[1].form_id})," in pages[3]
    assert b"/fgMaster" not in rendered.pdf
