"""Demo data of the network: a small, lively group for ``make run``.

Ten members across four districts (graduates of the first two cohorts with their certificates,
the first of them, teilnahme-1-01@example.org, signs in with the demo password), six of them in the
directory, five projects (two on the public page), three threads with replies and two approved
statements on the start page. Idempotent: each part is skipped where it exists.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone

from certificates.models import Certificate
from cohorts.models import Enrollment
from modules.models import Module
from portal.accounts.models import User
from portal.demo import DEMO_PASSWORD
from portal.pdf import blank_pdf

from . import exchange, projects, services, testimonials
from .models import DirectoryEntry, Project, Testimonial, Thread

MEMBERS = 10
SIGN_IN = "teilnahme-1-01@example.org"
DISTRICTS = 4

PROJECTS = [
    ("Smarte Straßenbeleuchtung", "Laternen dimmen nachts und melden Ausfälle selbst.", "done", [1, 5], True),
    ("Offene Daten der Verwaltung", "Haushalt und Baustellen als offene Daten.", "implementation", [3], True),
    (
        "Digitale Bürgerbeteiligung",
        "Beteiligung zum Radwegenetz online und vor Ort.",
        "planning",
        [3, 5],
        False,
    ),
    ("Sensoren im Stadtpark", "Bodenfeuchte messen, gezielter gießen.", "idea", [1], False),
    ("IT-Notfallplan für die Amtsverwaltung", "Ein Plan, den alle kennen.", "implementation", [2], False),
]
THREADS = [
    (
        "Erfahrungen mit LoRaWAN?",
        1,
        "Wer betreibt schon ein **LoRaWAN**-Netz? Wie haben Sie die Gateways finanziert?",
        [
            "Wir nutzen das Netz der Stadtwerke mit.",
            "Fördermittel aus dem Programm des Landes, siehe [Förderdatenbank](https://www.foerderdatenbank.de).",
        ],
    ),
    (
        "Vorlage für eine Digitalstrategie",
        4,
        "Hat jemand eine Gliederung, die sich bewährt hat?",
        ["Gern: \n- Ausgangslage\n- Ziele\n- Maßnahmen\n- Controlling"],
    ),
    (
        "Notfallübung im Rathaus",
        2,
        "Wie oft üben Sie den IT-Notfall?",
        ["Einmal im Jahr, mit dem Krisenstab."],
    ),
]
STATEMENTS = [
    "Der Austausch mit anderen Kommunen war für mich das Wertvollste: Wir lösen oft dieselben Fragen.",
    "Mit der Praxisaufgabe habe ich die Digitalstrategie unserer Gemeinde angestoßen.",
]


def _certify(enrollment: Enrollment) -> None:
    if Certificate.objects.filter(enrollment=enrollment).exists():
        return
    cohort = enrollment.cohort
    sequence = (Certificate.objects.filter(cohort=cohort).aggregate(last=Max("sequence"))["last"] or 0) + 1
    certificate = Certificate(
        enrollment=enrollment,
        cohort=cohort,
        sequence=sequence,
        number=f"{cohort.programme.reference_prefix}-{cohort.end_date.year}-{cohort.number}-{sequence:04d}",
        holder_name=enrollment.user.get_full_name(),
        municipality_name=enrollment.municipality.name if enrollment.municipality else "",
        programme_title=cohort.programme.title,
        cohort_title=cohort.title,
        cohort_title_en=cohort.title_en,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=cohort.end_date,
        status=Certificate.Status.ISSUED,
    )
    certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(blank_pdf()), save=False)
    certificate.save()


def _members() -> list[User]:
    """Graduates of the first two cohorts from four districts; the first of cohort 1 can sign in."""
    candidates = list(
        Enrollment.objects.confirmed()
        .filter(cohort__number__in=[1, 2], municipality__isnull=False)
        .select_related("user", "municipality", "cohort__programme")
        .order_by("cohort__number", "pk")
    )
    by_district: dict[str, list[Enrollment]] = {}
    for enrollment in candidates:
        by_district.setdefault(enrollment.municipality.district, []).append(enrollment)
    # The four districts with the most graduates, taken in turn until ten are chosen.
    # The demo graduate's district comes first, so they are always among the members.
    groups = sorted(by_district.values(), key=lambda group: (group[0].user.email != SIGN_IN, -len(group)))[
        :DISTRICTS
    ]
    chosen = [group[i] for i in range(MEMBERS) for group in groups if i < len(group)][:MEMBERS]
    chosen.sort(key=lambda e: (e.cohort.number, e.pk))
    for enrollment in chosen:
        _certify(enrollment)
    for enrollment in chosen:
        if enrollment.user.email == SIGN_IN and not enrollment.user.has_usable_password():
            enrollment.user.set_password(DEMO_PASSWORD)
            enrollment.user.save(update_fields=["password"])
    return [enrollment.user for enrollment in chosen]


def seed(out) -> None:
    members = _members()
    coordinator = User.objects.filter(email="koordination@example.org").first()
    modules = {m.position: m for m in Module.objects.all()}
    if len(members) < MEMBERS or coordinator is None or not modules:
        return
    _directory(members, modules)
    if not Project.objects.exists():
        _projects(members, modules, coordinator)
    if not Thread.objects.exists():
        _threads(members, modules)
    if not Testimonial.objects.exists():
        for index, text in enumerate(STATEMENTS):
            author = members[index + 1]
            testimonial = testimonials.submit(author=author, text=text, show_name=index == 0, consent=True)
            testimonials.decide(moderator=coordinator, testimonial=testimonial, approve=True, notify=False)
    out.write(
        f"  Netzwerk: {MEMBERS} Mitglieder, {Project.objects.count()} Projekte, {Thread.objects.count()} Themen"
    )


def _directory(members, modules) -> None:
    for index, user in enumerate(members[:6]):
        enrollment = user.enrollments.select_related("municipality").first()
        if not DirectoryEntry.objects.filter(user=user).exists():
            services.save_entry(
                user=user,
                municipality=enrollment.municipality,
                unit=["Stabsstelle Digitalisierung", "Hauptamt", "Bauamt"][index % 3],
                function=["Smart City Managerin", "Sachbearbeitung IT", "Amtsleitung"][index % 3],
                modules=[modules[(index % 5) + 1]],
                tags=[["Open Data"], ["LoRaWAN", "Sensorik"], ["Beteiligung"]][index % 3],
                contact="form",
                contact_note="",
            )


def _projects(members, modules, coordinator) -> None:
    for index, (title, summary, status, positions, public) in enumerate(PROJECTS):
        author = members[index]
        project = projects.save_project(
            author=author,
            modules=[modules[p] for p in positions],
            municipality=author.enrollments.first().municipality,
            title=title,
            summary=summary,
            status=status,
            tags=[],
            started_on=dt.date(2024, 3, 1) if status != "idea" else None,
            ended_on=dt.date(2025, 6, 30) if status == "done" else None,
            lessons="Früh mit den Fachbereichen sprechen." if status in ("done", "implementation") else "",
            links=[],
        )
        if public:
            projects.propose(author=author, project=project)
            projects.decide(moderator=coordinator, project=project, approve=True, notify=False)


def _threads(members, modules) -> None:
    now = timezone.now()
    for index, (title, position, body, replies) in enumerate(THREADS):
        at = now - dt.timedelta(days=6 - index)
        thread = exchange.start_thread(
            author=members[index], title=title, body=body, module=modules[position], at=at
        )
        for offset, text in enumerate(replies, start=1):
            exchange.reply(
                author=members[index + offset], thread=thread, body=text, at=at + dt.timedelta(hours=offset)
            )
