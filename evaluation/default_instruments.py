"""The programme's first instruments, loaded by a data migration and editable in the admin.

The same competency items (``kompetenz_1`` … ``kompetenz_5``, one per theme module) stand in T0,
T1 and T2, so that the pre/post comparison pairs them by their key.
"""

LIKERT_DE = "trifft gar nicht zu\ntrifft eher nicht zu\nteils, teils\ntrifft eher zu\ntrifft voll zu"
LIKERT_EN = "does not apply at all\nrather does not apply\npartly\nrather applies\nfully applies"

TOPICS = [
    (
        "Digitale Transformation und Smart City in der Stadtentwicklung",
        "digital transformation and smart city in urban development",
    ),
    ("IT-Sicherheit", "IT security"),
    ("Beteiligung und Vernetzung", "participation and networking"),
    ("Strategieentwicklung", "strategy development"),
    ("Umsetzung und Kommunikation", "implementation and communication"),
]


def competency_items() -> list[dict]:
    return [
        {
            "key": f"kompetenz_{position}",
            "kind": "likert",
            "competency": True,
            "text": f"Beim Thema „{german}“ traue ich mir zu, in meiner Kommune Vorhaben anzustoßen und fachlich mitzureden.",
            "text_en": f"On {english}, I feel able to start projects in my municipality and to contribute with expertise.",
            "options": LIKERT_DE,
            "options_en": LIKERT_EN,
        }
        for position, (german, english) in enumerate(TOPICS, start=1)
    ]


INSTRUMENTS = [
    {
        "key": "t0-einstieg",
        "title": "Vor dem ersten Modul",
        "title_en": "Before the first module",
        "description": "Wie schätzen Sie sich heute ein, und was erwarten Sie von der Qualifizierung?",
        "description_en": "How do you assess yourself today, and what do you expect from the programme?",
        "items": [
            *competency_items(),
            {
                "key": "erwartungen",
                "kind": "text",
                "text": "Was erwarten Sie von der Qualifizierung?",
                "text_en": "What do you expect from the programme?",
            },
        ],
    },
    {
        "key": "t1-abschluss",
        "title": "Zum Abschluss",
        "title_en": "At the end",
        "description": "Wie schätzen Sie sich jetzt ein, und was wollen Sie in Ihrer Kommune umsetzen?",
        "description_en": "How do you assess yourself now, and what do you plan in your municipality?",
        "items": [
            *competency_items(),
            {
                "key": "transferplan",
                "kind": "text",
                "text": "Was wollen Sie in den nächsten sechs Monaten in Ihrer Kommune anstoßen?",
                "text_en": "What do you plan to start in your municipality in the next six months?",
            },
        ],
    },
    {
        "key": "t2-nachbefragung",
        "title": "Ein halbes Jahr danach",
        "title_en": "Six months later",
        "description": "Was ist aus der Qualifizierung in Ihrer Kommune geworden?",
        "description_en": "What has the programme led to in your municipality?",
        "items": [
            *competency_items(),
            {
                "key": "angewendet",
                "kind": "text",
                "text": "Was haben Sie aus der Qualifizierung angewendet?",
                "text_en": "What have you applied from the programme?",
            },
            {
                "key": "strategie",
                "kind": "single",
                "text": "Hat Ihre Kommune seit der Qualifizierung eine Smart-City- oder Digitalisierungsstrategie beschlossen?",
                "text_en": "Has your municipality adopted a smart city or digitalisation strategy since the programme?",
                "options": "ja = ja, beschlossen\nin_arbeit = in Arbeit\nnein = nein",
                "options_en": "ja = yes, adopted\nin_arbeit = in progress\nnein = no",
            },
            {
                "key": "projekte",
                "kind": "number",
                "minimum": 0,
                "maximum": 100,
                "text": "Wie viele Smart-City-Projekte haben Sie seitdem angestoßen oder begleitet?",
                "text_en": "How many smart city projects have you started or supported since then?",
            },
            {
                "key": "rolle",
                "kind": "single",
                "text": "Hat sich Ihre Rolle in der Verwaltung verändert?",
                "text_en": "Has your role in the administration changed?",
                "options": "neu = neue Stelle oder Aufgabe\nerweitert = Aufgaben erweitert\ngleich = unverändert",
                "options_en": "neu = new post or task\nerweitert = tasks extended\ngleich = unchanged",
            },
            {
                "key": "hindernisse",
                "kind": "multiple",
                "text": "Was hat die Umsetzung erschwert?",
                "text_en": "What made implementation harder?",
                "options": "zeit = fehlende Zeit\ngeld = fehlendes Geld\nunterstuetzung = fehlende Unterstützung der Leitung\ntechnik = technische Hürden\nnichts = nichts davon",
                "options_en": "zeit = lack of time\ngeld = lack of money\nunterstuetzung = lack of support from management\ntechnik = technical hurdles\nnichts = none of these",
            },
        ],
    },
]


def _module_item(key, label, label_en, text, text_en) -> dict:
    return {
        "key": key,
        "kind": "likert",
        "label": label,
        "label_en": label_en,
        "text": text,
        "text_en": text_en,
        "options": LIKERT_DE,
        "options_en": LIKERT_EN,
    }


# The questionnaire after each module: five statements rated from 1 (trifft gar nicht zu) to 5
# (trifft voll zu) and a comment of up to 2,000 characters; every item may be left out.
MODULE_QUESTIONNAIRE = {
    "key": "modul-feedback",
    "title": "Fragebogen nach dem Modul",
    "title_en": "Questionnaire after the module",
    "description": "Wie sehr treffen die Aussagen für Sie zu?",
    "description_en": "How far do the statements apply to you?",
    "items": [
        _module_item(
            "relevanz",
            "Relevanz für die Arbeit",
            "Relevance to work",
            "Die Inhalte des Moduls sind für meine Arbeit in der Kommune wichtig.",
            "The content of the module is important for my work in the municipality.",
        ),
        _module_item(
            "verstaendlichkeit",
            "Verständlichkeit",
            "Clarity",
            "Die Inhalte wurden verständlich vermittelt.",
            "The content was explained clearly.",
        ),
        _module_item(
            "praxisaufgabe",
            "Nutzen der Praxisaufgabe",
            "Usefulness of the practical task",
            "Die Praxisaufgabe hat mir geholfen, das Gelernte in meiner Kommune anzuwenden.",
            "The practical task helped me to apply what I had learned in my municipality.",
        ),
        _module_item(
            "online_format",
            "Online-Format",
            "Online format",
            "Das Online-Format der Sitzungen hat gut funktioniert.",
            "The online format of the sessions worked well.",
        ),
        _module_item(
            "gesamt",
            "Zufriedenheit insgesamt",
            "Overall satisfaction",
            "Insgesamt bin ich mit dem Modul zufrieden.",
            "Overall, I am satisfied with the module.",
        ),
        {
            "key": "anmerkungen",
            "kind": "text",
            "label": "Anmerkungen",
            "label_en": "Comments",
            "maximum": 2000,
            "text": "Was möchten Sie uns zu diesem Modul noch mitteilen?",
            "text_en": "Is there anything else you would like to tell us about this module?",
        },
    ],
}
# The item that holds the free text; the others are the rated statements.
MODULE_COMMENT = "anmerkungen"

# Which instrument each wave asks, and when (days after its trigger).
PLAN = [("t0", "t0-einstieg", 0), ("t1", "t1-abschluss", 0), ("t2", "t2-nachbefragung", 182)]


def install(instrument_model, version_model, item_model, specs=None) -> int:
    """Create the instruments that are missing, each with its first version (models passed in, so
    that a data migration can use its historical models). Returns how many were created."""
    created = 0
    for spec in INSTRUMENTS if specs is None else specs:
        instrument, fresh = instrument_model.objects.get_or_create(
            key=spec["key"],
            defaults={key: spec[key] for key in ("title", "title_en", "description", "description_en")},
        )
        if not fresh:
            continue
        created += 1
        version = version_model.objects.create(instrument=instrument, number=1)
        for position, item in enumerate(spec["items"], start=1):
            item_model.objects.create(version=version, position=position, **item)
    return created
