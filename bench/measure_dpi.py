"""What the measuring resolution does to the decisions, on pages that come at 100 dpi: a
200-dpi JPEG scan (the most common office setting) is decoded at half size
(``load.JPEG_READ_DPI``), so its page is 100 dpi and the reader warps it up to 150
(``readers.SCAN_DPI``) to measure. Measuring at the page's own 100 dpi instead would
take a third less CPU a page; this shows what it would cost.

Each form page of a ``scan_corpus.py --accuracy-only --workdir DIR`` run whose
condition is a gray or colour scan (no photo, no 1-bit page: those are never decoded
at a fraction) is brought to 100 dpi (area average, as libjpeg's scaled decoding) and
read at each ``--dpi-out``; its clauses are decided as an import decides them (a fresh
form) and judged against the corpus's truth, as ``scan_corpus.py`` judges them.

    .venv/bin/python bench/scan_corpus.py --accuracy-only --seed 4 --workdir DIR
    .venv/bin/python bench/measure_dpi.py DIR [--dpi-out 150 100]

Prints, per condition and in all, the decisions sent to a person needlessly, the wrong
ones and the wrong ``given`` at each resolution, and how many pages read differently.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

PAGE_DPI = 100.0  # a 200-dpi JPEG decoded at half size
NOT_REDUCED = ("bw", "dither", "fax", "copier", "photo", "heic")  # never decoded at a fraction


def decide(seen: Any, clauses: list[str]) -> dict[str, str]:
    """Each consent clause's status, as ``landing._Recorder._decide`` decides a fresh form
    (a page not identified, not registered or not read reliably: every clause to a
    person)."""
    from formgen import rules

    measured = seen.measured
    if seen.sheet is None or not seen.registered or measured is None or measured.problems:
        return dict.fromkeys(clauses, "review")
    signed = None
    if measured.signature is not None:
        s = measured.signature
        signed, _ = rules.classify_signature(s.longest_mm, s.length_mm, s.faint_mm)
    ink = {(b.clause, b.answer): rules.BoxInk(**b.evidence()) for b in measured.boxes}
    lost = rules.pencil_may_be_lost(seen.bilevel, [rules.read_box(e)[0] for e in ink.values()])
    child_ink = ink.get((rules.CHILD_REFUSES, "yes"))
    child = None if child_ink is None else rules.child_box_decision(*rules.read_box(child_ink))
    found = {}
    for clause in clauses:
        read = rules.decide_answers(
            ink[(clause, "yes")], ink[(clause, "no")], signed, pencil_lost=lost
        )
        found[clause] = str(rules.with_child_box(read, child).status)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path, help="a scan_corpus.py --accuracy-only --workdir")
    parser.add_argument("--dpi-out", type=float, nargs="+", default=[150.0, PAGE_DPI])
    args = parser.parse_args(argv)
    if not (args.work / "results.json").is_file():
        parser.error(f"{args.work}: no results.json (not a scan_corpus.py --workdir)")
    os.environ["FORMGEN_KEY_FILE"] = str(args.work / "formgen.key")  # the run's store key
    import cv2

    from formgen import Formgen, scan
    from formgen.scan import landing

    cv2.setNumThreads(1)
    importer = landing._Importer(Formgen.open(str(args.work / "bench.db")).engine)
    truths = json.loads((args.work / "results.json").read_text())
    counts: Counter[tuple[str, float, str]] = Counter()
    differing = pages = decisions = 0
    for truth in truths:
        if truth["kind"] != "form" or any(k in truth["condition"] for k in NOT_REDUCED):
            continue
        (page,) = list(scan.load_pages(args.work / "pages" / Path(truth["path"]).name))
        if not page.dpi:
            continue
        scale = PAGE_DPI / page.dpi
        image = cv2.resize(page.image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        reduced = scan.PageImage(page.source, page.page, image, PAGE_DPI)
        clauses = [c["clause"] for c in truth["clauses"]]
        reads = [decide(scan.look(reduced, importer.identify, d), clauses) for d in args.dpi_out]
        pages += 1
        decisions += len(clauses)
        differing += any(r != reads[0] for r in reads)
        for dpi, read in zip(args.dpi_out, reads, strict=True):
            for clause in truth["clauses"]:
                right, got = clause["truth"], read[clause["clause"]]
                verdict = "right" if got == right else "needless" if got == "review" else "wrong"
                counts[(truth["condition"], dpi, verdict)] += 1
                if verdict == "wrong" and got == "given":
                    counts[(truth["condition"], dpi, "wrong given")] += 1
    verdicts = ("needless", "wrong", "wrong given")
    for condition in [*sorted({c for c, _, _ in counts}), "all"]:
        cells = []
        for dpi in args.dpi_out:
            n: Counter[str] = Counter()
            for (c, d, v), k in counts.items():
                if d == dpi and condition in (c, "all"):
                    n[v] += k
            cells.append(f"{dpi:.0f} dpi: " + ", ".join(f"{v} {n[v]}" for v in verdicts))
        print(f"{condition:20s} " + " | ".join(cells))
    print(
        f"{pages} form pages at {PAGE_DPI:.0f} dpi ({decisions} decisions): {differing} read "
        "differently from one resolution to another"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
