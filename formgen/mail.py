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

from .config import Mail
from .errors import FormgenError


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
        raise MailError("formgen cannot send e-mail: [mail] is not configured")
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
            f"cannot send e-mail through {config.host}:{config.port}: {reason}"
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

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "code_subject": "Bevestig uw antwoord: toestemmingsformulier {form}",
        "code_text": (
            "U vulde online het toestemmingsformulier {form} in van de {organisation}, voor "
            "de opname '{title}' die {student} maakt.\n"
            "Uw code om uw antwoord te bevestigen:\n\n"
            "    {code}\n\n"
            "Typ de code op de pagina waar u het formulier invulde. De code is 15 minuten "
            "geldig.\nHebt u niets ingevuld? Dan kunt u deze e-mail negeren: er verandert "
            "niets.\n"
        ),
        "receipt_subject": "Ontvangstbewijs: uw antwoord op formulier {form}",
        "receipt_text": (
            "Dank u. Uw antwoord op het toestemmingsformulier {form} is vastgelegd op {at}.\n"
            "In de bijlage staat het ingevulde formulier.\n\n{summary}\n\n"
            "U kunt uw toestemming altijd weer intrekken, net zo makkelijk als u die gaf:\n"
            "{link}\n"
        ),
        "withdrawn_subject": "Ontvangstbewijs: toestemming ingetrokken (formulier {form})",
        "withdrawn_text": (
            "Uw intrekking op formulier {form} is vastgelegd op {at}.\n\n{summary}\n\n"
            "Wat nu gebeurt: {student} haalt u uit de opname, of verwijdert de opname. "
            "Tot die tijd gebruikt niemand de opname met u erin. Uiterlijk op {delete_by} "
            "is de opname in elk geval verwijderd.\n"
            "Wat we vóór de intrekking met de opname deden, mocht. "
            "U ziet het formulier hier:\n{link}\n"
        ),
        "other_subject": "Toestemming voor een opname van uw kind (formulier {form})",
        "other_text": (
            "De {organisation} vroeg toestemming voor de opname '{title}' van {date}, "
            "waarop {child} te zien of te horen kan zijn. De andere ouder of voogd van uw "
            "kind heeft online geantwoord op het toestemmingsformulier {form} en vroeg ons "
            "u deze link te sturen. Het antwoord was:\n{summary}\n\n"
            "Bent u het niet eens met een 'ja'? Zeg dan hier 'nee'; als de ouders het niet "
            "eens zijn, is er geen toestemming:\n{link}\n"
            "U kunt ook een e-mail sturen naar {privacy} met het formuliernummer {form}.\n"
        ),
        "invite_subject": "Toestemming gevraagd voor een opname: {title}",
        "reminder_subject": "Herinnering: toestemming gevraagd voor een opname: {title}",
        "invite_text": (
            "U krijgt deze e-mail omdat {student} u om toestemming vraagt voor een "
            "opname.\nLees de informatie hieronder en antwoord online:\n{link}\n\n"
            "Liever op papier? Vraag {student} om het formulier.\n\n{page}\n"
        ),
        "yes": "ja",
        "no": "nee",
        "withdraw": "ingetrokken",
        "clause_recording": "opname",
        "clause_livestream": "livestream",
        "clause_360": "360 graden",
        "your_child": "uw kind",
    },
    "en": {
        "code_subject": "Confirm your answer: consent form {form}",
        "code_text": (
            "You filled in consent form {form} of the {organisation} online, for the "
            "recording '{title}' that {student} makes.\n"
            "Your code to confirm your answer:\n\n    {code}\n\n"
            "Type the code on the page where you filled in the form. The code is valid for "
            "15 minutes.\nDid you not fill in anything? Then ignore this e-mail: nothing "
            "changes.\n"
        ),
        "receipt_subject": "Receipt: your answer to form {form}",
        "receipt_text": (
            "Thank you. Your answer to consent form {form} was recorded on {at}.\n"
            "The filled-in form is attached.\n\n{summary}\n\n"
            "You can withdraw your consent at any time, as easily as you gave it:\n{link}\n"
        ),
        "withdrawn_subject": "Receipt: consent withdrawn (form {form})",
        "withdrawn_text": (
            "Your withdrawal on form {form} was recorded on {at}.\n\n{summary}\n\n"
            "What happens now: {student} removes you from the recording, or deletes the "
            "recording. Until then nobody uses the recording with you in it. By {delete_by} "
            "at the latest the recording is deleted in any case.\n"
            "What was done with the recording before you withdrew remains lawful. "
            "You can see the form here:\n{link}\n"
        ),
        "other_subject": "Consent for a recording of your child (form {form})",
        "other_text": (
            "The {organisation} asked for consent to the recording '{title}' of {date}, in "
            "which {child} may be seen or heard. Your child's other parent or guardian "
            "answered consent form {form} online and asked us to send you this link. The "
            "answer was:\n{summary}\n\n"
            "Do you disagree with a 'yes'? Then say 'no' here; if the parents do not agree, "
            "there is no consent:\n{link}\n"
            "You can also e-mail {privacy} with the form number {form}.\n"
        ),
        "invite_subject": "Your consent is requested for a recording: {title}",
        "reminder_subject": "Reminder: your consent is requested for a recording: {title}",
        "invite_text": (
            "You are receiving this e-mail because {student} asks for your consent to a "
            "recording.\nRead the information below and answer online:\n{link}\n\n"
            "Prefer paper? Ask {student} for the form.\n\n{page}\n"
        ),
        "yes": "yes",
        "no": "no",
        "withdraw": "withdrawn",
        "clause_recording": "recording",
        "clause_livestream": "live stream",
        "clause_360": "360 degrees",
        "your_child": "your child",
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])
