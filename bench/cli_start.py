"""What starting the command costs: ``formgen --help`` and ``formgen scan import`` of one
page, each in a new process as people run them, beside the start-up floor
``python -c 'import sqlalchemy, cv2, zxingcpp, pypdfium2, numpy'`` (what any reader with a
store must load), timed alternately in the same run (the machine is shared: only
figures from one run compare). The target: a one-page import within 1.2x of the floor.

Every module runs from its compiled bytecode, as in an installed formgen (pip compiles
each module when it installs one): the commands write theirs to a folder of this run
(``PYTHONPYCACHEPREFIX``) in one untimed warm-up, also where ``PYTHONDONTWRITEBYTECODE``
is set, which in a source checkout would compile formgen's modules in every run
(about 100 ms of a one-page import, none of the floor's). ``--from-source`` measures
that way instead.

    .venv/bin/python bench/cli_start.py [--runs N] [--from-source] [--instructions]

Prints the median wall time of each, the ratio to the floor, and how many modules
``formgen --help`` and ``formgen scan import`` load; then the median CPU time of the
floor and the import, which a loaded machine distorts less than the wall time. With
``--instructions`` (valgrind installed) it also counts the instructions of one floor
and one import under callgrind (about a minute): a figure the machine's load does not
change at all, where the 2 cores are shared and the wall times of one run can differ
by more than the import costs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = "import sqlalchemy, cv2, zxingcpp, pypdfium2, numpy"
FORMGEN = [sys.executable, "-m", "formgen.cli"]


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """The command's wall time and CPU time (user and system, its own and its children's):
    on a loaded machine the wall time grows with the others' work, the CPU time much less
    (it still grows with cache misses)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()}")
    used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, used


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The median wall time and the median CPU time."""
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def instructions(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    """The instructions the command executes (all its threads), counted by callgrind."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or not found:
        sys.exit(f"valgrind {' '.join(command)}: exit {done.returncode}: {done.stderr[-500:]}")
    return int(found.group(1))


def modules_loaded(args: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Modules in sys.modules when the command ends (-X importtime would miss those the
    group loads through importlib)."""
    code = (
        "import atexit, sys; atexit.register(lambda: print(len(sys.modules), file=sys.stderr));"
        " from formgen.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True
    )
    return int(done.stderr.split()[-1])


def one_page(work: Path, env: dict[str, str]) -> Path:
    """A store with a sample recording, and page 1 of its first declaration as a 200 dpi
    gray image: what a scanner makes of the printed form."""
    import pypdfium2

    made = subprocess.run(
        [*FORMGEN, "sample", "--json"], cwd=work, env=env, check=True, capture_output=True
    )
    pdf = pypdfium2.PdfDocument(json.loads(made.stdout)["pdf"])
    image = pdf[0].render(scale=200 / 72, grayscale=True).to_pil()
    page = work / "page.png"
    image.save(page, dpi=(200, 200))
    return page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--from-source", action="store_true", help="Compile formgen's modules in every run."
    )
    parser.add_argument(
        "--instructions", action="store_true", help="Also count instructions (valgrind)."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("FORMGEN_")}
        if not args.from_source:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(work / "bytecode")
        page = one_page(work, env)
        store = work / "output"
        floor: list[tuple[float, float]] = []
        helps: list[tuple[float, float]] = []
        imports: list[tuple[float, float]] = []
        # the warm-up (run -1): bytecode written, files in the page cache; not timed
        for run in range(-1, args.runs):
            times: tuple[list[tuple[float, float]], ...] = (floor, helps, imports)
            if run < 0:
                times = ([], [], [])
            times[0].append(timed([sys.executable, "-c", FLOOR], work, env))
            times[1].append(timed([*FORMGEN, "--help"], work, env))
            # each import into a copy of the store as it was before any import
            copy = work / f"run-{run + 1}"
            shutil.copytree(store, copy / "output")
            times[2].append(timed([*FORMGEN, "scan", "import", str(page), "--json"], copy, env))
        shutil.copytree(store, work / "counted" / "output")
        scan_modules = modules_loaded(
            ["scan", "import", str(page), "--json"], work / "counted", env
        )
        help_modules = modules_loaded(["--help"], work, env)
        counted: tuple[int, int] | None = None
        if args.instructions:
            shutil.copytree(store, work / "valgrind" / "output")
            counted = (
                instructions([sys.executable, "-c", FLOOR], work, env),
                instructions(
                    [*FORMGEN, "scan", "import", str(page), "--json"], work / "valgrind", env
                ),
            )
    (base, base_cpu), (help_time, _), (import_time, import_cpu) = map(
        median, (floor, helps, imports)
    )
    how = "formgen compiled in every run" if args.from_source else "from bytecode"
    print(f"medians of {args.runs} runs, alternately ({how}; load {os.getloadavg()[0]:.1f}):")
    print(f"  floor ({FLOOR}): {base:.3f} s")
    print(
        f"  formgen --help: {help_time:.3f} s ({help_time / base:.2f}x the floor),"
        f" {help_modules} modules"
    )
    print(
        f"  formgen scan import (one page): {import_time:.3f} s"
        f" ({import_time / base:.2f}x the floor; target <= 1.2x), {scan_modules} modules"
    )
    print(
        f"  CPU time (user + system): floor {base_cpu:.3f} s, one-page import"
        f" {import_cpu:.3f} s ({import_cpu / base_cpu:.2f}x)"
    )
    if counted:
        print(
            f"  instructions (callgrind, one run each): floor {counted[0] / 1e9:.3f} G,"
            f" one-page import {counted[1] / 1e9:.3f} G ({counted[1] / counted[0]:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
