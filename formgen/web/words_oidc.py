"""Dutch for sign-in with the institution's account (see i18n.py): English -> Dutch."""

NL: dict[str, str] = {
    "Sign in with your institution account": "Inloggen met je instellingsaccount",
    "Or with a password": "Of met een wachtwoord",
    "Not signed in": "Niet ingelogd",
    "Signed in": "Ingelogd",
    "Signed out": "Uitgelogd",
    "Continue": "Verder",
    "Back to the sign-in page": "Terug naar de inlogpagina",
    "No account was made or changed. If you think you should have access, ask the privacy"
    " officer.": (
        "Er is geen account gemaakt of veranderd. Denk je dat je toegang hoort te hebben,"
        " vraag het dan aan de privacyfunctionaris."
    ),
    "The institution's sign-in cannot be reached.": (
        "De inlogdienst van de instelling is niet bereikbaar."
    ),
    "Your sign-in could not be checked. Please try again.": (
        "Je inlog kon niet worden gecontroleerd. Probeer het opnieuw."
    ),
    # formgen.institution's refusals
    "the institution did not say who you are": "de instelling gaf niet door wie je bent",
    "the institution did not give your e-mail address": (
        "de instelling gaf je e-mailadres niet door"
    ),
    "your institution does not use formgen here": ("je instelling gebruikt formgen hier niet"),
    "your institution account has no role in formgen": (
        "je instellingsaccount heeft geen rol in formgen"
    ),
    "this account is disabled": "dit account is uitgeschakeld",
    "there is already an account with your address: sign in with its password": (
        "er is al een account met je adres: log in met het wachtwoord daarvan"
    ),
    # the users page
    "Signs in with": "Logt in met",
    "institution": "instelling",
    "password": "wachtwoord",
    "API token only": "alleen API-token",
}
