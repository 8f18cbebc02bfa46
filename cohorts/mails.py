"""Which staff may read the outbox messages about a cohort's seats (see ``portal.mail.visible_mails``)."""

from portal.accounts import roles
from portal.mail import register_mail_scope

from .models import Enrollment


def coordinated(user):
    """Coordinators read the messages of the cohorts they coordinate."""
    return Enrollment.objects.filter(
        cohort__coordinators=user, cohort__coordinators__groups__name=roles.COORDINATORS
    ).values("pk")


register_mail_scope("cohorts.enrollment", coordinated)
