"""The consent record of a recording: ``status``, ``consent``, ``withdraw``,
``not-returned``, ``due``, ``destroy``, ``describe``, ``checklist`` and ``export``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from formgen import privacy
from formgen.cli.common import App, emit, json_option, out_option, pass_app, table

# --- status and consent ---------------------------------------------------------------


@click.command("status")
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


@click.group()
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


@click.command("withdraw")
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


@click.command("not-returned")
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


@click.command("due")
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


@click.command("destroy")
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


@click.command("describe")
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


@click.command("checklist")
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


@click.command("export")
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
