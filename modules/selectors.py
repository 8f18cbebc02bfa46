"""Reads of the curriculum's pages: the public landing page and cohort archive, the participant's
course page and the coordinators' pages. Each returns querysets or small dataclasses in a fixed
number of queries, however many participants, sessions or cohorts there are.

The landing page is what every visitor loads, so its cost must not grow with the programme's
history: it lists the cohorts that are open, running or coming and the most recent past ones
(the archive has the rest, a page at a time), and the programme's running totals (participants,
municipalities) are computed once and kept in the cache until an enrollment changes.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohorts.models import Cohort, Enrollment, Programme
from cohorts.selectors import coordinated_by, programme_slug
from portal.accounts import roles
from portal.accounts.models import User
from portal.models import Municipality

from .models import Attendance, Material, Module, Session, TaskSubmission
from .progress import EnrollmentProgress, ModuleProgress, cohort_progress, enrollment_progress

# Past cohorts the landing page lists; the archive lists them all.
RECENT_PAST = 5
TOTALS_TIMEOUT = 60 * 60


@dataclass
class Totals:
    participants: int
    # (name, district) of each municipality that has sent participants; the district is empty
    # where it is the town itself (Cottbus). Plain text: cached and shown on every landing page.
    municipalities: list[tuple[str, str]]


@dataclass(frozen=True)
class CohortRow:
    """A line of the cohorts table: a held cohort shows who took part (``participant_count``,
    annotated), the others their seats."""

    cohort: Cohort
    is_past: bool


@dataclass
class Landing:
    programme: Programme | None
    modules: list[Module]
    cohorts: list[CohortRow]
    more_past: bool
    open_cohort: Cohort | None
    upcoming_cohort: Cohort | None
    days_left: int | None
    totals: Totals


def _confirmed_count():
    """The cohort's confirmed participants as a subquery per row: PostgreSQL counts them only for
    the cohorts a page shows (after ORDER BY … LIMIT), not for every cohort the programme ran,
    as a join with GROUP BY would."""
    confirmed = (
        Enrollment.objects.filter(cohort=OuterRef("pk"), state=Enrollment.State.CONFIRMED)
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(confirmed), 0)


def totals_key(programme_id: int) -> str:
    return f"landing:totals:v2:{programme_id}"


def programme_totals(programme: Programme | None) -> Totals:
    """Participants and their municipalities over the programme's whole history, cached."""
    if programme is None:
        return Totals(participants=0, municipalities=[])

    def compute() -> Totals:
        confirmed = Enrollment.objects.filter(cohort__programme=programme, state=Enrollment.State.CONFIRMED)
        municipalities = [
            (name, "" if district == name else district)
            for name, district in Municipality.objects.filter(pk__in=confirmed.values("municipality_id"))
            .order_by("name", "district")
            .values_list("name", "district")
        ]
        return Totals(participants=confirmed.count(), municipalities=municipalities)

    return cache.get_or_set(totals_key(programme.pk), compute, TOTALS_TIMEOUT)


def _rows(cohorts, today: dt.date) -> list[CohortRow]:
    return [CohortRow(cohort=cohort, is_past=cohort.end_date < today) for cohort in cohorts]


def landing(*, now: dt.datetime | None = None) -> Landing:
    now = now or timezone.now()
    today = timezone.localdate(now)
    programme = Programme.objects.filter(slug=programme_slug()).first()
    cohorts = Cohort.objects.filter(programme=programme).annotate(participant_count=_confirmed_count())
    current = list(cohorts.filter(end_date__gte=today).order_by("number"))
    past = list(cohorts.filter(end_date__lt=today).order_by("-number")[: RECENT_PAST + 1])
    more_past = len(past) > RECENT_PAST
    shown = _rows(sorted(past[:RECENT_PAST], key=lambda c: c.number) + current, today)
    open_cohort = next((c for c in current if c.accepts_applications(now)), None)
    upcoming = next((c for c in current if c.applications_open_at > now), None)
    return Landing(
        programme=programme,
        modules=list(Module.objects.filter(programme=programme).order_by("position")),
        cohorts=shown,
        more_past=more_past,
        open_cohort=open_cohort,
        upcoming_cohort=upcoming,
        days_left=(open_cohort.applications_close_on - today).days if open_cohort else None,
        totals=programme_totals(programme),
    )


@dataclass(frozen=True)
class ArchivePage:
    page: Page
    cohorts: list[CohortRow]


def cohort_archive(page_number, *, per_page: int, now: dt.datetime | None = None) -> ArchivePage:
    """One page of every cohort of the programme, newest first: the programme, the count for the
    pager and the page, three queries."""
    today = timezone.localdate(now or timezone.now())
    programme = Programme.objects.filter(slug=programme_slug()).first()
    cohorts = (
        Cohort.objects.filter(programme=programme)
        .annotate(participant_count=_confirmed_count())
        .order_by("-number")
    )
    page = Paginator(cohorts, per_page).get_page(page_number)
    return ArchivePage(page=page, cohorts=_rows(page, today))


# --- the participant's course page --------------------------------------------------------------


@dataclass(frozen=True)
class UploadError:
    """A refused upload: the module whose form shows it, the kind of work (task or make-up) and why."""

    module: int
    kind: str
    message: str


@dataclass(frozen=True)
class ModuleCard:
    """A module on the course page: the participant's progress in it, its materials for the
    participant's cohort, whether an excused absence asks for make-up work, and a refused upload."""

    progress: ModuleProgress
    materials: list[Material]
    needs_makeup: bool
    upload_error: UploadError | None = None


@dataclass(frozen=True)
class Dashboard:
    enrollment: Enrollment
    progress: EnrollmentProgress
    cards: list[ModuleCard]
    next_session: Session | None
    certificates: list
    # Work returned for revision, for the alert at the top of the page.
    returned: list[tuple[Module, TaskSubmission]] = field(default_factory=list)


def needs_makeup(row: ModuleProgress) -> bool:
    """Whether the participant was excused from one of the module's sessions."""
    return any(row.attendance.get(s.pk) == Attendance.Status.EXCUSED for s in row.sessions)


def _materials_by_module(enrollment: Enrollment) -> dict[int, list[Material]]:
    """The programme's materials for all cohorts and the participant's own, by module."""
    materials = (
        Material.objects.filter(
            Q(cohort=enrollment.cohort) | Q(cohort__isnull=True),
            module__programme_id=enrollment.cohort.programme_id,
        )
        .select_related("module")
        .order_by("module__position", "title")
    )
    by_module = {}
    for material in materials:
        by_module.setdefault(material.module_id, []).append(material)
    return by_module


def _completed_before_the_portal(progress: EnrollmentProgress) -> None:
    """A participation certified before the portal was completed by the programme's own record
    (the import): its modules count as completed, and their tasks are not asked for any more,
    though no task was handed in through the portal."""
    for row in progress.modules:
        row.completed, row.status, row.upload_open = True, "completed", False


def participant_dashboard(
    enrollment: Enrollment, *, upload_error: UploadError | None = None, now: dt.datetime | None = None
) -> Dashboard:
    """The participant's course page; ``upload_error`` goes to the card of its module."""
    # With the record of a certificate from before the portal, for its second copy's form.
    certificates = [c for c in enrollment.certificates.select_related("imported") if c.status == "issued"]
    progress = enrollment_progress(enrollment)
    if any(hasattr(c, "imported") for c in certificates):
        _completed_before_the_portal(progress)
    now = now or timezone.now()
    sessions = [s for m in progress.modules for s in m.sessions]
    next_session = min((s for s in sessions if s.ends_at > now), key=lambda s: s.starts_at, default=None)
    materials = _materials_by_module(enrollment)
    cards = [
        ModuleCard(
            progress=row,
            materials=materials.get(row.module.pk, []),
            needs_makeup=needs_makeup(row),
            upload_error=upload_error if upload_error and upload_error.module == row.module.pk else None,
        )
        for row in progress.modules
    ]
    return Dashboard(
        enrollment=enrollment,
        progress=progress,
        cards=cards,
        next_session=next_session,
        certificates=certificates,
        returned=[
            (row.module, submission)
            for row in progress.modules
            for submission in row.submission_objects.values()
            if submission.state == TaskSubmission.State.RETURNED
        ],
    )


def cohort_sessions(cohort: Cohort):
    """The cohort's sessions in time order, with their modules (for the calendar file)."""
    return Session.objects.filter(cohort=cohort).select_related("module").order_by("starts_at")


def programme_modules(cohort: Cohort) -> list[Module]:
    """The modules of the cohort's programme, in their order."""
    return list(Module.objects.filter(programme_id=cohort.programme_id).order_by("position"))


def may_open_material(user: User, material: Material) -> bool:
    """Staff who may see materials open those for all cohorts and, unless reviewers, their own
    cohorts'; participants those of their programme or of their own cohort."""
    if user.has_perm("modules.view_material"):
        return (
            material.cohort is None
            or material.cohort.coordinators.filter(pk=user.pk).exists()
            or (user.is_superuser or roles.in_group(user, roles.REVIEWERS))
        )
    enrollments = Enrollment.objects.confirmed().filter(user=user)
    if material.cohort_id is None:
        return enrollments.filter(cohort__programme_id=material.module.programme_id).exists()
    return enrollments.filter(cohort_id=material.cohort_id).exists()


# --- the coordinators' pages ------------------------------------------------------------------


def coordination_cohorts(user: User):
    """The cohorts on the coordinator's start page, newest first."""
    return coordinated_by(user).order_by("-number")


@dataclass(frozen=True)
class PendingReview:
    """A submitted task or make-up work that waits for the coordinator's decision."""

    enrollment: Enrollment
    module: Module
    submission: TaskSubmission


@dataclass(frozen=True)
class ProgressMatrix:
    modules: list[Module]
    sessions: list[Session]
    rows: list[EnrollmentProgress]
    pending: list[PendingReview]


def pending_reviews(rows: list[EnrollmentProgress]) -> list[PendingReview]:
    """The submitted tasks and make-up work of ``rows`` that wait for a decision, oldest first."""
    pending = [
        PendingReview(enrollment=row.enrollment, module=module_row.module, submission=submission)
        for row in rows
        for module_row in row.modules
        for submission in module_row.submission_objects.values()
        if submission.state == TaskSubmission.State.SUBMITTED
    ]
    return sorted(pending, key=lambda item: (item.submission.submitted_at, item.submission.pk))


def progress_matrix(cohort: Cohort) -> ProgressMatrix:
    """Every confirmed participant's progress in the cohort, and the submissions to review."""
    modules, sessions, rows = cohort_progress(cohort)
    return ProgressMatrix(modules=modules, sessions=sessions, rows=rows, pending=pending_reviews(rows))


@dataclass(frozen=True)
class AttendanceSheet:
    """The session's confirmed participants by name and the attendance recorded so far."""

    enrollments: list[Enrollment]
    recorded: dict[int, str]

    @property
    def rows(self) -> list[tuple[Enrollment, str]]:
        """Each participant with the status to preselect: the recorded one, else present."""
        return [(e, self.recorded.get(e.pk, Attendance.Status.PRESENT)) for e in self.enrollments]


def attendance_sheet(session: Session) -> AttendanceSheet:
    enrollments = list(
        session.cohort.enrollments.confirmed()
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    recorded = {a.enrollment_id: a.status for a in Attendance.objects.filter(session=session)}
    return AttendanceSheet(enrollments=enrollments, recorded=recorded)
