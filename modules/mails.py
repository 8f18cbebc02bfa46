"""Which staff may read the outbox messages about sessions and task deadlines
(see ``portal.mail.visible_mails``): the coordinators of their cohort."""

from portal.accounts import roles
from portal.mail import register_mail_scope

from .models import Session, TaskDeadline


def _coordinated(model):
    def scope(user):
        return model.objects.filter(
            cohort__coordinators=user, cohort__coordinators__groups__name=roles.COORDINATORS
        ).values("pk")

    return scope


register_mail_scope("modules.session", _coordinated(Session))
register_mail_scope("modules.taskdeadline", _coordinated(TaskDeadline))
