"""The scan worker's loop (``formgen worker``, and the ones ``formgen serve`` starts):
claim a queued scan job (``record.jobs``), import it as the person who uploaded it, and
now and then erase the proofs whose retention has ended. It works through the library
(``Formgen``), as the command line does, so a job lands exactly as an import would."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formgen.record import accounts, jobs
from formgen.rules import Act

if TYPE_CHECKING:
    from formgen.api import Formgen

log = logging.getLogger("formgen.worker")

# How often a worker looks for proofs whose retention has ended (seconds).
PROOF_SWEEP_SECONDS = 3600.0


def work(
    lib: Formgen, *, once: bool = False, poll: float = 1.0, stop: threading.Event | None = None
) -> int:
    """Claim and run scan jobs until ``stop`` is set, or, with ``once``, until none is
    waiting. Each job imports as the person who uploaded it. Returns the number of jobs
    run. Between jobs, once an hour (and when it starts), it erases the proofs whose
    retention has ended."""
    from formgen.aftercare import returns
    from formgen.scan import landing  # OpenCV and zxing: only where scans are read

    stop = stop or threading.Event()
    name = jobs.worker_name()
    jobs.sweep_temp()
    done = 0
    swept: float | None = None
    while not stop.is_set():
        if swept is None or time.monotonic() - swept >= PROOF_SWEEP_SECONDS:
            sweep_proofs(lib)
            swept = time.monotonic()
        job = jobs.claim(lib.engine, name)
        if job is None:
            if once:
                break
            stop.wait(poll)
            continue
        person = lib.as_user(accounts.get(lib.engine, job.user_id))
        # Through a return link: only the forms of the recording it was made for.
        only = returns.recording_of_job(lib.engine, job.id)

        def run(paths: list[Path], progress: Callable[[int], None]) -> list[Any]:
            def allowed(recording_id: str) -> bool:
                if only is not None and recording_id != only:  # noqa: B023
                    return False
                return person.may(Act.CHANGE, recording_id)  # noqa: B023

            return landing.import_files(lib.engine, paths, progress, None, allowed, job.id)  # noqa: B023

        try:
            jobs.run(lib.engine, job, run)
        except Exception as exc:  # recorded in the job as failed; the worker goes on
            log.warning("job %s failed: %s", job.id, type(exc).__name__)
        done += 1
    return done


def sweep_proofs(lib: Formgen) -> None:
    """Erase the proofs whose retention has ended; a failure waits for the next sweep."""
    try:
        erased = lib.erase_due_proofs()
    except Exception as exc:  # tried again at the next sweep; the worker goes on
        log.warning("erasing proofs failed: %s", type(exc).__name__)
        return
    if erased:  # ids only: nothing personal in the log
        log.info("proof retention ended: erased %s", ", ".join(erased))
