"""Reads about the programme, its state's municipalities, seats and coordination, for every app
above ``cohorts``."""

from django.conf import settings
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce

from portal.accounts import roles
from portal.accounts.models import User
from portal.models import Municipality

from .models import Cohort, Enrollment, Programme

# The programme a portal runs when its state has none yet (and the first programme's slug).
DEFAULT_PROGRAMME_SLUG = "smart-city-manager"


def programme_slug():
    """The slug of the programme this portal runs, for a query's filter: ``PORTAL_PROGRAMME`` if
    set, else the newest programme of ``PORTAL_STATE`` (``DEFAULT_PROGRAMME_SLUG`` while the state
    has none), as a subquery of the query that uses it, so it costs no query of its own. Other
    programmes' data (the nationwide rollout, another operator) may share the database; pages,
    filters and exports show this one's. Read when the query is built, so settings may change."""
    if settings.PORTAL_PROGRAMME:
        return settings.PORTAL_PROGRAMME
    newest = Programme.objects.filter(state=settings.PORTAL_STATE).order_by("-pk").values("slug")[:1]
    return Coalesce(Subquery(newest), Value(DEFAULT_PROGRAMME_SLUG))


def programme_municipalities():
    """The municipalities of the portal's programme's state (``PORTAL_STATE`` until the programme
    exists), by the state index: the state is a subquery, not a query of its own."""
    state = Programme.objects.filter(slug=programme_slug()).values("state")[:1]
    return Municipality.objects.filter(state=Coalesce(Subquery(state), Value(settings.PORTAL_STATE)))


def current_enrollment(user: User) -> Enrollment | None:
    """The participant's latest confirmed seat, the one "Mein Kurs" shows (one query, with its
    cohort, programme and municipality)."""
    return (
        Enrollment.objects.confirmed()
        .filter(user=user)
        .select_related("cohort__programme", "municipality")
        .order_by("-cohort__start_date")
        .first()
    )


def can_coordinate(user: User, cohort: Cohort) -> bool:
    """Coordinators act only on the cohorts they are assigned to; a superuser on every cohort."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return roles.in_group(user, roles.COORDINATORS) and cohort.coordinators.filter(pk=user.pk).exists()


def coordinated_by(user: User):
    """The cohorts ``user`` coordinates: all for a superuser, none for anyone outside the group."""
    if user.is_superuser:
        return Cohort.objects.all()
    return Cohort.objects.filter(coordinators=user, coordinators__groups__name=roles.COORDINATORS)
