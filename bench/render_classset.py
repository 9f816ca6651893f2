"""Render a class set of 30 declarations through formgen, and the same HTML through bare
WeasyPrint, in one run; print both times and the ratio.

    .venv/bin/python bench/render_classset.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from weasyprint import HTML

from formgen import Formgen, render
from formgen.config import Config

ROUNDS = 5


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        config = Config(output_dir=Path(tmp) / "output")
        fg = Formgen.open(db=Path(tmp) / "bench.db", config=config)
        rec = fg.create_recording(
            title="Rekenles groep 5",
            student="Sam de Vries",
            supervisor="Dr. Jansen",
            situation=3,
            purpose="assessment",
            date=dt.date(2026, 12, 1),
            livestream=True,
            livestream_stored=True,
        ).id
        names = [f"Leerling {i:02d}" for i in range(30)]
        fg.add_participants(rec, names[:26], under_16=True)
        fg.add_participants(rec, names[26:], lang="en")

        # The reference: the same HTML through bare WeasyPrint (formgen's own HTML is
        # not part of its API; the benchmark reaches in for it on purpose).
        from formgen import documents, records
        from formgen.store import instance

        recording = fg.recording(rec)
        with fg.engine.connect() as conn:
            people = records.list_participants(conn, rec)
        specs = [documents.declaration_spec(recording, p, config) for p in people]
        html = render.build_html(specs, instance(fg.engine), config)
        base = str(render.template_dirs(config)[-1])

        def formgen_run() -> int:
            return len(fg.forms(rec).forms)

        def bare_run() -> int:
            return len(HTML(string=html, base_url=base).write_pdf())

        def command_run() -> None:
            env = {**os.environ, "FORMGEN_DB": str(Path(tmp) / "bench.db")}
            formgen = Path(sys.executable).with_name("formgen")
            subprocess.run(
                [formgen, "forms", rec, "--json"], env=env, check=True, capture_output=True
            )

        formgen_run(), bare_run()  # warm up fonts and caches for both
        ours, bare, command = [], [], []
        for _ in range(ROUNDS):  # interleaved, so machine load hits all alike
            for runs, run in ((ours, formgen_run), (bare, bare_run), (command, command_run)):
                start = time.perf_counter()
                run()
                runs.append(time.perf_counter() - start)
        fg.close()
    ours_s, bare_s = statistics.median(ours), statistics.median(bare)
    print(f"class set of 30 declarations (60 pages), median of {ROUNDS} rounds")
    print(f"  formgen forms, whole command:              {statistics.median(command):.3f} s")
    print(f"  Formgen.forms in a warm process:           {ours_s:.3f} s")
    print(f"  bare WeasyPrint, same HTML:                {bare_s:.3f} s")
    print(f"  ratio (warm / bare): {ours_s / bare_s:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
