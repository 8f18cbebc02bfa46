from cohorts.models import Programme

from .models import Module

MODULES = [
    (
        "Digitale Transformation und Smart City in der Stadtentwicklung",
        "Digital transformation and smart city in urban development",
        "Was die Digitalisierung für die Entwicklung einer Stadt bedeutet, welche Handlungsfelder "
        "eine Smart City umfasst und welche Rolle Smart City Manager:innen in der Verwaltung übernehmen.",
        "What digitalisation means for a town's development, which fields a smart city covers and "
        "which role smart city managers take on in the administration.",
    ),
    (
        "IT-Sicherheit",
        "IT security",
        "Grundlagen der Informationssicherheit in Kommunen: Risiken erkennen, Schutzbedarf bestimmen "
        "und sichere digitale Dienste planen.",
        "Basics of information security in municipalities: recognising risks, assessing protection "
        "needs and planning secure digital services.",
    ),
    (
        "Beteiligung und Vernetzung",
        "Participation and networking",
        "Bürger:innen, Politik, Wirtschaft und Fachbereiche einbinden; Netzwerke innerhalb und "
        "außerhalb der eigenen Verwaltung aufbauen.",
        "Involving citizens, councils, businesses and departments; building networks inside and "
        "outside one's own administration.",
    ),
    (
        "Strategieentwicklung",
        "Strategy development",
        "Konzepte, Werkzeuge und Beispiele vergleichbarer Kommunen für eine eigene Smart-City- oder "
        "Digitalisierungsstrategie.",
        "Concepts, tools and examples from comparable municipalities for a smart city or "
        "digitalisation strategy of one's own.",
    ),
    (
        "Umsetzung und Kommunikation",
        "Implementation and communication",
        "Eine Strategie wirksam und beteiligungsorientiert umsetzen und sie für die jeweiligen "
        "Zielgruppen verständlich vermitteln.",
        "Putting a strategy into practice with the people it concerns and explaining it clearly to "
        "each audience.",
    ),
]


def seed(out) -> None:
    programme = Programme.objects.get(slug="smart-city-manager")
    for position, (title, title_en, description, description_en) in enumerate(MODULES, start=1):
        Module.objects.update_or_create(
            programme=programme,
            position=position,
            defaults={
                "title": title,
                "title_en": title_en,
                "description": description,
                "description_en": description_en,
            },
        )
    out.write(f"  {len(MODULES)} Themenmodule")
