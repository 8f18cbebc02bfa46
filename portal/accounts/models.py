"""The portal's user: one account per person, signed in by e-mail address."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


# A first and a last name as sign-up and profile accept them (AbstractUser's own limit); the
# certificate holds both with a space between (certificates.Certificate.holder_name).
NAME_MAX_LENGTH = 150
FULL_NAME_MAX_LENGTH = 2 * NAME_MAX_LENGTH + 1


class User(AbstractUser):
    """A person with an account. The e-mail address is the login."""

    class Language(models.TextChoices):
        GERMAN = "de", _("Deutsch")
        ENGLISH = "en", _("English")

    username = None
    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    language = models.CharField(
        _("bevorzugte Sprache"), max_length=2, choices=Language.choices, default=Language.GERMAN
    )
    # The person chose the language (at sign-up, with the switch while signed in, in the profile).
    # Until then a language chosen with the switch before logging in is taken over at login.
    language_chosen = models.BooleanField(_("Sprache selbst gewählt"), default=False, editable=False)
    reminders_opt_out = models.BooleanField(
        _("keine Erinnerungen per E-Mail"),
        default=False,
        help_text=_(
            "Erinnerungen an Fristen, Sitzungen und Abgaben sowie die Wochenübersicht werden nicht "
            "verschickt. Entscheidungen, Bestätigungen und Zertifikate erhalten Sie immer."
        ),
    )
    # Art. 17 DSGVO: a person asked for deletion while data still had to be kept. The account is
    # locked and minimised; the retention job erases it when the last obligation ends.
    erasure_requested_at = models.DateTimeField(
        _("Löschung beantragt am"), null=True, blank=True, editable=False
    )
    # The account was erased but its row had to stay as an empty shell, because kept records
    # (a certificate's enrollment, an author's review) still point to it.
    erased_at = models.DateTimeField(_("anonymisiert am"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("Benutzer:in")
        verbose_name_plural = _("Benutzer:innen")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]
        indexes = [
            # The nightly retention run finds the few accounts whose erasure is still pending.
            models.Index(
                fields=["erasure_requested_at"],
                condition=models.Q(erasure_requested_at__isnull=False, erased_at__isnull=True),
                name="user_erasure_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email
