import datetime as dt

from django.core.files.base import ContentFile

from cohorts.models import BERLIN, Cohort, Enrollment, Programme
from portal.accounts.models import User
from portal.operator import demo as second_operator
from portal.operator.defaults import BY_KEY as DEFAULT_TEXTS
from portal.pdf import blank_pdf

from .models import Attendance, Material, Module, Session, TaskDeadline, TaskSubmission

TASKS = [
    "Beschreiben Sie auf zwei Seiten, wo Ihre Kommune bei der Digitalisierung heute steht.",
    "Erstellen Sie eine Übersicht der IT-Sicherheitsrisiken eines geplanten digitalen Angebots.",
    "Planen Sie ein Beteiligungsformat zu einem Smart-City-Vorhaben Ihrer Kommune.",
    "Skizzieren Sie Ziele und Handlungsfelder einer Smart-City-Strategie für Ihre Kommune.",
    "Entwerfen Sie einen Kommunikationsplan für die Umsetzung eines Vorhabens.",
]

TASKS_EN = [
    "Describe on two pages where your municipality stands with digitalisation today.",
    "Draw up an overview of the IT security risks of a planned digital service.",
    "Plan a participation format for a smart city project of your municipality.",
    "Outline the goals and fields of action of a smart city strategy for your municipality.",
    "Draft a communication plan for putting a project into practice.",
]

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
    modules = list(Module.objects.filter(programme=programme).order_by("position"))
    for module, task, task_en in zip(modules, TASKS, TASKS_EN, strict=True):
        if not module.task:
            module.task = task
            module.save(update_fields=["task"])
        if not module.task_en and module.task == task:
            module.task_en = task_en
            module.save(update_fields=["task_en"])
    coordinator = User.objects.get(email="koordination@example.org")
    for cohort in Cohort.objects.filter(programme=programme, number__in=[3, 4]):
        cohort.coordinators.add(coordinator)
        _schedule(cohort, modules)
    _progress(Cohort.objects.get(programme=programme, number=3), modules, coordinator)
    _second_operator_modules(modules)


def _schedule(cohort, modules) -> None:
    """Two afternoon sessions a week apart per module, one module every two weeks."""
    if cohort.sessions.exists():
        return
    first_day = cohort.start_date + dt.timedelta(days=(1 - cohort.start_date.weekday()) % 7)  # a Tuesday
    for index, module in enumerate(modules):
        for week in range(2):
            day = first_day + dt.timedelta(days=14 * index + 7 * week)
            if day > cohort.end_date:
                day = cohort.end_date
            start = dt.datetime.combine(day, dt.time(13 + 3 * week), tzinfo=BERLIN)
            Session.objects.create(
                cohort=cohort,
                module=module,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                meeting_url="https://konferenz.example.org/smart-city",
                trainer=DEFAULT_TEXTS["partner.name"].de,
                description=(
                    "Einführung in das Modul und Fragen zur Praxisaufgabe"
                    if week == 0
                    else "Austausch über die Erfahrungen aus den Kommunen"
                ),
                description_en=(
                    "Introduction to the module and questions about the practical task"
                    if week == 0
                    else "Exchange on what the municipalities have experienced"
                ),
            )
        TaskDeadline.objects.get_or_create(
            cohort=cohort,
            module=module,
            defaults={
                "due_at": dt.datetime.combine(
                    first_day + dt.timedelta(days=14 * index + 12), dt.time(23, 59), tzinfo=BERLIN
                )
            },
        )
    Material.objects.get_or_create(
        module=modules[0],
        cohort=None,
        title="Leitfaden Smart City (Linkliste)",
        defaults={
            "link": "https://www.example.org/leitfaden-smart-city",
            "title_en": "Smart City guide (links)",
        },
    )


def _progress(cohort, modules, coordinator) -> None:
    """The demo participant: two modules completed, one task waiting for review, the rest open."""
    enrollment = Enrollment.objects.get(cohort=cohort, user__email="teilnehmer@example.org")
    if enrollment.task_submissions.exists():
        return
    sessions = list(cohort.sessions.select_related("module").order_by("starts_at"))
    for index, session in enumerate(sessions):
        if session.module.position <= 3:
            # Excused from the second session of module 2, made up by an accepted make-up task.
            excused = session.module.position == 2 and index % 2 == 1
            status = Attendance.Status.EXCUSED if excused else Attendance.Status.PRESENT
            Attendance.objects.create(
                session=session, enrollment=enrollment, status=status, recorded_by=coordinator
            )
    plan = [
        (1, "task", "accepted"),
        (2, "task", "accepted"),
        (2, "makeup", "accepted"),
        (3, "task", "submitted"),
    ]
    for position, kind, state in plan:
        submission = TaskSubmission(
            enrollment=enrollment,
            module=modules[position - 1],
            kind=kind,
            state=state,
            file_name=f"Praxisaufgabe-Modul-{position}.pdf",
            submitted_at=sessions[0].starts_at,
        )
        submission.file.save("upload.pdf", ContentFile(blank_pdf()), save=False)
        submission.save()


def _second_operator_modules(modules: list[Module]) -> None:
    """The second operator's programme teaches the same five modules."""
    programme = Programme.objects.filter(slug=second_operator.PROGRAMME_SLUG).first()
    for module in modules if programme else ():
        Module.objects.update_or_create(
            programme=programme,
            position=module.position,
            defaults={
                field: getattr(module, field)
                for field in ("title", "title_en", "description", "description_en", "task", "task_en")
            },
        )
