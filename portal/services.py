"""Writes of the portal's own pages."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.mail import queue_mail
from portal.models import AccessibilityFeedback


def submit_accessibility_feedback(
    *, name: str, email: str, page: str, message: str, at: dt.datetime
) -> AccessibilityFeedback:
    """Keep a report of a barrier and mail it to the operator's accessibility contact, in German
    (the operator's language), with the sender's address to reply to."""
    with transaction.atomic():
        feedback = AccessibilityFeedback.objects.create(name=name, email=email, page=page, message=message)
        with translation.override("de"):
            context = {"feedback": feedback, "received": timezone.localtime(at)}
            subject = render_to_string("mail/portal/accessibility_feedback_subject.txt", context).strip()
            body = render_to_string("mail/portal/accessibility_feedback.txt", context)
        queue_mail(
            recipient=settings.PORTAL_OPERATOR["accessibility_email"],
            subject=subject,
            body_text=body,
            kind="accessibility-feedback",
            idempotency_key=f"accessibility-feedback:{feedback.pk}",
            language="de",
            related=feedback,
        )
    return feedback
