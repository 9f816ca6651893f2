"""What formgen prints: ``forms``, ``layout``, ``request``, ``withdrawal-form`` and
``remind``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from formgen.cli.common import (
    LANGS,
    App,
    _progress,
    _warn,
    emit,
    json_option,
    out_option,
    pass_app,
    table,
)

# --- documents ------------------------------------------------------------------------


@click.command("forms")
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


@click.command("layout")
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


@click.command("request")
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


@click.command("withdrawal-form")
@click.argument("form_id")
@out_option()
@json_option
@pass_app
def withdrawal_form_command(app: App, form_id: str, out: Path | None, as_json: bool) -> None:
    """A one-page withdrawal form for a declaration (same form ID); scanned back with
    'formgen scan import' it records the withdrawal."""
    written = app.fg.withdrawal_form(form_id, out=out)
    emit(as_json, written.as_dict(), lambda: f"{written.pdf}  (withdrawal form)")


@click.command("remind")
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
