"""Demo data for ``manage.py seed_demo``.

Each app contributes a ``demo.py`` with a ``seed(out)`` function; the command runs them in the
order of ``INSTALLED_APPS``, so an app only relies on the demo data of the apps to its left.
Everything here is idempotent.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from portal.accounts import roles
from portal.accounts.models import User
from portal.accounts.security import DEMO_TOTP_SECRET, has_authenticator
from portal.models import Municipality
from portal.municipalities import load_municipalities
from portal.operator import demo as second_operator

DEMO_PASSWORD = "Demo-Passwort-2026"  # noqa: S105 - printed for the local demo, never used in production

# (e-mail, first name, last name, group, staff)
DEMO_ACCOUNTS = [
    ("bewerberin@example.org", "Bea", "Beispiel", roles.APPLICANTS, False),
    ("teilnehmer@example.org", "Tom", "Teilnehmer", roles.PARTICIPANTS, False),
    ("pruefung@example.org", "Rita", "Referat", roles.REVIEWERS, True),
    ("koordination@example.org", "Kai", "Koordination", roles.COORDINATORS, True),
    (
        "evaluation@example.org",
        "Eva",
        "Evaluation",
        roles.EVALUATORS,
        True,
    ),  # edits the questionnaires in the admin
    ("admin@example.org", "Ada", "Admin", None, True),
]


def demo_user(email: str, first_name: str, last_name: str, *, password: str | None = None) -> User:
    """An account whose e-mail address is already confirmed."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed(out) -> None:
    out.write("Demo-Zugänge (Passwort für alle: %s):" % DEMO_PASSWORD)
    for email, first, last, group, staff in DEMO_ACCOUNTS:
        user = demo_user(email, first, last, password=DEMO_PASSWORD)
        if group:
            user.groups.add(Group.objects.get(name=group))
            if group != roles.APPLICANTS:
                user.groups.add(roles.group(roles.APPLICANTS))
        if staff and not user.is_staff:
            user.is_staff = True
            user.is_superuser = group is None
            user.save(update_fields=["is_staff", "is_superuser"])
        if (staff or group == roles.EVALUATORS) and not has_authenticator(user):
            TOTP.activate(user, DEMO_TOTP_SECRET)
        out.write(f"  {group or 'admin':<13} {email}")
    _seed_second_operator(out)
    out.write(
        "  Verwaltungs- und Evaluationszugänge melden sich mit einem zweiten Faktor an: TOTP-Schlüssel "
        f"{DEMO_TOTP_SECRET} in eine Authenticator-App eintragen (nur für die Demo)."
    )


def _seed_second_operator(out) -> None:
    """Another state's operator: its texts and made-up municipalities (its programme and cohorts
    come with the cohorts' demo)."""
    count = load_municipalities(Municipality, second_operator.MUNICIPALITIES)
    texts = second_operator.seed_texts()
    out.write(
        f"  Zweiter Betreiber (Land {second_operator.STATE}): {texts} Texte, {count} erfundene Kommunen"
    )
