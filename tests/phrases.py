"""What every declaration must say (spec section 3), per language: short fragments the
rendered PDF's text must contain. One place, shared by the tests."""

from __future__ import annotations

ITEMS: dict[str, dict[str, list[str]]] = {
    "nl": {
        "1 who records, controller, privacy contact": [
            "is student bij de",
            "verwerkingsverantwoordelijke",
            "gegevensbescherming-foo@hva.nl",
        ],
        "2 what and where": ["Wat: een", "Waar:", "Wanneer:"],
        "3 purpose, retention, storage, access, no publication": [
            "De opname is alleen voor",
            "We bewaren de opname",
            "MediaSite (mijnvideo)",
            "Alleen wie de opname voor dit doel nodig heeft",
            "niet gepubliceerd",
        ],
        "4 separate yes/no per processing": [
            "Ik geef toestemming voor de",
            "Geen kruisje betekent",
        ],
        "5 voluntary, withdrawal, earlier use, destruction": [
            "geen nadelige gevolgen",
            "toestemming altijd intrekken",
            "QR-code",
            "maakt eerder gebruik niet onrechtmatig",
            "opname vernietigd",
        ],
        "6 rights": ["inzien", "verwijderen", "Autoriteit Persoonsgegevens"],
        "7 name, date, signature, ID, procedure version": [
            "Datum",
            "Handtekening",
            "versie 20 augustus 2020",
        ],
    },
    "en": {
        "1 who records, controller, privacy contact": [
            "is a student at the",
            "the controller",
            "gegevensbescherming-foo@hva.nl",
        ],
        "2 what and where": ["What: a", "Where:", "When:"],
        "3 purpose, retention, storage, access, no publication": [
            "The recording is only for",
            "We keep the recording for",
            "MediaSite (mijnvideo)",
            "Only those who need it for this purpose",
            "not published",
        ],
        "4 separate yes/no per processing": ["I consent to the", "No tick means"],
        "5 voluntary, withdrawal, earlier use, destruction": [
            "no negative consequences",
            "withdraw your consent at any time",
            "QR code",
            "does not make earlier use unlawful",
            "recording is destroyed",
        ],
        "6 rights": ["see the recording", "deleted", "Autoriteit Persoonsgegevens"],
        "7 name, date, signature, ID, procedure version": [
            "Date",
            "Signature",
            "version 20 augustus 2020",
        ],
    },
}

PARENT: dict[str, list[str]] = {
    "nl": [
        "Naam van het kind",
        "ouder of voogd met ouderlijk gezag",
        "Bespreek deze brief",
        "niet in beeld komt",
    ],
    "en": [
        "Name of the child",
        "parent or guardian with parental responsibility",
        "talk about this letter with your child",
        "kept out of frame",
    ],
}

LIVESTREAM = {
    "nl": {
        "stored": "De livestream wordt ook opgeslagen",
        "not": "De livestream wordt niet opgeslagen",
    },
    "en": {"stored": "The live stream is also stored", "not": "The live stream is not stored"},
}
VIEW360 = {"nl": "360-gradencamera", "en": "360-degree camera"}
MEDIA = {
    "nl": {"video": "alleen beeld", "audio": "alleen geluid", "both": "beeld en geluid"},
    "en": {"video": "image only", "audio": "sound only", "both": "image and sound"},
}
DATES = {"nl": "1 december 2027", "en": "1 December 2027"}
