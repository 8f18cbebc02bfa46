"""The network's record in the admin: read only. Every change goes through the network's own
pages and services (moderation is audited there), never through an admin form."""

from django.contrib import admin

from .models import ModerationEvent, Suspension


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationEvent)
class ModerationEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "subject", "target_model", "target_id"]
    list_filter = ["action"]
    list_select_related = ["actor", "subject"]
    date_hierarchy = "at"


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "created_by", "lifted_at"]
    list_select_related = ["user", "created_by"]
