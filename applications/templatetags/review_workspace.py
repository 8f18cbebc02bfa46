"""The reviewer's queue on the admin's start page."""

from django import template

from ..models import InformationRequest
from ..review_selectors import review_queue

register = template.Library()


@register.inclusion_tag("admin/applications/_queue.html", takes_context=True)
def review_queue_panel(context):
    """The signed-in reviewer's assigned applications, unscored first (one query); nothing for
    people who do not review applications."""
    user = context["request"].user
    if not user.has_perm("applications.view_application"):
        return {"show": False}
    return {"show": True, "queue": review_queue(reviewer=user), "request": context["request"]}


@register.inclusion_tag("applications/_requests.html", takes_context=True)
def open_requests(context):
    """The signed-in applicant's open Rückfragen (one query)."""
    user = context["request"].user
    return {
        "open_requests": InformationRequest.objects.filter(
            application__applicant=user, answered_at__isnull=True
        ).select_related("application")
    }
