"""A small programme whose figures are computed by hand in the tests (see the comments).

Every date is relative to ``now``; with ``NOW`` (1 March 2023, 12:00 in Berlin) the weeks in the
comments hold. Two modules, two cohorts:

Cohort A (past): applications P1–P5 accepted with a confirmed seat, R1–R3 rejected, W1 waitlisted,
X1 withdrawn before a decision, and a draft that was never sent (not counted).
Cohort B (running): Q1, Q2 accepted with a seat, S1 submitted and open (S1 is R1 applying again),
and E1, a participant enrolled without an application in the portal.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from applications.models import Application
from certificates.models import Certificate
from cohorts.models import BERLIN, Cohort, Enrollment
from evaluation import module_instrument
from evaluation.default_instruments import MODULE_QUESTIONNAIRE, install
from evaluation.models import Answer, Instrument, InstrumentVersion, Item, WaveResponse
from modules.models import Attendance, Module, Session, TaskSubmission
from tests.factories import CohortFactory, ProgrammeFactory, UserFactory, municipality

NOW = dt.datetime(2023, 3, 1, 12, tzinfo=BERLIN)

P, E, A = Attendance.Status.PRESENT, Attendance.Status.EXCUSED, Attendance.Status.ABSENT
OK, SUBMITTED = TaskSubmission.State.ACCEPTED, TaskSubmission.State.SUBMITTED


@dataclass
class Programme:
    now: dt.datetime
    cohort_a: Cohort = None
    cohort_b: Cohort = None
    modules: list = field(default_factory=list)
    people: dict = field(default_factory=dict)  # key -> User
    applications: dict = field(default_factory=dict)  # key -> Application
    enrollments: dict = field(default_factory=dict)  # key -> Enrollment
    sessions: dict = field(default_factory=dict)  # key -> Session
    secrets: list = field(default_factory=list)  # every personal value that must never be exported

    def day(self, days: int) -> dt.datetime:
        return self.now + dt.timedelta(days=days)


def person(data: Programme, key: str, first: str, last: str):
    user = UserFactory(first_name=first, last_name=last, email=f"{first.lower()}.{last.lower()}@example.org")
    data.people[key] = user
    data.secrets += [first, last, user.email]
    return user


def apply(data: Programme, key: str, cohort: Cohort, user, status: str, *, town, decided_after=None, **extra):
    """A sent application; ``decided_after`` is the number of days to the decision."""
    submitted = data.day(-181 if cohort == data.cohort_a else -58)
    sequence = cohort.applications.count() + 1
    phone = f"0331 55{len(data.applications):04d}"
    motivation = f"Motivation Geheimtext {key}"
    application = Application.objects.create(
        cohort=cohort,
        applicant=user,
        status=status,
        sequence=sequence,
        reference=f"SCM-{cohort.number}-{sequence:04d}",
        municipality=town,
        other_employer="" if town else f"Landesamt Geheim {key}",
        department=f"Fachbereich Geheim {key}",
        position=f"Funktion Geheim {key}",
        phone=phone,
        role=f"Rolle Geheimtext {key}",
        motivation=motivation,
        plans=f"Vorhaben Geheimtext {key}",
        strategy=Application.Strategy.IN_PROGRESS,
        supervisor_name=f"Vorgesetzte Geheim {key}",
        supervisor_email=f"chefin.{key.lower()}@example.org",
        submitted_at=submitted,
        decided_at=submitted + dt.timedelta(days=decided_after) if decided_after is not None else None,
        **extra,
    )
    data.secrets += [
        phone,
        motivation,
        application.department,
        application.position,
        application.role,
        application.plans,
        application.supervisor_name,
        application.supervisor_email,
        application.reference,
    ]
    if application.other_employer:
        data.secrets.append(application.other_employer)
    data.applications[key] = application
    return application


def enroll(data: Programme, key: str, cohort: Cohort, user, town, *, state=Enrollment.State.CONFIRMED):
    enrollment = Enrollment.objects.create(cohort=cohort, user=user, municipality=town, state=state)
    data.enrollments[key] = enrollment
    application = data.applications.get(key)
    if application:
        application.enrollment = enrollment
        application.save(update_fields=["enrollment"])
    return enrollment


def session(data: Programme, key: str, cohort: Cohort, module: Module, days: int) -> Session:
    starts = data.day(days)
    data.sessions[key] = Session.objects.create(
        cohort=cohort, module=module, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    return data.sessions[key]


def attend(data: Programme, session_key: str, statuses: dict, recorder) -> None:
    for key, status in statuses.items():
        Attendance.objects.create(
            session=data.sessions[session_key],
            enrollment=data.enrollments[key],
            status=status,
            recorded_by=recorder,
        )


def task(data: Programme, key: str, module: Module, state: str, kind=TaskSubmission.Kind.TASK) -> None:
    TaskSubmission.objects.create(
        enrollment=data.enrollments[key],
        module=module,
        kind=kind,
        state=state,
        file="private/tasks/aufgabe.pdf",
        file_name=f"Aufgabe-{key}.pdf",
        submitted_at=data.day(-130),
    )


def certify(data: Programme, key: str, status=Certificate.Status.ISSUED) -> None:
    enrollment = data.enrollments[key]
    cohort = enrollment.cohort
    sequence = Certificate.objects.filter(cohort=cohort).count() + 1
    user = enrollment.user
    data.secrets.append(f"SCM-{cohort.number}-{sequence:04d}")
    Certificate.objects.create(
        enrollment=enrollment,
        cohort=cohort,
        sequence=sequence,
        number=f"SCM-{cohort.number}-{sequence:04d}",
        holder_name=user.get_full_name(),
        programme_title="Smart City Manager:in",
        cohort_title=cohort.title,
        cohort_start=cohort.start_date,
        cohort_end=cohort.end_date,
        issued_on=data.day(-70).date(),
        status=status,
    )


SCALE_KEYS = ["relevanz", "verstaendlichkeit", "praxisaufgabe", "online_format", "gesamt"]


def module_items() -> dict:
    """The items of the questionnaire after each module by key (installed where a test emptied
    the tables)."""
    install(Instrument, InstrumentVersion, Item, specs=[MODULE_QUESTIONNAIRE])
    return {item.key: item for item in module_instrument.current_items()}


def answer(data: Programme, key: str, module: Module, values, comment: str = "") -> WaveResponse:
    """The participant ``key`` answers the questionnaire after ``module``: five values (None: no
    answer) in the order of SCALE_KEYS, and a comment."""
    items = module_items()
    response = WaveResponse.objects.create(
        enrollment=data.enrollments[key],
        module=module,
        version=items["relevanz"].version,
        submitted_at=data.day(-132),
    )
    stored = [
        Answer(response=response, item=items[k], number=v)
        for k, v in zip(SCALE_KEYS, values, strict=True)
        if v
    ]
    if comment:
        stored.append(Answer(response=response, item=items["anmerkungen"], text=comment))
    Answer.objects.bulk_create(stored)
    return response


def build(now: dt.datetime = NOW) -> Programme:
    module_items()
    data = Programme(now=now)
    programme = ProgrammeFactory()
    data.modules = [
        Module.objects.create(programme=programme, position=1, title="Digitale Transformation"),
        Module.objects.create(programme=programme, position=2, title="IT-Sicherheit"),
    ]
    m1, m2 = data.modules
    a = data.cohort_a = CohortFactory(
        programme=programme,
        number=31,
        title="31. Schulungsdurchgang",
        applications_open_at=data.day(-220),
        applications_close_on=data.day(-166).date(),
        start_date=data.day(-151).date(),
        end_date=data.day(-76).date(),
    )
    b = data.cohort_b = CohortFactory(
        programme=programme,
        number=32,
        title="32. Schulungsdurchgang",
        applications_open_at=data.day(-90),
        applications_close_on=data.day(-45).date(),
        start_date=data.day(-28).date(),
        end_date=data.day(60).date(),
    )
    potsdam = municipality("Potsdam")
    eberswalde = municipality("Eberswalde")
    bernau = municipality("Bernau bei Berlin")
    ahrensfelde = municipality("Ahrensfelde")
    amt_biesenthal = municipality("Amt Biesenthal-Barnim")
    boitzenburg = municipality("Boitzenburger Land")
    althuettendorf = municipality("Althüttendorf")
    amt_gerswalde = municipality("Amt Gerswalde")
    cottbus = municipality("Cottbus")
    angermuende = municipality("Angermünde")

    # Cohort A. Days to decision: P 10, 12, 14, 20, 30; R 5, 7, 40; W 9 -> median 12.
    accepted = Application.Status.ACCEPTED
    for key, first, last, town, days in [
        ("P1", "Paula", "Pohl", potsdam, 10),
        ("P2", "Peer", "Pankow", eberswalde, 12),
        ("P3", "Pia", "Prenzel", bernau, 14),
        ("P4", "Piet", "Plauen", ahrensfelde, 20),
        ("P5", "Pola", "Parchim", amt_biesenthal, 30),
    ]:
        apply(data, key, a, person(data, key, first, last), accepted, town=town, decided_after=days)
        enroll(data, key, a, data.people[key], town)
    rejected = Application.Status.REJECTED
    apply(data, "R1", a, person(data, "R1", "Rita", "Rathenow"), rejected, town=eberswalde, decided_after=5)
    apply(data, "R2", a, person(data, "R2", "Rolf", "Rheinsberg"), rejected, town=potsdam, decided_after=7)
    apply(
        data, "R3", a, person(data, "R3", "Ruth", "Rüdersdorf"), rejected, town=boitzenburg, decided_after=40
    )
    apply(
        data,
        "W1",
        a,
        person(data, "W1", "Wanda", "Wittstock"),
        Application.Status.WAITLISTED,
        town=althuettendorf,
        decided_after=9,
    )
    apply(
        data,
        "X1",
        a,
        person(data, "X1", "Xaver", "Xanten"),
        Application.Status.WITHDRAWN,
        town=amt_gerswalde,
        withdrawn_at=data.day(-175),
    )
    draft_author = person(data, "D1", "Doris", "Dornfeld")
    Application.objects.create(
        cohort=a, applicant=draft_author, municipality=potsdam, motivation="Entwurf Geheimtext"
    )
    data.secrets.append("Entwurf Geheimtext")

    # Cohort B. Days to decision: Q 3, 4 (too few for a median); all decisions -> median 10.
    apply(data, "Q1", b, person(data, "Q1", "Quirin", "Quast"), accepted, town=cottbus, decided_after=3)
    enroll(data, "Q1", b, data.people["Q1"], cottbus)
    apply(data, "Q2", b, person(data, "Q2", "Quinta", "Quedlin"), accepted, town=angermuende, decided_after=4)
    enroll(data, "Q2", b, data.people["Q2"], angermuende)
    apply(data, "S1", b, data.people["R1"], Application.Status.SUBMITTED, town=potsdam)
    enroll(data, "E1", b, person(data, "E1", "Emil", "Elsner"), None)

    # Sessions: module 1 twice and module 2 twice in A; module 1 has ended in B, module 2 not yet.
    session(data, "s1", a, m1, -148)
    session(data, "s2", a, m1, -141)
    session(data, "s3", a, m2, -134)
    session(data, "s4", a, m2, -127)
    session(data, "t1", b, m1, -22)
    session(data, "t2", b, m2, 6)
    coordinator = UserFactory(first_name="Konrad", last_name="Kessler")
    data.secrets += ["Konrad", "Kessler", coordinator.email]
    attend(data, "s1", {"P1": P, "P2": P, "P3": P, "P4": P, "P5": P}, coordinator)
    attend(data, "s2", {"P1": P, "P2": P, "P3": P, "P4": E, "P5": A}, coordinator)
    attend(data, "s3", {"P1": P, "P2": P, "P3": P, "P4": P}, coordinator)  # P5 not recorded
    attend(data, "s4", {"P1": P, "P2": P, "P3": P, "P4": A, "P5": E}, coordinator)
    attend(data, "t1", {"Q1": P, "Q2": P, "E1": P}, coordinator)
    # Module 1 in A: P1-P4 completed (P4 made up the excused session), P5 was absent -> 4 of 5.
    for key in ["P1", "P2", "P3", "P4", "P5"]:
        task(data, key, m1, OK)
    task(data, "P4", m1, OK, kind=TaskSubmission.Kind.MAKEUP)
    # Module 2 in A: P1, P2 completed; P3's task is not accepted yet, P4 was absent -> 2 of 5.
    task(data, "P1", m2, OK)
    task(data, "P2", m2, OK)
    task(data, "P3", m2, SUBMITTED)
    task(data, "P4", m2, OK)
    # Module 1 in B: everybody completed -> 3 of 3.
    for key in ["Q1", "Q2", "E1"]:
        task(data, key, m1, OK)

    # Certificates: P1-P3 issued, P4's revoked -> 3 issued in A, none in B.
    for key in ["P1", "P2", "P3"]:
        certify(data, key)
    certify(data, "P4", status=Certificate.Status.REVOKED)

    # Questionnaire, module 1: relevance 5, 4, 3, 4 -> 4.0; clarity 4, 4, 5 -> 4.3; practical task
    # 3, 2, 4 -> 3.0; online format 5, 4 (two answers: hidden); overall 4, 5, 3 -> 4.0.
    answer(data, "P1", m1, (5, 4, 3, 5, 4), "Sehr hilfreich für unsere Strategie.")
    answer(data, "P2", m1, (4, 4, 2, None, 5))
    answer(data, "P3", m1, (3, 5, 4, 4, 3), '=HYPERLINK("https://example.org";"Klick")')
    answer(data, "P4", m1, (4, None, None, None, None))
    # Module 2: a single answer, so nothing but "< 3" is shown.
    answer(data, "P1", m2, (4, 4, 4, 4, 4))
    return data


def more(data: Programme, number: int, people: int) -> None:
    """A further cohort with ``people`` participants, sessions, answers and certificates, for the
    query counts: the number of queries must not grow with it."""
    m1, m2 = data.modules
    cohort = CohortFactory(
        programme=data.cohort_a.programme,
        number=number,
        applications_open_at=data.day(-400),
        applications_close_on=data.day(-380).date(),
        start_date=data.day(-370).date(),
        end_date=data.day(-300).date(),
    )
    town = municipality("Eberswalde")
    for module, days in [(m1, -360), (m1, -350), (m2, -340)]:
        session(data, f"{number}-{days}", cohort, module, days)
    recorder = UserFactory()
    for index in range(people):
        key = f"{number}-{index}"
        user = person(data, key, f"Vorname{number}x{index}", f"Nachname{number}x{index}")
        apply(data, key, cohort, user, Application.Status.ACCEPTED, town=town, decided_after=index % 9)
        enroll(data, key, cohort, user, town)
        for days in [-360, -350, -340]:
            attend(data, f"{number}-{days}", {key: P if index % 4 else E}, recorder)
        task(data, key, m1, OK)
        task(data, key, m2, OK if index % 2 else SUBMITTED)
        answer(data, key, m1, (index % 5 + 1, 3, 4, None, 5), f"Anmerkung {index}")
        if index % 3 == 0:
            certify(data, key)


def group_member(group: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group))
    if group == "evaluators" and not user.is_staff:
        # Evaluators download everyone's pseudonymised data: they sign in with a second factor.
        from allauth.mfa.totp.internal.auth import TOTP

        from tests.factories import STAFF_TOTP_SECRET

        TOTP.activate(user, STAFF_TOTP_SECRET)
    return user
