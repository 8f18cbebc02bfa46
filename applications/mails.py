"""The confirmation of a submit, and decision mails from the editable templates in the admin."""

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from portal.accounts.models import User
from portal.mail import (
    queue_mail,
    queue_mail_rendered_by_worker,
    register_kind_label,
    register_mail_scope,
    register_renderer,
    render_mail,
)
from portal.mail.models import OutboxMessage
from portal.operator.texts import operator_details

from .models import Application, MailTemplate

SUBMITTED = "application-submitted"


def queue_submission_confirmation(application: Application, *, applicant: User) -> OutboxMessage:
    """The confirmation of a binding submit. Recorded in the submit's transaction; the worker that
    sends it renders it from the submitted application, so the submit renders no template."""
    return queue_mail_rendered_by_worker(
        kind=SUBMITTED,
        related=application,
        recipient=applicant.email,
        user=applicant,
        idempotency_key=f"{SUBMITTED}:{application.pk}",
    )


def render_submission_confirmations(messages: list[OutboxMessage]) -> dict[int, tuple[str, str, str]]:
    applications = (
        Application.objects.filter(pk__in=[message.related_id for message in messages])
        .exclude(reference="")
        .select_related("cohort", "applicant", "municipality")
        .order_by()
        .in_bulk()
    )
    rendered = {}
    for message in messages:
        application = applications.get(message.related_id)
        if application is not None:
            context = {
                "application": application,
                "cohort": application.cohort,
                "user": application.applicant,
                "operator": operator_details(),
            }
            rendered[message.pk] = render_mail("applications/submitted", context, message.language)
    return rendered


register_renderer(SUBMITTED, render_submission_confirmations)
register_kind_label(SUBMITTED, gettext_lazy("Eingangsbestätigung der Bewerbung"))
register_kind_label("application-information-request", gettext_lazy("Rückfrage zur Bewerbung"))
for _kind in MailTemplate.Kind:
    register_kind_label(
        f"decision-{_kind.value}", format_lazy("{}: {}", gettext_lazy("Entscheidung"), _kind.label)
    )

# No loaders: an editable template cannot include or extend files of the project.
ENGINE = Engine(loaders=[], debug=False)

PLACEHOLDERS = {
    "name": "Name der Bewerberin oder des Bewerbers",
    "reference": "Aktenzeichen, z. B. SCM-3-0042",
    "cohort": "Titel des Schulungsdurchgangs",
    "start": "Beginn des Durchgangs (TT.MM.JJJJ)",
    "end": "Ende des Durchgangs (TT.MM.JJJJ)",
    "respond_by": "Rückmeldefrist für den Platz (TT.MM.JJJJ)",
    "reason": "Begründung der Entscheidung (falls angegeben)",
    "link": "Link zum Portal",
}


def decision_context(application: Application, *, reason: str = "") -> dict:
    cohort = application.cohort
    enrollment = application.enrollment
    return {
        "name": application.applicant.get_full_name() or application.applicant.email,
        "reference": application.reference,
        "cohort": cohort.localized_title,
        "start": cohort.start_date.strftime("%d.%m.%Y"),
        "end": cohort.end_date.strftime("%d.%m.%Y"),
        "respond_by": enrollment.respond_by.strftime("%d.%m.%Y")
        if enrollment and enrollment.respond_by
        else "",
        "reason": reason,
        "link": settings.PORTAL_BASE_URL.rstrip("/") + reverse("applications:dashboard"),
    }


def render_template_text(source: str, context: dict) -> str:
    return ENGINE.from_string(source).render(Context(context, autoescape=False))


def check_template_source(source: str) -> None:
    """Raise TemplateSyntaxError for a template that does not render."""
    render_template_text(source, {key: key for key in PLACEHOLDERS})


def render_decision(template: MailTemplate, context: dict) -> tuple[str, str, str]:
    subject = " ".join(render_template_text(template.subject, context).split())
    text = render_template_text(template.body, context)
    return subject, text, linebreaks(escape(text))


def template_for(kind: str, language: str) -> MailTemplate:
    templates = {t.language: t for t in MailTemplate.objects.filter(kind=kind)}
    return templates.get(language) or templates.get("de") or next(iter(templates.values()))


def queue_decision_mail(application: Application, *, kind: str, reason: str, key: str):
    applicant = application.applicant
    template = template_for(kind, applicant.language)
    with translation.override(template.language):  # the cohort's title in the mail's language
        context = decision_context(application, reason=reason)
    subject, text, html = render_decision(template, context)
    return queue_mail(
        recipient=applicant.email,
        subject=subject,
        body_text=text,
        body_html=html,
        kind=f"decision-{kind}",
        idempotency_key=key,
        user=applicant,
        language=applicant.language,
        related=application,
    )


# --- Who may read the messages about an application (see ``portal.mail.visible_mails``) -------


def _reviewable(user):
    """Applications a reviewer may review: every submitted one; a draft is the applicant's alone."""
    if not user.has_perm("applications.view_application"):
        return None
    return Application.objects.exclude(status=Application.Status.DRAFT)


def reviewable_applications(user):
    applications = _reviewable(user)
    return None if applications is None else applications.values("pk")


def reviewable_enrollments(user):
    """The seat offered with an accepted application belongs to that application."""
    applications = _reviewable(user)
    return (
        None if applications is None else applications.filter(enrollment__isnull=False).values("enrollment")
    )


register_mail_scope("applications.application", reviewable_applications)
register_mail_scope("cohorts.enrollment", reviewable_enrollments)


__all__ = [
    "TemplateSyntaxError",
    "queue_submission_confirmation",
    "PLACEHOLDERS",
    "queue_decision_mail",
    "render_decision",
    "decision_context",
]
