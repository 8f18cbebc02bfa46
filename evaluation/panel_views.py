"""The evaluators' view of the waves: response rates, the pre/post comparison, and the export
with its codebook. Nothing per person; the dashboard's disclosure rules apply."""

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from cohorts.models import Cohort

from . import panel, panel_export
from .charts import trend_chart
from .disclosure import THRESHOLD

logger = logging.getLogger(__name__)

VIEW_STATISTICS = "evaluation.view_statistics"
EXPORT = "evaluation.export_pseudonymised"


def _cohort_id(request) -> int | None:
    value = request.GET.get("durchgang", "")
    if not value:
        return None
    if not value.isdigit() or not Cohort.objects.filter(pk=int(value)).exists():
        raise Http404
    return int(value)


@login_required
def waves_dashboard(request):
    if not request.user.has_perm(VIEW_STATISTICS):
        raise PermissionDenied
    cohort_id = _cohort_id(request)
    district = request.GET.get("kreis", "")[:120] or None
    if cohort_id is None and district is None:
        rates, trends, computed_at = panel.programme_panel()
    else:
        rates, computed_at = panel.response_rates(cohort_id=cohort_id), None
        trends = panel.trends(cohort_id=cohort_id, district=district)
    return render(
        request,
        "evaluation/waves.html",
        {
            "rates": rates,
            "trends": trends,
            "computed_at": computed_at,
            "chart": trend_chart(trends),
            "cohorts": Cohort.objects.order_by("start_date").only("pk", "title", "title_en", "number"),
            "cohort_id": cohort_id,
            "district": district or "",
            "may_export": request.user.has_perm(EXPORT),
            "threshold": THRESHOLD,
        },
    )


@login_required
def waves_export(request):
    if not request.user.has_perm(EXPORT):
        raise PermissionDenied
    cohort_id = _cohort_id(request)
    logger.info("Wave export downloaded by user %s", request.user.pk)
    response = FileResponse(
        panel_export.build_zip(cohort_id=cohort_id),
        content_type="application/zip",
        as_attachment=True,
        filename=f"evaluation-wellen-{timezone.localdate():%Y-%m-%d}.zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
