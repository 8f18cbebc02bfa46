import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.selectors import current_enrollment
from modules.models import Module
from portal.web import spreadsheets

from . import export_rows, exports, instruments, module_instrument, selectors, services
from .charts import bar_chart
from .disclosure import THRESHOLD
from .wave_forms import wave_form

logger = logging.getLogger(__name__)

VIEW_STATISTICS = "evaluation.view_statistics"
EXPORT = "evaluation.export_pseudonymised"
EXPORTS = {"teilnahme": export_rows.person_export, "fragebogen": export_rows.questionnaire_export}
FORMATS = {"csv", "xlsx"}


# --- evaluators, reviewers and coordinators -----------------------------------------------------


@login_required
def dashboard(request):
    """Figures of the programme for evaluators, reviewers and coordinators; nothing per person."""
    if not request.user.has_perm(VIEW_STATISTICS):
        raise PermissionDenied
    scope = request.GET.get("durchgang", "")
    if scope and not scope.isdigit():
        raise Http404
    statistics, computed_at = selectors.statistics_snapshot(scope_number=int(scope) if scope else None)
    if scope and statistics.scope is None:
        raise Http404
    return render(
        request,
        "evaluation/dashboard.html",
        {
            "stats": statistics,
            "computed_at": computed_at,
            "district_chart": bar_chart(statistics.by_district),
            "kind_chart": bar_chart(statistics.by_kind),
            "may_export": request.user.has_perm(EXPORT),
            "threshold": THRESHOLD,
        },
    )


@login_required
def export(request, dataset: str, fmt: str):
    """A pseudonymised export, for the evaluators only."""
    if dataset not in EXPORTS or fmt not in FORMATS:
        raise Http404
    if not request.user.has_perm(EXPORT):
        raise PermissionDenied
    table = EXPORTS[dataset]()
    logger.info("Pseudonymised export %s.%s downloaded by user %s", dataset, fmt, request.user.pk)
    filename = f"evaluation-{dataset}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    # Written while it is sent, ten cohorts at a time: memory stays bounded however large the export.
    if fmt == "xlsx":
        response = FileResponse(
            exports.xlsx_file(table),
            content_type=spreadsheets.XLSX_CONTENT_TYPE,
            as_attachment=True,
            filename=filename,
        )
    else:
        response = StreamingHttpResponse(
            exports.stream_csv(table), content_type=spreadsheets.CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- participants -------------------------------------------------------------------------------


def _enrollment(request):
    enrollment = current_enrollment(request.user)
    if enrollment is None:
        raise Http404
    return enrollment


@login_required
def questionnaires(request):
    enrollment = _enrollment(request)
    return render(
        request,
        "evaluation/questionnaires.html",
        {"enrollment": enrollment, "rows": selectors.questionnaire_overview(enrollment)},
    )


@login_required
def questionnaire(request, module_pk: int):
    enrollment = _enrollment(request)
    module = get_object_or_404(Module, pk=module_pk, programme_id=enrollment.cohort.programme_id)
    (status,) = [row for row in selectors.questionnaire_overview(enrollment) if row.module.pk == module.pk]
    if status.answered_at:
        messages.info(
            request, _("Sie haben den Fragebogen zu diesem Modul bereits beantwortet. Vielen Dank!")
        )
        return redirect("evaluation:questionnaires")
    if not status.is_open:
        messages.error(
            request, _("Der Fragebogen zu diesem Modul ist erst nach seiner letzten Sitzung geöffnet.")
        )
        return redirect("evaluation:questionnaires")
    version = module_instrument.current_version()
    if version is None:
        raise Http404
    items = list(version.items.order_by("position", "pk"))
    shown = instruments.fingerprint(version, items)
    form = wave_form(items, ask_consent=False, data=request.POST or None, initial={"shown": shown})
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_questionnaire(
                enrollment=enrollment,
                module=module,
                version=version,
                shown=form.cleaned_data["shown"],
                answers=form.answers(),
                at=timezone.now(),
            )
        except ValidationError as exc:
            # Shown again with the current questions and everything typed.
            data = request.POST.copy()
            data["shown"] = shown
            form = wave_form(items, ask_consent=False, data=data)
            form.is_valid()
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Vielen Dank! Ihre Antworten sind gespeichert."))
            return redirect("evaluation:questionnaires")
    return render(
        request,
        "evaluation/questionnaire.html",
        {"enrollment": enrollment, "module": module, "form": form, "version": version},
    )
