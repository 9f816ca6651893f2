"""``formgen serve``: the web application under uvicorn, with scan workers beside it as
child processes (``formgen worker``), so a long import never holds the server's Python."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

from ..api import Formgen


def run(fg: Formgen, *, host: str, port: int, demo: bool, scan_workers: int) -> None:
    import uvicorn

    from .app import create_app

    base = f"http://{host}:{port}"
    if demo:
        _say("Demo accounts (passwords are shown only now):")
        for account, password in fg.demo():
            _say(f"  {account.role:<10} {account.email:<28} {password}")
    if (secret := fg.setup_link()) is not None:
        _say(
            f"No account yet. Make the privacy officer's account here (once): {base}/setup/{secret}"
        )
    app = create_app(fg)
    # uvicorn shuts down on SIGTERM and then raises it again with the handler it found:
    # make that handler an exit through the ``finally`` below, which stops the workers
    # (the default handler would end this process and leave them running).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with _workers(fg, scan_workers):
        _say(f"formgen serves {base}  (Ctrl-C stops it)")
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@contextlib.contextmanager
def _workers(fg: Formgen, count: int) -> Iterator[None]:
    env = {**os.environ, "FORMGEN_DB": fg.engine.url.render_as_string(hide_password=False)}
    command = [sys.executable, "-c", "from formgen.cli import main; main()", "worker"]
    procs = [subprocess.Popen(command, env=env) for _ in range(count)]
    try:
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _say(line: str) -> None:
    print(line, flush=True)
