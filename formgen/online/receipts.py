"""What a confirmed online answer sends: the receipt (the filled-in declaration as PDF,
with a link to withdraw), the other parent's own link, and the student's e-mail when a
"no" or a withdrawal changes what they may film. The answer stands whether or not the
mail goes out: the record is what counts."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from formgen import config as config_module
from formgen import mail, rules
from formgen.config import Config
from formgen.documents import render
from formgen.errors import FormgenError
from formgen.online import answers, page
from formgen.online.answers import Confirmed, Kind
from formgen.record import accounts, records, roster
from formgen.record.records import Recording
from formgen.record.roster import Participant

log = logging.getLogger("formgen")


def receipt(engine: Engine, config: Config, token: str, done: Confirmed) -> bytes:
    """The filled-in declaration of a confirmed answer, as PDF."""
    at = config_module.local(config, done.at)  # the organisation's clock
    with engine.connect() as conn:
        form = answers.open_form(conn, token, at.date())
    confirmed = render.long_date(at.date(), done.lang) + f", {at:%H:%M}"
    shown = page.spec(
        config,
        form,
        done.lang,
        {
            "online": {
                "answers": done.answers,
                "signer": done.name,
                "relation": done.relation,
                "child_agrees": done.child_agrees,
                "email": done.email,
                "confirmed": confirmed,
            }
        },
    )
    return render.render_receipt(shown, config)


def letters(engine: Engine, config: Config, token: str, done: Confirmed) -> list[mail.Letter]:
    """The receipt to who answered (or the confirmation of a withdrawal), the student's
    e-mail if they must hear of it, and the other parent's link if one was given."""
    pieces = mail.words(done.lang)
    with engine.begin() as conn:
        person = roster.get_form(conn, done.form_id)
        recording = records.get_recording(conn, person.recording_id)
        person_name = person.name
        link = answers.new_link(conn, config, done.form_id)
        other = answers.new_link(conn, config, done.form_id) if done.other_email else None
    summary = "\n".join(
        f"- {pieces.get('clause_' + clause, clause)}: {pieces[answer]}"
        for clause, answer in done.answers.items()
    )
    local = config_module.local(config, done.at)  # the organisation's clock
    at = f"{render.long_date(local.date(), done.lang)} {local:%H:%M}"
    if str(rules.Status.REVIEW) in done.changed.values():  # flagged: a person checks it
        summary += "\n\n" + pieces["receipt_checked"]
    if done.kind is Kind.ANSWER:
        letters = [
            mail.Letter(
                done.email,
                pieces["receipt_subject"].format(form=done.form_id),
                pieces["receipt_text"].format(
                    form=done.form_id,
                    at=at,
                    summary=summary,
                    link=link,
                    about=pieces["receipt_about"].format(
                        title=recording.title,
                        student=recording.student,
                        date=render.long_date(recording.recorded_on, done.lang),
                        purpose=pieces[f"purpose_{recording.plan.purpose}"],
                        delete_by=render.long_date(recording.delete_by, done.lang),
                    ),
                ),
                [(f"{done.form_id}-receipt.pdf", receipt(engine, config, token, done))],
            )
        ]
    else:
        letters = [
            mail.Letter(
                done.email,
                pieces["withdrawn_subject"].format(form=done.form_id),
                pieces["withdrawn_text"].format(
                    form=done.form_id,
                    at=at,
                    summary=summary,
                    link=link,
                    student=recording.student,
                    delete_by=render.long_date(recording.delete_by, done.lang),
                ),
            )
        ]
    letters += student_letters(engine, config, recording, person, done)
    if done.other_email and other:
        letters.append(
            mail.Letter(
                done.other_email,
                pieces["other_subject"].format(form=done.form_id),
                pieces["other_text"].format(
                    form=done.form_id,
                    link=other,
                    organisation=render.org_view(config.org, done.lang).local_name,
                    title=recording.title,
                    date=render.long_date(recording.recorded_on, done.lang),
                    child=person_name or pieces["your_child"],
                    summary=summary,
                    privacy=config.org.privacy_email,
                ),
            )
        )
    return letters


def tell_student(engine: Engine, config: Config, done: Confirmed) -> None:
    """The student's e-mail for an answer that came without a receipt to send."""
    with engine.connect() as conn:
        person = roster.get_form(conn, done.form_id)
        recording = records.get_recording(conn, person.recording_id)
    letters = student_letters(engine, config, recording, person, done)
    if not letters or config.mail is None:
        return
    try:
        mail.send(config.mail, letters)
    except FormgenError as exc:  # the answer stands: the record is what counts
        why = exc if isinstance(exc, mail.MailError) else type(exc).__name__
        log.warning("the student's e-mail about an online answer not sent: %s", why)


def student_letters(
    engine: Engine, config: Config, recording: Recording, person: Participant, done: Confirmed
) -> list[mail.Letter]:
    """A withdrawal or a "no" given online changes what the student may film: they
    hear of it at once, by e-mail to their account (if the recording has one)."""
    said_no = [c for c, answer in done.answers.items() if answer == "no"]
    if done.kind is not Kind.WITHDRAWAL and not said_no:
        return []
    owner, _ = records.people_of(engine, recording.id)
    if owner is None:
        return []
    student = accounts.get(engine, owner)
    lang = student.lang or recording.lang
    pieces = mail.words(lang)
    if done.kind is Kind.WITHDRAWAL:
        what = pieces["student_withdrew"]
    else:
        what = pieces["student_said_no"].format(
            clauses=", ".join(pieces.get("clause_" + c, c) for c in said_no)
        )
    recording_page = f"{(config.public_url or '').rstrip('/')}/recordings/{recording.id}"
    return [
        mail.Letter(
            student.email,
            pieces["student_subject"].format(title=recording.title),
            pieces["student_text"].format(
                who=person.name or pieces["student_someone"],
                form=done.form_id,
                what=what,
                title=recording.title,
                id=recording.id,
                link=recording_page,
            ),
        )
    ]
