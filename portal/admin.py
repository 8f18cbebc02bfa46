from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .mail import kind_label
from .models import Municipality, OutboxMessage, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "language", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "language", "reminders_opt_out"]}),
        (_("Rechte"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Daten"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "kind", "ags", "administration"]
    list_filter = ["kind", "district"]
    search_fields = ["name", "district", "ags"]
    list_select_related = ["administration"]
    readonly_fields = ["key"]


class KindFilter(admin.SimpleListFilter):
    title = _("Art")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = OutboxMessage.objects.order_by("kind").values_list("kind", flat=True).distinct()
        return [(kind, kind_label(kind)) for kind in kinds]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Every mail with its status; failures show their error. Read-only, except that an administrator
    can send a failed message again or mark one as bounced (after a delivery failure report)."""

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
    list_filter = ["status", KindFilter, "optional", "language"]
    search_fields = ["recipient", "subject", "idempotency_key"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["send_again", "mark_bounced"]

    @admin.display(description=_("Art"), ordering="kind")
    def kind_display(self, obj):
        return kind_label(obj.kind)

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
        from .mail import enqueue

        ids = list(
            queryset.exclude(status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.QUEUED]).values_list(
                "pk", flat=True
            )
        )
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxMessage.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        enqueue(ids)
        self.message_user(request, _("%(count)s E-Mails werden erneut gesendet.") % {"count": len(ids)})

    @admin.action(description=_("Als unzustellbar markieren (Rückläufer)"), permissions=["resend"])
    def mark_bounced(self, request, queryset):
        count = queryset.filter(status=OutboxMessage.Status.SENT).update(
            status=OutboxMessage.Status.BOUNCED,
            error=_("Als unzustellbar markiert von %(user)s am %(date)s.")
            % {"user": request.user, "date": timezone.localtime().strftime("%d.%m.%Y %H:%M")},
        )
        self.message_user(
            request,
            _("%(count)s E-Mails als unzustellbar markiert. An diese Adressen gehen keine Erinnerungen mehr.")
            % {"count": count},
        )
