"""What every declaration must say (docs/contract.md, issue 11), per language: short
fragments the rendered PDF's text must contain. One place, shared by the tests.

``ITEMS`` holds what both variants say, item by item; ``PAGE1`` and ``PAGE2`` what must
be on those pages themselves (the person keeps pages 1 and 2; page 3 alone proves what
was agreed).
"""

from __future__ import annotations

ITEMS: dict[str, dict[str, list[str]]] = {
    "nl": {
        "1 who records, controller and address, privacy contact, DPO, legal basis": [
            "is student bij de Faculteit Onderwijs en Opvoeding van de HvA",
            "De begeleider van de hogeschool is",
            "verwerkingsverantwoordelijke",
            "Website: www.hva.nl.",
            "gegevensbescherming-foo@hva.nl",
            "De functionaris gegevensbescherming (FG) van de HvA bereikt u via fg@test.example.",
            "op basis van uw toestemming (AVG artikel 6 lid 1 sub a)",
            "Postadres: Postbus 1025, 1000 BA Amsterdam.",
        ],
        "2 what and where": ["Wat: een", "waar:"],
        "3 purpose, retention, storage and processor, access, no publication, camera copy": [
            "We gebruiken de opname alleen",
            "We bewaren de opname",
            "MediaSite (mijnvideo), het beveiligde videoplatform van de hogeschool",
            "(als verwerker)",
            "kunnen de opname zien. Zij hebben de opname nodig voor dit doel",
            "We publiceren de opname niet",
            "We bewaren de opname en dit formulier in Nederland, bij de HvA.",
            "De kopie op de camera of telefoon wordt verwijderd zodra de opname op het"
            " platform staat",
        ],
        "4 separate yes/no per processing": [
            "Ik geef toestemming voor de",
            "Zet bij elke zin één kruisje",
            "Geen kruisje betekent: geen toestemming",
        ],
        "5 voluntary, withdrawal, earlier use, deletion": [
            "geen nadelige gevolgen",
            "U kunt uw toestemming altijd intrekken, net zo makkelijk als u die gaf",
            "(het nummer staat rechtsboven op elk blad)",
            "Wat we vóór het intrekken met de opname deden, mocht.",
            "verwijdert de student de opname",
        ],
        "6 rights": [
            "inzien",
            "te verwijderen",
            "het gebruik te beperken",
            "een kopie die u aan een ander mag geven (overdragen)",
            "klacht indienen bij de Autoriteit Persoonsgegevens",
            "onjuiste gegevens laten verbeteren",
            "Er worden geen besluiten automatisch over u genomen. Een computer leest de"
            " kruisjes; bij twijfel kijkt een mens.",
        ],
        "7 name, date, signature, ID, procedure version": [
            "Datum",
            "Handtekening",
            "versie van 20 augustus 2020",
        ],
        "8 keep and return": [
            "Bewaar blad 1 en 2.",
            "Enkelzijdig afdrukken.",
            "Geef dit blad vóór",
            "enkelzijdig afdrukken",
        ],
    },
    "en": {
        "1 who records, controller and address, privacy contact, DPO, legal basis": [
            "is a student at the Faculty of Education of the HvA",
            "The university supervisor is",
            "Amsterdam University of Applied Sciences (HvA) is responsible",
            "the controller",
            "Website: www.hva.nl.",
            "gegevensbescherming-foo@hva.nl",
            "The data protection officer (DPO) of the HvA can be reached at fg@test.example.",
            "on the basis of your consent (GDPR article 6(1)(a))",
            "Postal address: Postbus 1025, 1000 BA Amsterdam.",
        ],
        "2 what and where": ["What: a", "where:"],
        "3 purpose, retention, storage and processor, access, no publication, camera copy": [
            "The recording is only used",
            "We keep the recording for",
            "MediaSite (mijnvideo), the university's secure video platform",
            "(as processor)",
            "can see the recording: they need it for this purpose",
            "We do not publish the recording",
            "We store the recording and this form in the Netherlands, at the HvA.",
            "The copy on the camera or phone is deleted as soon as the recording is on the"
            " platform",
        ],
        "4 separate yes/no per processing": [
            "I consent to the",
            "Tick one box for each sentence",
            "No tick means: no consent",
        ],
        "5 voluntary, withdrawal, earlier use, deletion": [
            "no negative consequences",
            "You can withdraw your consent at any time, as easily as you gave it",
            "(the number is at the top right of every page)",
            "What was done with the recording before you withdrew remains lawful.",
            "the student deletes the recording",
        ],
        "6 rights": [
            "see the recording",
            "to delete it",
            "to restrict its use",
            "a copy to pass on to someone else (portability)",
            "complain to the Autoriteit Persoonsgegevens",
            "You may have wrong details about you corrected.",
            "No decisions about you are made automatically. A computer reads the crosses;"
            " when in doubt, a person looks.",
        ],
        "7 name, date, signature, ID, procedure version": [
            "Date",
            "Signature",
            "version of 20 August 2020",
        ],
        "8 keep and return": [
            "Keep pages 1 and 2.",
            "Print one-sided.",
            "Hand in this page before",
            "print one-sided",
        ],
    },
}

# Only on the pages the person keeps (1 and 2), resp. the page they sign and hand in (3).
PAGE1 = {
    "nl": ["Bewaar blad 1 en 2.", "Bewaar ook dit blad."],
    "en": ["Keep pages 1 and 2.", "Keep this page too."],
}
PAGE2 = {
    "nl": ["Geef dit blad vóór", "Opname: Rekenles groep 5", "student: Sam de Vries"],
    "en": ["Hand in this page before", "Recording: Rekenles groep 5", "student: Sam de Vries"],
}

PARENT: dict[str, list[str]] = {
    "nl": [
        "Naam van het kind",
        "Dat staat in de wet (artikel 5 van de Uitvoeringswet AVG, UAVG).",
        "ouder of voogd met ouderlijk gezag",
        "Eén ouder of voogd mag tekenen",
        "zijn de ouders het niet met elkaar eens, dan is er geen toestemming",
        "Praat er met uw kind over",
        "Het kind stemt in (mag leeg blijven)",
        "Ik ben de ouder voogd van het kind",
        "Is de andere ouder of voogd het er niet mee eens? Die kan op dezelfde manier nee zeggen.",
    ],
    "en": [
        "Name of the child",
        "The law says so (article 5 of the Dutch GDPR Implementation Act, UAVG).",
        "parent or guardian with parental responsibility",
        "One parent or guardian may sign",
        "if the parents do not agree, there is no consent",
        "Please talk about it with your child",
        "The child agrees (optional)",
        "I am the parent guardian of the child",
        "Does the other parent or guardian not agree? They can say no in the same way.",
    ],
}
# Who is kept out of the recording without consent: image, or sound for audio only.
OUT_OF_IT = {
    "nl": {"video": "niet in beeld komt", "audio": "niet te horen"},
    "en": {"video": "kept out of frame", "audio": "cannot be heard"},
}

LIVESTREAM = {
    "nl": {
        "who": "Tijdens de opname kijkt Dr. Jansen, de begeleider van de hogeschool, via Microsoft"
        " Teams live mee om de student op afstand te begeleiden (livestream).",
        "no": "tijdens de livestream niet in beeld komt",
        "stored": "De livestream wordt ook opgeslagen, voor hetzelfde doel, tot uiterlijk",
        "not": "De livestream wordt niet opgeslagen",
    },
    "en": {
        "who": "During the recording Dr. Jansen, the university supervisor, watches live over the"
        " internet through Microsoft Teams, to coach the student from a distance (live stream).",
        "no": "out of frame during the live stream",
        "stored": "The live stream is also stored, for the same purpose, until",
        "not": "The live stream is not stored",
    },
}
VIEW360 = {
    "nl": [
        "360-gradencamera",
        "Zegt één persoon nee, dan filmt de student met een gewone camera",
        "De student gebruikt de 360-gradencamera alleen als iedereen ja zegt. De student"
        " vertelt niet wie nee zei",
    ],
    "en": [
        "360-degree camera",
        "If one person says no, the student films with an ordinary camera",
        "The student uses the 360-degree camera only if everyone says yes. The student does"
        " not tell anyone who said no",
    ],
}
MEDIA = {
    "nl": {"video": "alleen beeld", "audio": "alleen geluid", "both": "beeld en geluid"},
    "en": {"video": "image only", "audio": "sound only", "both": "image and sound"},
}
DATES = {"nl": "1 december 2027", "en": "1 December 2027"}

# The purpose in the form's words; the platform description says the same.
PURPOSE = {
    "nl": {
        "reflection": "We gebruiken de opname alleen voor reflectie",
        "assessment": "We gebruiken de opname alleen als bewijs bij een beoordeling van de student",
        "final-level": "We gebruiken de opname alleen als bewijs dat de student het eindniveau"
        " van de opleiding heeft gehaald.",
    },
    "en": {
        "reflection": "The recording is only used for reflection",
        "assessment": "The recording is only used as evidence in an assessment of the student",
        "final-level": "The recording is only used as evidence that the student has reached"
        " the programme's final level.",
    },
}
ACCESS = {
    "nl": {
        "reflection": "de student en de begeleider van de hogeschool",
        "assessment": "de student, de begeleider van de hogeschool en de beoordelaars",
    },
    "en": {
        "reflection": "the student and the university supervisor",
        "assessment": "the student, the university supervisor and the assessors",
    },
}

# Wording issue 11 asked to replace: never printed again.
RETIRED = {
    "nl": [
        "De opname is alleen voor",
        "maakt eerder gebruik niet onrechtmatig",
        "dat staat ook in de QR-code",
        "live uitgezonden naar een begeleider op afstand",
        "Zet bij elke vraag",
        "toestemmingsverklaring",
        "vernietigd",
    ],
    "en": [
        "only for final level",
        "a supervisor at a distance",
        "version 20 augustus 2020",
        "does not make earlier use unlawful",
        "also in the QR code",
    ],
}
