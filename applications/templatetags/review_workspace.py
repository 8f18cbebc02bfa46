"""The reviewer's queue on the admin's start page."""

from django import template
from django.utils.translation import gettext_lazy as _

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


# Areas of the admin that only developers use: hidden from the start page of everyone who is not
# a superuser, even where a group's permissions would show them.
INTERNAL_APPS = {"axes", "django_celery_beat", "auditlog", "sites", "socialaccount", "otp_totp"}
# Names that third-party apps leave in English.
GERMAN_NAMES = {
    ("mfa", None): _("Zwei-Faktor-Anmeldung"),
    ("mfa", "authenticator"): _("Zweite Faktoren (Authenticator-Apps)"),
}


@register.filter
def everyday_apps(app_list, user):
    """The start page's areas without the internals, with German names for English ones."""
    apps = []
    for app in app_list:
        if app["app_label"] in INTERNAL_APPS and not user.is_superuser:
            continue
        app = {**app, "name": GERMAN_NAMES.get((app["app_label"], None), app["name"])}
        app["models"] = [
            {
                **model,
                "name": GERMAN_NAMES.get((app["app_label"], model["object_name"].lower()), model["name"]),
            }
            for model in app["models"]
        ]
        apps.append(app)
    return apps
