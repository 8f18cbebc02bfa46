"""Rückfragen: in the phase "Prüfung" a reviewer asks the applicant to complete or clarify named
fields by a date. While the request is open the application is open for exactly those fields;
the answer changes only them, closes the request with what it changed, and returns the
application to review. Each write is one transaction under the application's lock."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cohorts.models import BERLIN
from portal.accounts.models import User
from portal.mail import absolute_url, queue_templated_mail

from .models import APPLICANT_FIELDS, Application, InformationRequest, StatusChange
from .review import check_review_open

MAIL_KIND = "application-information-request"
# What a reviewer may ask about: what the applicant wrote (not the files, not the consent).
REQUESTABLE = APPLICANT_FIELDS


def field_labels(fields: list[str]) -> list[str]:
    return [str(Application._meta.get_field(name).verbose_name) for name in fields if name in REQUESTABLE]


def _lock(application_id: int) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("cohort", "applicant")
        .get(pk=application_id)
    )


def ask_applicant(
    *, application: Application, by: User, fields: list[str], message: str, due_on: dt.date, at: dt.datetime
) -> InformationRequest:
    """Ask the applicant about ``fields`` by ``due_on``; mails them through the outbox."""
    if not by.has_perm("applications.add_informationrequest"):
        raise PermissionDenied
    fields = [name for name in REQUESTABLE if name in set(fields)]
    if not fields:
        raise ValidationError(_("Bitte wählen Sie mindestens ein Feld."), code="fields")
    if due_on < at.astimezone(BERLIN).date():
        raise ValidationError(_("Die Antwortfrist darf nicht in der Vergangenheit liegen."), code="due_on")
    with transaction.atomic():
        application = _lock(application.pk)
        check_review_open(application, at=at)
        if application.applicant is None or application.status not in {
            Application.Status.SUBMITTED,
            Application.Status.IN_REVIEW,
        }:
            raise ValidationError(
                _("Zu dieser Bewerbung kann keine Rückfrage gestellt werden."), code="status"
            )
        if application.requests.filter(answered_at__isnull=True).exists():
            raise ValidationError(_("Zu dieser Bewerbung ist schon eine Rückfrage offen."), code="open")
        request = InformationRequest(
            application=application, asked_by=by, fields=fields, message=message, due_on=due_on
        )
        request.full_clean(exclude=["application", "asked_by"])
        request.save()
        queue_templated_mail(
            template="applications/information_request",
            context={
                "application": application,
                "user": application.applicant,
                "request": request,
                "field_labels": field_labels(fields),
                "url": absolute_url(reverse("applications:answer_request", args=[request.pk])),
            },
            recipient=application.applicant.email,
            user=application.applicant,
            kind=MAIL_KIND,
            idempotency_key=f"{MAIL_KIND}:{request.pk}",
            related=application,
        )
    return request


def open_request(application: Application) -> InformationRequest | None:
    return application.requests.filter(answered_at__isnull=True).first()


def answer_request(*, request_id: int, applicant: User, values: dict, at: dt.datetime) -> InformationRequest:
    """The applicant's answer: only the requested fields change; the request records the
    changes and closes, and the application is back in review."""
    with transaction.atomic():
        request = InformationRequest.objects.select_related("application").get(pk=request_id)
        application = _lock(request.application_id)
        if application.applicant_id != applicant.pk:
            raise PermissionDenied
        request = InformationRequest.objects.select_for_update().get(pk=request_id)
        if request.answered_at is not None:
            raise ValidationError(_("Diese Rückfrage ist schon beantwortet."), code="answered")
        closes = dt.datetime.combine(request.due_on + dt.timedelta(days=1), dt.time.min, tzinfo=BERLIN)
        if at >= closes:
            raise ValidationError(
                _("Die Frist für diese Rückfrage endete am %(date)s. Bitte wenden Sie sich an das Referat.")
                % {"date": date_format(request.due_on, "SHORT_DATE_FORMAT")},
                code="late",
            )
        changes = {}
        for name in request.fields:
            if name in values:
                before = getattr(application, name)
                setattr(application, name, values[name])
                if before != values[name]:
                    changes[name] = [str(before or ""), str(values[name] or "")]
        application.full_clean(
            exclude=[f.name for f in Application._meta.fields if f.name not in request.fields]
        )
        application.save(update_fields=[*request.fields, "updated_at"])
        request.answered_at, request.changes = at, changes
        request.save(update_fields=["answered_at", "changes"])
        if application.status == Application.Status.SUBMITTED:
            StatusChange.objects.create(
                application=application,
                changed_by=applicant,
                from_status=application.status,
                to_status=Application.Status.IN_REVIEW,
                reason=_("Rückfrage beantwortet"),
            )
            Application.objects.filter(pk=application.pk).update(status=Application.Status.IN_REVIEW)
    return request
