"""Recordings and their participants: ``recording``, ``participant`` and ``sample``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from formgen.cli.common import LANGS, PURPOSES, App, emit, json_option, out_option, pass_app, table

# --- recording ------------------------------------------------------------------------


@click.group()
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


@click.group()
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


@click.command("sample")
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
