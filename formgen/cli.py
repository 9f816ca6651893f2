"""``formgen``: a thin click layer over the library (docs/contract.md is its contract).

Every reporting command takes ``--json`` and then prints exactly one JSON document on
stdout. Every refusal is one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from formgen import privacy
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
    """Reports every refusal as one line: ``formgen: <what is wrong>``."""

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


@click.group(cls=Formgen, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="formgen")
def cli() -> None:
    """Consent declarations for recordings in educational practice: generate them,
    read the signed scans back, and keep each recording's consent record.

    The store is FORMGEN_DB (a database URL or an SQLite file path), by default
    output/formgen.db in the current directory.
    """


# --- recording ------------------------------------------------------------------------


@cli.group()
def recording() -> None:
    """Create and list recordings."""


@recording.command("create")
@click.option("--title", required=True, help="What is recorded, e.g. the lesson.")
@click.option("--student", required=True, help="Who records.")
@click.option("--supervisor", required=True, help="The student's supervisor.")
@click.option(
    "--situation",
    type=click.Choice(["1", "2", "3"]),
    required=True,
    help="1 partner institution, 2 other internship institution, 3 outside any institution.",
)
@click.option(
    "--purpose",
    type=click.Choice(["reflection", "assessment", "final-level"]),
    required=True,
    help="Sets the retention: 4 weeks, 1 year or 7 years.",
)
@click.option(
    "--date",
    "date_",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="Date of the recording, YYYY-MM-DD.",
)
@click.option("--institution", help="Where it is recorded (required in situations 1 and 2).")
@click.option(
    "--media",
    type=click.Choice(["video", "audio", "both"]),
    default="both",
    show_default=True,
    help="Image, sound or both.",
)
@click.option("--livestream", is_flag=True, help="The recording is streamed live.")
@click.option("--livestream-stored", is_flag=True, help="The live stream is also stored.")
@click.option("--360", "view360", is_flag=True, help="A 360-degree camera is used.")
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default="nl",
    show_default=True,
    help="Language of the declarations.",
)
@json_option
@pass_app
def recording_create(app: App, date_: dt.datetime, as_json: bool, **options: Any) -> None:
    """Register a recording and the consent it needs."""
    created = app.fg.create_recording(date=date_.date(), **options)
    emit(as_json, created.as_dict(), lambda: f"{created.id}  delete by {created.delete_by}")


@recording.command("list")
@json_option
@pass_app
def recording_list(app: App, as_json: bool) -> None:
    """List recordings with their deletion dates."""
    found = app.fg.recordings()
    emit(
        as_json,
        {"recordings": [r.as_dict() for r in found]},
        lambda: table(
            ["id", "date", "purpose", "delete by", "title"],
            [(r.id, r.recorded_on, r.plan.purpose, r.delete_by, r.title) for r in found],
        ),
    )


@recording.command("change")
@click.argument("recording_id", metavar="REC")
@click.option(
    "--purpose",
    type=click.Choice(PURPOSES),
    help="The new purpose; its retention applies.",
)
@click.option(
    "--extend-to",
    "extend_to",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Keep the recording until this later date.",
)
@click.option("--by", required=True, help="Who decided the change.")
@out_option("the new declarations")
@json_option
@pass_app
def recording_change(
    app: App,
    recording_id: str,
    purpose: str | None,
    extend_to: dt.datetime | None,
    by: str,
    out: Path | None,
    as_json: bool,
) -> None:
    """Change the purpose or extend retention: earlier consent becomes invalidated and
    everyone is asked again on new declarations (new form IDs)."""
    change = app.fg.change_recording(
        recording_id,
        by=by,
        purpose=purpose,
        extend_to=extend_to.date() if extend_to else None,
        out=out,
    )
    document = change.as_dict()
    emit(
        as_json,
        document,
        lambda: (
            f"{change.recording.id}: {change.reason}\n"
            f"{len(change.invalidated)} declarations invalidated, "
            f"{len(change.issued)} new ones" + (f" in {document['pdf']}" if change.issued else "")
        ),
    )


@recording.command("edit")
@click.argument("recording_id", metavar="REC")
@click.option("--title", help="The corrected title.")
@click.option("--date", "date_", type=click.DateTime(["%Y-%m-%d"]), help="The corrected date.")
@click.option(
    "--livestream/--no-livestream", default=None, help="Whether the recording is streamed live."
)
@click.option(
    "--livestream-stored/--no-livestream-stored",
    default=None,
    help="Whether the live stream is also stored.",
)
@click.option("--by", required=True, help="Who corrects it.")
@out_option("the new declarations")
@json_option
@pass_app
def recording_edit(
    app: App,
    recording_id: str,
    title: str | None,
    date_: dt.datetime | None,
    livestream: bool | None,
    livestream_stored: bool | None,
    by: str,
    out: Path | None,
    as_json: bool,
) -> None:
    """Correct the title, date or live stream. Another date, streaming added or the
    stream kept needs new consent: earlier consent becomes invalidated and everyone is
    asked again on new declarations, as with 'recording change'."""
    if title is None and date_ is None and livestream is None and livestream_stored is None:
        raise click.UsageError("say what changes: --title, --date, --livestream or both")
    edit = app.fg.edit_recording(
        recording_id,
        by=by,
        title=title,
        date=date_.date() if date_ else None,
        livestream=livestream,
        livestream_stored=livestream_stored,
        out=out,
    )
    emit(
        as_json,
        edit.as_dict(),
        lambda: (
            f"{edit.recording.id}: corrected"
            + (
                f"; {edit.reason}\n{len(edit.invalidated)} declarations invalidated,"
                f" {len(edit.issued)} new ones"
                if edit.reason
                else ""
            )
        ),
    )


# --- participant ----------------------------------------------------------------------


@cli.group()
def participant() -> None:
    """Add the people who will be recorded."""


@participant.command("add")
@click.argument("recording_id", metavar="REC")
@click.option("--name", help="The participant's name (for under-16s: the child's).")
@click.option("--under-16", is_flag=True, help="A parent or guardian consents.")
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    help="Language of this person's form (default: the recording's).",
)
@click.option("--blank", is_flag=True, help="Forms whose names are written on the paper.")
@click.option(
    "--count",
    type=click.IntRange(1, 500),
    default=1,
    show_default=True,
    help="How many blank forms (with --blank).",
)
@json_option
@pass_app
def participant_add(
    app: App,
    recording_id: str,
    name: str | None,
    under_16: bool,
    lang: str | None,
    blank: bool,
    count: int,
    as_json: bool,
) -> None:
    """Add a participant, each with a declaration form ID of their own."""
    if blank == (name is not None):
        raise click.UsageError("give either --name or --blank")
    if not blank and count != 1:
        raise click.UsageError("--count goes with --blank")
    if name is not None:
        added = [app.fg.add_participant(recording_id, name, under_16=under_16, lang=lang)]
    else:
        added = app.fg.add_blank(recording_id, count, under_16=under_16, lang=lang)
    rows = [
        {"id": p.id, "form_id": p.form_id, "name": p.name, "variant": p.variant, "lang": p.lang}
        for p in added
    ]
    document = rows[0] if len(rows) == 1 and not blank else {"participants": rows}
    emit(
        as_json,
        document,
        lambda: table(
            ["id", "form", "variant", "lang"],
            [(r["id"], r["form_id"], r["variant"], r["lang"]) for r in rows],
        ),
    )


@participant.command("remove")
@click.argument("participant_id", metavar="PARTICIPANT")
@click.option("--by", required=True, help="Who removes the participant.")
@click.option("--reason", help="Why (required once something came back for the form).")
@json_option
@pass_app
def participant_remove(
    app: App, participant_id: str, by: str, reason: str | None, as_json: bool
) -> None:
    """Remove a participant added by mistake: gone while nothing came back for their
    form; otherwise the form is voided (invalidated) with the reason, its history kept."""
    done = app.fg.remove_participant(participant_id, by=by, reason=reason)
    emit(as_json, done, lambda: f"{done['participant_id']} ({done['form_id']}): {done['outcome']}")


@participant.command("rename")
@click.argument("participant_id", metavar="PARTICIPANT")
@click.option("--name", required=True, help="The name spelt right.")
@click.option("--by", required=True, help="Who corrects it.")
@json_option
@pass_app
def participant_rename(app: App, participant_id: str, name: str, by: str, as_json: bool) -> None:
    """Correct the spelling of a participant's name; the form ID stays."""
    done = app.fg.rename_participant(participant_id, name, by=by)
    emit(as_json, done, lambda: f"{done['participant_id']} ({done['form_id']}): renamed")


# --- status and consent ---------------------------------------------------------------


@cli.command("status")
@click.argument("recording_id", metavar="REC")
@json_option
@pass_app
def status_command(app: App, recording_id: str, as_json: bool) -> None:
    """Who consented to what, the camera advice, who must not appear, delete-by date."""
    from formgen import rules

    found = app.fg.status(recording_id)
    report = found.as_dict()
    # Once the proof retention ended the names are gone: each is their place in the list.
    places = {p.id: p.number for p in found.participants}

    def text() -> str:
        people = report["participants"]
        clauses = sorted({k for p in people for k in p["clauses"]})
        signed = {True: "yes", False: "NO", None: "-"}
        lines = [
            f"{report['id']}  {report['title']}  ({report['purpose']}, {report['date']})",
            f"delete by: {report['delete_by']}"
            + (
                f"  (destroyed {report['destroyed']['at'][:10]} by {report['destroyed']['by']})"
                if report["destroyed"]
                else ""
            )
            + (
                f"; proof erased {report['proof_erased'][:10]}: no names are kept"
                if report["proof_erased"]
                else ""
            ),
            f"camera: {rules.SETUP[rules.Advice(report['camera_advice'])]} "
            f"({report['camera']['consented']}/{report['camera']['present']})",
            "",
            table(
                ["participant", "form", "name", "signed", *clauses],
                [
                    (
                        p["id"],
                        p["form_id"],
                        p["name"]
                        or (
                            f"participant {places[p['id']]}"
                            if report["proof_erased"]
                            else "(see scan)"
                        ),
                        signed[p["signed"]],
                        *(p["clauses"].get(c, "") for c in clauses),
                    )
                    for p in people
                ],
            ),
        ]
        # Each activity its own choice: who is kept out of which, listed apart.
        for activity, heading in KEPT_OUT:
            out = [p for p in report["must_not_appear"] if activity in p["not_in"]]
            if out:
                lines += ["", heading]
                for p in out:
                    why = [
                        r for r in p["reasons"] if r.partition(":")[0] in (activity, "not signed")
                    ]
                    lines.append(
                        f"  {p['name'] or '(see scan)'} [{p['form_id']}]: {'; '.join(why)}"
                    )
        return "\n".join(lines)

    emit(as_json, report, text)


KEPT_OUT = (
    ("recording", "must not appear (not in frame):"),
    ("livestream", "not during the live stream:"),
    ("360", "not with the 360-degree camera:"),
)


@cli.group()
def consent() -> None:
    """Set a decision by hand, or show a form's history."""


@consent.command("set")
@click.argument("form_id")
@click.argument("clause")
@click.argument("decision", type=click.Choice(["given", "refused", "no_answer"]))
@click.option("--by", required=True, help="Who decides (recorded with the event).")
@click.option("--reason", required=True, help="Why, e.g. 'checked the paper form'.")
@json_option
@pass_app
def consent_set(
    app: App, form_id: str, clause: str, decision: str, by: str, reason: str, as_json: bool
) -> None:
    """Record a decision for one clause of a form, as an event like any other."""
    done = app.fg.set_consent(form_id, clause, decision, by=by, reason=reason)
    emit(as_json, done, lambda: f"{done['form_id']} {clause}: {decision}")


@consent.command("history")
@click.argument("form_id")
@json_option
@pass_app
def consent_history(app: App, form_id: str, as_json: bool) -> None:
    """Every event of a form, oldest first: the proof of what was decided, when, from
    which scan page or by whom."""
    found = app.fg.history(form_id)
    emit(
        as_json,
        found,
        lambda: table(
            ["at", "clause", "status", "source", "reason"],
            [
                (e["at"], e["clause"], e["status"], e["source"], e["reason"])
                for e in found["events"]
            ],
        ),
    )


@cli.command("withdraw")
@click.argument("form_id")
@click.option("--clause", help="Only this clause (default: every given clause).")
@click.option("--by", required=True, help="Who records the withdrawal.")
@click.option("--reason", help="How it reached you, e.g. 'email of 3 March'.")
@json_option
@pass_app
def withdraw_command(
    app: App, form_id: str, clause: str | None, by: str, reason: str | None, as_json: bool
) -> None:
    """Record that a person withdrew consent; they must then not appear."""
    done = app.fg.withdraw(form_id, by=by, clause=clause, reason=reason)
    emit(
        as_json,
        done,
        lambda: (
            f"{done['form_id']}: withdrawn {', '.join(done['withdrawn'])};"
            " see formgen status for what to edit"
        ),
    )


@cli.command("not-returned")
@click.argument("recording_id", metavar="REC")
@click.argument("participants", nargs=-1, metavar="[PARTICIPANT]...")
@click.option("--all", "every", is_flag=True, help="Every open form past its return date.")
@click.option("--by", required=True, help="Who records it.")
@click.option(
    "--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="Date to judge on (default today)."
)
@json_option
@pass_app
def not_returned_command(
    app: App,
    recording_id: str,
    participants: tuple[str, ...],
    every: bool,
    by: str,
    on: dt.datetime | None,
    as_json: bool,
) -> None:
    """After the return date: close forms that never came back as "not returned: no
    consent" (never consent) and discard unused blank forms, so the recording settles."""
    if every == bool(participants):
        raise click.UsageError("name the participants, or give --all (not both)")
    done = app.fg.close_unreturned(
        recording_id,
        by=by,
        participants=list(participants) or None,
        today=on.date() if on else None,
    )
    emit(
        as_json,
        done,
        lambda: (
            f"{done['id']}: {len(done['closed'])} form(s) closed as not returned,"
            f" {len(done['discarded'])} blank form(s) discarded"
        ),
    )


@cli.command("due")
@click.option(
    "--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="Date to check (default today)."
)
@click.option(
    "--within",
    type=click.IntRange(0, 3650),
    default=0,
    show_default=True,
    help="Also list recordings due within this many days.",
)
@json_option
@pass_app
def due_command(app: App, on: dt.datetime | None, within: int, as_json: bool) -> None:
    """Recordings past their deletion date (or due soon), and destroyed recordings whose
    proof retention ends (the worker erases those)."""
    day = on.date() if on else app.fg.today()  # the organisation's day, not the server's
    found = app.fg.due(day, within)
    proofs = app.fg.proofs_due(day, within)

    def text() -> str:
        parts = []
        if found:
            parts.append(
                table(
                    ["id", "delete by", "overdue", "title"],
                    [
                        (r["id"], r["delete_by"], "yes" if r["overdue"] else "soon", r["title"])
                        for r in found
                    ],
                )
            )
        if proofs:
            parts.append(
                "proof retention ends (the worker erases what is personal):\n"
                + table(
                    ["id", "destroyed", "erase on", "overdue", "title"],
                    [
                        (
                            r["id"],
                            r["destroyed_on"],
                            r["erase_on"],
                            "yes" if r["overdue"] else "soon",
                            r["title"],
                        )
                        for r in proofs
                    ],
                )
            )
        return "\n\n".join(parts) or "nothing due"

    emit(as_json, {"on": day.isoformat(), "recordings": found, "proofs": proofs}, text)


@cli.command("destroy")
@click.argument("recording_id", metavar="REC")
@click.option("--by", required=True, help="Who destroyed the recording.")
@json_option
@pass_app
def destroy_command(app: App, recording_id: str, by: str, as_json: bool) -> None:
    """Record that the recording was destroyed and delete formgen's scans, crops and
    printed documents of it; the consent events stay as proof."""
    done = app.fg.destroy(recording_id, by=by)
    emit(
        as_json,
        done,
        lambda: (
            f"{done['id']}: destroyed; {done['consents_expired']} consents expired, "
            f"{done['scan_images_removed']} scan images and "
            f"{done['documents_removed']} printed documents deleted; the record is kept as"
            f" proof until {done['proof_kept_until']}"
        ),
    )


# --- after recording ------------------------------------------------------------------


@cli.command("describe")
@click.argument("recording_id", metavar="REC")
@json_option
@pass_app
def describe_command(app: App, recording_id: str, as_json: bool) -> None:
    """The text for the video's description on the platform (keep-until date, purpose,
    where the declarations are, who may see it) and the date for automatic deletion."""
    found = app.fg.describe(recording_id)
    emit(
        as_json,
        found,
        lambda: "\n".join(
            [found["text"], "", f"Set automatic deletion on: {found['delete_on']}"]
            + [f"Note: {n}" for n in found["notes"]]
        ),
    )


@cli.command("checklist")
@click.argument("recording_id", metavar="REC")
@click.option("--confirm", "step", metavar="STEP", help="Confirm that you did this step.")
@click.option("--undo", metavar="STEP", help="Take back the last confirmation of this step.")
@click.option("--by", help="Who confirms (with --confirm or --undo).")
@json_option
@pass_app
def checklist_command(
    app: App,
    recording_id: str,
    step: str | None,
    undo: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """The procedure's seven steps with what the record knows; --confirm STEP --by NAME
    records a step only a person can know about (footage_checked, transport, stored);
    --undo STEP --by NAME takes its last confirmation back (both stay in the log)."""
    if step is not None and undo is not None:
        raise click.UsageError("give --confirm or --undo, not both")
    if (step is None and undo is None) != (by is None):
        raise click.UsageError("--confirm (or --undo) and --by go together")
    if undo is not None and by is not None:
        undone = app.fg.undo_step(recording_id, undo, by=by)
        emit(as_json, undone, lambda: f"{undone['id']}: step {undone['step']} {undone['state']}")
        return
    if step is not None and by is not None:
        done = app.fg.confirm_step(recording_id, step, by=by)
        emit(
            as_json,
            done,
            lambda: f"{done['id']}: step {done['step']} confirmed by {done['confirmed']['by']}",
        )
        return
    found = app.fg.checklist(recording_id)
    mark = {"done": "x", "open": " ", "not_needed": "-"}

    def text() -> str:
        lines = [
            f"{found['id']}  delete by {found['delete_by']}"
            + ("  OVERDUE" if found["overdue"] else ""),
            "",
        ]
        for s in found["steps"]:
            known = s["known"]
            if s["confirmed"] and s["state"] == "done":
                known += f" (confirmed by {s['confirmed']['by']}, {s['confirmed']['at'][:10]})"
            lines += [f"{s['procedure_step']} [{mark[s['state']]}] {s['step']}: {s['title']}"]
            lines += [f"      {known}"]
        lines += [
            "",
            "[x] done  [ ] open  [-] not needed; confirm a step with:",
            f"  formgen checklist {found['id']} --confirm STEP --by NAME",
        ]
        return "\n".join(lines)

    emit(as_json, found, text)


# --- export ---------------------------------------------------------------------------


@cli.command("export")
@click.argument("recording_id", metavar="[REC]", required=False)
@click.option("--csv", "as_csv", is_flag=True, help="The audit table (CSV) instead of JSON-LD.")
@click.option("--all", "every", is_flag=True, help="With --csv: every recording.")
@out_option(text="Also write the export to this file (readable by you only).")
@json_option
@pass_app
def export_command(
    app: App, recording_id: str | None, as_csv: bool, every: bool, out: Path | None, as_json: bool
) -> None:
    """The consent record as JSON-LD: one ISO/IEC TS 27560 record per form, in W3C DPV
    terms (schema/consent-record.schema.json). Without --json, a summary. With --csv, a
    table for an audit: one row per form and clause (REC, or --all recordings)."""
    if as_csv:
        if every == (recording_id is not None):
            raise click.UsageError("with --csv give either REC or --all")
        audit_csv = app.fg.consent_csv(None if every else [recording_id])  # type: ignore[list-item]
        if out is None:
            sys.stdout.buffer.write(audit_csv)
        else:
            privacy.write_private(out, audit_csv)
            rows = audit_csv.count(b"\n") - 1
            click.echo(f"{out}  ({rows} rows)", err=True)
        return
    if recording_id is None or every:
        raise click.UsageError("give REC (or --csv with --all)")
    document = app.fg.export(recording_id)
    if out is not None:
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        privacy.write_private(out, text.encode("utf-8"))

    def summary() -> str:
        rows = [
            (
                r["dct:identifier"],
                r["dpv:hasDataSubject"]["dct:identifier"],
                r["round"],
                ", ".join(
                    f"{p['clause']}={p['dpv:hasConsentStatus']['status']}"
                    for p in r["dpv:hasProcess"]
                ),
                len(r["dpv:hasConsentStatus"]),
            )
            for r in document["records"]
        ]
        lines = [table(["form", "participant", "round", "status", "events"], rows)]
        lines.append(f"\n{out}" if out else "\nuse --json to print the record, --out to save it")
        return "\n".join(lines)

    emit(as_json, document, summary)


# --- documents ------------------------------------------------------------------------


def _progress(label: str, total: int, as_json: bool) -> Any:
    """A progress bar on stderr for people; nothing when printing JSON."""
    if as_json or total < 4:
        return contextlib.nullcontext(None)
    return click.progressbar(length=total, label=label, file=sys.stderr)


@cli.command("forms")
@click.argument("recording_id", metavar="REC")
@click.option(
    "--participant",
    "participants",
    multiple=True,
    help="Only this participant (ID or form ID); repeat for more, in this order.",
)
@out_option()
@json_option
@pass_app
def forms_command(
    app: App, recording_id: str, participants: tuple[str, ...], out: Path | None, as_json: bool
) -> None:
    """Write one print-ready PDF with every participant's declaration."""
    total = app.fg.page_count(recording_id, participants)
    with _progress("rendering", total, as_json) as bar:
        written = app.fg.forms(
            recording_id,
            participants=participants or None,
            out=out,
            progress=bar.update if bar else None,
        )
    _warn(written.warnings)
    emit(as_json, written.as_dict(), lambda: f"{written.pdf}  ({len(written.forms)} declarations)")


def _warn(warnings: Iterable[str]) -> None:
    for warning in warnings:
        click.echo(f"formgen: warning: {warning}", err=True)


@cli.command("layout")
@click.argument("form_id")
@json_option
@pass_app
def layout_command(app: App, form_id: str, as_json: bool) -> None:
    """Where every box and the signature field are on the printed form (mm)."""
    found = app.fg.layout(form_id)

    def text() -> str:
        rows = []
        for page in found["pages"]:
            rows += [
                (page["page"], f"{b['clause']} {b['answer']}", *b["rect_mm"]) for b in page["boxes"]
            ]
            if page["signature"]:
                rows.append((page["page"], "signature", *page["signature"]["rect_mm"]))
        return table(["page", "what", "x mm", "y mm", "w mm", "h mm"], rows)

    emit(as_json, found, text)


@cli.command("request")
@click.argument("recording_id", metavar="REC")
@click.option("--institution", help="The institution asked (default: the recording's).")
@click.option("--contact", required=True, help="Its contact person.")
@click.option(
    "--count",
    type=click.IntRange(1, 500),
    default=1,
    show_default=True,
    help="How many additional declarations.",
)
@click.option(
    "--for",
    "audience",
    type=click.Choice(["parents", "adults"]),
    default="parents",
    show_default=True,
    help="Parental forms (pupils under 16) or adult forms (16 and older).",
)
@click.option("--lang", type=click.Choice(LANGS), help="Default: the recording's.")
@click.option(
    "--supervisor-email",
    help="Where the signed forms go (default: the supervisor's account in the service).",
)
@click.option(
    "--return-by",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Return date, YYYY-MM-DD (default: the recording date).",
)
@out_option()
@json_option
@pass_app
def request_command(
    app: App,
    recording_id: str,
    institution: str | None,
    contact: str,
    count: int,
    audience: str,
    lang: str | None,
    supervisor_email: str | None,
    return_by: dt.datetime | None,
    out: Path | None,
    as_json: bool,
) -> None:
    """Situations 1 and 2: a letter asking the institution for declarations, with blank
    pre-ID'd forms."""
    written = app.fg.request(
        recording_id,
        institution=institution,
        contact=contact,
        count=count,
        under_16=audience == "parents",
        lang=lang,
        out=out,
        supervisor_email=supervisor_email,
        return_by=return_by.date() if return_by else None,
    )
    _warn(written.warnings)
    emit(
        as_json,
        written.as_dict(),
        lambda: f"{written.pdf}  (letter and {len(written.forms)} blank declarations)",
    )


@cli.command("withdrawal-form")
@click.argument("form_id")
@out_option()
@json_option
@pass_app
def withdrawal_form_command(app: App, form_id: str, out: Path | None, as_json: bool) -> None:
    """A one-page withdrawal form for a declaration (same form ID); scanned back with
    'formgen scan import' it records the withdrawal."""
    written = app.fg.withdrawal_form(form_id, out=out)
    emit(as_json, written.as_dict(), lambda: f"{written.pdf}  (withdrawal form)")


@cli.command("remind")
@click.argument("recording_id", metavar="REC")
@click.option("--by", required=True, help="Who makes or sends the reminders (recorded).")
@click.option(
    "--sent",
    is_flag=True,
    help="Record that the reminder letters made earlier were sent (no new letters).",
)
@out_option()
@json_option
@pass_app
def remind_command(
    app: App, recording_id: str, by: str, sent: bool, out: Path | None, as_json: bool
) -> None:
    """Situation 3, after recording: a letter to everyone who consented about their
    right to withdraw, each with a withdrawal form. Once they are sent, record it with
    --sent: only then does the checklist count them."""
    if sent:
        if out is not None:
            raise click.UsageError("--sent writes no letters: leave out --out")
        done = app.fg.reminders_sent(recording_id, by=by)
        emit(
            as_json,
            done,
            lambda: f"{done['id']}: reminders to {len(done['sent'])} participant(s) sent",
        )
        return
    written = app.fg.remind(recording_id, by=by, out=out)
    emit(
        as_json,
        written.as_dict(),
        lambda: (
            f"{written.pdf}  ({len(written.forms)} reminder letters with withdrawal forms);"
            f" once sent: formgen remind {recording_id} --sent --by NAME"
        ),
    )


# --- scans and review -----------------------------------------------------------------


@cli.group()
def scan() -> None:
    """Read signed declarations back."""


@scan.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_app
def scan_import(app: App, files: tuple[Path, ...], as_json: bool) -> None:
    """Import scanned PDFs or photos (PNG, JPEG, TIFF): one transaction per form."""
    # the pages are counted for the progress bar only: JSON gets none
    total = 0 if as_json else app.fg.scan_page_count(files)
    with _progress("reading", total, as_json) as bar:
        done = app.fg.import_scans(files, progress=bar.update if bar else None, since=app.started)

    def text() -> str:
        rows = []
        for r in done.pages:
            who = ""
            if r.form_id and r.status != "error":
                who = r.name or "(name on paper)"
            read = ", ".join(f"{k}={v}" for k, v in r.decisions.items())
            if r.signed is not None or r.decisions:
                read += f"{', ' if read else ''}signed={'yes' if r.signed else 'NO/unclear'}"
            rows.append(
                (
                    Path(r.source).name,
                    r.page or "-",
                    r.form_id or "-",
                    who,
                    r.status,
                    read,
                    r.reason or "",
                )
            )
        ok, to_review, errors = (done.count(s) for s in ("ok", "review", "error"))
        bilevel = sum(bool(r.bilevel) for r in done.pages)
        warning = (
            f"\nwarning: {bilevel} page(s) are black-and-white scans (fax-like, 1-bit):"
            " light pencil can vanish from them entirely; where a form seems empty or"
            " unsigned, check the paper"
            if bilevel
            else ""
        )
        return table(["file", "page", "form", "who", "status", "read", "note"], rows) + (
            f"\n\n{ok} ok, {to_review} to review, {errors} errors"
            + ("; next: formgen review list" if to_review else "")
            + (
                f"\n{done.landed_meanwhile} page(s) were imported by another import of the"
                " same file running at the same time: they are in the record"
                if done.landed_meanwhile
                else ""
            )
            + warning
        )

    emit(as_json, done.as_dict(), text)
    if (failure := done.error_summary()) is not None:
        raise click.ClickException(failure)


@cli.group()
def review() -> None:
    """What the scan reader was not sure about, for a person to decide."""


@review.command("list")
@json_option
@pass_app
def review_list(app: App, as_json: bool) -> None:
    """Every clause waiting for a person's decision."""
    items = [i.as_dict() for i in app.fg.review_items()]
    emit(
        as_json,
        {"items": items},
        lambda: (
            table(
                ["item", "recording", "name", "reason"],
                [
                    (
                        i["item"],
                        i["recording_id"],
                        i["name"] or "(name on paper)",
                        i["reason"] or "",
                    )
                    for i in items
                ],
            )
            if items
            else "nothing to review"
        ),
    )


@review.command("show")
@click.argument("item")
@click.option(
    "--save-crops",
    "save_to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the page image and crops into this folder (readable by you only).",
)
@json_option
@pass_app
def review_show(app: App, item: str, save_to: Path | None, as_json: bool) -> None:
    """What the reader measured for ITEM, and the images it kept (in the store; written
    out only with --save-crops)."""
    detail = app.fg.review_item(item)
    shown = detail.as_dict()
    if save_to is not None:
        names = [detail.page_image, *detail.crops.values()]
        written = {}
        for name in filter(None, names):
            target = save_to / f"{detail.item.form_id}-{name}"
            privacy.write_private(target, app.fg.review_image(item, name))
            written[name] = str(target)
        shown["saved"] = written

    def text() -> str:
        lines = [
            f"{shown['item']}  {shown['name'] or '(name written on paper)'}",
            f"reason: {shown['reason']}",
            f"source: {shown['source']}",
        ]
        if shown["ink"]:
            t = shown["thresholds"]
            lines.append(
                f"ink: yes {shown['ink']['yes']:.3f}, no {shown['ink']['no']:.3f} "
                f"(blank below {t['empty']}, ticked above {t['marked']})"
            )
        if shown["signature_ink"] is not None:
            lines.append(f"signature ink: {shown['signature_ink']:.4f}")
        if shown["residual_mm"] is not None:
            lines.append(f"registration residual: {shown['residual_mm']:.2f} mm")
        images = [n for n in [shown["page_image"], *shown["crops"].values()] if n]
        lines.append(f"images in the store: {', '.join(images) or 'none'}")
        lines += [f"saved: {path}" for path in shown.get("saved", {}).values()]
        if images and save_to is None:
            lines.append(f"see them: formgen review show {shown['item']} --save-crops DIR")
        return "\n".join(lines)

    emit(as_json, shown, text)


@review.command("resolve")
@click.argument("item")
@click.argument("decision", type=click.Choice(["given", "refused", "no_answer", "withdrawn"]))
@click.option("--by", required=True, help="Who decides (recorded with the event).")
@click.option("--name", help="The name as handwritten on a blank form.")
@click.option("--reason", help="Why (e.g. why an online answer is rejected).")
@json_option
@pass_app
def review_resolve(
    app: App,
    item: str,
    decision: str,
    by: str,
    name: str | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """Settle ITEM by hand; recorded as a manual event. 'withdrawn' is for a given
    consent that an unclear withdrawal form put in review. An online answer to check is
    accepted with what it said (given or refused) and rejected with no_answer and a
    reason."""
    done = app.fg.resolve(item, decision, by=by, name=name, reason=reason)
    emit(as_json, done, lambda: f"{done['item']}: {done['status']}")


@review.command("undo")
@click.argument("item")
@click.option("--by", required=True, help="Who takes the decision back.")
@json_option
@pass_app
def review_undo(app: App, item: str, by: str, as_json: bool) -> None:
    """Take back the last decision on ITEM: it is in review again (a new event; the
    history keeps both)."""
    done = app.fg.undo_review(item, by=by)
    emit(as_json, done, lambda: f"{done['item']}: {done['status']} again")


@cli.command("sample")
@json_option
@pass_app
def sample_command(app: App, as_json: bool) -> None:
    """Create a sample recording with three participants and print their declarations."""
    app.make_key = True
    sample = app.fg.sample()
    emit(
        as_json,
        sample.as_dict(),
        lambda: (
            f"sample recording {sample.recording.id}: declarations in {sample.written.pdf}\n"
            f"next: formgen status {sample.recording.id}"
        ),
    )


# --- the service ------------------------------------------------------------------------


@cli.group()
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


@cli.command("serve")
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


@cli.command("worker")
@click.option("--once", is_flag=True, help="Stop when no job is waiting.")
@pass_app
def worker_command(app: App, once: bool) -> None:
    """Import uploaded scans (the service's jobs), on this machine or another one that
    reaches the same store. Stops cleanly on Ctrl-C or SIGTERM."""
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    count = app.fg.work(once=once, stop=stop)
    click.echo(f"{count} job(s) done", err=True)


@cli.group("store")
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


# What a person at a terminal does next, beside the library's message: by its message ID.
HINTS = {
    "form {form} has not been printed yet": ": run formgen forms first",
    "this form's name was written by hand: type the name as written": " (--name)",
    "situation {n} takes place at an institution: name the institution": " (--institution)",
}


def _hint(exc: FormgenError) -> str:
    return HINTS.get(exc.message_id, "")


def main() -> None:
    global _process_began
    _process_began = _process_started()
    cli()


if __name__ == "__main__":
    main()
