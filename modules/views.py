from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cohorts.models import Cohort, Enrollment
from cohorts.selectors import can_coordinate, current_enrollment
from portal.accounts import roles
from portal.files import private_download
from portal.web import spreadsheets
from portal.web.ratelimit import allow

from . import selectors, services
from .calendar import cohort_calendar
from .coordination import coordination_home
from .coordination import progress_matrix as scannable_matrix
from .forms import ScheduleFormSet, schedule_initial
from .models import Attendance, Material, Module, Session, TaskSubmission
from .selectors import UploadError

# --- participants ----------------------------------------------------------------------------


@login_required
def participant_dashboard(request):
    enrollment = current_enrollment(request.user)
    if enrollment is None:
        return render(request, "modules/no_enrollment.html", status=404)
    return _render_dashboard(request, enrollment)


def _render_dashboard(request, enrollment: Enrollment, *, upload_error: UploadError | None = None):
    """The participant's page; with ``upload_error`` the refused upload's form shows why, and the
    answer is a 400."""
    page = selectors.participant_dashboard(enrollment, upload_error=upload_error)
    return render(
        request,
        "modules/participant_dashboard.html",
        {
            "enrollment": page.enrollment,
            "progress": page.progress,
            "cards": page.cards,
            "next_session": page.next_session,
            "certificates": page.certificates,
            "returned": page.returned,
            "upload_error": upload_error,
        },
        status=400 if upload_error else 200,
    )


@login_required
def calendar_file(request):
    enrollment = current_enrollment(request.user)
    if enrollment is None:
        raise Http404
    sessions = selectors.cohort_sessions(enrollment.cohort)
    response = HttpResponse(
        cohort_calendar(enrollment.cohort, sessions), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="smart-city-manager-{enrollment.cohort.number}.ics"'
    )
    return response


@login_required
def material_download(request, pk: int):
    material = get_object_or_404(Material.objects.select_related("module", "cohort"), pk=pk)
    if not selectors.may_open_material(request.user, material) or not material.file:
        raise Http404
    return private_download(material.file, material.file_name)


@login_required
@require_POST
def task_upload(request, module_pk: int):
    """A practical task or make-up work. A refused upload answers with the page and the reason at
    the upload's own form; the page says plainly that the file was not kept."""
    enrollment = current_enrollment(request.user)
    if enrollment is None:
        raise Http404
    module = get_object_or_404(Module, pk=module_pk, programme_id=enrollment.cohort.programme_id)
    kind = request.POST.get("kind", TaskSubmission.Kind.TASK)
    if kind not in TaskSubmission.Kind.values:
        raise Http404
    upload = request.FILES.get("file")
    if not upload:
        reason = _("Bitte wählen Sie eine Datei aus.")
    elif not allow(request, "upload", limit=30, window=600):
        reason = _(
            "Die Datei wurde nicht gespeichert. Sie haben in kurzer Zeit sehr viele Dateien "
            "hochgeladen. Bitte warten Sie einige Minuten und wählen Sie die Datei dann erneut aus."
        )
    else:
        try:
            services.upload_task(
                enrollment=enrollment,
                module=module,
                file=upload,
                user=request.user,
                at=timezone.now(),
                kind=kind,
            )
        except ValidationError as exc:
            reason = " ".join([_("Die Datei wurde nicht gespeichert."), *exc.messages])
        else:
            messages.success(
                request,
                _("Ihre Abgabe für „%(module)s“ ist eingegangen.") % {"module": module.localized_title},
            )
            return redirect("modules:dashboard")
    return _render_dashboard(
        request, enrollment, upload_error=UploadError(module=module.pk, kind=kind, message=reason)
    )


@login_required
def submission_download(request, pk: int):
    submission = get_object_or_404(TaskSubmission.objects.select_related("enrollment__cohort"), pk=pk)
    cohort = submission.enrollment.cohort
    if submission.enrollment.user_id != request.user.pk and not can_coordinate(request.user, cohort):
        raise Http404
    return private_download(submission.file, submission.file_name)


# --- coordinators -----------------------------------------------------------------------------


def _coordinated_cohort(request, pk: int) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    if not can_coordinate(request.user, cohort):
        raise Http404
    return cohort


@login_required
def coordination(request):
    if not request.user.is_superuser and not roles.in_group(request.user, roles.COORDINATORS):
        raise PermissionDenied
    home = coordination_home(request.user)
    return render(request, "modules/coordination.html", {"cohorts": home.cohorts, "earlier": home.earlier})


@login_required
def progress_matrix(request, pk: int):
    cohort = _coordinated_cohort(request, pk)
    matrix = scannable_matrix(cohort, only=request.GET.get("nur", ""))
    return render(
        request,
        "modules/progress_matrix.html",
        {"cohort": cohort, "matrix": matrix, "filters": FILTER_LABELS},
    )


FILTER_LABELS = [
    ("", gettext_lazy("alle")),
    ("offen", gettext_lazy("nur offene")),
    ("gefaehrdet", gettext_lazy("nur gefährdet")),
]


@login_required
def schedule(request, pk: int):
    """Every module's sessions of a cohort in one form; all rows are saved together or, with the
    reasons at the rows, none."""
    cohort = _coordinated_cohort(request, pk)
    modules = selectors.programme_modules(cohort)
    sessions = list(selectors.cohort_sessions(cohort))
    formset = ScheduleFormSet(
        request.POST or None,
        initial=schedule_initial(sessions, modules),
        existing=len(sessions),
        form_kwargs={"modules": modules},
        prefix="sitzung",
    )
    if request.method == "POST" and formset.is_valid():
        forms = formset.filled_forms()
        try:
            services.schedule_cohort(cohort=cohort, plan=[form.planned() for form in forms], by=request.user)
        except ValidationError as exc:
            for key, reasons in exc.message_dict.items():
                form = forms[int(key.removeprefix("row-"))]
                for reason in reasons:
                    form.add_error(None, reason)
        else:
            messages.success(request, _("Die Termine sind gespeichert."))
            return redirect("modules:schedule", pk=cohort.pk)
    return render(
        request,
        "modules/schedule.html",
        {"cohort": cohort, "formset": formset, "modules": modules},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def progress_csv(request, pk: int):
    cohort = _coordinated_cohort(request, pk)
    matrix = selectors.progress_matrix(cohort)
    modules, sessions, rows = matrix.modules, matrix.sessions, matrix.rows
    labels = dict(Attendance.Status.choices)
    header = (
        [_("Name"), _("E-Mail"), _("Kommune")]
        + [f"{s.module.position}: {timezone.localtime(s.starts_at):%d.%m.%Y %H:%M}" for s in sessions]
        + [_("Modul %(n)s") % {"n": m.position} for m in modules]
        + [_("abgeschlossen")]
    )
    lines = []
    for row in rows:
        user = row.enrollment.user
        attendance = row.modules[0].attendance if row.modules else {}
        lines.append(
            [user.get_full_name(), user.email, str(row.enrollment.municipality or "")]
            + [labels.get(attendance.get(s.pk), "") for s in sessions]
            + [_("ja") if m.completed else _("nein") for m in row.modules]
            + [f"{row.completed_count}/{len(row.modules)}"]
        )
    response = HttpResponse(spreadsheets.to_csv(header, lines), content_type=spreadsheets.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="fortschritt-durchgang-{cohort.number}.csv"'
    return response


@login_required
def session_attendance(request, pk: int):
    session = get_object_or_404(Session.objects.select_related("cohort", "module"), pk=pk)
    if not can_coordinate(request.user, session.cohort):
        raise Http404
    sheet = selectors.attendance_sheet(session)
    if request.method == "POST":
        statuses = {
            e.pk: request.POST.get(f"status-{e.pk}", Attendance.Status.ABSENT) for e in sheet.enrollments
        }
        try:
            services.record_attendance(session=session, statuses=statuses, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Die Anwesenheit ist gespeichert."))
            return redirect("modules:progress", pk=session.cohort_id)
    return render(
        request,
        "modules/session_attendance.html",
        {
            "session": session,
            "rows": sheet.rows,
            "statuses": Attendance.Status.choices,
            "recorded": bool(sheet.recorded),
        },
    )


@login_required
@require_POST
def review_submission(request, pk: int):
    submission = get_object_or_404(TaskSubmission.objects.select_related("enrollment__cohort"), pk=pk)
    if not can_coordinate(request.user, submission.enrollment.cohort):
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


def home(request):
    """The public landing page: the programme, its modules, the cohorts and who took part."""
    page = selectors.landing()
    return render(
        request,
        "modules/home.html",
        {
            "programme": page.programme,
            "modules": page.modules,
            "cohorts": page.cohorts,
            "more_past_cohorts": page.more_past,
            "open_cohort": page.open_cohort,
            "upcoming_cohort": page.upcoming_cohort,
            "days_left": page.days_left,
            "participating_municipalities": page.totals.municipalities,
            "participant_total": page.totals.participants,
        },
    )


ARCHIVE_PAGE_SIZE = 25


def cohort_archive(request):
    """Every cohort the programme ran, newest first, a page at a time."""
    archive = selectors.cohort_archive(request.GET.get("seite"), per_page=ARCHIVE_PAGE_SIZE)
    return render(request, "modules/cohort_archive.html", {"page": archive.page, "cohorts": archive.cohorts})
