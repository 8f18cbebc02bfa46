"""The default operator's texts: today's wording of every text that belongs to the operator or the
programme, in German and English, keyed by a stable name.

This is data, not code. A portal that is run by another operator overrides each text in the admin
(``OperatorText``, per state); a text it leaves alone is printed as written here. Texts are plain
text; a blank line starts a new paragraph. The certificate's signatories are one per line, the
fields separated by "|": office | organisation | person.
"""

from typing import NamedTuple


class Default(NamedTuple):
    key: str
    label: str
    de: str
    en: str


DEFAULTS: tuple[Default, ...] = (
    Default(
        "programme.name",
        "Name des Programms",
        "Smart City Manager:in",
        "Smart City Manager",
    ),
    Default(
        "programme.tagline",
        "Untertitel im Kopf jeder Seite",
        "Qualifizierungsprogramm des Landes Brandenburg",
        "Qualification programme of the State of Brandenburg",
    ),
    Default(
        "programme.description",
        "Kurzbeschreibung des Programms (digitaler Nachweis)",
        "Berufsbegleitende Qualifizierung des Landes Brandenburg für Beschäftigte von Kommunen, die die digitale Stadt- und Regionalentwicklung vor Ort gestalten.",
        "Part-time qualification of the State of Brandenburg for municipal staff who shape digital urban and regional development in their municipality.",
    ),
    Default(
        "programme.summary",
        "Kurzbeschreibung des Programms (Verwaltung, Demo)",
        "Kostenfreie Online-Qualifizierung für Beschäftigte brandenburgischer Kommunen, die die digitale Transformation ihrer Verwaltung steuern.",
        "Free online qualification for employees of Brandenburg municipalities who steer the digital transformation of their administration.",
    ),
    Default(
        "state.name",
        "Land",
        "Brandenburg",
        "Brandenburg",
    ),
    Default(
        "target_group.participants",
        "Zielgruppe im Satz „Bisher haben … teilgenommen“",
        "Beschäftigte brandenburgischer Kommunen",
        "employees of Brandenburg municipalities",
    ),
    Default(
        "operator.name",
        "Betreiber (Behörde)",
        "Ministerium für Infrastruktur und Landesplanung des Landes Brandenburg",
        "Ministerium für Infrastruktur und Landesplanung des Landes Brandenburg",
    ),
    Default(
        "operator.unit",
        "Zuständige Stelle beim Betreiber",
        "Referat 22 – Stadtentwicklung",
        "Referat 22 – Stadtentwicklung",
    ),
    Default(
        "operator.responsible",
        "Verantwortlich für den Inhalt (Impressum)",
        "Leitung Referat 22 – Stadtentwicklung (Anschrift wie oben)",
        "Leitung Referat 22 – Stadtentwicklung (Anschrift wie oben)",
    ),
    Default(
        "partner.name",
        "Partner (führt die Kurse durch)",
        "DigitalAgentur Brandenburg GmbH",
        "DigitalAgentur Brandenburg GmbH",
    ),
    Default(
        "evaluator.name",
        "Evaluation (wissenschaftliche Begleitung)",
        "Fachhochschule Potsdam",
        "Fachhochschule Potsdam",
    ),
    Default(
        "contact.course",
        "Ansprechstelle für den Kurs",
        "DigitalAgentur Brandenburg GmbH – Programmkoordination",
        "DigitalAgentur Brandenburg GmbH – Programmkoordination",
    ),
    Default(
        "start.title",
        "Startseite: Überschrift",
        "Smart City Manager:in – die digitale Transformation in Ihrer Kommune gestalten",
        "Smart City Manager – shaping the digital transformation in your municipality",
    ),
    Default(
        "start.intro",
        "Startseite: Einleitung",
        "Das Land Brandenburg qualifiziert Beschäftigte aus Stadt-, Gemeinde- und Amtsverwaltungen dafür, den digitalen Wandel in ihrer Kommune zu steuern. Die Digitalisierung ist dabei weit mehr als eine technische Aufgabe: Sie verändert, wie sich Städte entwickeln und wie Verwaltungen in allen Fachbereichen arbeiten.",
        "The State of Brandenburg trains staff from town, municipal and Amt administrations to steer the digital transformation in their municipality. Digitalisation is far more than a technical task: it changes how towns and cities develop and how administrations work in every department.",
    ),
    Default(
        "start.audience",
        "Startseite: Für wen ist das Programm?",
        "Smart City Manager:innen treiben die digitale Transformation in ihrer Verwaltung voran und koordinieren sie. Sie arbeiten fachübergreifend und eng mit den Verantwortlichen der Fachbereiche zusammen. Deshalb müssen Sie weder Technikerin noch IT-Experte sein: Die Aufgabe kann in einem Fachbereich ebenso angesiedelt sein wie in einer Stabsstelle. Wichtig sind Kenntnisse der Fachaufgaben, ein Überblick über technische Entwicklungen und Wissen darüber, wie Veränderung in einer Organisation gelingt.",
        "Smart City Managers drive and coordinate the digital transformation in their administration. They work across disciplines and closely with those responsible in the departments. That is why you do not need to be a technician or an IT expert: the role can be based in a specialist department just as well as in a staff unit. What matters is knowledge of the departments' tasks, an overview of technical developments and an understanding of how change succeeds in an organisation.",
    ),
    Default(
        "help.who_can_apply",
        "Hilfe: Wer kann sich bewerben?",
        "Beschäftigte brandenburgischer Städte, Gemeinden und Ämter, die die Digitalisierung oder Stadtentwicklung ihrer Kommune mitgestalten. Beschäftigte anderer öffentlicher Stellen, etwa eines Landkreises, nennen ihre Stelle im Formular unter „Andere öffentliche Stelle“.",
        "Employees of Brandenburg towns, municipalities and Ämter who help shape their municipality’s digitalisation or urban development. Employees of other public bodies, such as a district, name their body in the form under “Other public body”.",
    ),
    Default(
        "easy_language.who",
        "Leichte Sprache: Wer macht das Lern·programm?",
        "Das Lern·programm ist vom Land Brandenburg.\n\nEin Ministerium kümmert sich darum.\n\nEin Ministerium ist ein Teil von der Regierung.\n\nDas Ministerium heißt: Ministerium für Infrastruktur und Landes·planung.\n\nInfrastruktur bedeutet: Straßen, Bahnen und Leitungen. Zum Beispiel Leitungen für Wasser und für das Internet.\n\nLandes·planung bedeutet: Das Land plant. Wo sollen Häuser sein? Wo sollen Straßen sein?\n\nDie Kurse macht die DigitalAgentur Brandenburg GmbH.\n\nGmbH ist eine Abkürzung. GmbH bedeutet: eine Firma.",
        "The learning programme is from the State of Brandenburg.\n\nA ministry takes care of it.\n\nA ministry is a part of the government.\n\nThe ministry is called: Ministry of Infrastructure and Regional Planning.\n\nInfrastructure means: roads, railways and lines. For example lines for water and for the internet.\n\nRegional planning means: the state makes plans. Where should houses be? Where should roads be?\n\nThe courses are run by DigitalAgentur Brandenburg GmbH.\n\nGmbH is a short form. GmbH means: a company.",
    ),
    Default(
        "easy_language.do",
        "Leichte Sprache: Was können Sie auf dieser Internet·seite machen?",
        "Sie können sich für das Lern·programm bewerben.\n\nBewerben heißt: Sie sagen uns: Ich will mitmachen.\n\nUnd Sie schreiben: Darum will ich mitmachen.\n\nDas Ministerium liest alle Bewerbungen.\n\nDann entscheidet das Ministerium: Diese Menschen dürfen mitmachen.\n\nSie dürfen mitmachen? Dann finden Sie hier die Termine für den Kurs.\n\nUnd Sie finden hier Texte zum Lernen.\n\nAm Ende bekommen Sie ein Zeugnis. Das Zeugnis heißt: Zertifikat.",
        "You can apply for the learning programme.\n\nApplying means: you tell us: I want to take part.\n\nAnd you write: this is why I want to take part.\n\nThe ministry reads all applications.\n\nThen the ministry decides: these people may take part.\n\nYou may take part? Then you find the dates of the course here.\n\nAnd you find texts for learning here.\n\nAt the end you get a paper that shows what you learned. The paper is called: certificate.",
    ),
    Default(
        "accessibility.intro",
        "Barrierefreiheit: Einleitung mit den Gesetzen des Landes",
        "Das Ministerium für Infrastruktur und Landesplanung des Landes Brandenburg ist bemüht, dieses Portal im Einklang mit dem Brandenburgischen Behindertengleichstellungsgesetz (BbgBGG) und der Brandenburgischen Barrierefreie-Informationstechnik-Verordnung (BbgBITV), die auf die Barrierefreie-Informationstechnik-Verordnung des Bundes (BITV 2.0) verweist, barrierefrei zugänglich zu machen.",
        "The Ministerium für Infrastruktur und Landesplanung des Landes Brandenburg is committed to making this portal accessible in accordance with the Brandenburg Disability Equality Act (BbgBGG) and the Brandenburg Accessible Information Technology Ordinance (BbgBITV), which refers to the federal Accessible Information Technology Ordinance (BITV 2.0).",
    ),
    Default(
        "accessibility.enforcement",
        "Barrierefreiheit: Durchsetzungsverfahren",
        "Wenn Sie auf Ihre Rückmeldung innerhalb von sechs Wochen keine oder keine zufriedenstellende Antwort erhalten haben, können Sie sich an die Durchsetzungs- und Schlichtungsstelle des Landes Brandenburg wenden. Sie ist bei der Beauftragten der Landesregierung für die Belange der Menschen mit Behinderungen angesiedelt. Sie prüft, ob das Portal barrierefrei ist, und vermittelt zwischen Ihnen und uns, damit ohne Gericht eine Lösung gefunden wird. Das Verfahren ist für Sie kostenlos; Sie brauchen dafür keine Rechtsanwältin und keinen Rechtsanwalt.",
        "If you have received no answer, or no satisfactory answer, to your feedback within six weeks, you can turn to the enforcement and conciliation body of the State of Brandenburg. It is part of the office of the State Government’s Commissioner for the Concerns of People with Disabilities. It checks whether the portal is accessible and mediates between you and us so that a solution is found without going to court. The procedure is free of charge for you; you do not need a lawyer.",
    ),
    Default(
        "accessibility.enforcement_name",
        "Barrierefreiheit: Name der Schlichtungsstelle",
        "Durchsetzungs- und Schlichtungsstelle bei der Beauftragten der Landesregierung für die Belange der Menschen mit Behinderungen",
        "Durchsetzungs- und Schlichtungsstelle bei der Beauftragten der Landesregierung für die Belange der Menschen mit Behinderungen",
    ),
    Default(
        "accessibility.enforcement_address",
        "Barrierefreiheit: Anschrift der Schlichtungsstelle",
        "Henning-von-Tresckow-Straße 2–13, 14467 Potsdam",
        "Henning-von-Tresckow-Straße 2–13, 14467 Potsdam",
    ),
    Default(
        "privacy.feedback_legal_basis",
        "Datenschutz: Rechtsgrundlage der Meldungen von Barrieren",
        "Rechtsgrundlage ist Art. 6 Abs. 1 lit. c DSGVO in Verbindung mit der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) und der Brandenburgischen Barrierefreie-Informationstechnik-Verordnung (BbgBITV), die öffentliche Stellen verpflichten, Meldungen von Barrieren entgegenzunehmen und zu beantworten.",
        "The legal basis is Art. 6(1)(c) GDPR in conjunction with the German Accessible Information Technology Ordinance (BITV 2.0) and its Brandenburg counterpart (BbgBITV), which oblige public bodies to receive and answer reports of barriers.",
    ),
    Default(
        "privacy.rights",
        "Datenschutz: Ihre Rechte und die Aufsichtsbehörde",
        "Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, Datenübertragbarkeit und Widerspruch sowie das Recht, sich bei der Landesbeauftragten für den Datenschutz und für das Recht auf Akteneinsicht Brandenburg zu beschweren.",
        "You have the right of access, rectification, erasure, restriction of processing, data portability and objection, as well as the right to lodge a complaint with the Brandenburg Commissioner for Data Protection and Access to Information (Landesbeauftragte für den Datenschutz und für das Recht auf Akteneinsicht Brandenburg).",
    ),
    Default(
        "mail.signature",
        "Gruß am Ende jeder E-Mail",
        "Ihr Team Smart City Manager:in",
        "Your Smart City Manager team",
    ),
    Default(
        "certificate.subtitle",
        "Zertifikat: Untertitel",
        "Qualifizierungsprogramm „Smart City Manager:in“ des Landes Brandenburg",
        "“Smart City Manager” qualification programme of the State of Brandenburg",
    ),
    Default(
        "certificate.place",
        "Zertifikat: Ort vor dem Datum",
        "Potsdam",
        "Potsdam",
    ),
    Default(
        "certificate.signatories",
        "Zertifikat: Unterschriften (je Zeile: Stelle | Organisation | Person)",
        "Referat 22 – Stadtentwicklung | Ministerium für Infrastruktur und Landesplanung des Landes Brandenburg | Dr. Petra Beispiel\nProgrammleitung | DigitalAgentur Brandenburg GmbH | Max Mustermann",
        "Unit 22 – Urban Development | Ministry of Infrastructure and Regional Planning of the State of Brandenburg | Dr Petra Beispiel\nProgramme management | DigitalAgentur Brandenburg GmbH | Max Mustermann",
    ),
)

BY_KEY: dict[str, Default] = {default.key: default for default in DEFAULTS}
