"""Render a class set of 30 declarations through formgen, and the same HTML through bare
WeasyPrint, in one run; print both times and the ratio.

    .venv/bin/python bench/render_classset.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from weasyprint import HTML

from formgen import documents, records, render
from formgen.config import Config
from formgen.store import instance, open_store

ROUNDS = 5


def main() -> None:
    config = Config()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        engine = open_store(str(Path(tmp) / "bench.db"))
        rec = records.create_recording(
            engine,
            config,
            title="Rekenles groep 5",
            student="Sam de Vries",
            supervisor="Dr. Jansen",
            situation="3",
            purpose="assessment",
            recorded_on=dt.date(2026, 12, 1),
            livestream=True,
            livestream_stored=True,
        )
        names = [f"Leerling {i:02d}" for i in range(30)]
        records.add_participants(engine, rec.id, names[:26], under_16=True)
        records.add_participants(engine, rec.id, names[26:], lang="en")

        with engine.connect() as conn:
            people = records.list_participants(conn, rec.id)
        specs = [documents.declaration_spec(rec, p, config) for p in people]
        html = render.build_html(specs, instance(engine), config)
        base = str(render.template_dirs(config)[-1])

        def formgen_run() -> int:
            return len(documents.write_forms(engine, config, rec.id).forms)

        def bare_run() -> int:
            return len(HTML(string=html, base_url=base).write_pdf())

        formgen_run(), bare_run()  # warm up fonts and caches for both
        ours, bare = [], []
        for _ in range(ROUNDS):  # interleaved, so machine load hits both alike
            start = time.perf_counter()
            formgen_run()
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            bare_run()
            bare.append(time.perf_counter() - start)
    ours_s, bare_s = statistics.median(ours), statistics.median(bare)
    print(f"class set of 30 declarations (60 pages), median of {ROUNDS} rounds")
    print(f"  formgen (render + layout + store + write): {ours_s:.3f} s")
    print(f"  bare WeasyPrint, same HTML:                {bare_s:.3f} s")
    print(f"  ratio: {ours_s / bare_s:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
