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
}
