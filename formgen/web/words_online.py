"""Dutch for the online declaration (online_pages.py, templates online*.html), and the
library's refusals on those pages in the person's words."""

from __future__ import annotations

import re

from . import words_problems

NL: dict[str, str] = {
    "Consent form": "Toestemmingsformulier",
    "Answer online": "Online antwoorden",
    "Read the form, choose yes or no for each question and fill in your details. We e-mail"
    " you a code; your answer counts once you have typed it in.": (
        "Lees het formulier, kies bij elke vraag ja of nee en vul uw gegevens in. We mailen u"
        " een code; uw antwoord telt zodra u die hebt ingetypt."
    ),
    "Withdraw consent": "Toestemming intrekken",
    'This form has been answered. You can still say no to what was answered yes: choose "No,'
    ' withdraw". We e-mail you a code; the withdrawal counts once you have typed it in.': (
        "Dit formulier is al beantwoord. U kunt nog nee zeggen tegen wat met ja is beantwoord:"
        ' kies "Nee, intrekken". We mailen u een code; de intrekking telt zodra u die hebt'
        " ingetypt."
    ),
    "This form has been answered; there is nothing left to answer or withdraw online.": (
        "Dit formulier is beantwoord; er is online niets meer te beantwoorden of in te trekken."
    ),
    "The recording has been made. Consent is asked before a recording, so this form can no"
    " longer be answered. If you are in the recording without consent, you are not allowed"
    " to be seen or heard in it: tell the student or the supervisor.": (
        "De opname is al gemaakt. We vragen toestemming vóór een opname, dus dit formulier kunt"
        " u niet meer invullen. Bent u zonder toestemming opgenomen? Dan mag u niet te zien of"
        " te horen zijn. Zeg het tegen de student of de begeleider."
    ),
    "Your details": "Uw gegevens",
    "Name of the child": "Naam van het kind",
    "Your name (parent or guardian)": "Uw naam (ouder of voogd)",
    "Your name (parent or guardian with parental authority)": (
        "Uw naam (ouder of voogd met ouderlijk gezag)"
    ),
    "I have parental authority over this child": "Ik heb het ouderlijk gezag over dit kind",
    "tick that you have parental authority over this child": (
        "kruis aan dat u het ouderlijk gezag over dit kind heeft"
    ),
    "use your own e-mail address: an address of the organisation or of one of formgen's"
    " users cannot confirm a consent": (
        "gebruik uw eigen e-mailadres: met een adres van de organisatie of van een gebruiker"
        " van formgen kunt u geen toestemming bevestigen"
    ),
    "Your name": "Uw naam",
    "I am the child's:": "Ik ben van het kind de:",
    "parent": "ouder",
    "guardian": "voogd",
    "Your e-mail address": "Uw e-mailadres",
    "We send the code and your receipt to this address. Use your own address, not one of"
    " school or work. We keep it with the consent record as proof, as long as the form"
    " says.": (
        "We sturen de code en uw ontvangstbewijs naar dit adres. Gebruik uw eigen adres,"
        " niet dat van school of werk. We bewaren het als bewijs bij de toestemming, zo lang"
        " als het formulier zegt."
    ),
    "E-mail address of the other parent or guardian (optional)": (
        "E-mailadres van de andere ouder of voogd (mag leeg blijven)"
    ),
    "They get the same form and can only say no where you said yes: if the parents do not"
    " agree, there is no consent.": (
        "Die krijgt hetzelfde formulier en kan alleen nee zeggen waar u ja zei: zijn de ouders"
        " het niet eens, dan is er geen toestemming."
    ),
    "The child agrees (optional): the child's name": (
        "Het kind gaat ook akkoord (niet verplicht): naam van het kind"
    ),
    "Talk about it with your child. A child of 12 or older may agree too: type the child's"
    " name. It is shown on your receipt and decides nothing.": (
        "Bespreek het met uw kind. Een kind van 12 jaar of ouder mag ook akkoord gaan: typ de"
        " naam van het kind. Die staat op uw ontvangstbewijs en beslist niets."
    ),
    "Send me the code": "Stuur mij de code",
    "Type the code": "Typ de code",
    "We sent a code to %(email)s. It is valid for 15 minutes.": (
        "We hebben een code gestuurd naar %(email)s. De code is 15 minuten geldig."
    ),
    "Nothing is recorded until you type the code.": (
        "Er wordt niets vastgelegd voordat u de code intypt."
    ),
    "Code from the e-mail": "Code uit de e-mail",
    "Confirm": "Bevestigen",
    "Ask for a new code": "Vraag een nieuwe code",
    "Thank you": "Dank u",
    "Your answer is recorded. We e-mailed you a receipt with the filled-in form and a link to"
    " withdraw later.": (
        "Uw antwoord is vastgelegd. We hebben u een ontvangstbewijs gemaild met het ingevulde"
        " formulier en een link om later in te trekken."
    ),
    "Your answer is recorded, but we could not send the receipt by e-mail. Keep this page, or"
    " ask the student for a copy.": (
        "Uw antwoord is vastgelegd, maar we konden het ontvangstbewijs niet mailen. Bewaar deze"
        " pagina, of vraag de student om een kopie."
    ),
    "Your withdrawal is recorded. We e-mailed you a receipt.": (
        "Uw intrekking is vastgelegd. We hebben u een ontvangstbewijs gemaild."
    ),
    "Question": "Vraag",
    "Now": "Nu",
    "This link does not open a form": "Deze link opent geen formulier",
    "The link may be mistyped, or the form may no longer be open. Ask the student or the"
    " person who gave you the form.": (
        "Misschien is de link verkeerd overgetypt, of is het formulier niet meer open. Vraag"
        " het aan de student of aan wie u het formulier gaf."
    ),
    # the recording page
    "E-mail address (optional: for the invitation to answer online)": (
        "E-mailadres (mag leeg blijven: voor de uitnodiging om online te antwoorden)"
    ),
    "Invite by e-mail to answer online": "Per e-mail uitnodigen om online te antwoorden",
    "Participants with an e-mail address get a link to their own declaration, with its first"
    " page as text. They answer on their phone; you see the answers here. Nothing is sent"
    " until you press a button.": (
        "Deelnemers met een e-mailadres krijgen een link naar hun eigen verklaring, met de"
        " eerste pagina als tekst. Ze antwoorden op hun telefoon; u ziet de antwoorden hier."
        " Er wordt niets verstuurd voordat u op een knop drukt."
    ),
    "{n} of {total} participants have an e-mail address.": (
        "{n} van de {total} deelnemers hebben een e-mailadres."
    ),
    "Send the invitations": "Verstuur de uitnodigingen",
    "Remind who has not answered": "Herinner wie nog niet heeft geantwoord",
    "The invitations are sent.": "De uitnodigingen zijn verstuurd.",
    "Nothing was sent: no one with an e-mail address is waiting for one.": (
        "Er is niets verstuurd: niemand met een e-mailadres wacht er nog op."
    ),
    # the demo's mail page
    "Demo: sent mail": "Demo: verstuurde e-mail",
    "formgen serve --demo sends its e-mail to a mail server of its own on this computer; here"
    " is what it sent. A real installation sends through the [mail] server of formgen.toml.": (
        "formgen serve --demo stuurt zijn e-mail naar een eigen mailserver op deze computer;"
        " hier staat wat er is verstuurd. Een echte installatie verstuurt via de [mail]-server"
        " uit formgen.toml."
    ),
    "To": "Aan",
    "attachment": "bijlage",
    "No mail sent yet.": "Nog geen e-mail verstuurd.",
    # the library's refusals
    "choose yes or no for every question": "kies bij elke vraag ja of nee",
    "choose no for what you take back": "kies nee bij wat u intrekt",
    "say whether you are the child's parent or guardian": (
        "geef aan of u de ouder of de voogd van het kind bent"
    ),
    "type the child's name": "typ de naam van het kind",
    "the other parent's address is your own": "het adres van de andere ouder is uw eigen adres",
    "too many codes asked for in the last hour: try again later": (
        "in het afgelopen uur zijn te veel codes gevraagd: probeer het later nog eens"
    ),
    "this form has nothing left to answer or withdraw online": (
        "dit formulier heeft online niets meer te beantwoorden of in te trekken"
    ),
    "this code is not valid: ask for a new one": "deze code is niet geldig: vraag een nieuwe",
    "the code has expired: ask for a new one": "de code is verlopen: vraag een nieuwe",
    "too many wrong codes: ask for a new one": "te vaak een verkeerde code: vraag een nieuwe",
    "wrong code; ask for a new one": "verkeerde code; vraag een nieuwe",
    "wrong code; {left} tries left": "verkeerde code; u kunt het nog {left} keer proberen",
    "your name": "uw naam",
    "your e-mail address": "uw e-mailadres",
    "the child's name": "de naam van het kind",
    "the other parent's address": "het adres van de andere ouder",
}

_TRIES = re.compile(r"^wrong code; (\d+) tries left$")
_NOT_ADDRESS = re.compile(r"^(.+) '(.*)' is not an e-mail address$", re.S)


def problem(lang: str, message: str) -> str:
    """A library refusal shown on the online pages, in the page's language."""
    if lang != "nl":
        return message
    if found := _TRIES.match(message):
        return NL["wrong code; {left} tries left"].format(left=found.group(1))
    if found := _NOT_ADDRESS.match(message):
        return f"{NL.get(found.group(1), found.group(1))} is geen e-mailadres"
    if message.startswith("cannot send e-mail"):
        return "de e-mail kon niet worden verstuurd; probeer het later nog eens"
    if message in NL:
        return NL[message]
    return words_problems.problem(lang, message)  # the refusals shared with other pages
