"""A second operator for the demo: the programme run by another state, with its own texts and a
few made-up municipalities, so that the portal shows how another operator adopts it with data
alone (``PORTAL_STATE=05 make run``: the state's programme is this one). Every name here is
invented."""

from pathlib import Path

from portal.operator.models import OperatorText

STATE = "05"
PROGRAMME_SLUG = "smart-city-manager-05"
MUNICIPALITIES = Path(__file__).resolve().parent.parent / "data" / "demo_second_operator_municipalities.csv"

_PARTNER = "Kompetenzzentrum Digitale Kommune (Beispiel)"
_OPERATOR = "Ministerium für Heimat und Kommunales (Beispiel)"

# key: (German, English); keys not named here keep the defaults, so every key is named.
TEXTS: dict[str, tuple[str, str]] = {
    "programme.name": ("Smart City Manager:in", "Smart City Manager"),
    "programme.tagline": (
        "Qualifizierungsprogramm des Landes Nordrhein-Westfalen (Demo)",
        "Qualification programme of the State of North Rhine-Westphalia (demo)",
    ),
    "programme.description": (
        "Qualifizierung des Landes Nordrhein-Westfalen für Beschäftigte der Kommunen, die ihre Stadt "
        "digital entwickeln.",
        "Qualification of the State of North Rhine-Westphalia for municipal staff who develop their "
        "town digitally.",
    ),
    "programme.summary": (
        "Online-Qualifizierung für Beschäftigte nordrhein-westfälischer Kommunen.",
        "Online qualification for employees of North Rhine-Westphalian municipalities.",
    ),
    "state.name": ("Nordrhein-Westfalen", "North Rhine-Westphalia"),
    "target_group.participants": (
        "Beschäftigte nordrhein-westfälischer Kommunen",
        "employees of North Rhine-Westphalian municipalities",
    ),
    "operator.name": (_OPERATOR, "Ministry of Home Affairs and Local Government (example)"),
    "operator.unit": ("Referat 31 – Digitale Kommune", "Unit 31 – Digital Municipality"),
    "operator.responsible": (
        "Leitung Referat 31 – Digitale Kommune (Anschrift wie oben)",
        "Head of Unit 31 – Digital Municipality (address as above)",
    ),
    "partner.name": (_PARTNER, "Digital Municipality Competence Centre (example)"),
    "evaluator.name": ("Hochschule Beispielstadt", "Beispielstadt University of Applied Sciences"),
    "contact.course": (f"{_PARTNER} – Kursbüro", "Digital Municipality Competence Centre – course office"),
    "start.title": (
        "Smart City Manager:in – Nordrhein-Westfalens Kommunen digital gestalten",
        "Smart City Manager – shaping North Rhine-Westphalia's municipalities digitally",
    ),
    "start.intro": (
        "Das Land Nordrhein-Westfalen qualifiziert Beschäftigte seiner Städte und Gemeinden dafür, "
        "die Digitalisierung vor Ort zu steuern – in kleinen Gruppen, online und kostenfrei.",
        "The State of North Rhine-Westphalia trains staff of its towns and municipalities to steer "
        "digitalisation locally – in small groups, online and free of charge.",
    ),
    "start.audience": (
        "Das Programm richtet sich an Beschäftigte aller Fachbereiche, die Projekte der "
        "Digitalisierung in ihrer Kommune anstoßen oder begleiten.",
        "The programme is for staff of every department who start or accompany digitalisation "
        "projects in their municipality.",
    ),
    "help.who_can_apply": (
        "Beschäftigte nordrhein-westfälischer Städte und Gemeinden. Beschäftigte anderer öffentlicher "
        "Stellen nennen ihre Stelle im Formular unter „Andere öffentliche Stelle“.",
        "Employees of North Rhine-Westphalian towns and municipalities. Employees of other public "
        "bodies name their body in the form under “Other public body”.",
    ),
    "easy_language.who": (
        "Das Lern·programm ist vom Land Nordrhein-Westfalen.\n\nEin Ministerium kümmert sich darum."
        f"\n\nDie Kurse macht das {_PARTNER}.",
        "The learning programme is from the State of North Rhine-Westphalia.\n\nA ministry takes care "
        "of it.\n\nThe courses are run by the Digital Municipality Competence Centre.",
    ),
    "easy_language.do": (
        "Sie können sich für das Lern·programm bewerben.\n\nDas Ministerium liest alle Bewerbungen. Dann "
        "sagt es Ihnen: Sie dürfen mitmachen. Oder: Sie dürfen nicht mitmachen.\n\nAm Ende bekommen Sie ein "
        "Zertifikat.",
        "You can apply for the learning programme.\n\nThe ministry reads all applications. Then it tells "
        "you: you may take part. Or: you may not take part.\n\nAt the end you get a certificate.",
    ),
    "accessibility.intro": (
        f"Das {_OPERATOR} ist bemüht, dieses Portal im Einklang mit dem Behindertengleichstellungsgesetz "
        "des Landes und der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) barrierefrei "
        "zugänglich zu machen.",
        "The ministry is committed to making this portal accessible in accordance with the state's "
        "Disability Equality Act and the Accessible Information Technology Ordinance (BITV 2.0).",
    ),
    "accessibility.enforcement": (
        "Erhalten Sie innerhalb von sechs Wochen keine zufriedenstellende Antwort, wenden Sie sich an "
        "die Ombudsstelle für barrierefreie Informationstechnik des Landes. Das Verfahren ist kostenlos.",
        "If you receive no satisfactory answer within six weeks, turn to the state's ombudsperson for "
        "accessible information technology. The procedure is free of charge.",
    ),
    "accessibility.enforcement_name": (
        "Ombudsstelle für barrierefreie Informationstechnik (Beispiel)",
        "Ombudsperson for accessible information technology (example)",
    ),
    "accessibility.enforcement_address": (
        "Beispielallee 5, 40000 Düsseldorf",
        "Beispielallee 5, 40000 Düsseldorf",
    ),
    "privacy.feedback_legal_basis": (
        "Rechtsgrundlage ist Art. 6 Abs. 1 lit. c DSGVO in Verbindung mit der BITV 2.0.",
        "The legal basis is Art. 6(1)(c) GDPR in conjunction with BITV 2.0.",
    ),
    "privacy.rights": (
        "Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, "
        "Datenübertragbarkeit und Widerspruch sowie das Recht, sich bei der Landesbeauftragten für "
        "Datenschutz und Informationsfreiheit Nordrhein-Westfalen zu beschweren.",
        "You have the right of access, rectification, erasure, restriction of processing, data "
        "portability and objection, and the right to lodge a complaint with the State Commissioner "
        "for Data Protection and Freedom of Information of North Rhine-Westphalia.",
    ),
    "mail.signature": ("Ihr Kursbüro Smart City Manager:in NRW", "Your Smart City Manager NRW course office"),
    "certificate.subtitle": (
        # One line, as the certificate's heading has room for one.
        "Qualifizierungsprogramm „Smart City Manager:in“ des Landes NRW",
        "“Smart City Manager” qualification programme of the State of NRW",
    ),
    "certificate.place": ("Düsseldorf", "Düsseldorf"),
    "certificate.signatories": (
        f"Referat 31 – Digitale Kommune | {_OPERATOR} | Erika Beispiel\n"
        f"Kursleitung | {_PARTNER} | Otto Normal",
        "Unit 31 – Digital Municipality | Ministry of Home Affairs and Local Government (example) | Erika Beispiel\n"
        "Course management | Digital Municipality Competence Centre (example) | Otto Normal",
    ),
}


def seed_texts() -> int:
    """The second operator's texts, idempotent; returns how many there are."""
    for key, (german, english) in TEXTS.items():
        OperatorText.objects.update_or_create(
            state=STATE, key=key, defaults={"text_de": german, "text_en": english}
        )
    return len(TEXTS)
