"""Dutch for the return link's pages (the institution's upload) and the supervisor's
requests on the recording page (see i18n.py): English text -> Dutch."""

NL: dict[str, str] = {
    # the institution's upload page
    "Return the signed forms": "De ondertekende formulieren terugsturen",
    "Upload the signed consent forms here: scans or photos of the signed pages, in any"
    " order. You do not need an account.": (
        "Upload hier de ondertekende toestemmingsformulieren: scans of foto's van de"
        " ondertekende bladen, in willekeurige volgorde. U hebt geen account nodig."
    ),
    "This page shows nothing of the forms or of the people who signed them. The supervisor"
    " checks what you send.": (
        "Deze pagina laat niets zien van de formulieren of van de mensen die ze"
        " ondertekenden. De begeleider controleert wat u stuurt."
    ),
    "This link works until {date}.": "Deze link werkt tot en met {date}.",
    "Send the signed forms": "Stuur de ondertekende formulieren",
    "Received": "Ontvangen",
    "{pages} page(s) received in {files} file(s).": (
        "{pages} blad(en) ontvangen in {files} bestand(en)."
    ),
    "The supervisor will check them.": "De begeleider controleert ze.",
    "Thank you. You can close this page, or send more forms through the same link.": (
        "Dank u wel. U kunt deze pagina sluiten, of meer formulieren sturen via dezelfde link."
    ),
    "This link has expired": "Deze link is verlopen",
    "Signed forms can no longer be sent through this link. Ask the supervisor who sent you"
    " the letter.": (
        "Via deze link kunt u geen ondertekende formulieren meer sturen. Vraag het de"
        " begeleider die u de brief stuurde."
    ),
    "This link does not work": "Deze link werkt niet",
    "The link may be mistyped, or it was replaced by a new one. Ask the supervisor who sent"
    " you the letter.": (
        "Misschien is de link verkeerd overgenomen, of vervangen door een nieuwe. Vraag het"
        " de begeleider die u de brief stuurde."
    ),
    # the supervisor's requests on the recording page
    "Requests to the institution": "Aanvragen bij de instelling",
    "Request of {date}": "Aanvraag van {date}",
    "contact {contact}, signed pages back by {date}": (
        "contactpersoon {contact}, ondertekende bladen terug vóór {date}"
    ),
    "{n} blank declaration(s).": "{n} blanco verklaring(en).",
    "Return link: works until {date}.": "Terugstuurlink: werkt tot en met {date}.",
    "Return link: none.": "Terugstuurlink: geen.",
    "Make a new return link": "Maak een nieuwe terugstuurlink",
    "The old link stops working at once.": "De oude link werkt dan meteen niet meer.",
    "Returned through the link": "Teruggestuurd via de link",
    "queued": "wacht op zijn beurt",
    "running": "wordt ingelezen",
    "failed": "mislukt",
    "{total} page(s) read": "{total} blad(en) ingelezen",
    "New return link": "Nieuwe terugstuurlink",
    "Send this link to {contact}: the institution uploads the signed pages through it,"
    " without an account. The old link no longer works.": (
        "Stuur deze link naar {contact}: de instelling uploadt de ondertekende bladen"
        " hiermee, zonder account. De oude link werkt niet meer."
    ),
    "the contact person": "de contactpersoon",
    "Copy it now: formgen keeps only a fingerprint of it and cannot show it again.": (
        "Kopieer hem nu: formgen bewaart er alleen een vingerafdruk van en kan hem niet"
        " opnieuw laten zien."
    ),
    "QR code of the return link": "QR-code van de terugstuurlink",
    "It works until {date}.": "Hij werkt tot en met {date}.",
}
