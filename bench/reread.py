"""Read the form pages that a ``scan_corpus.py --workdir DIR`` run kept again, with the
formgen this runs with, without landing them, and save what was measured; or compare two
such saves.

Each corpus run makes a new instance key, so new QR codes on every page, and a reading
at the show-through bar moves now and then: two runs' decisions differ by about a page a
seed even on the same code. Reading the same pages with two versions shows what a change
changes, and nothing else.

    .venv/bin/python bench/scan_corpus.py --accuracy-only --seed 4 --workdir DIR
    .venv/bin/python bench/reread.py DIR after.json
    PYTHONPATH=/path/to/other/checkout .venv/bin/python bench/reread.py DIR before.json
    .venv/bin/python bench/reread.py --compare before.json after.json

A save holds, per form page (``-p2`` in its name), the signature's and every box's
evidence as ``formgen review show`` prints it; ``--compare`` prints each page whose
readings differ, what differs, and how many pages did.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any


def _plain(value: Any) -> Any:
    """numpy numbers as JSON numbers."""
    return value.item() if hasattr(value, "item") else str(value)


def reread(work: Path) -> dict[str, Any]:
    os.environ["FORMGEN_KEY_FILE"] = str(work / "formgen.key")  # the run's store key
    from formgen import Formgen, scan
    from formgen.scan import landing

    fg = Formgen.open(str(work / "bench.db"))
    # the import's own identification (QR code to form and layout), without landing
    importer = landing._Importer(fg.engine)
    found: dict[str, Any] = {}
    for path in sorted((work / "pages").iterdir()):
        if "-p2" not in path.name:
            continue
        try:
            (page,) = list(scan.load_pages(path))
            measured = scan.look(page, importer.identify).measured
        except scan.ScanInputError as exc:
            found[path.name] = {"error": str(exc)}
            continue
        if measured is None:
            found[path.name] = {"error": "not measured"}
            continue
        signature = measured.signature
        found[path.name] = {
            "signature": None if signature is None else dataclasses.asdict(signature),
            "boxes": {f"{b.clause}/{b.answer}": b.evidence() for b in measured.boxes},
            "problems": list(measured.problems),
        }
    print(f"{len(found)} form pages read with {sys.modules['formgen'].__file__}")
    return found


def compare(before: dict[str, Any], after: dict[str, Any]) -> int:
    differing = 0
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if a == b:
            continue
        differing += 1
        if not (isinstance(a, dict) and isinstance(b, dict)):
            print(f"{name}: only in one save")
            continue
        for part in sorted(set(a) | set(b)):
            x, y = a.get(part), b.get(part)
            if part == "boxes" and isinstance(x, dict) and isinstance(y, dict):
                for box in sorted(set(x) | set(y)):
                    if x.get(box) != y.get(box):
                        print(f"{name} {box}: {x.get(box)} -> {y.get(box)}")
            elif x != y:
                print(f"{name} {part}: {x} -> {y}")
    print(f"{differing} of {len(set(before) | set(after))} form pages read differently")
    return differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("work", nargs="?", type=Path, help="a scan_corpus.py --workdir")
    parser.add_argument("out", nargs="?", type=Path, help="where to save (JSON)")
    args = parser.parse_args(argv)
    if args.compare:
        missing = [str(p) for p in args.compare if not p.is_file()]
        if missing:
            parser.error(f"no such save: {', '.join(missing)}")
        before, after = (json.loads(p.read_text()) for p in args.compare)
        compare(before, after)
        return 0
    if args.work is None or args.out is None:
        parser.error("give a workdir and a file to save to, or --compare BEFORE AFTER")
    if not (args.work / "bench.db").is_file():
        parser.error(f"{args.work}: no bench.db (not a scan_corpus.py --workdir)")
    found = reread(args.work)
    args.out.write_text(json.dumps(found, default=_plain, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
