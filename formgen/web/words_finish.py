"""Dutch for finishing the job in the browser (see i18n.py): closing forms that never
came back, and the officer's downloads, password resets and API tokens."""

NL: dict[str, str] = {
    # forms that never come back (the recording page)
    "Forms that did not come back": "Formulieren die niet terugkwamen",
    "After the return date, mark a form that did not come back as not returned: it counts"
    " as no consent, so that person must not appear. Unused blank forms of the institution"
    " are discarded. A form that still comes back later is read in and waits for review.": (
        "Markeer na de inleverdatum een formulier dat niet terugkwam als niet terug: dat telt"
        " als geen toestemming, dus die persoon mag niet in beeld. Ongebruikte blanco"
        " formulieren van de instelling vervallen. Een formulier dat later toch terugkomt,"
        " wordt ingelezen en wacht op beoordeling."
    ),
    "Not returned: no consent": "Niet terug: geen toestemming",
    "Mark all open forms as not returned: no consent": (
        "Alle open formulieren markeren als niet terug: geen toestemming"
    ),
    "Choose whose form did not come back.": "Kies wiens formulier niet terugkwam.",
    "Recorded: the forms not returned count as no consent.": (
        "Vastgelegd: de formulieren die niet terugkwamen tellen als geen toestemming."
    ),
    # the users page: new-password links and API tokens
    "New-password link for {}": "Link voor een nieuw wachtwoord voor {}",
    "It is shown only now and works once, for 24 hours: give it to the person in person or"
    " by phone, not by e-mail. With it they choose a new password; earlier links for the"
    " account stop working.": (
        "De link is alleen nu te zien en werkt één keer, 24 uur lang: geef hem de persoon"
        " persoonlijk of telefonisch, niet per e-mail. Daarmee kiest die een nieuw"
        " wachtwoord; eerdere links voor het account werken niet meer."
    ),
    "Copy the link": "Kopieer de link",
    "New-password link": "Link voor nieuw wachtwoord",
    "API tokens": "API-tokens",
    "Account": "Account",
    "Token": "Token",
    "Issued": "Gemaakt op",
    "Revoke": "Intrekken",
    "No API tokens have been issued.": "Er zijn geen API-tokens gemaakt.",
    "API token revoked: {}": "API-token ingetrokken: {}",
    # a new password by the link
    "Choose a new password": "Kies een nieuw wachtwoord",
    "This link works once. After saving you are signed in, and signed out everywhere else.": (
        "Deze link werkt één keer. Na het opslaan bent u ingelogd, en overal elders uitgelogd."
    ),
    "New password": "Nieuw wachtwoord",
    "Save the new password": "Nieuw wachtwoord opslaan",
    # the due list and the consent record
    "Choose one of the periods in the list.": "Kies een van de perioden uit de lijst.",
    "Consent record": "Toestemmingsdossier",
    "JSON-LD": "JSON-LD",
    "Download the consent record (JSON-LD)": "Download het toestemmingsdossier (JSON-LD)",
}
