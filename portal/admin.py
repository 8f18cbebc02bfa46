import allauth.mfa.admin  # noqa: F401 - registers allauth's authenticator admin first, so it can be replaced below
from allauth.mfa.models import Authenticator
from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.cache import cache
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.mail import kind_label, outbox, visible_mails
from portal.mail.models import OutboxMessage
from portal.models import AccessibilityFeedback, Municipality
from portal.operator import admin as operator_admin  # noqa: F401 - registers the operator's texts
from portal.web import secret_fields
from portal.web.paging import DepthLimitedPaginator, EstimatedCountPaginator

# No admin filters on a field holding a secret (?data__secret__startswith=J), for every model.
secret_fields.install()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "language", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "language", "reminders_opt_out"]}),
        (_("Rechte"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Daten"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "state", "kind", "ags", "administration"]
    list_filter = ["state", "kind", "district"]
    search_fields = ["name", "district", "ags"]
    list_select_related = ["administration"]
    readonly_fields = ["key"]


class KindFilter(admin.SimpleListFilter):
    """The kinds of mail the outbox holds, read once in a while: a DISTINCT over millions of rows
    on every page would cost more than the page."""

    title = _("Art")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = cache.get_or_set(
            "outbox:kinds",
            lambda: sorted(OutboxMessage.objects.order_by().values_list("kind", flat=True).distinct()),
            timeout=600,
        )
        return [(kind, kind_label(kind)) for kind in kinds]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class LanguageFilter(admin.SimpleListFilter):
    title = _("Sprache")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [(code, _(name)) for code, name in settings.LANGUAGES]

    def queryset(self, request, queryset):
        return queryset.filter(language=self.value()) if self.value() else queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Every mail with its status; failures show their error. Read-only, except that an administrator
    can send a failed message again or mark one as bounced (after a delivery failure report).

    Each person sees only the messages of their role (``portal.mail.visible_mails``); a one-time
    link or code shows as a placeholder to everyone, administrators included."""

    list_display = [
        "created_at",
        "kind_display",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    ]
    list_filter = [
        "status",
        KindFilter,
        "optional",
        LanguageFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["recipient", "subject", "idempotency_key"]
    # The outbox grows by every mail ever sent: no full count, no scan for the filters' choices
    # or a date hierarchy, an estimated count for the unfiltered list, and only the first pages
    # (no OFFSET over millions of rows; older mails by filter and search; portal.web.paging).
    show_full_result_count = False
    paginator = DepthLimitedPaginator
    # Every field but the sealed delivered text, which no page shows.
    fields = [f.name for f in OutboxMessage._meta.fields if f.name not in {"id", "sealed_content"}]
    readonly_fields = fields
    actions = ["send_again", "mark_bounced"]

    @admin.display(description=_("Art"), ordering="kind")
    def kind_display(self, obj):
        return kind_label(obj.kind)

    def get_queryset(self, request):
        return visible_mails(request.user).select_related("user")

    def get_object(self, request, object_id, from_field=None):
        # A message outside the person's scope does not exist for them: 404, not a redirect.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or visible_mails(request.user).filter(pk=obj.pk).exists()

    @admin.display(description=_("Fehler oder Grund"))
    def short_error(self, obj):
        return (obj.error[:80] + "…") if len(obj.error) > 80 else obj.error

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description=_("Erneut senden (fehlgeschlagene, unzustellbare und übersprungene)"),
        permissions=["resend"],
    )
    def send_again(self, request, queryset):
        count, secret = outbox.send_again(queryset)
        self.message_user(request, _("%(count)s E-Mails werden erneut gesendet.") % {"count": count})
        if secret:
            self.message_user(
                request,
                _(
                    "%(count)s E-Mails enthielten einen Einmal-Link oder Code und werden nicht erneut "
                    "gesendet. Die Person kann im Portal einen neuen Link anfordern."
                )
                % {"count": secret},
                messages.WARNING,
            )

    @admin.action(description=_("Als unzustellbar markieren (Rückläufer)"), permissions=["resend"])
    def mark_bounced(self, request, queryset):
        count = outbox.mark_bounced(queryset, by=request.user, at=timezone.now())
        self.message_user(
            request,
            _("%(count)s E-Mails als unzustellbar markiert. An diese Adressen gehen keine Erinnerungen mehr.")
            % {"count": count},
        )


# allauth's model has no verbose names and its app is called "MFA": German names for the admin's
# start page, the model's own list and detail pages and their breadcrumbs. Only the names Django
# shows are set, not the model's definition (Meta's original options, its fields), so no
# migration of allauth's app follows.
Authenticator._meta.verbose_name = _("Zweiter Faktor (Authenticator-App)")
Authenticator._meta.verbose_name_plural = _("Zweite Faktoren (Authenticator-Apps)")
django_apps.get_app_config("mfa").verbose_name = _("Zwei-Faktor-Anmeldung")


def _titled(base: type[admin.FieldListFilter], title: str) -> type[admin.FieldListFilter]:
    """A list filter of ``base`` under a German title (the field's own name is English)."""

    class Titled(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


# allauth's own admin shows an authenticator's data: the TOTP secret and the seed of the recovery
# codes, enough to pass anyone's second factor. Here only which factor exists and when it was used;
# deleting one (a person who lost their phone) stays possible.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "created", "last_used"]
    list_filter = [
        ("type", _titled(admin.ChoicesFieldListFilter, _("Art"))),
        ("created_at", _titled(admin.DateFieldListFilter, _("eingerichtet am"))),
        ("last_used_at", _titled(admin.DateFieldListFilter, _("zuletzt verwendet am"))),
    ]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["person", "kind", "created", "last_used"]
    readonly_fields = fields

    @admin.display(description=_("Person"), ordering="user__email")
    def person(self, authenticator):
        return authenticator.user

    @admin.display(description=_("Art"), ordering="type")
    def kind(self, authenticator):
        return authenticator.get_type_display()

    @admin.display(description=_("eingerichtet am"), ordering="created_at")
    def created(self, authenticator):
        return authenticator.created_at

    @admin.display(description=_("zuletzt verwendet am"), ordering="last_used_at")
    def last_used(self, authenticator):
        return authenticator.last_used_at


# The audit log keeps earlier values of logged fields (a certificate's verification code among
# them): its search must not become an oracle for them (portal.web.secret_fields).
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogLogEntryAdmin):
    search_fields = [
        name
        for name in AuditlogLogEntryAdmin.search_fields
        if not secret_fields.touches_secret(LogEntry, name)
    ]


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    """Reports of barriers, to be answered within six weeks. Read-only: the answer goes by mail."""

    list_display = ["created_at", "page", "name", "email"]
    search_fields = ["page", "message", "email"]
    readonly_fields = ["created_at", "name", "email", "page", "message"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
