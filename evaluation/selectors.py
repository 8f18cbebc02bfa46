"""Reads of the evaluation: the dashboard's figures and the rows of the pseudonymised exports.

Both load every table they need once, in a fixed number of queries, and count in Python: the
number of queries does not grow with cohorts, people or sessions.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg
from django.db.models import Count as CountOf
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application
from certificates.models import Certificate
from cohorts.models import Cohort, Enrollment
from cohorts.selectors import PROGRAMME_SLUG, programme_municipalities
from modules.models import Attendance, Module, Session, TaskSubmission
from modules.progress import module_completed
from portal.models import Municipality

from .disclosure import Count, Mean, Median, Share, iso_week, protect_regions, pseudonym
from .models import ITEM_FIELDS, ITEMS, QuestionnaireResponse

OPEN = {Application.Status.SUBMITTED, Application.Status.IN_REVIEW}
NO_MUNICIPALITY = "andere"


# --- the programme's data, loaded once --------------------------------------------------------


@dataclass
class Participation:
    """What the completion rule needs for every enrollment: sessions, attendance, tasks."""

    modules: list
    sessions: list
    attendance: dict  # enrollment id -> {session id: status}
    submissions: dict  # enrollment id -> {module id: {kind: state}}
    now: dt.datetime
    sessions_by: dict = field(init=False)

    def __post_init__(self):
        self.sessions_by = defaultdict(list)
        for session in self.sessions:
            self.sessions_by[(session.cohort_id, session.module_id)].append(session)

    def module_sessions(self, cohort_id: int, module_id: int) -> list:
        return self.sessions_by.get((cohort_id, module_id), [])

    def module_ended(self, cohort_id: int, module_id: int) -> bool:
        sessions = self.module_sessions(cohort_id, module_id)
        return bool(sessions) and max(s.ends_at for s in sessions) <= self.now

    def completed(self, enrollment_id: int, cohort_id: int, module_id: int) -> bool:
        return module_completed(
            sessions=self.module_sessions(cohort_id, module_id),
            attendance=self.attendance.get(enrollment_id, {}),
            submissions=self.submissions.get(enrollment_id, {}).get(module_id, {}),
        )


def _participation(enrollments, now: dt.datetime, cohort_ids=None) -> Participation:
    """Modules, sessions, attendance and practical tasks of the given enrollments: four queries.
    ``cohort_ids`` narrows modules and sessions to the programme's cohorts."""
    modules = Module.objects.order_by("programme_id", "position")
    sessions = Session.objects.select_related("module").order_by("starts_at", "pk")
    if cohort_ids is not None:
        modules = modules.filter(programme__cohorts__in=cohort_ids).distinct()
        sessions = sessions.filter(cohort__in=cohort_ids)
    attendance = defaultdict(dict)
    for enrollment_id, session_id, status in Attendance.objects.filter(
        enrollment__in=enrollments
    ).values_list("enrollment_id", "session_id", "status"):
        attendance[enrollment_id][session_id] = status
    submissions = defaultdict(lambda: defaultdict(dict))
    for enrollment_id, module_id, kind, state in TaskSubmission.objects.filter(
        enrollment__in=enrollments
    ).values_list("enrollment_id", "module_id", "kind", "state"):
        submissions[enrollment_id][module_id][kind] = state
    return Participation(
        modules=list(modules),
        sessions=list(sessions),
        attendance=attendance,
        submissions=submissions,
        now=now,
    )


# --- the dashboard ----------------------------------------------------------------------------


@dataclass
class ApplicationFigures:
    label: str
    received: Count
    accepted: Count
    waitlisted: Count
    rejected: Count
    withdrawn: Count
    open: Count
    days_to_decision: Median
    participants: Count
    certificates: Count


@dataclass
class Bar:
    label: str
    count: Count


@dataclass
class ModuleFigures:
    module: Module
    share: Share | None  # None: the module has not ended in any cohort of the scope


@dataclass
class SessionFigures:
    cohort: Cohort
    session: Session
    present: Count
    excused: Count
    absent: Count
    unrecorded: Count


@dataclass
class QuestionnaireFigures:
    module: Module
    answers: Count
    means: list  # one Mean per item, in the order of ITEMS


@dataclass
class Statistics:
    cohorts: list
    scope: Cohort | None
    applications: list  # ApplicationFigures per cohort
    applications_total: ApplicationFigures
    participants: Count
    by_district: list  # Bar per district of the programme's state, then one for other employers
    by_kind: list  # Bar per kind of municipality, then one for other employers
    modules: list  # ModuleFigures
    sessions: list  # SessionFigures of the scope's sessions that have begun; none over all cohorts
    questionnaire: list  # QuestionnaireFigures
    # (short name, statement) of every questionnaire item
    items: list = field(
        default_factory=lambda: [
            (QuestionnaireResponse._meta.get_field(f).verbose_name, statement) for f, statement, _c in ITEMS
        ]
    )


def _days(submitted: dt.datetime, decided: dt.datetime) -> int:
    """Calendar days in Europe/Berlin from submission to decision."""
    return (timezone.localdate(decided) - timezone.localdate(submitted)).days


def _application_figures(label, applications, participants: int, certificates: int) -> ApplicationFigures:
    statuses = Counter(status for _cohort, status, _submitted, _decided in applications)
    days = tuple(
        _days(submitted, decided)
        for _cohort, _status, submitted, decided in applications
        if decided is not None
    )
    return ApplicationFigures(
        label=label,
        received=Count(len(applications)),
        accepted=Count(statuses[Application.Status.ACCEPTED]),
        waitlisted=Count(statuses[Application.Status.WAITLISTED]),
        rejected=Count(statuses[Application.Status.REJECTED]),
        withdrawn=Count(statuses[Application.Status.WITHDRAWN]),
        open=Count(sum(statuses[s] for s in OPEN)),
        days_to_decision=Median(days),
        participants=Count(participants),
        certificates=Count(certificates),
    )


def dashboard_statistics(*, scope_number: int | None = None, now: dt.datetime | None = None) -> Statistics:
    """Every figure of the dashboard, per cohort and over all cohorts, in ten queries.

    ``scope_number`` narrows the detailed figures (origin, modules, sessions, questionnaire) to
    one cohort; the application table always shows every cohort and the total.
    """
    now = now or timezone.now()
    # The portal's programme only: where one database holds several, the others are not read.
    cohorts = list(Cohort.objects.filter(programme__slug=PROGRAMME_SLUG).order_by("programme_id", "number"))
    cohort_ids = [c.pk for c in cohorts]
    scope = next((c for c in cohorts if c.number == scope_number), None)

    applications = list(
        Application.objects.filter(cohort__in=cohort_ids, submitted_at__isnull=False).values_list(
            "cohort_id", "status", "submitted_at", "decided_at"
        )
    )
    confirmed = Enrollment.objects.confirmed().filter(cohort__in=cohort_ids)
    participants = list(
        confirmed.order_by().values_list("pk", "cohort_id", "municipality__district", "municipality__kind")
    )
    certificates = dict(
        Certificate.objects.filter(cohort__in=cohort_ids, status=Certificate.Status.ISSUED)
        .order_by()
        .values("cohort_id")
        .annotate(n=CountOf("pk"))
        .values_list("cohort_id", "n")
    )

    per_cohort = defaultdict(list)
    for row in applications:
        per_cohort[row[0]].append(row)
    participants_per_cohort = Counter(cohort_id for _pk, cohort_id, _d, _k in participants)
    application_rows = [
        _application_figures(
            c.localized_title, per_cohort[c.pk], participants_per_cohort[c.pk], certificates.get(c.pk, 0)
        )
        for c in cohorts
    ]
    application_total = _application_figures(
        _("Alle Durchgänge"), applications, len(participants), sum(certificates.values())
    )

    in_scope = [p for p in participants if scope is None or p[1] == scope.pk]
    # The districts of the programme's state, by the index the application form reads too.
    districts = list(
        programme_municipalities().values_list("district", flat=True).distinct().order_by("district")
    )
    district_counts = Counter(district for _pk, _c, district, _k in in_scope)
    by_district = [Bar(d, Count(district_counts[d])) for d in districts]
    kind_counts = Counter(kind for _pk, _c, _d, kind in in_scope)
    by_kind = [Bar(str(label), Count(kind_counts[value])) for value, label in Municipality.Kind.choices]
    others = Count(district_counts[None])
    by_district.append(Bar(_("andere öffentliche Stelle"), others))
    by_kind.append(Bar(_("andere öffentliche Stelle"), others))

    # The ids, not a subquery: PostgreSQL then reads attendance and tasks by index, not whole tables.
    participation = _participation([pk for pk, _c, _d, _k in participants], now, cohort_ids)
    scope_cohorts = [c for c in cohorts if scope is None or c == scope]
    module_rows = []
    for module in participation.modules:
        programme_cohorts = [c for c in scope_cohorts if c.programme_id == module.programme_id]
        ended = [c for c in programme_cohorts if participation.module_ended(c.pk, module.pk)]
        if not programme_cohorts:
            continue
        if not ended:
            module_rows.append(ModuleFigures(module, None))
            continue
        ended_ids = {c.pk for c in ended}
        whole = [(pk, cohort_id) for pk, cohort_id, _d, _k in participants if cohort_id in ended_ids]
        done = sum(1 for pk, cohort_id in whole if participation.completed(pk, cohort_id, module.pk))
        module_rows.append(ModuleFigures(module, Share(Count(done), Count(len(whole)))))

    # Session by session only for one cohort: over all cohorts the list would grow with every
    # cohort the programme runs; the modules' figures above sum them up instead.
    session_rows = []
    scope_ids = {scope.pk} if scope is not None else set()
    cohorts_by_pk = {c.pk: c for c in cohorts}
    members = defaultdict(list)
    for pk, cohort_id, _d, _k in participants:
        members[cohort_id].append(pk)
    for session in participation.sessions:
        if session.cohort_id not in scope_ids or session.starts_at > now:
            continue
        statuses = Counter(
            participation.attendance.get(pk, {}).get(session.pk) for pk in members[session.cohort_id]
        )
        session_rows.append(
            SessionFigures(
                cohort=cohorts_by_pk[session.cohort_id],
                session=session,
                present=Count(statuses[Attendance.Status.PRESENT]),
                excused=Count(statuses[Attendance.Status.EXCUSED]),
                absent=Count(statuses[Attendance.Status.ABSENT]),
                unrecorded=Count(statuses[None]),
            )
        )

    answers = QuestionnaireResponse.objects.filter(enrollment__cohort__in=cohort_ids)
    if scope is not None:
        answers = answers.filter(enrollment__cohort=scope)
    aggregates = {
        row["module_id"]: row
        for row in answers.values("module_id").annotate(
            answers=CountOf("pk"),
            **{f"{f}_n": CountOf(f) for f in ITEM_FIELDS},
            **{f"{f}_avg": Avg(f) for f in ITEM_FIELDS},
        )
    }
    questionnaire_rows = []
    for module in participation.modules:
        row = aggregates.get(module.pk)
        if row is None:
            continue
        means = [Mean(average=row[f"{f}_avg"], count=row[f"{f}_n"]) for f in ITEM_FIELDS]
        questionnaire_rows.append(QuestionnaireFigures(module, Count(row["answers"]), means))

    return Statistics(
        cohorts=cohorts,
        scope=scope,
        applications=application_rows,
        applications_total=application_total,
        participants=Count(len(in_scope)),
        by_district=by_district,
        by_kind=by_kind,
        modules=module_rows,
        sessions=session_rows,
        questionnaire=questionnaire_rows,
    )


# --- the pseudonymised exports ----------------------------------------------------------------

PERSON_COLUMNS = [
    (
        "pseudonym",
        gettext_lazy(
            "Pseudonym der Person (HMAC-SHA256), in allen Exporten und Durchgängen gleich; "
            "leer = anonymisierte Bewerbung"
        ),
    ),
    ("durchgang", gettext_lazy("Nummer des Schulungsdurchgangs")),
    (
        "kommunenart",
        gettext_lazy("stadt, gemeinde, amt, verbandsgemeinde; andere = keine Kommune; < 3 = unterdrückt"),
    ),
    ("landkreis", gettext_lazy("Landkreis oder kreisfreie Stadt der Kommune; < 3 = unterdrückt")),
    (
        "bewerbungsstatus",
        gettext_lazy(
            "submitted, in_review, accepted, waitlisted, rejected, withdrawn; leer = ohne Bewerbung im Portal"
        ),
    ),
    (
        "strategie",
        gettext_lazy("Smart-City- oder Digitalstrategie der Kommune: yes, in_progress, planned, no"),
    ),
    ("eingereicht_kw", gettext_lazy("ISO-Kalenderwoche der Einreichung")),
    ("entschieden_kw", gettext_lazy("ISO-Kalenderwoche der (letzten) Entscheidung")),
    ("zurueckgezogen_kw", gettext_lazy("ISO-Kalenderwoche des Rückzugs")),
    ("platz", gettext_lazy("offered, confirmed, declined; leer = kein Platz")),
    ("sitzungen", gettext_lazy("Sitzungen des Durchgangs, die begonnen haben")),
    ("anwesend", gettext_lazy("Sitzungen mit Anwesenheit")),
    ("entschuldigt", gettext_lazy("Sitzungen mit entschuldigtem Fehlen")),
    ("abwesend", gettext_lazy("Sitzungen mit unentschuldigtem Fehlen")),
    ("module_abgeschlossen", gettext_lazy("Anzahl abgeschlossener Module")),
]
MODULE_COLUMN = "modul_{}"
CERTIFICATE_COLUMN = ("zertifikat", gettext_lazy("1 = gültiges Zertifikat ausgestellt, 0 = nicht"))
QUESTIONNAIRE_COLUMNS = [
    ("pseudonym", gettext_lazy("Pseudonym der Person, wie im Export der Teilnahme")),
    ("durchgang", gettext_lazy("Nummer des Schulungsdurchgangs")),
    ("modul", gettext_lazy("Nummer des Moduls")),
    ("beantwortet_kw", gettext_lazy("ISO-Kalenderwoche der Antwort")),
]
COMMENT_COLUMN = ("freitext", gettext_lazy("Anmerkungen der Person (Freitext)"))


@dataclass
class Table:
    """An export: column names, their explanations and the rows (lists of str or int), which
    may be an iterator that reads the database while the file is written."""

    columns: list
    descriptions: list
    rows: Iterable


# An export reads this many cohorts at a time: memory holds their rows, and the number of queries
# grows by one batch's worth for every so many cohorts the programme has run.
EXPORT_BATCH = 10


def _programme_cohort_batches() -> list[list[Cohort]]:
    """The cohorts of the portal's programme, by number, in batches of ``EXPORT_BATCH``."""
    cohorts = list(Cohort.objects.filter(programme__slug=PROGRAMME_SLUG).order_by("number"))
    return [cohorts[i : i + EXPORT_BATCH] for i in range(0, len(cohorts), EXPORT_BATCH)]


def person_export(*, now: dt.datetime | None = None) -> Table:
    """One row per received application and per enrollment without one, pseudonymised.

    Suppression of small groups and the order of the rows both work within a cohort, so the rows
    are built a batch of cohorts at a time while the file is written: memory holds one batch,
    however many cohorts the programme has run.
    """
    now = now or timezone.now()
    batches = _programme_cohort_batches()
    modules = list(Module.objects.filter(programme__slug=PROGRAMME_SLUG).order_by("position"))
    positions = [m.position for m in modules]
    columns = [name for name, _d in PERSON_COLUMNS] + [MODULE_COLUMN.format(p) for p in positions]
    columns.append(CERTIFICATE_COLUMN[0])
    descriptions = [str(d) for _n, d in PERSON_COLUMNS]
    descriptions += [
        _("Modul %(position)s: 1 = abgeschlossen, 0 = nicht abgeschlossen; leer = keine Teilnahme")
        % {"position": p}
        for p in positions
    ]
    descriptions.append(str(CERTIFICATE_COLUMN[1]))

    def rows():
        for batch in batches:
            people = _person_rows(batch, modules, now)
            yield from ([row[c] for c in columns] for row in people)

    return Table(columns, descriptions, rows())


def _person_rows(cohorts: list[Cohort], modules: list, now: dt.datetime) -> list[dict]:
    """The export rows of a batch of cohorts, suppressed and sorted: seven queries."""
    numbers = {cohort.pk: cohort.number for cohort in cohorts}
    enrollments = {
        row["pk"]: row
        for row in Enrollment.objects.filter(cohort__in=numbers).values(
            "pk", "user_id", "cohort_id", "state", "municipality__district", "municipality__kind"
        )
    }
    applications = Application.objects.filter(cohort__in=numbers, submitted_at__isnull=False).values(
        "applicant_id",
        "cohort_id",
        "status",
        "strategy",
        "submitted_at",
        "decided_at",
        "withdrawn_at",
        "enrollment_id",
        "municipality__district",
        "municipality__kind",
    )
    certified = set(
        Certificate.objects.filter(cohort__in=numbers, status=Certificate.Status.ISSUED).values_list(
            "enrollment_id", flat=True
        )
    )
    confirmed = [pk for pk, e in enrollments.items() if e["state"] == Enrollment.State.CONFIRMED]
    participation = _participation(confirmed, now, list(numbers))
    begun = Counter(s.cohort_id for s in participation.sessions if s.starts_at <= now)

    def person_row(user_id, cohort_id, district, kind, application, enrollment):
        row = {
            # An anonymised application no longer points to a person: it stays in the figures only.
            "pseudonym": pseudonym(user_id) if user_id is not None else "",
            "durchgang": numbers[cohort_id],
            "kommunenart": kind or NO_MUNICIPALITY,
            "landkreis": district or "",
            "bewerbungsstatus": application["status"] if application else "",
            "strategie": application["strategy"] if application else "",
            "eingereicht_kw": iso_week(application["submitted_at"]) if application else "",
            "entschieden_kw": iso_week(application["decided_at"]) if application else "",
            "zurueckgezogen_kw": iso_week(application["withdrawn_at"]) if application else "",
            "platz": enrollment["state"] if enrollment else "",
        }
        if enrollment and enrollment["state"] == Enrollment.State.CONFIRMED:
            statuses = Counter(participation.attendance.get(enrollment["pk"], {}).values())
            done = {m.position: participation.completed(enrollment["pk"], cohort_id, m.pk) for m in modules}
            row.update(
                sitzungen=begun[cohort_id],
                anwesend=statuses[Attendance.Status.PRESENT],
                entschuldigt=statuses[Attendance.Status.EXCUSED],
                abwesend=statuses[Attendance.Status.ABSENT],
                module_abgeschlossen=sum(done.values()),
            )
            row.update({MODULE_COLUMN.format(p): int(d) for p, d in done.items()})
            row["zertifikat"] = int(enrollment["pk"] in certified)
        else:
            row.update(dict.fromkeys(["sitzungen", "anwesend", "entschuldigt", "abwesend"], ""))
            row["module_abgeschlossen"] = ""
            row.update({MODULE_COLUMN.format(m.position): "" for m in modules})
            row["zertifikat"] = ""
        return row

    rows = []
    linked = set()
    for application in applications:
        enrollment = enrollments.get(application["enrollment_id"])
        linked.add(application["enrollment_id"])
        district = application["municipality__district"]
        kind = application["municipality__kind"]
        if enrollment and enrollment["municipality__kind"]:
            district, kind = enrollment["municipality__district"], enrollment["municipality__kind"]
        rows.append(
            person_row(
                application["applicant_id"], application["cohort_id"], district, kind, application, enrollment
            )
        )
    for pk, enrollment in enrollments.items():
        if pk not in linked:
            rows.append(
                person_row(
                    enrollment["user_id"],
                    enrollment["cohort_id"],
                    enrollment["municipality__district"],
                    enrollment["municipality__kind"],
                    None,
                    enrollment,
                )
            )
    protect_regions(rows, cohort="durchgang", district="landkreis", kind="kommunenart")
    # Sorted by cohort and pseudonym: the order of the rows tells nothing about who applied first.
    rows.sort(key=lambda row: (row["durchgang"], row["pseudonym"]))
    return rows


def questionnaire_export() -> Table:
    """Every answer to the questionnaire, with the pseudonym as the only link to a person; read
    batch of cohorts at a time while the file is written."""
    batches = _programme_cohort_batches()

    def rows():
        for batch in batches:
            numbers = {cohort.pk: cohort.number for cohort in batch}
            answers = QuestionnaireResponse.objects.filter(enrollment__cohort__in=numbers).values_list(
                "enrollment__user_id",
                "enrollment__cohort_id",
                "module__position",
                "submitted_at",
                *ITEM_FIELDS,
                "comment",
            )
            block = []
            for user_id, cohort_id, position, submitted_at, *values in answers:
                *items, comment = values
                block.append(
                    [
                        pseudonym(user_id),
                        numbers[cohort_id],
                        position,
                        iso_week(submitted_at),
                        *(v or "" for v in items),
                        comment,
                    ]
                )
            block.sort(key=lambda row: (row[1], row[2], row[0]))
            yield from block

    columns = [*QUESTIONNAIRE_COLUMNS]
    columns += [
        (
            column,
            _("1 (trifft gar nicht zu) bis 5 (trifft voll zu), leer = keine Angabe: %(statement)s")
            % {"statement": statement},
        )
        for _field, statement, column in ITEMS
    ]
    columns.append(COMMENT_COLUMN)
    return Table([name for name, _d in columns], [str(d) for _n, d in columns], rows())


# --- the participant's questionnaires ---------------------------------------------------------


@dataclass
class QuestionnaireStatus:
    module: Module
    opens_at: dt.datetime | None  # end of the module's last session; None: not scheduled
    answered_at: dt.datetime | None
    is_open: bool


def questionnaire_overview(enrollment: Enrollment, *, now: dt.datetime | None = None) -> list:
    """Every module of the participant's programme with the state of its questionnaire: three queries."""
    now = now or timezone.now()
    modules = Module.objects.filter(programme_id=enrollment.cohort.programme_id).order_by("position")
    ends = defaultdict(list)
    for module_id, ends_at in Session.objects.filter(cohort_id=enrollment.cohort_id).values_list(
        "module_id", "ends_at"
    ):
        ends[module_id].append(ends_at)
    answered = dict(enrollment.questionnaire_responses.values_list("module_id", "submitted_at"))
    rows = []
    for module in modules:
        opens_at = max(ends[module.pk], default=None)
        rows.append(
            QuestionnaireStatus(
                module=module,
                opens_at=opens_at,
                answered_at=answered.get(module.pk),
                is_open=opens_at is not None and opens_at <= now and module.pk not in answered,
            )
        )
    return rows


# --- the dashboard's snapshot -----------------------------------------------------------------

# The dashboard's figures cover the programme's whole history, so computing them costs more as
# the programme grows. The page shows a snapshot instead: computed on first use, kept in the cache,
# and computed afresh every few minutes by a beat task (``evaluation.tasks.refresh_statistics``).
SNAPSHOT_MAX_AGE = 60 * 60


def _snapshot_key(scope_number: int | None, language: str) -> str:
    return f"evaluation:statistics:{scope_number or 'all'}:{language}"


def statistics_snapshot(*, scope_number: int | None = None) -> tuple[Statistics, dt.datetime]:
    """The dashboard's figures and when they were computed, from the cache where it has them."""
    key = _snapshot_key(scope_number, translation.get_language() or settings.LANGUAGE_CODE)
    snapshot = cache.get(key)
    if snapshot is None:
        at = timezone.now()
        snapshot = (dashboard_statistics(scope_number=scope_number, now=at), at)
        cache.set(key, snapshot, SNAPSHOT_MAX_AGE)
    return snapshot


def refresh_snapshots(*, now: dt.datetime | None = None) -> int:
    """Compute the programme-wide figures afresh in every language; cohort views follow on use."""
    at = now or timezone.now()
    statistics = None
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            statistics = dashboard_statistics(now=at)
            cache.set(_snapshot_key(None, language), (statistics, at), SNAPSHOT_MAX_AGE)
    for cohort in statistics.cohorts if statistics else []:
        for language, _name in settings.LANGUAGES:
            cache.delete(_snapshot_key(cohort.number, language))
    return len(settings.LANGUAGES)
