"""Demo data for the evaluation: the history of the first three cohorts, so that the dashboard of
evaluation@example.org has something to show.

The other apps' demos create the cohorts, their participants and the sessions of cohort 3. Here
the past cohorts get the applications they came from (and those that were turned down), sessions
for cohorts 1 and 2, attendance, practical tasks and answers to the questionnaire. The demo
participant (teilnehmer@example.org) keeps exactly what the modules demo gave them. Idempotent:
each part is skipped where it exists.
"""

import datetime as dt
import random

from django.core.files.base import ContentFile

from applications.models import Application
from cohorts.models import BERLIN, Cohort
from modules.models import Attendance, Module, Session, TaskSubmission
from portal.accounts.models import User
from portal.demo import demo_user
from portal.models import Municipality
from portal.operator.defaults import BY_KEY as DEFAULT_TEXTS
from portal.pdf import blank_pdf

from . import module_instrument
from .default_instruments import MODULE_QUESTIONNAIRE, install
from .models import Answer, Instrument, InstrumentVersion, Item, WaveResponse

DEMO_PARTICIPANT = "teilnehmer@example.org"
# (first name, last name, AGS) of applicants who did not get a seat, per cohort
NOT_ADMITTED = [
    ("Ida", "Albrecht", "12069304"),
    ("Karl", "Vogel", "12060005"),
    ("Nora", "Seidel", "12073384"),
    ("Till", "Busch", "12061260"),
    ("Greta", "Winkler", "12070149"),
    ("Moritz", "Engel", "12065256"),
    ("Frieda", "Graf", "12067440"),
]
# What became of them: rejected four times, waitlisted twice, one withdrew.
OUTCOMES = ["rejected"] * 4 + ["waitlisted"] * 2 + ["withdrawn"]
COMMENTS = [
    "Die Beispiele aus anderen Kommunen waren besonders hilfreich.",
    "Mehr Zeit für Fragen am Ende der Sitzung wäre gut.",
    "Die Praxisaufgabe war aufwendig, hat sich aber gelohnt.",
    "Gern mehr Austausch in kleinen Gruppen.",
]


def _applications(cohort: Cohort, chance: random.Random) -> int:
    """Accepted applications for the seats of a past cohort, and a few that were turned down."""
    if cohort.applications.exists():
        return 0
    opens = cohort.applications_open_at
    closes = dt.datetime.combine(cohort.applications_close_on, dt.time(12), tzinfo=BERLIN)
    span = max((closes - opens).days, 1)
    municipalities = {m.ags: m for m in Municipality.objects.exclude(ags="")}
    people = [
        (e.user, e.municipality, Application.Status.ACCEPTED, e)
        for e in cohort.enrollments.confirmed().select_related("user", "municipality").order_by("pk")
        if e.user.email != DEMO_PARTICIPANT
    ]
    for index, ((first, last, ags), outcome) in enumerate(zip(NOT_ADMITTED, OUTCOMES, strict=True), start=1):
        user = demo_user(f"bewerbung-{cohort.number}-{index:02d}@example.org", first, last)
        people.append((user, municipalities.get(ags), outcome, None))
    chance.shuffle(people)
    for sequence, (user, municipality, status, enrollment) in enumerate(people, start=1):
        submitted = opens + dt.timedelta(days=chance.randint(0, span), hours=chance.randint(0, 8))
        decided = None
        if status != Application.Status.WITHDRAWN:
            decided = closes + dt.timedelta(days=chance.randint(4, 24))
        Application.objects.create(
            cohort=cohort,
            applicant=user,
            status=status,
            sequence=sequence,
            reference=f"{cohort.programme.reference_prefix}-{cohort.number}-{sequence:04d}",
            municipality=municipality,
            other_employer="" if municipality else "Landkreis Barnim",
            department="Hauptamt",
            position="Digitalisierungsbeauftragte:r",
            strategy=chance.choice(Application.Strategy.values),
            privacy_consent_version="demo",
            privacy_consent_at=submitted,
            submitted_at=submitted,
            decided_at=decided,
            withdrawn_at=closes - dt.timedelta(days=3) if status == Application.Status.WITHDRAWN else None,
            enrollment=enrollment,
        )
    return len(people)


def _schedule(cohort: Cohort, modules) -> None:
    """Two afternoon sessions a week apart per module, as the modules demo plans cohort 3."""
    if cohort.sessions.exists():
        return
    first_day = cohort.start_date + dt.timedelta(days=(1 - cohort.start_date.weekday()) % 7)
    for index, module in enumerate(modules):
        for week in range(2):
            day = min(first_day + dt.timedelta(days=14 * index + 7 * week), cohort.end_date)
            start = dt.datetime.combine(day, dt.time(13 + 3 * week), tzinfo=BERLIN)
            Session.objects.create(
                cohort=cohort,
                module=module,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                trainer=DEFAULT_TEXTS["partner.name"].de,
            )


def _attend(enrollment, sessions: list, keen: bool, chance: random.Random, coordinator: User) -> None:
    """The participant's attendance at every session of the cohort."""
    for session in sessions:
        roll = chance.random()
        if roll < (0.88 if keen else 0.6):
            status = Attendance.Status.PRESENT
        elif roll < 0.95:
            status = Attendance.Status.EXCUSED
        else:
            status = Attendance.Status.ABSENT
        Attendance.objects.create(
            session=session, enrollment=enrollment, status=status, recorded_by=coordinator
        )


def _hand_in(
    enrollment,
    module,
    module_sessions: list,
    keen: bool,
    chance: random.Random,
    coordinator: User,
    task_file: str,
) -> None:
    """The module's practical task, accepted, and the make-up task where a session was excused."""
    excused = any(
        a.status == Attendance.Status.EXCUSED
        for a in enrollment.attendances.filter(session__in=module_sessions)
    )
    kinds = [TaskSubmission.Kind.TASK] + ([TaskSubmission.Kind.MAKEUP] if excused else [])
    for kind in kinds:
        if chance.random() < (0.92 if keen else 0.55):
            TaskSubmission.objects.create(
                enrollment=enrollment,
                module=module,
                kind=kind,
                state=TaskSubmission.State.ACCEPTED,
                file=task_file,
                file_name=f"Praxisaufgabe-Modul-{module.position}.pdf",
                submitted_at=module_sessions[-1].ends_at + dt.timedelta(days=5),
                reviewed_by=coordinator,
                reviewed_at=module_sessions[-1].ends_at + dt.timedelta(days=8),
            )


def _answer(enrollment, module, module_sessions: list, chance: random.Random, items: list) -> None:
    """The questionnaire on the module, answered by seven in ten participants."""
    if chance.random() < 0.7:
        leaning = chance.choice([3, 4, 4, 5])

        def rate(lean=leaning):
            return None if chance.random() < 0.08 else max(1, min(5, lean + chance.choice([-1, 0, 0, 1])))

        values = [(item, {"number": rate()}) for item in module_instrument.scale_items(items)]
        comment = chance.choice(COMMENTS) if chance.random() < 0.25 else ""
        comments = [item for item in items if item.key == module_instrument.MODULE_COMMENT]
        if comment and comments:
            values.append((comments[0], {"text": comment}))
        response = WaveResponse.objects.create(
            enrollment=enrollment,
            module=module,
            version=items[0].version,
            submitted_at=module_sessions[-1].ends_at + dt.timedelta(days=chance.randint(1, 10)),
        )
        Answer.objects.bulk_create(
            [
                Answer(response=response, item=item, **value)
                for item, value in values
                if value.get("number") is not None or value.get("text")
            ]
        )


def _course(cohort: Cohort, modules, coordinator: User, chance: random.Random, task_file: str) -> int:
    """Attendance, practical tasks and questionnaire answers of the cohort's participants."""
    sessions = list(cohort.sessions.order_by("starts_at"))
    # Participants the demo has not yet given a course; those imported from before the portal
    # bring their attendance with them and get only their tasks and answers here.
    enrollments = [
        e
        for e in cohort.enrollments.confirmed().select_related("user").order_by("pk")
        if e.user.email != DEMO_PARTICIPANT
        and not e.task_submissions.exists()
        and not WaveResponse.objects.filter(enrollment=e, module__isnull=False).exists()
    ]
    install(Instrument, InstrumentVersion, Item, specs=[MODULE_QUESTIONNAIRE])  # where a test emptied it
    items = module_instrument.current_items()
    for enrollment in enrollments:
        keen = chance.random() < 0.8
        if not enrollment.attendances.exists():
            _attend(enrollment, sessions, keen, chance, coordinator)
        for module in modules:
            module_sessions = [s for s in sessions if s.module_id == module.pk]
            if not module_sessions:
                continue
            _hand_in(enrollment, module, module_sessions, keen, chance, coordinator, task_file)
            _answer(enrollment, module, module_sessions, chance, items)
    return len(enrollments)


def seed(out) -> None:
    cohorts = list(Cohort.objects.filter(programme__slug="smart-city-manager", number__in=[1, 2, 3]))
    modules = list(Module.objects.filter(programme__slug="smart-city-manager").order_by("position"))
    coordinator = User.objects.get(email="koordination@example.org")
    task_file = (
        TaskSubmission.objects.filter(enrollment__cohort__in=cohorts)
        .exclude(file="")
        .values_list("file", flat=True)
        .first()
    )
    for cohort in sorted(cohorts, key=lambda c: c.number):
        chance = random.Random(f"evaluation-demo-{cohort.number}")  # noqa: S311 - demo data, not security
        applications = _applications(cohort, chance)
        _schedule(cohort, modules)
        if task_file is None:
            stored = TaskSubmission._meta.get_field("file")
            task_file = stored.storage.save(
                stored.generate_filename(None, "praxisaufgabe.pdf"), ContentFile(blank_pdf())
            )
        participants = _course(cohort, modules, coordinator, chance, task_file)
        if applications or participants:
            out.write(
                f"  {cohort.title}: {applications} Bewerbungen, Anwesenheit und Fragebögen "
                f"von {participants} Teilnehmer:innen für die Auswertung"
            )
    from . import demo_waves

    invited = demo_waves.seed(sorted(cohorts, key=lambda c: c.number), modules)
    if invited:
        out.write(
            f"  Befragungswellen T0 und T1: {invited} Einladungen mit Antworten für den Vorher-nachher-Vergleich"
        )
    out.write(
        "  Auswertung (evaluation@example.org): /auswertung/ und /auswertung/wellen/, "
        "Fragebogen der Teilnehmer:innen: /kurs/fragebogen/, Befragungen: /befragungen/"
    )
