"""What encryption at rest costs: a 100-page scan import, a class set's render and the
recording page's reading of the record, by the code before encryption, by today's code
with a null cipher and by today's code as it is, interleaved in one run; print the
medians side by side and the cost in per cent beside issue 21's target (at most 5 %).

    .venv/bin/python bench/sealing_cost.py [--rounds N] [--before REV]

The code before is the tree of REV (default: the parent of the commit that added
``formgen/sealing.py``, now ``formgen/record/sealing.py``), exported with ``git archive``
into a temporary folder. Much else changed since; so today's code also runs with its
``sealing.seal`` made a null cipher (every value stored and read as it is, keys still
made and joined): the cost of the sealing itself is measured against that floor. Every
measurement is a fresh process whose ``PYTHONPATH`` puts one tree or the other first, so
the sides run the same script on the same machine load, turn by turn. The seed (a
store with a class set of 30 and a recording of 50 whose declarations make the 100-page
stack: 50 filled first pages scanned with a blank backside each) is made once, by the
code before; today's code opens a copy of it, which migration 0013 seals (or, with the
null cipher, leaves as it is), before its clock starts. Measured in each process:
``Formgen.forms`` of the class set (no file written), ``Formgen.import_scans`` of the
stack, and ``Formgen.overview`` of the stack's recording after the import (what the
recording page reads: status, checklist, description, earlier rounds; the median of 20
calls), once as a first view (the process's opened keys and what they opened let go
before each call) and once as the page is shown again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 3
TARGET = 5.0  # per cent, issue 21
CLASS, FORMS = 30, 50


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


# --- in a child process (formgen is whichever tree PYTHONPATH put first) ----------------


def _with_dpo(config: Any) -> Any:
    """An example DPO contact, for the code versions that refuse to print without one
    (an older one has neither the rule nor the helper)."""
    from formgen import config as config_module

    helper = getattr(config_module, "with_example_dpo", None)
    return helper(config) if helper else config


def seed(work: Path) -> None:
    import numpy as np

    from formgen import Formgen
    from formgen.config import Config

    if str(ROOT) not in sys.path:  # tests/ holds the page makers (not in the wheel)
        sys.path.append(str(ROOT))
    from tests.helpers.rendering import rasterise
    from tests.helpers.scans import Fill, blank_backside, degrade, fill_page, save_pdf

    fg = Formgen.open(db=f"sqlite:///{work / 'seed.db'}", config=_with_dpo(Config(output_dir=work)))
    rng = np.random.default_rng(21)
    day = fg.today() + dt.timedelta(days=7)
    recordings = {}
    for key, people in (("class", CLASS), ("stack", FORMS)):
        rec = fg.create_recording(
            title="Rekenles groep 5",
            student="Sam de Vries",
            supervisor="Dr. Jansen",
            situation=3,
            purpose="assessment",
            date=day,
            livestream=True,
        ).id
        fg.add_participants(rec, [f"Leerling {key} {i:02d}" for i in range(people)])
        recordings[key] = rec
    rec = recordings["stack"]
    pdf = fg.forms(rec, save=False).data
    images = []
    for index, person in enumerate(fg.status(rec).participants):
        page = rasterise(pdf, 300, [2 * index + 1])[0]
        sheet = fg.layout(person.form_id)["pages"][1]
        answer = ["yes"] if index % 3 else ["no"]
        marks = Fill({"recording": answer, "livestream": answer}, signed=index % 5 != 4)
        images.append(degrade(fill_page(page, sheet, marks, rng), "flatbed-200-gray", rng))
        images.append(blank_backside(rng))
    save_pdf(work / "stack.pdf", images)
    fg.close()
    (work / "seed.json").write_text(json.dumps(recordings))


def measure(work: Path, run: Path, plain: bool) -> None:
    from formgen import Formgen
    from formgen.config import Config

    if plain:  # today's code with a null cipher: values stored and read as they are
        from formgen.record import sealing

        sealing.seal = lambda conn, owner, kind, where, value: value

    recordings = json.loads((work / "seed.json").read_text())
    shutil.copyfile(work / "seed.db", run / "store.db")
    fg = Formgen.open(db=f"sqlite:///{run / 'store.db'}", config=_with_dpo(Config(output_dir=run)))
    fg.status(recordings["class"])  # opened (and, with encryption, migrated) first
    wall, cpu = time.perf_counter, time.process_time  # CPU: every thread of this process
    figures: dict[str, float] = {}
    started = wall(), cpu()
    fg.forms(recordings["class"], save=False)
    figures["render_s"], figures["render_cpu_s"] = wall() - started[0], cpu() - started[1]
    started = wall(), cpu()
    done = fg.import_scans([work / "stack.pdf"])
    figures["import_s"], figures["import_cpu_s"] = wall() - started[0], cpu() - started[1]
    try:  # the code with encryption remembers the keys it opened and what they opened
        from formgen.record.sealing import _opened_keys as opened
    except ImportError:
        opened = {}
    for first in (True, False):
        page_ms, page_cpu_ms = [], []
        for _ in range(20):
            if first:  # every name opened anew, its key unwrapped again: a first view
                opened.clear()
            started = wall(), cpu()
            fg.overview(recordings["stack"])
            page_ms.append((wall() - started[0]) * 1000)
            page_cpu_ms.append((cpu() - started[1]) * 1000)
        name = "first_page" if first else "page"
        figures[f"{name}_ms"] = statistics.median(page_ms)
        figures[f"{name}_cpu_ms"] = statistics.median(page_cpu_ms)
    fg.close()
    figures["pages"] = len(done.pages)
    figures["landed"] = sum(p.status != "error" for p in done.pages)
    print(json.dumps(figures))


# --- the parent ------------------------------------------------------------------------


def child(tree: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"a measuring process failed:\n{done.stderr[-3000:]}")
    return done.stdout


def before_rev() -> str:
    added = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "log",
            "--diff-filter=A",
            "--format=%H",
            "--",
            "formgen/sealing.py",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not added:
        raise SystemExit("formgen/sealing.py is not in this repository's history: say --before")
    return f"{added[-1]}^"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--before", help="the revision without encryption")
    parser.add_argument("--child", choices=["seed", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "seed":
        return seed(args.work)
    if args.child == "measure":
        return measure(args.work, args.run, args.plain)
    from formgen.record import sealing  # the parent is the code with encryption

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        old = work / "before"
        old.mkdir()
        rev = args.before or before_rev()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        key = work / "formgen.key"
        sealing.make_master(key)
        os.environ["FORMGEN_KEY_FILE"] = str(key)
        print(f"seeding with {rev} ({load()})", flush=True)
        child(old, "--child", "seed", "--work", str(work))
        figures: dict[str, list[dict[str, float]]] = {"before": [], "plain": [], "after": []}
        for index in range(args.rounds):
            sides = [("before", old), ("plain", ROOT), ("after", ROOT)]
            turn = index % len(sides)  # none always first
            for side, tree in sides[turn:] + sides[:turn]:
                run = work / f"{side}-{index}"
                run.mkdir()
                plain = ["--plain"] if side == "plain" else []
                out = child(
                    tree, "--child", "measure", "--work", str(work), "--run", str(run), *plain
                )
                figures[side].append(json.loads(out.strip().splitlines()[-1]))
                shutil.rmtree(run)
            print(f"round {index + 1} of {args.rounds} done ({load()})", flush=True)
    report(figures)


def report(figures: dict[str, list[dict[str, float]]]) -> None:
    def median(side: str, key: str) -> float:
        return statistics.median(f[key] for f in figures[side])

    pages = {f["pages"] for side in figures.values() for f in side}
    landed = {f["landed"] for side in figures.values() for f in side}
    print(f"\nmedians of {len(figures['after'])} rounds ({load()}); pages {pages}, landed {landed}")
    print("CPU time of the measuring process (all its threads): what the code costs; the")
    print("wall-clock time beside it moves with the load others put on the shared machine.")
    print("'no cipher' is today's code with sealing made a null cipher (values stored as they")
    print("are): the floor of what the sealing itself costs, apart from what changed since.")
    print(
        f"{'':34}{'before':>12}{'no cipher':>13}{'with sealing':>14}"
        f"{'vs before':>11}{'vs no cipher':>14}   target"
    )
    for key, label, unit in (
        ("import_cpu_s", "100-page import, CPU", "s"),
        ("render_cpu_s", "class set of 30, render, CPU", "s"),
        ("first_page_cpu_ms", "recording page, first view, CPU", "ms"),
        ("page_cpu_ms", "recording page, again, CPU", "ms"),
        ("import_s", "100-page import, wall", "s"),
        ("render_s", "class set of 30, render, wall", "s"),
        ("first_page_ms", "recording page, first view, wall", "ms"),
        ("page_ms", "recording page, again, wall", "ms"),
    ):
        before, plain, after = (median(side, key) for side in ("before", "plain", "after"))
        cost, own = (after / before - 1) * 100, (after / plain - 1) * 100
        print(
            f"{label:34}{before:>10.3f} {unit:<2}{plain:>10.3f} {unit:<2}{after:>11.3f} {unit:<2}"
            f"{cost:>+9.1f} %{own:>+12.1f} %   ≤ {TARGET:.0f} %"
            f"{'' if own <= TARGET else '  (above)'}"
        )


if __name__ == "__main__":
    main()
