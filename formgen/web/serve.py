"""``formgen serve``: the web application under uvicorn, with scan workers beside it as
child processes (``formgen worker``), so a long import never holds the server's Python."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from formgen.api import Formgen
from formgen.errors import ConfigError
from formgen.web.rendering import NICENESS
from formgen.words import N_


def run(fg: Formgen, *, host: str, port: int, demo: bool, scan_workers: int) -> None:
    import uvicorn

    from formgen.web.app import create_app

    base = f"http://{host}:{port}"
    # The port is taken before anything is made or said: a busy one is refused in one
    # line, and "formgen serves" is printed only when a browser can connect.
    listening = _listen(host, port)
    mailbox = None
    if demo:
        mailbox = _demo_mail(fg, base)
        _say("Demo accounts (passwords are shown only now):")
        made = fg.demo()
        for account, password in made:
            _say(f"  {account.role:<10} {account.email:<28} {password}")
        student = fg.as_user(made[0][0])
        sample = student.forms(student.recordings()[0].id)
        _say(f"Sample declarations to print: {sample.pdf}")
        _say(f"  their QR codes open them online; the mail formgen sends: {base}/demo/mail")
    if (secret := fg.setup_link()) is not None:
        _say(
            f"No account yet. Make the privacy officer's account here (once): {base}/setup/{secret}"
        )
    app = create_app(fg)
    app.state.mailbox = mailbox
    # uvicorn shuts down on SIGTERM and then raises it again with the handler it found:
    # make that handler an exit through the ``finally`` below, which stops the workers
    # (the default handler would end this process and leave them running).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with _workers(fg, scan_workers):
        _say(f"formgen serves {base}  (Ctrl-C stops it)")
        # X-Forwarded-For only from the proxies formgen.toml names: uvicorn's default
        # trusts it from loopback, where any local process could pose as many clients.
        trusted = list(fg.config.trusted_proxies)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            proxy_headers=bool(trusted),
            forwarded_allow_ips=trusted or [],
        )
        uvicorn.Server(config).run(sockets=[listening])


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening (connections wait in its queue
    until uvicorn accepts them)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's own backlog
    except OSError as exc:
        sock.close()
        raise ConfigError(
            N_("cannot serve on {host}:{port}: {reason} (another --port or --host?)"),
            host=host,
            port=port,
            reason=exc.strerror or type(exc).__name__,
        ) from None
    return sock


def _demo_mail(fg: Formgen, base: str) -> Any:
    """The demo's mail: a real SMTP server on loopback that keeps what formgen sends, shown
    at /demo/mail; and, unless configured, QR codes that open this server's pages."""
    from formgen.config import Mail
    from formgen.mail.mailbox import Mailbox

    box = Mailbox().start()
    fg.config = dataclasses.replace(
        fg.config,
        public_url=fg.config.public_url or base,
        mail=Mail(host="127.0.0.1", port=box.port, sender="formgen-demo@localhost"),
    )
    return box


@contextlib.contextmanager
def _workers(fg: Formgen, count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = {**os.environ, "FORMGEN_DB": fg.engine.url.render_as_string(hide_password=False)}
    # Below the server, as the rendering processes are: a page someone waits for goes
    # first, and a long import does not take the CPU from a PDF someone asked for (at
    # the server's priority it left a niced render about a tenth of a busy core).
    start = f"import os; os.nice({NICENESS}); from formgen.cli import main; main()"
    procs = [
        subprocess.Popen([sys.executable, "-c", start, "worker"], env=env) for _ in range(count)
    ]
    try:
        yield procs
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
