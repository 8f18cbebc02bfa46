"""Which staff may read the outbox messages about certificates (see ``portal.mail.visible_mails``):
the coordinators of the certificate's cohort."""

from django.utils.translation import gettext_lazy

from portal.accounts import roles
from portal.mail import register_kind_label, register_mail_scope

from .models import Certificate


def coordinated(user):
    return Certificate.objects.filter(
        cohort__coordinators=user, cohort__coordinators__groups__name=roles.COORDINATORS
    ).values("pk")


register_mail_scope("certificates.certificate", coordinated)

register_kind_label("certificate-revoked", gettext_lazy("Zertifikat widerrufen"))
register_kind_label("certificate-second-copy", gettext_lazy("Zweitschrift eines Zertifikats"))
