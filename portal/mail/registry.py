"""What each app tells the mail path: the names of its kinds of message, the checks right before
sending, the renderers of messages rendered by the worker, and who may read which message.

Apps to the right of ``portal`` register from their ``mails`` and ``reminders`` modules, which
``portal.hooks`` imports once per process.
"""

from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from portal import hooks
from portal.accounts.models import User
from portal.mail.models import OutboxMessage

# --- What a kind of message is called --------------------------------------------------------

_kind_labels: dict[str, object] = {}


def register_kind_label(prefix: str, label) -> None:
    """Name the messages whose ``kind`` starts with ``prefix`` (a lazy translation) for the
    outbox in the admin; the longest matching prefix wins. Each app names its own kinds."""
    _kind_labels[prefix] = label


def kind_label(kind: str) -> str:
    """The readable name of a message kind; the kind itself where no app has named it."""
    _discover_send_checks()  # the reminder rules name their kinds when they are registered
    matches = [prefix for prefix in _kind_labels if kind.startswith(prefix)]
    if not matches:
        return kind
    return str(_kind_labels[max(matches, key=len)])


register_kind_label("account:", gettext_lazy("Konto"))
register_kind_label("account:email_confirmation", gettext_lazy("Konto: E-Mail-Adresse bestätigen"))
register_kind_label("account:password_reset", gettext_lazy("Konto: Passwort zurücksetzen"))
register_kind_label("account:account_already_exists", gettext_lazy("Konto: Adresse bereits registriert"))
register_kind_label("account:unknown_account", gettext_lazy("Konto: unbekannte Adresse"))
register_kind_label("account:password_changed", gettext_lazy("Konto: Passwort geändert"))
register_kind_label("account:password_set", gettext_lazy("Konto: Passwort gesetzt"))
register_kind_label("account:email_changed", gettext_lazy("Konto: E-Mail-Adresse geändert"))
register_kind_label("account:email_confirm", gettext_lazy("Konto: E-Mail-Adresse bestätigt"))
register_kind_label("account:email_deleted", gettext_lazy("Konto: E-Mail-Adresse entfernt"))
register_kind_label("account:login_code", gettext_lazy("Konto: Anmeldecode"))
register_kind_label("account:totp_", gettext_lazy("Konto: zweiter Faktor"))
register_kind_label("account:recovery_codes_", gettext_lazy("Konto: Wiederherstellungscodes"))
register_kind_label("account:webauthn_", gettext_lazy("Konto: Sicherheitsschlüssel"))
register_kind_label("reminder-", gettext_lazy("Erinnerung"))
register_kind_label("accessibility-feedback", gettext_lazy("Rückmeldung zur Barrierefreiheit"))


# --- Checks right before sending -------------------------------------------------------------

_send_checks: dict[str, object] = {}


def register_send_check(kind: str, check) -> None:
    """Register ``check(messages, *, now) -> {message pk: reason}`` for messages of ``kind``.

    Apps to the right of ``portal`` use this (from their ``reminders`` module) to say that a
    queued reminder is no longer due, from the data as it is when the message is sent.
    """
    _send_checks[kind] = check


def _discover(module_name: str) -> None:
    """Import every app's ``module_name`` module: they register their rules, renderers and
    scopes here (once per process, see ``portal.hooks``)."""
    hooks.app_modules(module_name)


def _discover_send_checks() -> None:
    _discover("reminders")


# --- Rendering right before sending ----------------------------------------------------------

_renderers: dict[str, object] = {}


def register_renderer(kind: str, render) -> None:
    """Register ``render(messages) -> {message pk: (subject, text, html)}`` for the messages of
    ``kind`` queued by ``queue_mail_rendered_by_worker``. A message left out of the result has lost
    what it was about and is skipped. Apps to the right of ``portal`` register from their ``mails``
    module; a fixed number of queries for the whole batch, please.
    """
    _renderers[kind] = render


# --- Who may read which message --------------------------------------------------------------

_mail_scopes: dict[str, list] = defaultdict(list)


def register_mail_scope(related_model: str, scope) -> None:
    """Register ``scope(user) -> queryset of primary keys or None`` for the messages about objects
    of ``related_model`` (``app_label.modelname``): the objects whose messages ``user`` may read,
    or None for none. Apps to the right of ``portal`` register from their ``mails`` module."""
    _mail_scopes[related_model].append(scope)


def visible_mails(user: User) -> QuerySet[OutboxMessage]:
    """The messages a member of staff may read: all for a superuser; for anyone else with the
    permission to view the outbox, those about objects their role lets them see (reviewers: the
    applications they may review; coordinators: their own cohorts). Messages about nothing in
    particular (account mails) are for superusers only. One query, whatever the number of rules.

    What a message may show is another matter: a one-time secret is never stored readable."""
    messages = OutboxMessage.objects.all()
    if not (user.is_active and user.is_staff):
        return messages.none()
    if user.is_superuser:
        return messages
    if not user.has_perm("portal.view_outboxmessage"):
        return messages.none()
    _discover("mails")
    allowed = Q(pk__in=[])
    for related_model, scopes in _mail_scopes.items():
        for scope in scopes:
            ids = scope(user)
            if ids is not None:
                allowed |= Q(related_model=related_model, related_id__in=ids)
    return messages.filter(allowed)


register_mail_scope("portal.user", lambda user: User.objects.filter(pk=user.pk).values("pk"))
