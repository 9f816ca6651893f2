"""Dutch for the library's refusals (``FormgenError``) where the pages show them: the
new-recording form, the recording page's forms, the review queue, the users page,
sign-in and set-up, and the plain error page. The JSON API keeps the library's English.

The library writes one English line per refusal, many with an ID, a date or a name in
them. ``problem`` looks a message up whole (``NL``), else tries the patterns
(``PATTERNS``) and keeps what they capture; a message it does not know stays English,
never a key. tests/web/test_problem_words.py holds an example of each entry."""

from __future__ import annotations

import re

from ..rules import STEPS
from . import words_recording

NL: dict[str, str] = {
    # participants, documents, reminders
    "between 1 and 500 blank forms at a time": (
        "vraag 1 tot en met 500 blanco verklaringen tegelijk aan"
    ),
    "situation 3 has no institution to ask: the student collects consent personally, with a"
    " declaration for each participant": (
        "in situatie 3 is er geen instelling om verklaringen aan te vragen: de student vraagt"
        " zelf toestemming, met een verklaring voor elke deelnemer"
    ),
    "online answers need public_url in the configuration": (
        "online antwoorden werkt pas als public_url in de configuratie staat"
    ),
    "formgen cannot send e-mail: [mail] is not configured": (
        "formgen kan geen e-mail versturen: [mail] is niet ingesteld in de configuratie"
    ),
    "no return link can be made: set public_url in the configuration": (
        "er kan geen terugstuurlink worden gemaakt: zet public_url in de configuratie"
    ),
    "no return link can be made: the recording has no supervisor's account for the returned"
    " scans to go to": (
        "er kan geen terugstuurlink worden gemaakt: de opname heeft geen account van een"
        " begeleider om de teruggestuurde scans naar toe te sturen"
    ),
    # a new recording
    "a stream can only be stored when the recording is live-streamed": (
        "een livestream kan alleen bewaard worden als de opname live wordt uitgezonden"
    ),
    "a 360-degree recording records images; media cannot be audio": (
        "een 360-gradenopname neemt beeld op; kies dus niet alleen geluid"
    ),
    # scans and review
    "no files to import": "er zijn geen bestanden om in te lezen",
    "this form's name was written by hand: type the name as written": (
        "de naam op dit formulier is met de hand geschreven: typ de naam zoals die er staat"
    ),
    # accounts
    "wrong e-mail address or password": "verkeerd e-mailadres of wachtwoord",
    "a password has at least 10 characters": "een wachtwoord heeft minstens 10 tekens",
    "a password has at most 1000 characters": "een wachtwoord heeft hoogstens 1000 tekens",
    "you cannot disable your own account": "u kunt uw eigen account niet uitschakelen",
    # correcting mistakes, a pasted class list
    "more than two columns: a name and, if you like, under 16 (ja/nee)": (
        "meer dan twee kolommen: een naam en eventueel onder 16 (ja/nee)"
    ),
    # the store
    "the store has no free connection: too many at once; try again": (
        "de opslag heeft geen verbinding vrij: te veel tegelijk; probeer het opnieuw"
    ),
    "the store was changed by another formgen process at the same time; try again": (
        "de opslag werd tegelijk door een ander formgen-proces gewijzigd; probeer het opnieuw"
    ),
    "the store is read-only: formgen cannot write to it": (
        "de opslag is alleen-lezen: formgen kan er niets in opslaan"
    ),
    "the store is read-only: the database server accepts no writes": (
        "de opslag is alleen-lezen: de databaseserver neemt geen wijzigingen aan"
    ),
    "the disk is full: the store could not save the change": (
        "de schijf is vol: de wijziging kon niet worden opgeslagen"
    ),
    "the disk is full: the database server could not save the change": (
        "de schijf is vol: de databaseserver kon de wijziging niet opslaan"
    ),
    "the database server cancelled the operation; try again": (
        "de databaseserver heeft de bewerking afgebroken; probeer het opnieuw"
    ),
}

# What a typed name or address is called in the library's checks (rules.check_name's and
# check_email's ``what``), with its article.
WHAT = {
    "name": "de naam",
    "title": "de titel",
    "institution": "de instelling",
    "contact": "de contactpersoon",
    "reason": "de opmerking",  # a withdrawal's note becomes its reason
    "your name": "uw naam",
    "the child's name": "de naam van het kind",
    "the child's own agreement": "de instemming van het kind",
}
ROLES = {"student": "student", "supervisor": "begeleider", "officer": "privacyfunctionaris"}
ACTS = {
    "see": "bekijken",
    "change": "wijzigen",
    "review": "beoordelen",
    "destroy": "vernietigen",
    "export": "exporteren",
}
# What a role may not do outside one recording (PersonalFormgen._only, api.ACCESS).
ONLY = {
    "create recordings": "geen opnamen aanmaken",
    "see the due list": "de lijst met te verwijderen opnamen niet zien",
    "export": "niet exporteren",
    "see the users": "de gebruikers niet zien",
    "add users": "geen gebruikers toevoegen",
    "disable users": "geen gebruikers uitschakelen",
    "issue tokens for others": "geen API-tokens voor anderen maken",
    "see other accounts": "de accounts van anderen niet zien",
    "change other accounts": "de accounts van anderen niet wijzigen",
    "sign in for someone else": "niet voor een ander inloggen",
    "reset passwords": "geen links voor een nieuw wachtwoord maken",
    "make demo accounts": "geen demo-accounts maken",
    "make the sample": "geen voorbeeldopname maken",
    "copy the store": "de opslag niet kopiëren",
    "run scan jobs": "geen scantaken uitvoeren",
    "open a store": "geen opslag openen",
    "close the store": "de opslag niet sluiten",
}
PURPOSES = {
    "reflection": "reflectie",
    "assessment": "direct bewijs bij een beoordeling",
    "final-level": "direct bewijs voor het eindniveau van de opleiding",
}
# A checklist step by its key, in the words of the checklist on the recording page.
STEP_NAMES = {s.key: words_recording.NL.get(s.title, s.title) for s in STEPS}
# Why a step is not needed (aftercare's "known" of the steps a person confirms).
KNOWN = {"everyone registered consented": "iedereen die is ingevoerd gaf toestemming"}
# Each captured group of this name is looked up in its table (the pattern only matches
# the table's keys, so the lookup always finds it).
LOOKUP: dict[str, dict[str, str]] = {
    "what": WHAT,
    "role": ROLES,
    "act": ACTS,
    "only": ONLY,
    "purpose": PURPOSES,
    "step": STEP_NAMES,
    "known": KNOWN,
}


def _one_of(table: dict[str, str]) -> str:
    return "|".join(re.escape(key) for key in sorted(table, key=len, reverse=True))


_WHAT, _ROLE, _ACT, _ONLY = _one_of(WHAT), _one_of(ROLES), _one_of(ACTS), _one_of(ONLY)
_PURPOSE, _STEP, _KNOWN = _one_of(PURPOSES), _one_of(STEP_NAMES), _one_of(KNOWN)
_ID = r"(?P<id>[A-Z]-[0-9A-Z]+)"  # a recording's ID: R-7KQ2M9
_DAY = r"(?P<day>\d{4}-\d\d-\d\d)"
_QUOTED = r"""('.*'|".*")"""  # a value as Python's repr() shows it
_FORM = r"(?P<form>[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])"  # a form's ID: 7KQ2-M9XD-4


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(f"^{pattern}$", re.S)


PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # names and addresses as typed (rules.check_name, check_email, accounts.check_email)
    (_p(f"(?P<what>{_WHAT}) is empty"), "{what} is leeg"),
    (_p(rf"(?P<what>{_WHAT}) is not valid text \(UTF-8\)"), "{what} is geen geldige tekst (UTF-8)"),
    (_p(f"(?P<what>{_WHAT}) contains control characters"), "{what} bevat stuurtekens"),
    (
        _p(
            rf"(?P<what>{_WHAT}) contains an invisible formatting character \((?P<char>[^)]*)\);"
            " retype it without that character"
        ),
        "{what} bevat een onzichtbaar opmaakteken ({char}); typ het opnieuw zonder dat teken",
    ),
    (
        _p(rf"(?P<what>{_WHAT}) is longer than (?P<n>\d+) characters"),
        "{what} is langer dan {n} tekens",
    ),
    (
        _p(f"(?:e-mail address )?(?P<address>{_QUOTED}) is not an e-mail address"),
        "{address} is geen e-mailadres",
    ),
    (
        _p(r"the name has characters no installed font can print \((?P<chars>[^)]*)\)"),
        "de naam bevat tekens die geen enkel geïnstalleerd lettertype kan afdrukken ({chars})",
    ),
    (
        _p(f"language (?P<lang>{_QUOTED}) is not one of (?P<langs>.+)"),
        "de taal {lang} is niet een van deze: {langs}",
    ),
    # a new recording
    (
        _p(rf"recording date {_DAY} is not between (?P<first>\S+) and (?P<last>\S+)"),
        "de opnamedatum {day} ligt niet tussen {first} en {last}",
    ),
    (
        _p(
            rf"recording date {_DAY} has passed: consent cannot be asked for a recording"
            " already made"
        ),
        "de opnamedatum {day} is voorbij: voor een opname die al gemaakt is, kunt u geen"
        " toestemming meer vragen",
    ),
    (
        _p(
            rf"the new deletion date {_DAY} is later than (?P<cap>\S+): a recording for"
            r" (?P<purpose>\S+) is kept at most (?P<period>.+) from its date (?P<made>\S+);"
            " nothing changed"
        ),
        "de nieuwe verwijderdatum {day} ligt na {cap}: een opname voor dit doel ({purpose})"
        " bewaren we hoogstens {period} na de opnamedatum {made}; er is niets veranderd",
    ),
    (
        _p(
            rf"recording {_ID} is in situation (?P<n>\d): the institution asks its people for"
            " consent; the student sends no invitations or reminders"
        ),
        "opname {id} is in situatie {n}: de instelling vraagt haar mensen om toestemming; de"
        " student stuurt geen uitnodigingen of herinneringen",
    ),
    (
        _p(rf"the deletion date {_DAY} is not after today"),
        "de verwijderdatum {day} ligt niet na vandaag",
    ),
    (
        _p(
            rf"recording {_ID} was made on {_DAY}: consent cannot be asked after the fact"
            r" \(only a re-consent round can ask again\)"
        ),
        "opname {id} is op {day} gemaakt: toestemming achteraf vragen kan niet (alleen een"
        " nieuwe toestemmingsronde vraagt opnieuw)",
    ),
    (
        _p("(?P<who>.+) is not the e-mail address of a supervisor"),
        "{who} is niet het e-mailadres van een begeleider",
    ),
    # a recording's state
    (_p(f"recording {_ID} was destroyed on {_DAY}"), "opname {id} is op {day} vernietigd"),
    (
        _p(f"recording {_ID} was destroyed on {_DAY}: there is nothing to describe"),
        "opname {id} is op {day} vernietigd: er valt niets te beschrijven",
    ),
    (
        _p(f"recording {_ID} was destroyed: there is nothing to add scans to"),
        "opname {id} is vernietigd: er kunnen geen scans meer bij",
    ),
    (_p(f"recording {_ID} has no participants yet"), "opname {id} heeft nog geen deelnemers"),
    (
        _p(f"recording {_ID} has no participants yet: add them first"),
        "opname {id} heeft nog geen deelnemers: voeg ze eerst toe",
    ),
    (
        _p(f"recording {_ID} was to be deleted by {_DAY}: destroy it and record the destruction"),
        "opname {id} had uiterlijk op {day} verwijderd moeten zijn: vernietig de opname en leg"
        " de vernietiging vast",
    ),
    (
        _p(
            rf"cannot describe {_ID}: consent of (?P<n>\d+) participant\(s\) is not settled"
            r" \(requested or to review\); see the status"
        ),
        "er is nog geen beschrijving voor opname {id}: de toestemming van {n} deelnemer(s)"
        " staat nog niet vast (gevraagd of te beoordelen); zie de stand",
    ),
    # re-consent
    (
        _p(r"the new deletion date (?P<new>\S+) is not later than (?P<old>\S+); nothing changed"),
        "de nieuwe verwijderdatum {new} is niet later dan {old}; er is niets veranderd",
    ),
    (
        _p(f"recording {_ID} already has purpose (?P<purpose>{_PURPOSE}); nothing changed"),
        'opname {id} heeft al het doel "{purpose}"; er is niets veranderd',
    ),
    # the checklist
    (
        _p(f"step (?P<step>{_STEP}) of {_ID} was already confirmed by (?P<by>.+) on {_DAY}"),
        'stap "{step}" van opname {id} is al bevestigd door {by} op {day}',
    ),
    (
        _p(f"step (?P<step>{_STEP}) of {_ID} was confirmed meanwhile"),
        'stap "{step}" van opname {id} is intussen al bevestigd',
    ),
    (
        _p(f"step (?P<step>{_STEP}) is not needed for {_ID}: (?P<known>{_KNOWN})"),
        'stap "{step}" is niet nodig voor opname {id}: {known}',
    ),
    (
        _p(
            f"step (?P<step>{_STEP}) of {_ID} cannot be confirmed before the recording date"
            f" {_DAY}: there is no footage yet"
        ),
        'stap "{step}" van opname {id} kan niet vóór de opnamedatum {day} bevestigd worden:'
        " er zijn nog geen beelden",
    ),
    (
        _p(f"step (?P<step>{_STEP}) of {_ID} is not confirmed: nothing to undo"),
        'stap "{step}" van opname {id} is niet bevestigd: er valt niets terug te draaien',
    ),
    # correcting mistakes
    (
        _p(f"form {_FORM} has answers: say why it is voided \\(a reason\\)"),
        "op formulier {form} is al geantwoord: zeg waarom het ongeldig wordt (een reden)",
    ),
    (
        _p(f"form {_FORM} was removed from its recording"),
        "formulier {form} is uit de opname verwijderd",
    ),
    (
        _p(f"form {_FORM} has no consent left to void"),
        "formulier {form} heeft geen toestemming meer die ongeldig kan worden",
    ),
    (
        _p(f"recording {_ID} already reads like that; nothing changed"),
        "opname {id} staat al zo vastgelegd; er is niets veranderd",
    ),
    (
        _p(f"the name of {_FORM} is already (?P<name>{_QUOTED}); nothing changed"),
        "de naam bij {form} is al {name}; er is niets veranderd",
    ),
    (
        _p(f"recording {_ID} was destroyed: its documents are gone"),
        "opname {id} is vernietigd: de documenten zijn weg",
    ),
    (
        _p(f"(?P<value>{_QUOTED}) is not ja/nee \\(yes/no\\) or a birth date \\(dd-mm-yyyy\\)"),
        "{value} is geen ja/nee en geen geboortedatum (dd-mm-jjjj)",
    ),
    (
        _p(f"birth date {_DAY} is after the recording date"),
        "de geboortedatum {day} ligt na de opnamedatum",
    ),
    # reminders
    (
        _p(
            f"recording {_ID} is in situation (?P<n>\\d): the institution keeps the declarations"
            " and reminds its people"
        ),
        "opname {id} is in situatie {n}: de instelling bewaart de verklaringen en wijst haar"
        " eigen mensen op hun rechten",
    ),
    (
        _p(f"nobody has given consent for recording {_ID}: no reminders"),
        "niemand heeft toestemming gegeven voor opname {id}: er is niemand om te herinneren",
    ),
    (
        _p(
            f"recording {_ID} is made on {_DAY}: the reminder of the right to withdraw comes"
            " after the recording"
        ),
        "opname {id} wordt op {day} gemaakt: de herinnering aan het recht om in te trekken"
        " komt na de opname",
    ),
    (
        _p(f"no reminder letters were made for recording {_ID}: make them first"),
        "voor opname {id} zijn nog geen herinneringsbrieven gemaakt: maak ze eerst",
    ),
    (
        _p(
            f"the reminders for recording {_ID} were recorded as sent on {_DAY}; make new ones"
            " first if someone else consented since"
        ),
        "de herinneringen voor opname {id} zijn op {day} al als verstuurd vastgelegd; maak"
        " eerst nieuwe als er sindsdien nog iemand toestemming gaf",
    ),
    # the request letter
    (
        _p(f"the return date {_DAY} is not after today"),
        "de datum voor het terugsturen ({day}) ligt niet na vandaag",
    ),
    # accounts kept by the officer
    (
        _p(r"(?P<email>\S+) signs in with the institution: there is no password"),
        "{email} logt in met het account van de instelling: er is geen wachtwoord",
    ),
    (_p(f"no API token (?P<token>{_QUOTED})"), "er is geen API-token {token}"),
    # forms that never come back
    (
        _p(rf"form (?P<form>\S+) is due back before {_DAY}: mark it not returned from then on"),
        "formulier {form} moet vóór {day} terug zijn: markeer het pas daarna als niet terug",
    ),
    (
        _p(r"form (?P<form>\S+) came back or was decided: it is not unreturned"),
        "formulier {form} is teruggekomen of er is al over beslist: het is niet 'niet terug'",
    ),
    (
        _p(f"recording {_ID} has no form to close: none is unreturned past its return date"),
        "opname {id} heeft geen formulier om af te sluiten: geen enkel open formulier is na"
        " de inleverdatum nog niet terug",
    ),
    # withdrawal and review
    (
        _p(r"form (?P<form>\S+) has no given consent to withdraw"),
        "formulier {form} heeft geen gegeven toestemming om in te trekken",
    ),
    (_p(r"(?P<item>\S+:\S+) is not waiting for review"), "{item} wacht niet (meer) op beoordeling"),
    (
        _p(f"(?P<decision>{_QUOTED}) is not a decision for this item"),
        "{decision} is geen beslissing voor dit punt",
    ),
    # accounts and sign-in
    (_p("there is already an account for (?P<email>.+)"), "er is al een account voor {email}"),
    (_p("the account (?P<email>.+) is disabled"), "het account {email} is uitgeschakeld"),
    (
        _p(r"too many failed sign-ins: try again in (?P<n>\d+) minutes"),
        "te veel mislukte pogingen om in te loggen: probeer het over {n} minuten opnieuw",
    ),
    # what a role may not do
    (
        _p(rf"your role \((?P<role>{_ROLE})\) may not (?P<act>{_ACT}) recording {_ID}"),
        "met uw rol ({role}) mag u opname {id} niet {act}",
    ),
    (
        _p(rf"your role \((?P<role>{_ROLE})\) may not request recording {_ID}"),
        "met uw rol ({role}) mag u voor opname {id} geen verklaringen aanvragen",
    ),
    (
        _p(rf"your role \((?P<role>{_ROLE})\) may not add scans to {_ID}"),
        "met uw rol ({role}) mag u geen scans toevoegen aan opname {id}",
    ),
    (
        _p(rf"your role \((?P<role>{_ROLE})\) may not (?P<only>{_ONLY})"),
        "met uw rol ({role}) mag u {only}",
    ),
    # uploads
    (_p(r"at most (?P<n>\d+) files at a time"), "hoogstens {n} bestanden tegelijk"),
    (
        _p(r"(?P<file>.+) is not a PDF or an image \(PNG, JPEG, TIFF\)"),
        "{file} is geen pdf en geen afbeelding (PNG, JPEG, TIFF)",
    ),
    (
        _p(r"the files are larger than (?P<n>\d+) MiB together"),
        "de bestanden zijn samen groter dan {n} MiB",
    ),
    (_p(r"(?P<file>.+) is larger than (?P<n>\d+) MiB"), "{file} is groter dan {n} MiB"),
    # the store and the mail server
    (
        _p(
            r"the store is busy: another formgen process held it for more than (?P<s>\S+) s;"
            " try again"
        ),
        "de opslag is bezet: een ander formgen-proces hield hem langer dan {s} s vast; probeer"
        " het opnieuw",
    ),
    (
        _p(r"cannot send e-mail through (?P<server>\S+): (?P<reason>.+)"),
        "de e-mail kon niet worden verstuurd via {server} ({reason}); probeer het later nog eens",
    ),
]


def problem(lang: str, message: str) -> str:
    """A library refusal in the page's language: Dutch where it is known, else as the
    library wrote it."""
    if lang != "nl":
        return message
    if message in NL:
        return NL[message]
    for pattern, template in PATTERNS:
        if found := pattern.match(message):
            groups = {
                name: LOOKUP[name][value] if name in LOOKUP else value
                for name, value in found.groupdict().items()
            }
            return template.format(**groups)
    return message
