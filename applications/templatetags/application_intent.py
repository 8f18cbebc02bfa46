"""Which cohort a person signing in or signing up wants to apply to, for the account pages' texts."""

from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve
from django.utils import timezone

from cohorts.models import Cohort
from portal.accounts.navigation import local_path, remembered_destination

register = template.Library()


def cohort_of(path: str | None) -> Cohort | None:
    """The cohort whose application form ``path`` leads to, or None."""
    if not path:
        return None
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    if match.view_name == "applications:start_for_cohort":
        return Cohort.objects.filter(number=match.kwargs["number"]).first()
    if match.view_name == "applications:start":
        return Cohort.objects.accepting_applications(timezone.now()).first()
    return None


@register.simple_tag(takes_context=True)
def application_intent(context) -> Cohort | None:
    """The cohort of the ``next`` address of this request, else of the remembered destination."""
    request = context.get("request")
    if request is None:
        return None
    sent = request.POST.get("next") or request.GET.get("next")
    return cohort_of(local_path(sent)) or cohort_of(remembered_destination(request))
