"""Dutch for the recording pages (see i18n.py): English text -> Dutch."""

NL: dict[str, str] = {
    # my recordings
    "New recording": "Nieuwe opname",
    "Recordings, the most recent first": "Opnamen, de meest recente eerst",
    "Title": "Titel",
    "Student": "Student",
    "Date": "Datum",
    "Purpose": "Doel",
    "Delete by": "Verwijderen uiterlijk",
    "Consent": "Toestemming",
    "What the consent column says": "Wat de kolom toestemming betekent",
    "No recordings yet.": "Nog geen opnamen.",
    "Start with a new recording: formgen makes its consent declarations.": (
        "Begin met een nieuwe opname: formgen maakt de toestemmingsverklaringen."
    ),
    "Destroyed": "Vernietigd",
    "the recording was destroyed": "de opname is vernietigd",
    "Due": "Verwijderen",
    "the deletion date has come: destroy it": "de verwijderdatum is bereikt: vernietig de opname",
    "Empty": "Leeg",
    "no participants registered yet": "nog geen deelnemers ingevoerd",
    "Open": "Open",
    "someone's consent is not settled yet (form not back, or to review)": (
        "de toestemming van iemand staat nog niet vast (formulier niet terug, of te beoordelen)"
    ),
    "Partial": "Deels",
    "settled, but someone must not appear": "staat vast, maar iemand mag niet in beeld",
    "Complete": "Compleet",
    "everyone registered may appear": "iedereen die is ingevoerd mag in beeld",
    # situations, purposes, media, languages
    "At a partner institution": "Bij een partnerinstelling",
    "An institution the faculty works with structurally (a training school, say), with"
    " a protocol: the institution asks for consent beforehand. Check with your"
    " supervisor or the contact person there who has given general consent, and discuss"
    " whether your supervisor should ask for extra declarations. Do not ask for consent"
    " yourself.": (
        "Een (stage-)instelling waarmee de faculteit structureel samenwerkt (bijvoorbeeld een"
        " opleidingsschool), met een protocol: de instelling vraagt vooraf toestemming."
        " Controleer bij uw begeleider of de contactpersoon ter plaatse voor wie een"
        " algemene toestemmingsverklaring is afgegeven, en bespreek of uw begeleider extra"
        " verklaringen moet vragen. Vraag niet zelf om toestemming."
    ),
    "At another internship institution": "Bij een andere stage-instelling",
    "Another internship institution (a primary or secondary school, or childcare): the"
    " most common situation. Check with your supervisor or the contact person there"
    " what the institution has arranged and who has given general consent; if needed,"
    " your supervisor asks for extra declarations. Do not ask for consent yourself.": (
        "Een andere stage-instelling (een basisschool, middelbare school of kinderopvang):"
        " de meest voorkomende situatie. Controleer bij uw begeleider of de contactpersoon"
        " ter plaatse wat de instelling heeft geregeld en wie een algemene"
        " toestemmingsverklaring heeft afgegeven; zo nodig vraagt uw begeleider extra"
        " verklaringen. Vraag niet zelf om toestemming."
    ),
    "Outside any institution": "Buiten een instelling",
    "Outside any institution nothing is arranged beforehand: you arrange every"
    " declaration yourself, with the standard form, and keep them (a digital copy)"
    " until the recording is destroyed.": (
        "Buiten een instelling is vooraf niets geregeld: u regelt alle"
        " toestemmingsverklaringen zelf, met het standaardformulier, en bewaart ze (een"
        " digitale kopie) tot de opname is vernietigd."
    ),
    "This recording is in situation 3 (outside any institution) but names {institution}:"
    " if it is made there, the institution asks for consent (situation 1 or 2): talk to"
    " your supervisor before you ask anyone for consent.": (
        "Deze opname staat in situatie 3 (buiten een instelling), maar noemt {institution}:"
        " wordt de opname daar gemaakt, dan vraagt de instelling de toestemming (situatie 1"
        " of 2): overleg met uw begeleider voordat u iemand om toestemming vraagt."
    ),
    "Situation {n}: {label}": "Situatie {n}: {label}",
    "1 blank form of the institution has not come back (yet).": (
        "1 blanco formulier van de instelling is (nog) niet terug."
    ),
    "{n} blank forms of the institution have not come back (yet).": (
        "{n} blanco formulieren van de instelling zijn (nog) niet terug."
    ),
    "Reflection": "Reflectie",
    "Direct evidence in an assessment": "Direct bewijs bij een beoordeling",
    "Direct evidence of reaching the programme's final level": (
        "Direct bewijs voor het eindniveau van de opleiding"
    ),
    "Image and sound": "Beeld en geluid",
    "Image only": "Alleen beeld",
    "Sound only": "Alleen geluid",
    "Dutch": "Nederlands",
    "English": "Engels",
    "Recording": "Opname",
    "Live stream": "Livestream",
    "360 degrees": "360 graden",
    # new recording
    "formgen makes a consent declaration for everyone you record, with the purpose, the"
    " deletion date and a yes/no box for each thing you ask.": (
        "formgen maakt een toestemmingsverklaring voor iedereen die u opneemt, met het doel,"
        " de verwijderdatum en een ja/nee-vakje voor alles wat u vraagt."
    ),
    "For example the lesson and the group. It is printed on every declaration.": (
        "Bijvoorbeeld de les en de groep. Dit staat op elke verklaring."
    ),
    "Where do you record?": "Waar neemt u op?",
    "Institution": "Instelling",
    "Needed in situations 1 and 2: the institution where you record.": (
        "Nodig in situatie 1 en 2: de instelling waar u opneemt."
    ),
    "Date of the recording": "Datum van de opname",
    "The purpose decides how long the recording may be kept (counted from the recording date).": (
        "Het doel bepaalt hoe lang de opname bewaard mag worden (gerekend vanaf de opnamedatum)."
    ),
    "kept {period}": "{period} bewaard",
    "Delete the recording by {date}: {period} after the recording.": (
        "Verwijder de opname uiterlijk op {date}: {period} na de opname."
    ),
    "Choose the date and the purpose: the deletion date appears here (without JavaScript,"
    " on the recording's page).": (
        "Kies de datum en het doel: de verwijderdatum verschijnt hier (zonder JavaScript op"
        " de pagina van de opname)."
    ),
    "What is recorded": "Wat wordt opgenomen",
    "Live stream and 360 degrees": "Livestream en 360 graden",
    "The recording is streamed live (e.g. remote coaching)": (
        "De opname wordt live uitgezonden (bijv. coaching op afstand)"
    ),
    "The declaration then asks a separate yes/no for the stream.": (
        "De verklaring vraagt dan apart ja/nee voor de livestream."
    ),
    "The stream is also stored": "De livestream wordt ook bewaard",
    "360-degree recording of the whole room": "360-gradenopname van de hele ruimte",
    "Only allowed when everyone present consents.": (
        "Alleen toegestaan als iedereen die aanwezig is toestemming geeft."
    ),
    "Your supervisor's e-mail address": "E-mailadres van uw begeleider",
    "The address of their formgen account: their name goes on the declarations and they"
    " can follow the recording.": (
        "Het adres van hun formgen-account: hun naam komt op de verklaringen en zij kunnen"
        " de opname volgen."
    ),
    "Language of the declarations": "Taal van de verklaringen",
    "You can choose another language for each participant.": (
        "U kunt per deelnemer een andere taal kiezen."
    ),
    "Create the recording": "Opname aanmaken",
    "Give the recording a title.": "Geef de opname een titel.",
    "Give the date of the recording.": "Geef de datum van de opname.",
    "Choose where the recording takes place (situation 1, 2 or 3).": (
        "Kies waar de opname plaatsvindt (situatie 1, 2 of 3)."
    ),
    "Give the institution: in situations 1 and 2 it collects consent.": (
        "Geef de instelling: in situatie 1 en 2 vraagt die de toestemming."
    ),
    "Choose the purpose of the recording.": "Kies het doel van de opname.",
    # the recording: facts and notices
    "Where": "Waar",
    "yes, also stored": "ja, ook bewaard",
    "yes, not stored": "ja, niet bewaard",
    "yes": "ja",
    "no": "nee",
    "Supervisor": "Begeleider",
    "This recording was destroyed on {date} by {who}. Its consent record stays; the scans"
    " and documents formgen kept are gone.": (
        "Deze opname is op {date} vernietigd door {who}. Het toestemmingsdossier blijft;"
        " de scans en documenten die formgen bewaarde zijn weg."
    ),
    "The recording is made. Add its participants next.": (
        "De opname is aangemaakt. Voeg nu de deelnemers toe."
    ),
    "Added. Their declarations are in the PDF.": "Toegevoegd. Hun verklaringen staan in de pdf.",
    "The withdrawal is recorded. The person must not appear any more.": (
        "De intrekking is vastgelegd. Deze persoon mag niet meer in beeld."
    ),
    "Changed. Earlier consent no longer counts: hand out the new declarations.": (
        "Gewijzigd. Eerdere toestemming telt niet meer: deel de nieuwe verklaringen uit."
    ),
    "The destruction is recorded.": "De vernietiging is vastgelegd.",
    "The step is confirmed.": "De stap is bevestigd.",
    # consent status
    "Camera set-up": "Camera-opstelling",
    "everyone consented: no restriction, 360 degrees allowed": (
        "iedereen gaf toestemming: geen beperking, 360 graden toegestaan"
    ),
    "most consented: position the others out of frame (e.g. at the back)": (
        "de meesten gaven toestemming: zet de anderen buiten beeld (bijv. achter in het lokaal)"
    ),
    "few consented: set up so that only you are in frame": (
        "weinigen gaven toestemming: stel de camera zo op dat alleen u in beeld bent"
    ),
    "no one consented: set up so that only you are in frame": (
        "niemand gaf toestemming: stel de camera zo op dat alleen u in beeld bent"
    ),
    "{consented} of {present} registered participants may appear.": (
        "{consented} van de {present} ingevoerde deelnemers mogen in beeld."
    ),
    "360-degree recording: allowed, everyone consented.": (
        "360-gradenopname: toegestaan, iedereen gaf toestemming."
    ),
    "360-degree recording: not allowed, as not everyone present consented.": (
        "360-gradenopname: niet toegestaan, want niet iedereen die aanwezig is gaf toestemming."
    ),
    "(This recording does not plan it.)": "(Niet gepland voor deze opname.)",
    "The institution also holds general declarations: ask it who else may appear.": (
        "De instelling heeft ook algemene verklaringen: vraag daar wie verder in beeld mag."
    ),
    "Status per person and clause": "Stand per persoon en onderdeel",
    "Name": "Naam",
    "Form": "Formulier",
    "Signature": "Handtekening",
    "May appear": "Mag in beeld",
    "name on the paper form": "naam op het papieren formulier",
    "participant {}": "deelnemer {}",
    # online answers, for the supervisor and the officer
    "Online answers": "Online antwoorden",
    "Answered by": "Beantwoord door",
    "Confirmed address": "Bevestigd adres",
    "Confirmed": "Bevestigd",
    "Check": "Controle",
    "Text shown": "Getoonde tekst",
    "withdrawal": "intrekking",
    "check this online answer": "controleer dit online antwoord",
    "nothing odd": "niets bijzonders",
    "the same browser answered form {} of this recording": (
        "dezelfde browser beantwoordde formulier {} van deze opname"
    ),
    "the same address was used for form {} of this recording": (
        "hetzelfde adres is gebruikt voor formulier {} van deze opname"
    ),
    "Show the text they saw": "Toon de tekst die zij zagen",
    "only its hash (answered before formgen kept the text)": (
        "alleen de hash (beantwoord voordat formgen de tekst bewaarde)"
    ),
    "under 16": "onder 16",
    "round {n}": "ronde {n}",
    "signed": "ondertekend",
    "not signed": "niet ondertekend",
    "requested: form not back yet": "gevraagd: formulier nog niet terug",
    "consent given": "toestemming gegeven",
    "refused": "geweigerd",
    "no answer: no consent": "geen antwoord: geen toestemming",
    "to review": "te beoordelen",
    "withdrawn": "ingetrokken",
    "expired": "verlopen",
    "invalidated: asked again": "vervallen: opnieuw gevraagd",
    "Some answers need a person's look.": "Sommige antwoorden moet een mens bekijken.",
    "Open the review queue": "Open de beoordelingslijst",
    "Some answers need a person's look: your supervisor decides them in the review queue."
    " Until then those people must not appear.": (
        "Sommige antwoorden moet een mens bekijken: uw begeleider beslist in de"
        " beoordelingslijst. Tot dan mogen die personen niet in beeld."
    ),
    "No participants yet.": "Nog geen deelnemers.",
    "Who must not appear": "Wie niet in beeld mag",
    "Not in frame": "Niet in beeld",
    "Not during the live stream": "Niet tijdens de livestream",
    "Not with the 360-degree camera": "Niet met de 360-gradencamera",
    "Everyone registered may appear.": "Iedereen die is ingevoerd mag in beeld.",
    "Printable list of who must not appear": "Afdrukbare lijst van wie niet in beeld mag",
    "Earlier declarations (no longer valid)": "Eerdere verklaringen (niet meer geldig)",
    "The purpose or the deletion date changed after these were signed, so their consent no"
    " longer counts.": (
        "Het doel of de verwijderdatum is veranderd nadat deze zijn ondertekend; hun"
        " toestemming telt daarom niet meer."
    ),
    "Earlier declarations and how their consent ended": (
        "Eerdere verklaringen en hoe hun toestemming eindigde"
    ),
    # must-not-appear page
    "Back to the recording": "Terug naar de opname",
    "Cut these people out of the footage (image and sound), or keep them out of frame:": (
        "Knip deze personen uit de opname (beeld en geluid), of houd ze buiten beeld:"
    ),
    "Also check with the institution: someone without its general declaration must not"
    " appear either.": (
        "Vraag het ook na bij de instelling: wie geen algemene verklaring heeft, mag ook niet"
        " in beeld."
    ),
    "Print": "Afdrukken",
    # participants
    "Participants": "Deelnemers",
    "Everyone who may be recorded gets a declaration. Under 16, a parent or guardian signs.": (
        "Iedereen die opgenomen kan worden krijgt een verklaring. Onder de 16 tekent een"
        " ouder of voogd."
    ),
    "Add one person": "Eén persoon toevoegen",
    "Under 16 (a parent or guardian signs)": "Onder 16 (een ouder of voogd tekent)",
    "Language of the declaration": "Taal van de verklaring",
    "Add the person": "Persoon toevoegen",
    "Paste a list": "Een lijst plakken",
    "Names, one per line": "Namen, één per regel",
    "All under 16 (a parent or guardian signs)": "Allemaal onder 16 (een ouder of voogd tekent)",
    "Language of their declarations": "Taal van hun verklaringen",
    "Add everyone on the list": "Iedereen op de lijst toevoegen",
    "Give the name.": "Geef de naam.",
    "Paste at least one name.": "Plak minstens één naam.",
    "In this situation the institution asks for consent: do not ask pupils or parents"
    " yourself. The supervisor can ask the institution for extra declarations; they appear"
    " here when they come back.": (
        "In deze situatie vraagt de instelling de toestemming: vraag leerlingen of ouders niet"
        " zelf. De begeleider kan de instelling om extra verklaringen vragen; die verschijnen"
        " hier als ze terugkomen."
    ),
    # declarations and request letter
    "Declarations": "Verklaringen",
    "Download the declarations (PDF)": "Verklaringen downloaden (pdf)",
    "One declaration per participant. Print them single-sided (each person keeps page 1"
    " and hands in page 2), hand them out, and scan the signed pages back in below.": (
        "Eén verklaring per deelnemer. Druk ze enkelzijdig af (iedereen houdt blad 1 en geeft"
        " blad 2 terug), deel ze uit en scan de ondertekende bladen hieronder weer in."
    ),
    "The purpose or the deletion date changed: the earlier declarations no longer count."
    " Hand out the new ones (round {n}).": (
        "Het doel of de verwijderdatum is veranderd: de eerdere verklaringen tellen niet meer."
        " Deel de nieuwe uit (ronde {n})."
    ),
    "Download the new declarations (round {n}, PDF)": (
        "Nieuwe verklaringen downloaden (ronde {n}, pdf)"
    ),
    "Ask the institution for declarations": "Verklaringen aanvragen bij de instelling",
    "A letter to the institution's contact person with blank declarations, each with its"
    " own form ID. The institution hands them out and returns the signed pages; scan them"
    " in below.": (
        "Een brief aan de contactpersoon van de instelling met blanco verklaringen, elk met"
        " een eigen formuliernummer. De instelling deelt ze uit en stuurt de ondertekende"
        " pagina's terug; scan ze hieronder in."
    ),
    "Contact person": "Contactpersoon",
    "Number of blank declarations": "Aantal blanco verklaringen",
    "Who signs them": "Wie tekent",
    "Parents or guardians (pupils under 16)": "Ouders of voogden (leerlingen onder 16)",
    "The participants themselves (16 or older)": "De deelnemers zelf (16 of ouder)",
    "Language": "Taal",
    "Download the letter with blank declarations (PDF)": (
        "Brief met blanco verklaringen downloaden (pdf)"
    ),
    # scans
    "Signed scans": "Ondertekende scans",
    "Scanned PDFs or photos of the signed pages (several at once)": (
        "Gescande pdf's of foto's van de ondertekende pagina's (meerdere tegelijk)"
    ),
    "Choose the files, or drop them here. Any order, upside down and blank backsides are"
    " fine: each page is matched by its QR code.": (
        "Kies de bestanden, of sleep ze hierheen. Elke volgorde, ondersteboven en lege"
        " achterkanten zijn goed: elke pagina wordt herkend aan de QR-code."
    ),
    "Upload and read": "Uploaden en lezen",
    "Choose at least one file.": "Kies minstens één bestand.",
    "Reading the scans": "De scans worden gelezen",
    "Waiting for its turn…": "Wacht op de beurt…",
    "Counting the pages…": "De pagina's worden geteld…",
    "Page {done} of {total} read": "Pagina {done} van {total} gelezen",
    "The scans could not be read:": "De scans konden niet worden gelezen:",
    "Done: {total} page(s) read": "Klaar: {total} pagina('s) gelezen",
    "{ok} recorded, {review} to review, {errors} not read.": (
        "{ok} vastgelegd, {review} te beoordelen, {errors} niet gelezen."
    ),
    "Each page of the upload": "Elke pagina van de upload",
    "{n} blank page(s) skipped.": "{n} lege pagina('s) overgeslagen.",
    "File": "Bestand",
    "Page": "Pagina",
    "Result": "Uitkomst",
    "blank page": "lege pagina",
    "recorded": "vastgelegd",
    "not read": "niet gelezen",
    "Show the progress again": "Voortgang opnieuw tonen",
    # checklist
    "The seven steps": "De zeven stappen",
    "Step {n}": "Stap {n}",
    "to do": "te doen",
    "done": "gedaan",
    "not needed": "niet nodig",
    "confirmed by {who} on {date}": "bevestigd door {who} op {date}",
    "Confirm: done": "Bevestigen: gedaan",
    "Check or obtain written consent": "Controleer of vraag schriftelijke toestemming",
    "Choose a camera set-up that fits the consents": (
        "Kies een camera-opstelling die past bij de toestemmingen"
    ),
    "Check the footage: no one without consent appears": (
        "Controleer de beelden: niemand zonder toestemming is te zien"
    ),
    "Remind participants of their right to withdraw": (
        "Wijs deelnemers op hun recht om toestemming in te trekken"
    ),
    "Move the footage to secure storage, destroy the local copy": (
        "Zet de beelden op een veilige plek en vernietig de lokale kopie"
    ),
    "Store it on the video platform: strict settings, description, automatic deletion": (
        "Bewaar de opname op het videoplatform: strengste instellingen, beschrijving,"
        " automatisch verwijderen"
    ),
    "Destroy the recording on time": "Vernietig de opname op tijd",
    "Ask again for consent when the purpose or retention changes": (
        "Vraag opnieuw toestemming als het doel of de bewaartermijn verandert"
    ),
    # description
    "Description for the video platform": "Beschrijving voor het videoplatform",
    "Paste this into the description of the video on {platform}, and set its automatic"
    " deletion to {date}.": (
        "Plak dit in de beschrijving van de video op {platform} en stel het automatisch"
        " verwijderen in op {date}."
    ),
    "Copy the description": "Beschrijving kopiëren",
    "Copied": "Gekopieerd",
    "Automatic deletion date to set:": "In te stellen datum voor automatisch verwijderen:",
    "Note:": "Let op:",
    # reminders
    "After recording, send everyone who consented a letter about their right to withdraw,"
    " with their own withdrawal form. formgen notes that you made them.": (
        "Stuur na de opname iedereen die toestemming gaf een brief over hun recht om in te"
        " trekken, met hun eigen intrekkingsformulier. formgen noteert dat u ze maakte."
    ),
    "Make the reminder letters (PDF)": "Herinneringsbrieven maken (pdf)",
    "When you have sent or handed out the letters, record it: only then does the checklist"
    " count the step as done.": (
        "Hebt u de brieven verstuurd of uitgedeeld, leg dat dan vast: pas dan telt de"
        " checklist de stap als gedaan."
    ),
    "The letters are sent": "De brieven zijn verstuurd",
    "Recorded: the reminders were sent.": "Vastgelegd: de herinneringen zijn verstuurd.",
    "Signed pages back by (optional)": "Ondertekende pagina's terug vóór (niet verplicht)",
    "Empty: the recording date ({date}).": "Leeg: de opnamedatum ({date}).",
    "Give the institution's contact person.": "Geef de contactpersoon van de instelling.",
    "Give the number of blank forms in digits (0-9).": (
        "Geef het aantal blanco formulieren in cijfers (0-9)."
    ),
    "Give the date the signed pages must be back.": (
        "Geef de datum waarop de ondertekende pagina's terug moeten zijn."
    ),
    # withdrawal
    "Withdrawal": "Intrekking",
    "Anyone can withdraw consent at any time, as easily as they gave it. Record a"
    " withdrawal that reached you, or download a person's withdrawal form; a signed form"
    " scanned in above records it too.": (
        "Iedereen kan toestemming altijd intrekken, even gemakkelijk als die gegeven is. Leg"
        " een intrekking vast die u bereikte, of download iemands intrekkingsformulier; een"
        " ondertekend formulier dat u hierboven inscant legt het ook vast."
    ),
    "Withdrawal form (PDF)": "Intrekkingsformulier (pdf)",
    "Record a withdrawal": "Intrekking vastleggen",
    "What is withdrawn": "Wat wordt ingetrokken",
    "All consent on this form": "Alle toestemming op dit formulier",
    "How it reached you": "Hoe het u bereikte",
    "By e-mail": "Per e-mail",
    "In person": "Persoonlijk",
    "By phone": "Telefonisch",
    "By letter or on the withdrawal form": "Per brief of op het intrekkingsformulier",
    "Another way": "Op een andere manier",
    "Note (optional)": "Opmerking (niet verplicht)",
    "Record the withdrawal": "Intrekking vastleggen",
    # re-consent
    "Change the purpose or keep it longer": "Doel wijzigen of langer bewaren",
    "Warning:": "Let op:",
    "all consent given so far becomes invalid. Everyone gets a new declaration with a new"
    " form ID, and nobody may appear until they sign again.": (
        "alle toestemming die tot nu toe is gegeven vervalt. Iedereen krijgt een nieuwe"
        " verklaring met een nieuw formuliernummer, en niemand mag in beeld tot die opnieuw"
        " tekent."
    ),
    "New purpose": "Nieuw doel",
    "Choose…": "Kies…",
    "I understand that all earlier consent ends": "Ik begrijp dat alle eerdere toestemming vervalt",
    "Change the purpose and ask again": "Doel wijzigen en opnieuw vragen",
    "Keep it longer": "Langer bewaren",
    "New deletion date": "Nieuwe verwijderdatum",
    "Now: {date}.": "Nu: {date}.",
    "Extend and ask again": "Verlengen en opnieuw vragen",
    "Confirm that you understand that all earlier consent ends.": (
        "Bevestig dat u begrijpt dat alle eerdere toestemming vervalt."
    ),
    "Choose the new purpose.": "Kies het nieuwe doel.",
    "Give the new deletion date.": "Geef de nieuwe verwijderdatum.",
    # destruction
    "Destruction": "Vernietiging",
    "Destroy the recording everywhere first: on the platform and every copy. Then record"
    " it here: formgen deletes the scans and documents it keeps; the consent record stays"
    " as proof.": (
        "Vernietig de opname eerst overal: op het platform en elke kopie. Leg het daarna hier"
        " vast: formgen verwijdert de scans en documenten die het bewaart; het"
        " toestemmingsdossier blijft als bewijs."
    ),
    "Type the recording's ID ({id}) to confirm": (
        "Typ het nummer van de opname ({id}) om te bevestigen"
    ),
    "Record that it is destroyed": "Vastleggen dat de opname vernietigd is",
    "Type the recording's ID exactly to confirm; nothing was destroyed.": (
        "Typ het nummer van de opname precies over om te bevestigen; er is niets vernietigd."
    ),
    # correcting mistakes
    "Correct a mistake": "Een vergissing herstellen",
    "Correct the title, date or live stream": "Titel, datum of livestream corrigeren",
    "Streamed live": "Live gestreamd",
    "The live stream is also stored": "De livestream wordt ook bewaard",
    "Another date, or a live stream added or kept, needs new consent: all earlier consent"
    " ends and everyone gets a new declaration. A corrected title does not.": (
        "Een andere datum, of een livestream die erbij komt of bewaard wordt, vraagt nieuwe"
        " toestemming: alle eerdere toestemming vervalt en iedereen krijgt een nieuwe"
        " verklaring. Een verbeterde titel niet."
    ),
    "Save the correction": "Correctie opslaan",
    "Correct {name}": "{name} corrigeren",
    "Name, spelt right": "Naam, goed gespeld",
    "Save the name": "Naam opslaan",
    "Why remove this person (needed once an answer came back)": (
        "Waarom deze persoon weg moet (nodig zodra er een antwoord terugkwam)"
    ),
    "Added by mistake? While nothing came back for the form, the person is removed without"
    " a trace. After an answer the form is voided: its consent ends and its history stays.": (
        "Per vergissing toegevoegd? Zolang er niets terugkwam op het formulier, verdwijnt de"
        " persoon zonder spoor. Na een antwoord wordt het formulier ongeldig gemaakt: de"
        " toestemming vervalt en de geschiedenis blijft bewaard."
    ),
    "Remove from this recording": "Uit deze opname verwijderen",
    "removed: form voided": "verwijderd: formulier ongeldig",
    "Undo the confirmation": "Bevestiging terugdraaien",
    "The confirmation is taken back.": "De bevestiging is teruggedraaid.",
    "The correction is saved.": "De correctie is opgeslagen.",
    "The correction is saved. Earlier consent no longer counts: hand out the new declarations.": (
        "De correctie is opgeslagen. Eerdere toestemming telt niet meer: deel de nieuwe"
        " verklaringen uit."
    ),
    "The name is corrected.": "De naam is verbeterd.",
    "The person is removed from this recording.": "De persoon is uit deze opname verwijderd.",
    "The person's form is voided: their consent ended, its history stays.": (
        "Het formulier van de persoon is ongeldig gemaakt: de toestemming is vervallen, de"
        " geschiedenis blijft."
    ),
    "Yes: destroy it before its recording date ({date})": (
        "Ja: vernietigen vóór de opnamedatum ({date})"
    ),
    "The recording date has not come yet: confirm that you destroy it before then;"
    " nothing was destroyed.": (
        "De opnamedatum is nog niet bereikt: bevestig dat u de opname daarvoor vernietigt;"
        " er is niets vernietigd."
    ),
    "Not read (the other files are):": "Niet ingelezen (de andere bestanden wel):",
    # a pasted class list
    "Copied from a spreadsheet is fine, numbered or with a header row. A second column says"
    " per person whether they are under 16: ja/nee, or their birth date.": (
        "Gekopieerd uit een spreadsheet mag, genummerd of met een kopregel. Een tweede kolom"
        " zegt per persoon of die jonger is dan 16: ja/nee, of de geboortedatum."
    ),
    "(for lines without a second column)": "(voor regels zonder tweede kolom)",
    "Add them all: these are different people": "Allemaal toevoegen: het zijn verschillende mensen",
    "These names occur more than once: {names}. Tick the box to add them all.": (
        "Deze namen komen meer dan eens voor: {names}. Vink het vakje aan om ze allemaal toe"
        " te voegen."
    ),
    "line {n}: {problem}": "regel {n}: {problem}",
    "Review decisions": "Beoordelingen",
    "Undo the decision": "Beslissing terugdraaien",
    "The decision is taken back: the answer is in the review queue again.": (
        "De beslissing is teruggedraaid: het antwoord staat weer in de beoordelingslijst."
    ),
}
