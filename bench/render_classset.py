"""Render a class set of 30 declarations through formgen, and the same HTML through bare
WeasyPrint, in one run; print the medians, the ratios and issue 11's targets.

    .venv/bin/python bench/render_classset.py [--rounds N]

Measured, interleaved so that machine load hits all alike: the whole command
(``formgen forms REC --json`` in a new process), ``Formgen.forms`` in a warm process
(as the service calls it), the same in a warm process with every form laid out in full
(``shared=False``, the path before issue 11), bare WeasyPrint on the full HTML, a
process that only imports SQLAlchemy and WeasyPrint (the floor under the command), and
``formgen --help``. The load average is printed beside the figures: the machine is
shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from weasyprint import HTML

from formgen import Formgen, demo
from formgen.config import EXAMPLE_DPO, Config, with_example_dpo
from formgen.documents import render

ROUNDS = 5
# Issue 11's targets.
COMMAND_S, COMMAND_RATIO, WARM_S, HELP_S = 1.5, 0.5, 0.6, 0.15


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    rounds = parser.parse_args().rounds
    print(f"before: {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        # The command reads ./formgen.toml: it needs the DPO contact to print, as a faculty's.
        Path("formgen.toml").write_text(f'[organisation]\ndpo_contact = "{EXAMPLE_DPO}"\n')
        config = with_example_dpo(Config(output_dir=Path(tmp) / "output"))
        fg = Formgen.open(db=Path(tmp) / "bench.db", config=config, make_key=True)  # a new store
        # the demo's recording (a week ahead: consent is asked before it), stream kept
        example = demo.recording(fg.today(), title="Rekenles groep 5", livestream_stored=True)
        rec = fg.create_recording(example).id
        names = [f"Leerling {i:02d}" for i in range(30)]
        fg.add_participants(rec, names[:26], under_16=True)
        fg.add_participants(rec, names[26:], lang="en")

        # The reference: the same HTML through bare WeasyPrint (formgen's own HTML is
        # not part of its API; the benchmark reaches in for it on purpose).
        from formgen.documents import declarations
        from formgen.record import roster
        from formgen.record.store import instance

        recording = fg.recording(rec)
        with fg.engine.connect() as conn:
            people = roster.list_participants(conn, rec)
        specs = [declarations.declaration_spec(recording, p, config) for p in people]
        html = render.build_html(specs, instance(fg.engine), config)
        base = str(render.template_dirs(config)[-1])
        pages = len(HTML(string=html, base_url=base).render().pages)  # three a declaration
        env = {**os.environ, "FORMGEN_DB": str(Path(tmp) / "bench.db")}
        formgen = Path(sys.executable).with_name("formgen")

        def formgen_run() -> None:
            fg.forms(rec)

        def full_run() -> None:
            render.render(specs, instance(fg.engine), config, shared=False)

        def bare_run() -> None:
            HTML(string=html, base_url=base).write_pdf()

        def command_run() -> None:
            subprocess.run(
                [formgen, "forms", rec, "--json"], env=env, check=True, capture_output=True
            )

        def help_run() -> None:
            subprocess.run([formgen, "--help"], env=env, check=True, capture_output=True)

        def imports_run() -> None:  # the floor under the command: its two big imports
            subprocess.run(
                [sys.executable, "-c", "import sqlalchemy, weasyprint"], check=True, env=env
            )

        formgen_run(), full_run(), bare_run()  # warm up fonts and caches for all
        runs: dict[str, list[float]] = {
            "command": [],
            "warm": [],
            "full": [],
            "bare": [],
            "imports": [],
        }
        helps: list[float] = []
        order: list[tuple[list[float], Callable[[], None]]] = [
            (runs["warm"], formgen_run),
            (runs["bare"], bare_run),
            (runs["command"], command_run),
            (runs["full"], full_run),
            (runs["imports"], imports_run),
        ]
        for _ in range(rounds):
            for times, run in order:
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
            for _ in range(3):
                start = time.perf_counter()
                help_run()
                helps.append(time.perf_counter() - start)
        fg.close()
    median = {key: statistics.median(values) for key, values in runs.items()}
    help_s = statistics.median(helps)
    bare = median["bare"]

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"class set of 30 declarations ({pages} pages), median of {rounds} rounds")
    print(
        f"  formgen forms, whole command:        {median['command']:.3f} s"
        f"  ({median['command'] / bare:.2f}x bare; target <= {COMMAND_S} s and"
        f" <= {COMMAND_RATIO}x: {verdict(median['command'] <= COMMAND_S)},"
        f" {verdict(median['command'] / bare <= COMMAND_RATIO)})"
    )
    print(
        f"  Formgen.forms in a warm process:     {median['warm']:.3f} s"
        f"  ({median['warm'] / bare:.2f}x bare; target <= {WARM_S} s:"
        f" {verdict(median['warm'] <= WARM_S)})"
    )
    print(
        f"  every form laid out in full, warm:   {median['full']:.3f} s"
        f"  ({median['full'] / bare:.2f}x bare)"
    )
    print(f"  bare WeasyPrint, same HTML:          {bare:.3f} s")
    print(
        f"  python -c 'import sqlalchemy, weasyprint': {median['imports']:.3f} s"
        f"  (the floor under the whole command)"
    )
    print(
        f"  formgen --help (median of {len(helps)}):      {help_s:.3f} s"
        f"  (target <= {HELP_S} s: {verdict(help_s <= HELP_S)})"
    )
    print(f"after: {load()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
