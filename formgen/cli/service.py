"""The service and the store as a whole: ``user``, ``serve``, ``worker`` and ``store``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from formgen.cli.common import LANGS, App, _warn, emit, json_option, pass_app, table

# --- the service ------------------------------------------------------------------------


@click.group()
def user() -> None:
    """Accounts of the service: students, supervisors and the privacy officer."""


@user.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The person's name, as it goes on the forms.")
@click.option(
    "--role",
    type=click.Choice(["student", "supervisor", "officer"]),
    required=True,
    help="What they may do.",
)
@click.option(
    "--lang", type=click.Choice(LANGS), help="Language of their pages (default: the browser's)."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@json_option
@pass_app
def user_add(
    app: App,
    email: str,
    name: str,
    role: str,
    lang: str | None,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Add an account. Without a password the person cannot sign in yet (give one with
    --password-stdin)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    added = app.fg.add_user(email, name=name, role=role, password=password, lang=lang)
    emit(as_json, added.as_dict(), lambda: f"{added.email}: {added.role} ({added.id})")


@user.command("list")
@json_option
@pass_app
def user_list(app: App, as_json: bool) -> None:
    """Every account, with its role and whether it is disabled."""
    found = app.fg.users()
    emit(
        as_json,
        {"users": [u.as_dict() for u in found]},
        lambda: table(
            ["email", "name", "role", "state"],
            [(u.email, u.name, u.role, "disabled" if u.disabled else "") for u in found],
        ),
    )


@user.command("disable")
@click.argument("email")
@click.option("--enable", is_flag=True, help="Enable a disabled account again.")
@json_option
@pass_app
def user_disable(app: App, email: str, enable: bool, as_json: bool) -> None:
    """Disable an account: it is signed out everywhere and its API tokens stop working."""
    done = app.fg.disable_user(email, disabled=not enable)
    emit(
        as_json,
        done.as_dict(),
        lambda: f"{done.email}: {'disabled' if done.disabled else 'enabled'}",
    )


@user.command("token")
@click.argument("email")
@json_option
@pass_app
def user_token(app: App, email: str, as_json: bool) -> None:
    """Issue an API token (bearer) for the account; it is shown only now."""
    token = app.fg.issue_token(email)
    emit(as_json, {"token": token}, lambda: token)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--demo", is_flag=True, help="Add demo accounts and a sample recording first.")
@click.option(
    "--workers",
    "scan_workers",
    type=click.IntRange(0, 8),
    default=1,
    show_default=True,
    help="Scan-import workers to run beside the web server (formgen worker runs more).",
)
@pass_app
def serve_command(app: App, host: str, port: int, demo: bool, scan_workers: int) -> None:
    """Run the service: pages for people and the JSON API under /api/v1, on the same
    store as the command line."""
    from formgen.web import serve

    app.make_key = demo
    _warn(app.fg.config_warnings(demo=demo))
    serve.run(app.fg, host=host, port=port, demo=demo, scan_workers=scan_workers)


@click.command("worker")
@click.option("--once", is_flag=True, help="Stop when no job is waiting.")
@pass_app
def worker_command(app: App, once: bool) -> None:
    """Import uploaded scans (the service's jobs), on this machine or another one that
    reaches the same store. Stops cleanly on Ctrl-C or SIGTERM."""
    import signal
    import threading

    stop = threading.Event()
    # (put back afterwards: a program that runs this command in its own process keeps
    # its own handlers)
    signals = (signal.SIGINT, signal.SIGTERM)
    before = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in signals}
    try:
        count = app.fg.work(once=once, stop=stop)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    click.echo(f"{count} job(s) done", err=True)


@click.group("store")
def store_group() -> None:
    """The store as a whole."""


@store_group.command("copy")
@click.option("--to", "target", required=True, metavar="URL", help="A new, empty database.")
@json_option
@pass_app
def store_copy(app: App, target: str, as_json: bool) -> None:
    """Copy the whole store (every record, event, scan image, account and job, and the
    signing key) into a new, empty database, e.g. from the default SQLite file to a
    faculty's PostgreSQL; checked against the original afterwards."""
    done = app.fg.copy_store(target)
    emit(
        as_json,
        done.as_dict(),
        lambda: (
            f"copied {sum(done.counts.values())} rows in {len(done.counts)} tables; "
            f"event log sha256 {done.checksum[:16]}… the same on both sides"
        ),
    )


@store_group.group("key")
def store_key() -> None:
    """The master key that opens the store's sealed personal data."""


@store_key.command("rotate")
@click.option(
    "--to",
    "new_key",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The new master key file: made (owner-only) if it does not exist.",
)
@json_option
@pass_app
def store_key_rotate(app: App, new_key: Path, as_json: bool) -> None:
    """Re-wrap every recording's keys under a new master key; the data is not touched.
    Afterwards only the new key file opens the store: point FORMGEN_KEY_FILE (or [store]
    key_file) at it, and back it up apart from the store."""
    done = app.fg.rotate_master_key(new_key)
    emit(
        as_json,
        done,
        lambda: f"{done['keys']} keys re-wrapped; the store now opens with {done['key_file']}",
    )
