"""Signed scans back into the consent record, and the review of what was unclear.

One transaction per imported file: if any page of a file fails, nothing of that file is
written (no events, no images). Each decision is an event whose source is the file's
SHA-256 and page. The reader only measures (``scan``); what a measurement means is
``rules.classify_mark`` and ``rules.decide_pair``. Nothing here turns doubt into consent.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from sqlalchemy import Connection, Engine, select, update

from . import records, rules, scan
from .config import Config
from .formid import FormIdError, Instance
from .privacy import private_dir, write_private
from .records import SIGNATURE, RecordError
from .rules import Status
from .schema import events, forms, participants, scans
from .store import instance

NOT_IMPORTED = "not imported: another page of this file failed"
SCAN_DPI = 150.0  # rectified page resolution: 5.9 px/mm, 38 px across a box


@dataclass
class PageReport:
    source: str
    page: int | None
    form_id: str | None
    status: str  # ok | review | error
    reason: str | None = None
    blank: bool = False
    signed: bool | None = None
    decisions: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "page": self.page,
            "form_id": self.form_id,
            "status": self.status,
        }
        if self.reason:
            out["reason"] = self.reason
        if self.blank:
            out["blank"] = True
        if self.decisions:
            out["decisions"] = self.decisions
            out["signed"] = self.signed
        return out


class _Rollback(Exception):
    """Abort a file's transaction after reporting its pages."""


def scans_dir(config: Config) -> Path:
    return config.output_dir / "scans"


def import_files(
    engine: Engine,
    config: Config,
    paths: Sequence[Path],
    progress: Callable[[int], None] | None = None,
) -> list[PageReport]:
    reports: list[PageReport] = []
    for path in paths:
        reports += import_file(engine, config, path, progress)
    return reports


def import_file(
    engine: Engine,
    config: Config,
    path: Path,
    progress: Callable[[int], None] | None = None,
) -> list[PageReport]:
    source = str(path)
    try:
        digest = scan.file_sha256(path)
    except OSError as exc:
        return [PageReport(source, None, None, "error", f"cannot read the file ({exc.strerror})")]
    keep = scans_dir(config) / digest[:16]
    reports: list[PageReport] = []
    try:
        with engine.begin() as conn:
            seen = conn.execute(select(scans.c.imported_at).where(scans.c.sha256 == digest))
            if (when := seen.scalar()) is not None:
                reason = f"already imported on {when:%Y-%m-%d %H:%M}; nothing changed"
                return [PageReport(source, None, None, "error", reason)]
            reader = _Reader(conn, instance(conn), digest, keep)
            try:
                for page in scan.load_pages(path):
                    reports.append(reader.read(page))
                    if progress:
                        progress(1)
            except scan.ScanInputError as exc:
                reports.append(PageReport(source, None, None, "error", str(exc)))
            if not reports:
                reports.append(PageReport(source, None, None, "error", "the file has no pages"))
            if any(r.status == "error" for r in reports):
                raise _Rollback
            conn.execute(
                scans.insert().values(
                    sha256=digest, filename=path.name, imported_at=records.now(), pages=len(reports)
                )
            )
    except BaseException as exc:
        shutil.rmtree(keep, ignore_errors=True)
        if not isinstance(exc, _Rollback):
            raise
        for report in reports:
            if report.status != "error":
                report.status, report.reason = (
                    "error",
                    "not imported: another page of this file failed",
                )
                report.decisions = {}
    return reports


class _Reader:
    """Reads the pages of one file inside its transaction."""

    def __init__(self, conn: Connection, inst: Instance, digest: str, keep: Path) -> None:
        self.conn, self.instance, self.digest, self.keep = conn, inst, digest, keep

    def read(self, page: scan.PageImage) -> PageReport:
        report = PageReport(page.source, page.page, None, "ok")
        gray = scan.ink_gray(page.image)
        # Blank first: a backside can show the QR of its front through the paper.
        if scan.is_blank(gray):
            report.blank, report.reason = True, "blank page"
            return report
        hits = scan.find_qr(gray)
        if not hits:
            return self._error(report, "no formgen QR code found on this page")
        mine = []
        for hit in hits:
            try:
                mine.append((hit, *self.instance.verify(hit.text)))
            except FormIdError as exc:
                reason = str(exc)
        if not mine:
            return self._error(report, reason)
        hit, form_id, page_no = mine[0]
        report.form_id = form_id
        try:
            person = records.get_form(self.conn, form_id)
        except RecordError:
            return self._error(report, f"form {form_id} is not in this record")
        layout = self.conn.execute(select(forms.c.layout).where(forms.c.id == form_id)).scalar()
        sheets = {s["page"]: s for s in (layout or {}).get("pages", [])}
        if page_no not in sheets:
            return self._error(report, f"form {form_id} has no printed page {page_no}")
        sheet = sheets[page_no]
        folder = private_dir(self.keep / f"p{page.page:03d}-{form_id}")
        registration = scan.register(gray, sheet, hit, SCAN_DPI)
        if not registration.ok or registration.rectified is None:
            _save(folder / "page.jpg", _small(gray))
            reason = f"page could not be registered ({registration.reason})"
            return self._review_all(report, person, sheet, reason, folder)
        rectified = registration.rectified
        _save(folder / "page.jpg", rectified)
        if not sheet["boxes"] and sheet.get("signature") is None:
            report.reason = f"page {page_no} of form {form_id} (no boxes)"
            return report
        measured = scan.measure(rectified, sheet, SCAN_DPI)
        crops = _save_crops(folder, measured)
        if measured.problems:  # an outline not where the layout says: don't read it
            reason = "page not read reliably (" + "; ".join(measured.problems) + ")"
            return self._review_all(report, person, sheet, reason, folder)
        detail: dict[str, Any] = {
            "page_image": str(folder / "page.jpg"),
            "crops": crops,
            "residual_mm": round(registration.residual_mm, 3),
            "signature_ink": None
            if measured.signature_ink is None
            else round(measured.signature_ink, 4),
        }
        report.signed = measured.signed
        changes: list[tuple[str, str | None, str]] = []
        reasons: dict[str, str | None] = {}
        if sheet.get("signature") is not None:
            signature = {True: "signed", False: "unsigned", None: "unclear"}[measured.signed]
            changes.append((form_id, SIGNATURE, signature))
        state = records.form_states(self.conn, [form_id])[form_id]
        for clause in dict.fromkeys(b["clause"] for b in sheet["boxes"]):
            yes, no = measured.ink(clause, "yes"), measured.ink(clause, "no")
            decision = rules.decide_pair(
                rules.classify_mark(yes), rules.classify_mark(no), measured.signed
            )
            status, reason = decision.status, decision.reason
            current = state.clauses.get(clause)
            if sheet.get("kind") == "withdrawal":
                outcome = rules.decide_withdrawal(decision, current)
                if outcome is None:
                    reasons[clause] = f"{current}; the withdrawal form changes nothing"
                    continue
                status, reason = outcome.status, outcome.reason
            elif status is Status.GIVEN and person.name is None:
                status, reason = Status.REVIEW, "name written by hand: type it when resolving"
            if current in rules.FINAL:
                report.status = "review"
                reasons[clause] = f"already {current}; this scan changes nothing"
                continue
            if current in (Status.GIVEN, Status.REFUSED, Status.NO_ANSWER) and status not in (
                current,
                Status.REVIEW,
                Status.WITHDRAWN,
            ):
                status, reason = Status.REVIEW, f"conflicts with the earlier decision ({current})"
            reasons[clause] = reason
            report.decisions[clause] = str(status)
            changes.append((form_id, clause, str(status)))
            detail[f"ink_{clause}"] = {"yes": round(yes, 4), "no": round(no, 4)}
        for form, clause, status in changes:
            records._append(
                self.conn,
                [(form, clause, status)],
                source=f"scan:{self.digest}#{page.page}",
                reason=reasons.get(clause or ""),
                detail=detail,
            )
        if any(s == Status.REVIEW for s in report.decisions.values()):
            report.status = "review"
        notes = [f"{c}: {r}" for c, r in reasons.items() if r]
        report.reason = "; ".join(notes) or None
        return report

    def _error(self, report: PageReport, reason: str) -> PageReport:
        report.status, report.reason = "error", reason
        return report

    def _review_all(
        self,
        report: PageReport,
        person: records.Participant,
        sheet: Mapping[str, Any],
        reason: str,
        folder: Path,
    ) -> PageReport:
        clauses = list(dict.fromkeys(b["clause"] for b in sheet["boxes"]))
        state = records.form_states(self.conn, [person.form_id])[person.form_id]
        open_clauses = [c for c in clauses if state.clauses.get(c) not in rules.FINAL]
        if sheet.get("kind") == "withdrawal":  # only a given consent has anything to lose
            open_clauses = [c for c in clauses if state.clauses.get(c) is Status.GIVEN]
        records._append(
            self.conn,
            [(person.form_id, c, str(Status.REVIEW)) for c in open_clauses],
            source=f"scan:{self.digest}#{report.page}",
            reason=reason,
            detail={"page_image": str(folder / "page.jpg")},
        )
        report.status, report.reason = "review", reason
        report.decisions = {c: str(Status.REVIEW) for c in open_clauses}
        return report


def _small(gray: np.ndarray, long_side: int = 1800) -> np.ndarray:
    scale = long_side / max(gray.shape[:2])
    if scale >= 1:
        return gray
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _save(path: Path, image: np.ndarray) -> str:
    ext = path.suffix
    params = [cv2.IMWRITE_JPEG_QUALITY, 85] if ext == ".jpg" else []
    ok, data = cv2.imencode(ext, image, params)
    if not ok:
        raise OSError(f"cannot encode {path.name}")
    write_private(path, data.tobytes())
    return str(path)


def _save_crops(folder: Path, measured: scan.Measurement) -> dict[str, str]:
    crops = {
        f"{b.clause}-{b.answer}": _save(folder / f"box-{b.clause}-{b.answer}.png", b.crop)
        for b in measured.boxes
    }
    if measured.signature_crop is not None:
        crops["signature"] = _save(folder / "signature.png", measured.signature_crop)
    for f in measured.fields:
        crops[f.field] = _save(folder / f"field-{f.field}.png", f.crop)
    return crops


# --- Review ---------------------------------------------------------------------------


def review_items(engine: Engine) -> list[dict[str, Any]]:
    """Every clause whose current status is review, with what the reader saw."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(forms.c.id, participants.c.recording_id, participants.c.name)
            .join(participants, participants.c.id == forms.c.participant_id)
            .order_by(participants.c.recording_id, participants.c.position)
        ).all()
        states = records.form_states(conn, [r.id for r in rows])
        items = []
        for form_id, recording_id, name in rows:
            for clause, status in states[form_id].clauses.items():
                if status is Status.REVIEW:
                    items.append(
                        {
                            "item": f"{form_id}:{clause}",
                            "recording_id": recording_id,
                            "form_id": form_id,
                            "clause": clause,
                            "name": name,
                            "reason": states[form_id].reasons.get(clause),
                        }
                    )
    return items


def _pending(conn: Connection, item: str) -> tuple[records.Participant, str]:
    """The form and clause of a review item ("FORM-ID:clause") that is still open."""
    form_id, sep, clause = item.partition(":")
    if not sep or not clause:
        raise RecordError(f"{item!r} is not a review item (like 7KQ2-M9XD-4:recording)")
    person = records.get_form(conn, form_id)
    state = records.form_states(conn, [person.form_id])[person.form_id]
    if state.clauses.get(clause) is not Status.REVIEW:
        raise RecordError(f"{person.form_id}:{clause} is not waiting for review")
    return person, clause


def review_show(engine: Engine, item: str) -> dict[str, Any]:
    with engine.connect() as conn:
        person, clause = _pending(conn, item)
        last = (
            conn.execute(
                select(events)
                .where(events.c.form_id == person.form_id, events.c.clause == clause)
                .order_by(events.c.id.desc())
                .limit(1)
            )
            .mappings()
            .one()
        )
    detail = last["detail"] or {}
    return {
        "item": f"{person.form_id}:{clause}",
        "form_id": person.form_id,
        "clause": clause,
        "name": person.name,
        "needs_name": person.name is None,
        "reason": last["reason"],
        "source": last["source"],
        "ink": detail.get(f"ink_{clause}"),
        "thresholds": {"empty": rules.Thresholds().empty, "marked": rules.Thresholds().marked},
        "signature_ink": detail.get("signature_ink"),
        "residual_mm": detail.get("residual_mm"),
        "page_image": detail.get("page_image"),
        "crops": {
            k: v
            for k, v in (detail.get("crops") or {}).items()
            if k.startswith(f"{clause}-") or k in ("signature", "name", "signer")
        },
    }


def review_resolve(
    engine: Engine, item: str, decision: str, *, by: str, name: str | None = None
) -> dict[str, Any]:
    """A person's decision on a review item, recorded as a manual event. For a blank
    form the handwritten name is typed in as part of resolving it."""
    with engine.begin() as conn:
        person, clause = _pending(conn, item)
        if person.name is None and not name:
            raise RecordError("this form's name was written by hand: give --name as written")
        if name:
            try:
                typed = rules.check_name(name, "--name")
            except ValueError as exc:
                raise RecordError(str(exc)) from exc
            conn.execute(
                update(participants).where(participants.c.id == person.id).values(name=typed)
            )
        records.set_consent(conn, person.form_id, clause, decision, by=by, reason="review resolved")
    return {"item": f"{person.form_id}:{clause}", "status": decision}
