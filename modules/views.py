import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.models import Cohort, Enrollment, Programme
from portal.downloads import private_download
from portal.models import Municipality
from portal.ratelimit import allow

from . import services
from .calendar import cohort_calendar
from .models import Attendance, Material, Module, Session, TaskSubmission
from .progress import cohort_progress, enrollment_progress


def _current_enrollment(user) -> Enrollment | None:
    return (
        Enrollment.objects.confirmed()
        .filter(user=user)
        .select_related("cohort__programme", "municipality")
        .order_by("-cohort__start_date")
        .first()
    )


# --- participants ----------------------------------------------------------------------------


@login_required
def participant_dashboard(request):
    enrollment = _current_enrollment(request.user)
    if enrollment is None:
        return render(request, "modules/no_enrollment.html", status=404)
    certificates = [c for c in enrollment.certificates.all() if c.status == "issued"]
    progress = enrollment_progress(enrollment)
    now = timezone.now()
    sessions = [s for m in progress.modules for s in m.sessions]
    next_session = min((s for s in sessions if s.ends_at > now), key=lambda s: s.starts_at, default=None)
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
    for row in progress.modules:
        row.materials = by_module.get(row.module.pk, [])
        row.needs_makeup = any(row.attendance.get(s.pk) == Attendance.Status.EXCUSED for s in row.sessions)
    return render(
        request,
        "modules/participant_dashboard.html",
        {
            "enrollment": enrollment,
            "progress": progress,
            "next_session": next_session,
            "certificates": certificates,
        },
    )


@login_required
def calendar_file(request):
    enrollment = _current_enrollment(request.user)
    if enrollment is None:
        raise Http404
    sessions = Session.objects.filter(cohort=enrollment.cohort).select_related("module").order_by("starts_at")
    response = HttpResponse(
        cohort_calendar(enrollment.cohort, sessions), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="smart-city-manager-{enrollment.cohort.number}.ics"'
    )
    return response


def _may_open_material(user, material: Material) -> bool:
    if user.has_perm("modules.view_material"):
        return (
            material.cohort is None
            or material.cohort.coordinators.filter(pk=user.pk).exists()
            or (user.is_superuser or user.groups.filter(name="reviewers").exists())
        )
    enrollments = Enrollment.objects.confirmed().filter(user=user)
    if material.cohort_id is None:
        return enrollments.filter(cohort__programme_id=material.module.programme_id).exists()
    return enrollments.filter(cohort_id=material.cohort_id).exists()


@login_required
def material_download(request, pk: int):
    material = get_object_or_404(Material.objects.select_related("module", "cohort"), pk=pk)
    if not _may_open_material(request.user, material) or not material.file:
        raise Http404
    return private_download(material.file, material.file_name)


@login_required
@require_POST
def task_upload(request, module_pk: int):
    enrollment = _current_enrollment(request.user)
    if enrollment is None:
        raise Http404
    module = get_object_or_404(Module, pk=module_pk, programme_id=enrollment.cohort.programme_id)
    kind = request.POST.get("kind", TaskSubmission.Kind.TASK)
    if kind not in TaskSubmission.Kind.values:
        raise Http404
    upload = request.FILES.get("file")
    if not allow(request, "upload", limit=30, window=600):
        messages.error(
            request,
            _("Sie haben in kurzer Zeit sehr viele Dateien hochgeladen. Bitte warten Sie einige Minuten."),
        )
        return redirect("modules:dashboard")
    if not upload:
        messages.error(request, _("Bitte wählen Sie eine Datei aus."))
        return redirect("modules:dashboard")
    try:
        services.upload_task(
            enrollment=enrollment, module=module, file=upload, user=request.user, at=timezone.now(), kind=kind
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Ihre Abgabe für „%(module)s“ ist eingegangen.") % {"module": module.localized_title}
        )
    return redirect("modules:dashboard")


@login_required
def submission_download(request, pk: int):
    submission = get_object_or_404(TaskSubmission.objects.select_related("enrollment__cohort"), pk=pk)
    cohort = submission.enrollment.cohort
    if submission.enrollment.user_id != request.user.pk and not services.can_coordinate(request.user, cohort):
        raise Http404
    return private_download(submission.file, submission.file_name)


# --- coordinators -----------------------------------------------------------------------------


def _coordinated_cohort(request, pk: int) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    if not services.can_coordinate(request.user, cohort):
        raise Http404
    return cohort


@login_required
def coordination(request):
    cohorts = Cohort.objects.order_by("-number")
    if not request.user.is_superuser:
        cohorts = cohorts.filter(coordinators=request.user)
    if not request.user.is_superuser and not request.user.groups.filter(name="coordinators").exists():
        raise PermissionDenied
    return render(request, "modules/coordination.html", {"cohorts": cohorts})


@login_required
def progress_matrix(request, pk: int):
    cohort = _coordinated_cohort(request, pk)
    modules, sessions, rows = cohort_progress(cohort)
    pending = [
        (row, module_row, submission)
        for row in rows
        for module_row in row.modules
        for submission in module_row.submission_objects.values()
        if submission.state == TaskSubmission.State.SUBMITTED
    ]
    return render(
        request,
        "modules/progress_matrix.html",
        {
            "cohort": cohort,
            "modules": modules,
            "sessions": sessions,
            "rows": rows,
            "pending": pending,
            "statuses": Attendance.Status,
        },
    )


@login_required
def progress_csv(request, pk: int):
    cohort = _coordinated_cohort(request, pk)
    modules, sessions, rows = cohort_progress(cohort)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fortschritt-durchgang-{cohort.number}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [_("Name"), _("E-Mail"), _("Kommune")]
        + [f"{s.module.position}: {timezone.localtime(s.starts_at):%d.%m.%Y %H:%M}" for s in sessions]
        + [_("Modul %(n)s") % {"n": m.position} for m in modules]
        + [_("abgeschlossen")]
    )
    labels = dict(Attendance.Status.choices)
    for row in rows:
        user = row.enrollment.user
        attendance = row.modules[0].attendance if row.modules else {}
        writer.writerow(
            [user.get_full_name(), user.email, str(row.enrollment.municipality or "")]
            + [labels.get(attendance.get(s.pk), "") for s in sessions]
            + [_("ja") if m.completed else _("nein") for m in row.modules]
            + [f"{row.completed_count}/{len(row.modules)}"]
        )
    return response


@login_required
def session_attendance(request, pk: int):
    session = get_object_or_404(Session.objects.select_related("cohort", "module"), pk=pk)
    if not services.can_coordinate(request.user, session.cohort):
        raise Http404
    enrollments = list(
        session.cohort.enrollments.confirmed()
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    recorded = {a.enrollment_id: a.status for a in Attendance.objects.filter(session=session)}
    if request.method == "POST":
        statuses = {e.pk: request.POST.get(f"status-{e.pk}", Attendance.Status.ABSENT) for e in enrollments}
        try:
            services.record_attendance(session=session, statuses=statuses, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Die Anwesenheit ist gespeichert."))
            return redirect("modules:progress", pk=session.cohort_id)
    rows = [(e, recorded.get(e.pk, Attendance.Status.PRESENT)) for e in enrollments]
    return render(
        request,
        "modules/session_attendance.html",
        {"session": session, "rows": rows, "statuses": Attendance.Status.choices, "recorded": bool(recorded)},
    )


@login_required
@require_POST
def review_submission(request, pk: int):
    submission = get_object_or_404(TaskSubmission.objects.select_related("enrollment__cohort"), pk=pk)
    if not services.can_coordinate(request.user, submission.enrollment.cohort):
        raise Http404
    try:
        services.review_task(
            submission=submission,
            accept=request.POST.get("decision") == "accept",
            comment=request.POST.get("comment", ""),
            by=request.user,
            at=timezone.now(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Die Rückmeldung ist gespeichert."))
    return redirect("modules:progress", pk=submission.enrollment.cohort_id)


# --- the public landing page ----------------------------------------------------------------

PROGRAMME_SLUG = "smart-city-manager"


def home(request):
    """The public landing page: the programme, its modules, the cohorts and who took part."""
    now = timezone.now()
    programme = Programme.objects.filter(slug=PROGRAMME_SLUG).first()
    cohorts = list(
        Cohort.objects.filter(programme=programme)
        .annotate(
            participant_count=Count("enrollments", filter=Q(enrollments__state=Enrollment.State.CONFIRMED))
        )
        .order_by("number")
    )
    today = timezone.localdate(now)
    for cohort in cohorts:
        cohort.is_past = cohort.end_date < today
    open_cohort = next((c for c in cohorts if c.accepts_applications(now)), None)
    upcoming = next((c for c in cohorts if c.applications_open_at > now), None)
    days_left = None
    if open_cohort:
        days_left = (open_cohort.applications_close_on - today).days
    municipalities = list(
        Municipality.objects.filter(
            enrollments__cohort__programme=programme, enrollments__state=Enrollment.State.CONFIRMED
        )
        .annotate(participant_count=Count("enrollments"))
        .order_by("name", "district")
    )
    return render(
        request,
        "modules/home.html",
        {
            "programme": programme,
            "modules": Module.objects.filter(programme=programme).order_by("position"),
            "cohorts": cohorts,
            "open_cohort": open_cohort,
            "upcoming_cohort": upcoming,
            "days_left": days_left,
            "participating_municipalities": municipalities,
            "participant_total": sum(c.participant_count for c in cohorts),
        },
    )
