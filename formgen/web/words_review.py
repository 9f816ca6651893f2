"""Dutch for the review pages (see i18n.py): English text -> Dutch."""

NL: dict[str, str] = {
    # roles (also in the header of every page)
    "student": "student",
    "supervisor": "begeleider",
    "officer": "privacyfunctionaris",
    # review queue
    "What the scan reader was not sure about, one item at a time. Nothing counts as consent"
    " until you decide.": (
        "Waar de scanlezer niet zeker van was, één punt tegelijk. Niets telt als toestemming"
        " voordat u beslist."
    ),
    "Single-key shortcuts (the letter shown on each button)": (
        "Sneltoetsen met één letter (de letter op elke knop)"
    ),
    "Nothing to review": "Niets te beoordelen",
    "Your supervisor decides what the scan reader was not sure about. You see the result on"
    " your recording's page.": (
        "Uw begeleider beslist waar de scanlezer niet zeker van was. U ziet de uitkomst op de"
        " pagina van uw opname."
    ),
    "Every scanned form has been read or decided. New items appear here when a scan leaves"
    " something unclear.": (
        "Elk gescand formulier is gelezen of beslist. Nieuwe punten verschijnen hier als een"
        " scan iets onduidelijk laat."
    ),
    "Item {} of {} waiting": "Punt {} van {} wachtend",
    "Skip to the next item": "Sla over: volgend punt",
    "Name written by hand": "Naam met de hand geschreven",
    "Recording": "Opname",
    "Form": "Formulier",
    "Question": "Vraag",
    "Why it waits": "Waarom het wacht",
    "no reason given": "geen reden gegeven",
    "consent was given; a withdrawal form or a later page makes it unclear": (
        "toestemming was gegeven; een intrekkingsformulier of een latere pagina maakt het"
        " onduidelijk"
    ),
    "The reader found no signature on this form.": (
        "De lezer vond geen handtekening op dit formulier."
    ),
    "Decide “Given” only if you can see the person's signature on the page: that records"
    " the form as signed, by you.": (
        "Kies “Gegeven” alleen als u de handtekening van de persoon op de pagina ziet: dan"
        " wordt het formulier als ondertekend vastgelegd, door u."
    ),
    "Recording for the stated purpose": "Opname voor het genoemde doel",
    "Live streaming": "Livestream",
    "360-degree recording": "360-gradenopname",
    "What the reader saw": "Wat de lezer zag",
    "as scanned": "zoals gescand",
    "Yes box": "Vakje ja",
    "No box": "Vakje nee",
    "Signature": "Handtekening",
    "Name as written": "Naam zoals geschreven",
    "Signer's name": "Naam van de ondertekenaar",
    "Measured ink": "Gemeten inkt",
    "A box counts as blank below {} % ink and as marked above {} %; in between the reader"
    " is not sure.": (
        "Een vakje telt als leeg onder {} % inkt en als aangekruist boven {} %; daartussen is"
        " de lezer niet zeker."
    ),
    "ink": "inkt",
    "below the blank threshold": "onder de drempel voor leeg",
    "above the marked threshold": "boven de drempel voor aangekruist",
    "between the thresholds": "tussen de drempels",
    "Signature field": "Handtekeningvak",
    "The boxes were not measured (the page could not be read reliably).": (
        "De vakjes zijn niet gemeten (de pagina kon niet betrouwbaar worden gelezen)."
    ),
    "Your decision": "Uw beslissing",
    "Name as written on the form": "Naam zoals op het formulier geschreven",
    "Required: type the name exactly as it is written; it goes into the record.": (
        "Verplicht: typ de naam precies zoals die er staat; hij komt in het dossier."
    ),
    "Given": "Gegeven",
    "Refused": "Geweigerd",
    "No answer": "Geen antwoord",
    "Withdrawn": "Ingetrokken",
    "Keep given": "Gegeven laten",
    "The scanned page": "De gescande pagina",
    "The whole scanned page of form {}": "De hele gescande pagina van formulier {}",
    "Select the image to open it at full size.": "Kies de afbeelding om haar groot te openen.",
    "Saved: {}.": "Opgeslagen: {}.",
    "{} waiting.": "{} wachtend.",
    "1 waiting.": "1 wachtend.",
    # the reader's reasons (rules.py, reading.py)
    "a box is faintly marked": "een vakje is vaag aangekruist",
    "both yes and no are marked": "zowel ja als nee is aangekruist",
    "not signed": "niet ondertekend",
    "signature unclear": "handtekening onduidelijk",
    "name written by hand: type it when resolving": (
        "naam met de hand geschreven: typ hem bij het beslissen"
    ),
    "conflicts with the earlier decision (given)": "in strijd met de eerdere beslissing (gegeven)",
    "conflicts with the earlier decision (refused)": (
        "in strijd met de eerdere beslissing (geweigerd)"
    ),
    "conflicts with the earlier decision (no_answer)": (
        "in strijd met de eerdere beslissing (geen antwoord)"
    ),
    "withdrawal form unclear (a box is faintly marked)": (
        "intrekkingsformulier onduidelijk (een vakje is vaag aangekruist)"
    ),
    "withdrawal form unclear (both yes and no are marked)": (
        "intrekkingsformulier onduidelijk (zowel ja als nee is aangekruist)"
    ),
    "withdrawal form unclear (not signed)": "intrekkingsformulier onduidelijk (niet ondertekend)",
    "withdrawal form unclear (signature unclear)": (
        "intrekkingsformulier onduidelijk (handtekening onduidelijk)"
    ),
    # the library's refusals shown on these pages
    "this form's name was written by hand: type the name as written": (
        "de naam op dit formulier is met de hand geschreven: typ de naam zoals die er staat"
    ),
    "you cannot disable your own account": "u kunt uw eigen account niet uitschakelen",
    "a password has at least 10 characters": "een wachtwoord heeft minstens 10 tekens",
    "Reason (optional; say why when you reject an online answer)": (
        "Reden (niet verplicht; zeg waarom als u een online antwoord afwijst)"
    ),
    # due list
    "Recordings that must be destroyed by their deletion date, and were not destroyed yet.": (
        "Opnamen die op hun verwijderdatum vernietigd moeten zijn en dat nog niet zijn."
    ),
    "Show": "Toon",
    "only those past their deletion date": "alleen die over hun verwijderdatum heen zijn",
    "past, or due within {} days": "verlopen, of binnen {} dagen aan de beurt",
    "{} recordings, {} of them overdue.": "{} opnamen, waarvan {} te laat.",
    "Student": "Student",
    "Supervisor": "Begeleider",
    "Purpose": "Doel",
    "Delete by": "Verwijderen uiterlijk",
    "State": "Staat",
    "Overdue": "Te laat",
    "due today": "vandaag aan de beurt",
    "1 day ago": "1 dag geleden",
    "{} days ago": "{} dagen geleden",
    "in 1 day": "over 1 dag",
    "in {} days": "over {} dagen",
    "Nothing is due in this period.": "In deze periode is niets aan de beurt.",
    "Proof retention ends": "Bewaartermijn van het bewijs loopt af",
    (
        "Destroyed recordings whose consent record was kept as proof. When the proof"
        " retention ends, formgen erases everything personal in the record (names,"
        " addresses, scans, online answers); only the statuses and dates stay."
    ): (
        "Vernietigde opnamen waarvan het toestemmingsregister als bewijs bewaard is. Als de"
        " bewaartermijn van het bewijs afloopt, wist formgen alles wat persoonlijk is in het"
        " register (namen, adressen, scans, online antwoorden); alleen de statussen en"
        " datums blijven."
    ),
    "Destroyed on": "Vernietigd op",
    "Erased on": "Gewist op",
    "the worker erases it shortly": "formgen wist het binnenkort",
    "No proof retention ends in this period.": (
        "In deze periode loopt geen bewaartermijn van bewijs af."
    ),
    "Reflection": "Reflectie",
    "Assessment": "Beoordeling",
    "Final level": "Eindniveau",
    # users
    "Account added: {}": "Account toegevoegd: {}",
    "Account disabled: {}": "Account uitgeschakeld: {}",
    "Account enabled: {}": "Account ingeschakeld: {}",
    "API token for {}": "API-token voor {}",
    "It is shown only now: copy it and keep it safe. A program sends it as “Authorization:"
    " Bearer …”.": (
        "Hij wordt alleen nu getoond: kopieer hem en bewaar hem veilig. Een programma stuurt"
        " hem als “Authorization: Bearer …”."
    ),
    "Copy the token": "Kopieer het token",
    "Copied": "Gekopieerd",
    "Accounts": "Accounts",
    "Role": "Rol",
    "Actions": "Acties",
    "you": "uzelf",
    "browser's": "van de browser",
    "disabled": "uitgeschakeld",
    "active": "actief",
    "active, no password (API only)": "actief, geen wachtwoord (alleen API)",
    "Enable": "Inschakelen",
    "Disable": "Uitschakelen",
    "New API token": "Nieuw API-token",
    "Add an account": "Account toevoegen",
    "the browser's language": "de taal van de browser",
    "First password": "Eerste wachtwoord",
    "At least 10 characters. Tell it to the person in person or by phone, not by e-mail.": (
        "Minstens 10 tekens. Geef het persoonlijk of telefonisch door, niet per e-mail."
    ),
    "Add the account": "Account toevoegen",
    "Download the audit table (CSV): every form and clause of every recording": (
        "Download de audittabel (CSV): elk formulier en elke zin van elke opname"
    ),
}
