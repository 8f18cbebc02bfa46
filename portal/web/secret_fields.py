"""Fields that hold a secret, and the admin's refusal to filter on them.

The admin's changelist accepts lookups in the query string (``?field__startswith=J``) on any
field of the model. On a field holding a secret that is an oracle: an account allowed to open the
list learns the secret character by character from which rows remain, without ever seeing it.
So every lookup whose path touches one of the fields below, directly or through a relation
(``?user__password__startswith=``), is refused for every model admin, whatever role asks
(``install``); Django answers 400. Search, filters and sorting never name them either
(tested in ``tests/security/test_admin_secrets.py``).

Add a field here when a model stores a secret.
"""

from django.contrib.admin import ModelAdmin
from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP

SECRET_FIELDS: dict[str, set[str]] = {
    # password hashes
    "portal.user": {"password"},
    # TOTP secret and the seed of the recovery codes (allauth)
    "mfa.authenticator": {"data"},
    # a mail with its one-time link, sealed until it is sent (portal.mail)
    "portal.outboxmessage": {"sealed_content"},
    # the code that, with the number, proves a certificate at the verification page
    "certificates.certificate": {"verification_code"},
    # the audit log holds earlier values of every logged field
    "auditlog.logentry": {"changes", "changes_text", "serialized_data", "additional_data"},
    # what a failed login sent, and a hash of the session
    "axes.accessattempt": {"get_data", "post_data"},
    "axes.accesslog": {"session_hash"},
    # allauth's confirmation keys and Django's sessions (no admin, listed for completeness)
    "account.emailconfirmation": {"key"},
    "sessions.session": {"session_key", "session_data"},
}


def is_secret(model, field_name: str) -> bool:
    return field_name in SECRET_FIELDS.get(model._meta.label_lower, set())


def touches_secret(model, lookup: str) -> bool:
    """Whether the lookup path (``user__password__startswith``) reaches a secret field."""
    for part in lookup.split(LOOKUP_SEP):
        if model is None:
            return False
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup or transform (startswith, year, ...): the path has ended
        if is_secret(model, field.name):
            return True
        model = field.related_model if field.is_relation else None
    return False


_django_lookup_allowed = ModelAdmin.lookup_allowed


def _lookup_allowed(self, lookup, value, request=None):
    if touches_secret(self.model, lookup):
        return False
    return _django_lookup_allowed(self, lookup, value, request)


def install() -> None:
    """Every model admin, the project's and the installed packages', refuses lookups on secrets."""
    ModelAdmin.lookup_allowed = _lookup_allowed
