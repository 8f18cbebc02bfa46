"""Cross-cutting models: the user, the Brandenburg municipalities and the mail outbox."""

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


class State(models.TextChoices):
    """The German states by their official key (Länderschlüssel, the first two digits of the AGS)."""

    SCHLESWIG_HOLSTEIN = "01", "Schleswig-Holstein"
    HAMBURG = "02", "Hamburg"
    NIEDERSACHSEN = "03", _("Niedersachsen")
    BREMEN = "04", "Bremen"
    NORDRHEIN_WESTFALEN = "05", _("Nordrhein-Westfalen")
    HESSEN = "06", _("Hessen")
    RHEINLAND_PFALZ = "07", _("Rheinland-Pfalz")
    BADEN_WUERTTEMBERG = "08", "Baden-Württemberg"
    BAYERN = "09", _("Bayern")
    SAARLAND = "10", "Saarland"
    BERLIN = "11", "Berlin"
    BRANDENBURG = "12", "Brandenburg"
    MECKLENBURG_VORPOMMERN = "13", _("Mecklenburg-Vorpommern")
    SACHSEN = "14", _("Sachsen")
    SACHSEN_ANHALT = "15", _("Sachsen-Anhalt")
    THUERINGEN = "16", _("Thüringen")


def portal_state() -> str:
    """The state this portal's programme belongs to (``PORTAL_STATE``), for new programmes."""
    from django.conf import settings

    return settings.PORTAL_STATE


class Municipality(models.Model):
    """A Brandenburg municipality, or an administrative body (Amt, Verbandsgemeinde) that employs staff.

    Loaded from the official municipality list (see ``portal/data/SOURCE.md``).
    """

    class Kind(models.TextChoices):
        STADT = "stadt", _("Stadt")
        GEMEINDE = "gemeinde", _("Gemeinde")
        AMT = "amt", _("Amt")
        VERBANDSGEMEINDE = "verbandsgemeinde", _("Verbandsgemeinde")

    key = models.CharField(
        _("Schlüssel"),
        max_length=80,
        unique=True,
        help_text=_("Amtlicher Gemeindeschlüssel, bei Ämtern ein aus dem Namen gebildeter Schlüssel."),
    )
    ags = models.CharField(_("AGS"), max_length=8, blank=True)
    name = models.CharField(_("Name"), max_length=120)
    district = models.CharField(_("Landkreis / kreisfreie Stadt"), max_length=120)
    state = models.CharField(_("Land"), max_length=2, choices=State.choices)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    administration = models.ForeignKey(
        "self",
        verbose_name=_("verwaltet durch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text=_("Amt, Verbandsgemeinde oder mitverwaltende Stadt."),
    )

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        ordering = ["name", "district"]
        indexes = [
            models.Index(fields=["district"]),
            models.Index(fields=["kind"]),
            # The application form lists one state's municipalities in this order, by this index
            # alone, however many states' lists the table holds.
            models.Index(fields=["state", "district", "name"], name="municipality_state_list_idx"),
        ]

    def __str__(self) -> str:
        # Two municipalities share a name (Golzow, Mittenwalde): show the district, unless the
        # town is a district of its own (Cottbus, Frankfurt (Oder)).
        if self.district == self.name:
            return self.name
        return f"{self.name} ({self.district})"


class OutboxMessage(models.Model):
    """Every mail the portal sends, recorded before it is sent.

    The idempotency key makes a second send of the same message impossible, even when a
    task is retried after a crash. ``portal.mail`` queues and sends; this is only the record.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("wartend")
        SENT = "sent", _("versendet")
        FAILED = "failed", _("fehlgeschlagen")
        BOUNCED = "bounced", _("unzustellbar")
        SKIPPED = "skipped", _("übersprungen")

    idempotency_key = models.CharField(_("Idempotenzschlüssel"), max_length=200, unique=True)
    kind = models.CharField(_("Art"), max_length=80)
    recipient = models.EmailField(_("Empfänger:in"))
    user = models.ForeignKey(
        User, verbose_name=_("Benutzer:in"), null=True, blank=True, on_delete=models.SET_NULL
    )
    account_id = models.PositiveBigIntegerField(
        _("Konto-ID beim Einreihen"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Bleibt erhalten, wenn das Konto gelöscht wird: Dann wird die E-Mail nicht mehr versendet."
        ),
    )
    optional = models.BooleanField(
        _("abbestellbar"),
        default=False,
        help_text=_("Erinnerungen, die Empfänger:innen in ihren E-Mail-Einstellungen abbestellen können."),
    )
    related_model = models.CharField(_("Bezug (Art)"), max_length=100, blank=True)
    related_id = models.PositiveBigIntegerField(_("Bezug (ID)"), null=True, blank=True)
    language = models.CharField(_("Sprache"), max_length=2, default="de")
    subject = models.CharField(_("Betreff"), max_length=255)
    body_text = models.TextField(_("Text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # A one-time link or code: the fields above hold a redacted copy, the delivered message is
    # sealed below until it has been sent (see ``portal.mail_secrets``).
    contains_secret = models.BooleanField(
        _("enthält Einmal-Link oder Code"),
        default=False,
        editable=False,
        help_text=_(
            "Der Link oder Code steht nur in der zugestellten E-Mail. Hier wird er nie angezeigt, "
            "auch nicht Administrator:innen."
        ),
    )
    sealed_content = models.TextField(blank=True, default="", editable=False)
    attachment = models.CharField(
        _("Anhang"), max_length=255, blank=True, help_text=_("Pfad einer Datei im geschützten Speicher.")
    )
    attachment_name = models.CharField(_("Dateiname des Anhangs"), max_length=150, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("Versuche"), default=0)
    error = models.TextField(_("Fehler oder Grund"), blank=True)
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("nächster Versuch"), null=True, blank=True)
    sent_at = models.DateTimeField(_("versendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("ausgehende E-Mail")
        verbose_name_plural = _("ausgehende E-Mails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["recipient", "status"], name="outbox_recipient_idx"),
            # The admin lists the newest first, ties broken by the key as the admin does: read in
            # this order, the first page needs no sort, whatever the size of the table.
            models.Index(fields=["-created_at", "-id"], name="outbox_newest_first_idx"),
            # An application's or enrollment's mails, and who may read which (visible_mails).
            models.Index(fields=["related_model", "related_id"], name="outbox_related_idx"),
            # Retention scrubs old mails once; the nightly run reads only those not yet scrubbed.
            models.Index(
                fields=["created_at"],
                condition=~models.Q(recipient="", subject=""),
                name="outbox_unscrubbed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    @property
    def related(self) -> str:
        return f"{self.related_model} #{self.related_id}" if self.related_model else ""


class AccessibilityFeedback(models.Model):
    """A report of a barrier, sent with the form on the accessibility statement (BITV 2.0 § 7).
    Kept so that the answer within six weeks can be followed up; mailed to the operator."""

    name = models.CharField(_("Name"), max_length=150, blank=True)
    email = models.EmailField(_("E-Mail-Adresse für die Antwort"), blank=True)
    page = models.CharField(_("Betroffene Seite oder Funktion"), max_length=300, blank=True)
    message = models.TextField(_("Beschreibung der Barriere"), max_length=4000)
    created_at = models.DateTimeField(_("eingegangen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Rückmeldung zur Barrierefreiheit")
        verbose_name_plural = _("Rückmeldungen zur Barrierefreiheit")
        ordering = ["-created_at"]
        # The admin lists the newest first; the nightly retention run deletes the oldest.
        indexes = [models.Index(fields=["created_at"], name="a11y_feedback_created_idx")]

    def __str__(self) -> str:
        return _("Rückmeldung vom %(date)s") % {"date": self.created_at.strftime("%d.%m.%Y")}
