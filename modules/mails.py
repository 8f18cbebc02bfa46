"""Which staff may read the outbox messages about sessions and task deadlines
(see ``portal.mail.visible_mails``): the coordinators of their cohort."""

from django.utils.translation import gettext_lazy

from portal.accounts import roles
from portal.mail import register_kind_label, register_mail_scope

from .models import Session, TaskDeadline, TaskSubmission


def _coordinated(model):
    def scope(user):
        return model.objects.filter(
            cohort__coordinators=user, cohort__coordinators__groups__name=roles.COORDINATORS
        ).values("pk")

    return scope


register_mail_scope("modules.session", _coordinated(Session))
register_mail_scope("modules.taskdeadline", _coordinated(TaskDeadline))


def _submissions(user):
    return TaskSubmission.objects.filter(
        enrollment__cohort__coordinators=user,
        enrollment__cohort__coordinators__groups__name=roles.COORDINATORS,
    ).values("pk")


register_mail_scope("modules.tasksubmission", _submissions)
register_kind_label("task-returned", gettext_lazy("Praxisaufgabe zur Überarbeitung zurückgegeben"))
