"""E-mail: codes that confirm an online answer, receipts, invitations. Sent through the
SMTP server of ``[mail]`` in formgen.toml; addresses are personal data, so nothing here
logs them and an error names the server, never the recipient."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from formgen.config import Mail
from formgen.errors import FormgenError
from formgen.words import N_, translations


class MailError(FormgenError):
    """The e-mail could not be sent (nothing was recorded that depends on it)."""


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    text: str
    attachments: Sequence[tuple[str, bytes]] = field(default_factory=tuple)  # (name, PDF)


def send(config: Mail | None, letters: Sequence[Letter]) -> None:
    """Send the letters over one connection; MailError if the server refuses."""
    if config is None:
        raise MailError(N_("formgen cannot send e-mail: [mail] is not configured"))
    messages = [_message(config.sender, letter) for letter in letters]
    try:
        with smtplib.SMTP(config.host, config.port, timeout=20) as smtp:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.user:
                smtp.login(config.user, config.password)
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        reason = getattr(exc, "smtp_error", b"") or exc.strerror or type(exc).__name__
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise MailError(
            N_("cannot send e-mail through {server}: {reason}"),
            server=f"{config.host}:{config.port}",
            reason=reason,
        ) from None


def _message(sender: str, letter: Letter) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(letter.text)
    for name, data in letter.attachments:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message


# --- Words ------------------------------------------------------------------------------

# Each piece of a letter by its name; the English is the message ID of the service's
# catalogue (formgen/words.py), so a letter is written in the recipient's language.
WORDS: dict[str, str] = {
    "code_subject": N_("Confirm your answer: consent form {form}"),
    "code_text": (
        N_(
            "You filled in consent form {form} of the {organisation} online, for the "
            "recording '{title}' that {student} makes.\n"
            "Your code to confirm your answer:\n\n    {code}\n\n"
            "Type the code on the page where you filled in the form. The code is valid for "
            "15 minutes.\nDid you not fill in anything? Then ignore this e-mail: nothing "
            "changes.\n"
        )
    ),
    "receipt_subject": N_("Receipt: your answer to form {form}"),
    "receipt_text": (
        N_(
            "Thank you. Your answer to consent form {form} was recorded on {at}.\n"
            "The filled-in form is attached.\n\n{about}\n\n{summary}\n\n"
            "You can withdraw your consent at any time, as easily as you gave it:\n{link}\n"
        )
    ),
    "withdrawn_subject": N_("Receipt: consent withdrawn (form {form})"),
    "withdrawn_text": (
        N_(
            "Your withdrawal on form {form} was recorded on {at}.\n\n{summary}\n\n"
            "What happens now: {student} removes you from the recording, or deletes the "
            "recording. Until then nobody uses the recording with you in it. By {delete_by} "
            "at the latest the recording is deleted in any case.\n"
            "What was done with the recording before you withdrew remains lawful. "
            "You can see the form here:\n{link}\n"
        )
    ),
    "other_subject": N_("Consent for a recording of your child (form {form})"),
    "other_text": (
        N_(
            "The {organisation} asked for consent to the recording '{title}' of {date}, in "
            "which {child} may be seen or heard. Your child's other parent or guardian "
            "answered consent form {form} online and asked us to send you this link. The "
            "answer was:\n{summary}\n\n"
            "Do you disagree with a 'yes'? Then say 'no' here; if the parents do not agree, "
            "there is no consent:\n{link}\n"
            "You can also e-mail {privacy} with the form number {form}.\n"
        )
    ),
    "invite_subject": N_("Your consent is requested for a recording: {title}"),
    "reminder_subject": N_("Reminder: your consent is requested for a recording: {title}"),
    "invite_text": (
        N_(
            "You are receiving this e-mail because {student} asks for your consent to a "
            "recording.\nRead the information below and answer online:\n{link}\n\n"
            "Prefer paper? Ask {student} for the form.\n\n{page}\n"
        )
    ),
    "reminder_text": (
        N_(
            "You are receiving this e-mail because {student} asked for your consent to a "
            "recording and we have no answer from you yet. This is the only reminder: no "
            "other one will follow.\nNot answering is fine: it means no consent, and then "
            "you are kept out of the recording.\nRead the information below and answer "
            "online:\n{link}\n\nPrefer paper? Ask {student} for the form.\n\n{page}\n"
        )
    ),
    "student_subject": N_("Consent changed for your recording {title}"),
    "student_text": (
        N_(
            "{who} (form {form}) {what} online, for your recording '{title}' ({id}).\n"
            "Keep them out of what you record, and out of what you already recorded. The "
            "recording page shows who must not appear:\n{link}\n"
        )
    ),
    "student_withdrew": N_("withdrew their consent"),
    "student_said_no": N_("said no to: {clauses}"),
    "student_someone": N_("Someone"),
    "receipt_checked": N_(
        "Before your answer counts, the university supervisor checks it: another form of "
        "this recording was answered from the same browser or with the same address. Until "
        "then you are kept out of the recording."
    ),
    "receipt_about": N_(
        "Recording: '{title}' by {student} on {date}, for {purpose}. It is deleted on "
        "{delete_by} at the latest."
    ),
    "purpose_reflection": N_("reflection on the student's own lesson"),
    "purpose_assessment": N_("evidence in an assessment of the student"),
    "purpose_final-level": N_("evidence that the student has reached the programme's final level"),
    "yes": N_("yes"),
    "no": N_("no"),
    "withdraw": N_("withdrawn"),
    "clause_recording": N_("recording"),
    "clause_livestream": N_("live stream"),
    "clause_360": N_("360 degrees"),
    "your_child": N_("your child"),
}


def words(lang: str) -> dict[str, str]:
    """The pieces of a letter in ``lang`` (English for a language without a catalogue)."""
    say = translations(lang).gettext
    return {name: say(message) for name, message in WORDS.items()}
