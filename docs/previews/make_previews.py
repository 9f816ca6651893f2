"""Write the README's previews of a declaration: pages 1, 2 and 3, adult and parent.

    .venv/bin/python docs/previews/make_previews.py

The inputs are fixed (no random form ID, no today's date), so the pictures change only
when the documents do; tests/test_previews.py fails when they are out of date.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

DPI = 96
TODAY = dt.date(2026, 11, 2)
FILES = tuple(f"{variant}-page{n}.png" for variant in ("adult", "parent") for n in (1, 2, 3))


def pictures() -> dict[str, object]:
    """The six pages as PIL images, rendered the way `formgen forms` renders them."""
    import pypdfium2 as pdfium

    from formgen import rules
    from formgen.config import Config, with_example_dpo
    from formgen.documents import render
    from formgen.record.formid import Instance, check_char
    from formgen.record.records import Recording

    plan = rules.Plan(rules.Purpose.ASSESSMENT, rules.Media.BOTH, livestream=True)
    recording = Recording(
        id="R-PREVW1",
        title="Rekenles groep 5",
        student="Sam de Vries",
        supervisor="Dr. A. Jansen",
        situation=rules.Situation.OUTSIDE,
        institution=None,
        recorded_on=dt.date(2026, 12, 1),
        plan=plan,
        lang="nl",
        delete_by=dt.date(2027, 12, 1),
    )
    config = with_example_dpo(Config())  # as a faculty prints them: with its DPO
    specs = []
    for data, variant, name in (
        ("7KQ2M9XD", "adult", "Noor Bakker"),
        ("4HJN8PWT", "parent", "Daan 't Hooft"),
    ):
        specs.append(
            render.FormSpec(
                form_id=f"{data[:4]}-{data[4:]}-{check_char(data)}",
                kind="declaration",
                lang="nl",
                variant=variant,
                name=name,
                clauses=[str(c) for c in rules.clauses_for(plan)],
                context=render.recording_context(recording, config, "nl", today=TODAY),
            )
        )
    pdf = render.render(specs, Instance(b"formgen previews".ljust(32, b".")), config).pdf
    document = pdfium.PdfDocument(pdf)
    try:
        return {
            name: document[index].render(scale=DPI / 72).to_pil().convert("L")
            for index, name in enumerate(FILES)
        }
    finally:
        document.close()


def main() -> None:
    for name, image in pictures().items():
        image.save(HERE / name, optimize=True)
        print(HERE / name)


if __name__ == "__main__":
    main()
