"""Signed declarations read back: ``scan import`` and ``review``."""

from __future__ import annotations

from pathlib import Path

import click

from formgen import privacy
from formgen.cli.common import App, _progress, emit, json_option, pass_app, table

# --- scans and review -----------------------------------------------------------------


@click.group()
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


@click.group()
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
