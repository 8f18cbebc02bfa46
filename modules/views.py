from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from cohorts.models import Cohort, Enrollment, Programme
from portal.models import Municipality

from .models import Module

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
    open_cohort = next((c for c in cohorts if c.accepts_applications(now)), None)
    upcoming = next((c for c in cohorts if c.applications_open_at > now), None)
    days_left = None
    if open_cohort:
        days_left = (open_cohort.applications_close_on - timezone.localdate(now)).days
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
            "past_cohorts": [c for c in cohorts if c.end_date < timezone.localdate(now)],
            "open_cohort": open_cohort,
            "upcoming_cohort": upcoming,
            "days_left": days_left,
            "participating_municipalities": municipalities,
            "participant_total": sum(c.participant_count for c in cohorts),
        },
    )
