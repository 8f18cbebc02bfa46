"""Know-how-Transfer: the closed group of participants, graduates and programme staff.

Who belongs is never stored: ``community.access`` derives it from enrollments, certificates and
roles at every request. What is stored here is what members add (their directory entry) and
what moderators decide (suspensions), with an audit trail of every moderation step.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from modules.models import Module, TaskSubmission
from portal.models import Municipality

TAGS_MAX = 10
TAG_MAX_LENGTH = 40


class Suspension(models.Model):
    """A moderator excluded a member from the group; it ends when it is lifted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Mitglied"),
        on_delete=models.CASCADE,
        related_name="community_suspensions",
    )
    reason = models.TextField(_("Grund"), max_length=1000)
    created_at = models.DateTimeField(_("gesperrt am"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gesperrt von"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("aufgehoben am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Sperre im Netzwerk")
        verbose_name_plural = _("Sperren im Netzwerk")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(lifted_at__isnull=True), name="community_one_open_suspension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.created_at:%Y-%m-%d})"


class ModerationEvent(models.Model):
    """One moderation step, kept for the record: who did what to whose content, and why."""

    class Action(models.TextChoices):
        SUSPEND = "suspend", _("Mitglied gesperrt")
        LIFT = "lift", _("Sperre aufgehoben")
        APPROVE_PROJECT = "approve_project", _("Projekt für die öffentliche Seite freigegeben")
        DECLINE_PROJECT = "decline_project", _("Vorschlag eines Projekts abgelehnt")
        HIDE_POST = "hide_post", _("Beitrag ausgeblendet")
        SHOW_POST = "show_post", _("Beitrag wieder eingeblendet")
        APPROVE_TESTIMONIAL = "approve_testimonial", _("Eindruck freigegeben")
        DECLINE_TESTIMONIAL = "decline_testimonial", _("Eindruck nicht freigegeben")
        LOCK_THREAD = "lock_thread", _("Thema geschlossen")
        UNLOCK_THREAD = "unlock_thread", _("Thema wieder geöffnet")

    action = models.CharField(_("Schritt"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("durch"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("betroffenes Mitglied"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="community_moderation_events",
    )
    reason = models.TextField(_("Grund"), blank=True)
    # What the step concerned, e.g. "community.project" and its id (empty for a member).
    target_model = models.CharField(_("Bezug (Art)"), max_length=60, blank=True)
    target_id = models.PositiveBigIntegerField(_("Bezug (ID)"), null=True, blank=True)
    at = models.DateTimeField(_("am"))

    class Meta:
        verbose_name = _("Moderationsschritt")
        verbose_name_plural = _("Moderationsschritte")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d})"


class DirectoryEntry(models.Model):
    """A member's entry in the directory, present only while the member chooses to appear.

    The name is the account's, read live; the e-mail address is never part of the entry.
    """

    class Contact(models.TextChoices):
        FORM = "form", _("Nachricht über das Kontaktformular")
        NONE = "none", _("keine Nachrichten")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Mitglied"),
        on_delete=models.CASCADE,
        related_name="community_entry",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        related_name="community_entries",
    )
    unit = models.CharField(_("Organisationseinheit"), max_length=150, blank=True)
    function = models.CharField(_("Funktion"), max_length=150, blank=True)
    modules = models.ManyToManyField(
        Module, verbose_name=_("Themen (Module)"), blank=True, related_name="community_entries"
    )
    tags = models.JSONField(_("eigene Schlagworte"), default=list, blank=True)
    contact = models.CharField(_("Kontakt"), max_length=10, choices=Contact.choices, default=Contact.FORM)
    contact_note = models.CharField(_("Hinweis zur Kontaktaufnahme"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("eingetragen am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Verzeichniseintrag")
        verbose_name_plural = _("Verzeichniseinträge")

    def __str__(self) -> str:
        return str(self.user_id)


class ContactMessage(models.Model):
    """A message sent through the directory's contact form: kept to count each sender's messages
    (the rate limit holds across processes and restarts) and for the sender's data export."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Absender:in"),
        on_delete=models.CASCADE,
        related_name="community_sent_messages",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Empfänger:in"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="community_received_messages",
    )
    subject = models.CharField(_("Betreff"), max_length=150)
    body = models.TextField(_("Nachricht"), max_length=3000)
    reply_to_sender = models.BooleanField(_("Antwort an meine Adresse erlaubt"), default=False)
    sent_at = models.DateTimeField(_("gesendet am"), db_index=True)

    class Meta:
        verbose_name = _("Kontaktnachricht")
        verbose_name_plural = _("Kontaktnachrichten")
        indexes = [models.Index(fields=["sender", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.sender_id} → {self.recipient_id}"


# --- Projects from the municipalities -----------------------------------------------------------

PROJECT_FILES_MAX = 3
PROJECT_LINKS_MAX = 5


def project_file_path(instance, filename: str) -> str:
    """A random name below private/, which has no public URL; the kind decides the suffix."""
    return f"private/community/{uuid.uuid4().hex}.{instance.kind}"


class Project(models.Model):
    """A town's smart-city project, described by a member for the others (and, once a
    coordinator approved the author's proposal, for the public page)."""

    class Status(models.TextChoices):
        IDEA = "idea", _("Idee")
        PLANNING = "planning", _("in Planung")
        IMPLEMENTATION = "implementation", _("in Umsetzung")
        DONE = "done", _("abgeschlossen")

    class Publication(models.TextChoices):
        NETWORK = "network", _("nur im Netzwerk")
        PROPOSED = "proposed", _("für die öffentliche Seite vorgeschlagen")
        PUBLIC = "public", _("öffentlich")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Autor:in"),
        on_delete=models.CASCADE,
        related_name="community_projects",
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("Kommune"), on_delete=models.PROTECT, related_name="community_projects"
    )
    title = models.CharField(_("Titel"), max_length=200)
    summary = models.TextField(_("Kurzbeschreibung"), max_length=2000)
    status = models.CharField(_("Stand"), max_length=16, choices=Status.choices, default=Status.IDEA)
    modules = models.ManyToManyField(
        Module, verbose_name=_("Themen (Module)"), blank=True, related_name="community_projects"
    )
    tags = models.JSONField(_("eigene Schlagworte"), default=list, blank=True)
    started_on = models.DateField(_("Beginn"), null=True, blank=True)
    ended_on = models.DateField(_("Ende"), null=True, blank=True)
    lessons = models.TextField(_("Erfahrungen und Empfehlungen"), max_length=4000, blank=True)
    links = models.JSONField(_("Links"), default=list, blank=True)
    draft = models.BooleanField(_("Entwurf"), default=False)
    publication = models.CharField(
        _("Veröffentlichung"), max_length=10, choices=Publication.choices, default=Publication.NETWORK
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("freigegeben von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("freigegeben am"), null=True, blank=True)
    source_task = models.OneToOneField(
        TaskSubmission,
        verbose_name=_("aus der Praxisaufgabe"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_project",
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Projekt")
        verbose_name_plural = _("Projekte")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["publication", "draft"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="community_project_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(publication="public", draft=True), name="community_public_project_not_draft"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectFile(models.Model):
    """A PDF or image of a project, checked by its content; handed out only to members."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        PNG = "png", "PNG"
        JPEG = "jpg", "JPEG"

    project = models.ForeignKey(
        Project, verbose_name=_("Projekt"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("Datei"), upload_to=project_file_path)
    file_name = models.CharField(_("Dateiname"), max_length=150)
    kind = models.CharField(_("Art"), max_length=4, choices=Kind.choices)
    size = models.PositiveIntegerField(_("Größe"))
    uploaded_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Projektdatei")
        verbose_name_plural = _("Projektdateien")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.file_name


# --- Exchange ---------------------------------------------------------------------------------

POST_MAX_LENGTH = 5000


class Thread(models.Model):
    """A question or topic in the exchange, by module (or general when no module is given)."""

    module = models.ForeignKey(
        Module,
        verbose_name=_("Thema (Modul)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_threads",
    )
    title = models.CharField(_("Titel"), max_length=200)
    # Empty once the author's account is erased: the thread stays readable ("gelöschtes Mitglied").
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("eröffnet von"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="community_threads",
    )
    locked = models.BooleanField(_("geschlossen"), default=False)
    created_at = models.DateTimeField(_("eröffnet am"))
    last_post_at = models.DateTimeField(_("letzter Beitrag am"), db_index=True)

    class Meta:
        verbose_name = _("Thema im Austausch")
        verbose_name_plural = _("Themen im Austausch")
        ordering = ["-last_post_at"]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """A post: the thread's opening text or a reply. ``html`` is the body rendered and
    sanitised when it was written (community.markdown); the template prints only that."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("Thema"), on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Autor:in"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="community_posts",
    )
    body = models.TextField(_("Text"), max_length=POST_MAX_LENGTH)
    html = models.TextField(_("Text (dargestellt)"), editable=False)
    created_at = models.DateTimeField(_("geschrieben am"), db_index=True)
    hidden = models.BooleanField(_("ausgeblendet"), default=False)
    hidden_reason = models.TextField(_("Grund des Ausblendens"), blank=True)

    class Meta:
        verbose_name = _("Beitrag")
        verbose_name_plural = _("Beiträge")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"{self.thread_id}/{self.pk}"


class Watch(models.Model):
    """A member follows a thread ("beobachten"): its new posts are in their weekly digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_watches"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="watches")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Beobachtung")
        verbose_name_plural = _("Beobachtungen")
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="community_watch_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.thread_id}"


class Report(models.Model):
    """A member tells the moderation about a post."""

    post = models.ForeignKey(
        Post, verbose_name=_("Beitrag"), on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gemeldet von"),
        on_delete=models.CASCADE,
        related_name="community_reports",
    )
    reason = models.TextField(_("Grund"), max_length=1000)
    created_at = models.DateTimeField(_("gemeldet am"))
    resolved_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Meldung")
        verbose_name_plural = _("Meldungen")
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="community_report_once")]

    def __str__(self) -> str:
        return f"{self.post_id} ({self.reporter_id})"


class DigestSubscription(models.Model):
    """The member asked for the weekly digest of their watched threads."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_digest"
    )
    created_at = models.DateTimeField(_("bestellt am"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("zuletzt gesendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Wochenübersicht des Austauschs")
        verbose_name_plural = _("Wochenübersichten des Austauschs")

    def __str__(self) -> str:
        return str(self.user_id)


# --- Testimonials ("Eindrücke von Teilnehmenden") ---------------------------------------------

TESTIMONIAL_MAX_LENGTH = 600


class Testimonial(models.Model):
    """A participant's or graduate's short statement for the start page, with their consent.

    Shown only once a coordinator approved it, and gone the moment its author withdraws it.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("wartet auf Freigabe")
        APPROVED = "approved", _("freigegeben")
        DECLINED = "declined", _("nicht freigegeben")

    author = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Autor:in"),
        on_delete=models.CASCADE,
        related_name="community_testimonial",
    )
    text = models.TextField(_("Ihr Eindruck"), max_length=TESTIMONIAL_MAX_LENGTH)
    show_name = models.BooleanField(_("mit Namen zeigen"), default=False)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        on_delete=models.PROTECT,
        related_name="community_testimonials",
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort", verbose_name=_("Durchgang"), on_delete=models.PROTECT, related_name="+"
    )
    consent_at = models.DateTimeField(_("eingewilligt am"))
    consent_version = models.CharField(_("Fassung der Einwilligung"), max_length=20)
    consent_text = models.TextField(_("Text der Einwilligung"))
    state = models.CharField(_("Stand"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entschieden von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Eindruck von Teilnehmenden")
        verbose_name_plural = _("Eindrücke von Teilnehmenden")
        indexes = [models.Index(fields=["state", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.author_id} ({self.state})"
