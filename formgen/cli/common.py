"""What every command shares: the library opened on demand, the output (a table or
one JSON document), the common options, and one line on stderr for every refusal."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import importlib
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from formgen.errors import FormgenError

if TYPE_CHECKING:
    from formgen.api import Formgen as Library

# The library (and with it SQLAlchemy, and WeasyPrint where documents are made) is
# imported when a command runs, not for `formgen --help`.

# records.LANGS and rules.Purpose, named here so that --help loads neither (a test
# checks they agree).
LANGS = ("nl", "en")
PURPOSES = ("reflection", "assessment", "final-level")


# When the `formgen` process began (set by ``main``); None when a program runs the
# commands itself (tests, click's runner): then a command begins when it is called.
_process_began: dt.datetime | None = None


def _process_started() -> dt.datetime:
    """When this process was started (UTC). On a busy machine Python and its libraries
    can take longer to load than another import takes to run: two imports the user
    started together still ran "at the same time". Where the system does not tell
    (not Linux), now."""
    now = dt.datetime.now(dt.UTC)
    try:
        import os

        uptime = float(Path("/proc/uptime").read_text().split()[0])
        # the fields after the command name, which may hold spaces and brackets
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # field 22 of the line: starttime, in clock ticks
        age = max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return now
    return now - dt.timedelta(seconds=age)


# The cyclic garbage collector, paused while a command starts (``main``): loading the
# modules (click, SQLAlchemy, OpenCV, formgen's own) and opening the store make half a
# million objects that live as long as the process, and the collector went through all
# of them again and again, and once more at exit: a sixth of a one-page import's
# instructions. Once the library is open they are frozen (``gc.freeze``: no collection
# looks at them again) and the collector runs as before for what the command makes.
# Every command that works opens the library first; one that does not (--help) is
# over before it could matter. Only ``main`` pauses: a program that runs the commands
# itself (tests, click's runner) keeps its collector as it is.
_collector_paused = False


def pause_collector() -> None:
    global _collector_paused
    if gc.isenabled():
        gc.disable()
        _collector_paused = True


def resume_collector() -> None:
    """The start-up is over: what it made is frozen, the collector runs again."""
    global _collector_paused
    if _collector_paused:
        gc.freeze()
        gc.enable()
        _collector_paused = False


class App:
    """Opens the library (store and configuration) only when a command needs it, and
    closes it when the command ends (so SQLite can fold its write-ahead log back)."""

    def __init__(self) -> None:
        # When the command began: a page another import lands after this ran at the
        # same time (an import's own start comes later, after the files are read).
        began = _process_began or dt.datetime.now(dt.UTC)
        self.started = began.replace(tzinfo=None)
        self.make_key = False  # the demo and the sample make the master key if missing

    @cached_property
    def fg(self) -> Library:
        from formgen.api import Formgen as Library

        fg = Library.open(make_key=self.make_key)
        click.get_current_context().find_root().call_on_close(fg.close)
        resume_collector()
        return fg


pass_app = click.make_pass_decorator(App, ensure=True)


def emit(as_json: bool, document: Any, text: Callable[[], str]) -> None:
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        click.echo(text())


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")


def out_option(what: str = "the PDF", text: str | None = None) -> Callable[[Any], Any]:
    return click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        help=text or f"Where to write {what} (default: under output/).",
    )


class Formgen(click.Group):
    """Reports every refusal as one line: ``formgen: <what is wrong>``. Loads a command's
    module when the command is asked for (click's lazy group): ``lazy_commands`` maps
    each name to ``module.attribute`` inside this package."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_commands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        module, name = self.lazy_commands[cmd_name].rsplit(".", 1)
        command = getattr(importlib.import_module(f"formgen.cli.{module}"), name)
        assert isinstance(command, click.Command), self.lazy_commands[cmd_name]
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            # click suggests only from the commands it holds: offer every name
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FormgenError as exc:
            raise click.ClickException(str(exc) + _hint(exc)) from exc

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("formgen: aborted", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            # click's messages may span lines (choices); a refusal is one line
            click.echo(f"formgen: {' '.join(exc.format_message().split())}", err=True)
            sys.exit(exc.exit_code)
        # click returns the exit code instead of exiting when not standalone
        sys.exit(result if isinstance(result, int) else 0)


def _progress(label: str, total: int, as_json: bool) -> Any:
    """A progress bar on stderr for people; nothing when printing JSON."""
    if as_json or total < 4:
        return contextlib.nullcontext(None)
    return click.progressbar(length=total, label=label, file=sys.stderr)


def _warn(warnings: Iterable[str]) -> None:
    for warning in warnings:
        click.echo(f"formgen: warning: {warning}", err=True)


# What a person at a terminal does next, beside the library's message: by its message ID.
HINTS = {
    "form {form} has not been printed yet": ": run formgen forms first",
    "this form's name was written by hand: type the name as written": " (--name)",
    "situation {n} takes place at an institution: name the institution": " (--institution)",
}


def _hint(exc: FormgenError) -> str:
    return HINTS.get(exc.message_id, "")
