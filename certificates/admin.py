from django.contrib import admin

from cohorts.admin_scope import CohortScopedAdmin

from .models import Certificate


@admin.register(Certificate)
class CertificateAdmin(CohortScopedAdmin, admin.ModelAdmin):
    list_display = ["number", "holder_name", "cohort", "status", "issued_on", "rendered_at"]
    list_filter = ["status", "cohort"]
    search_fields = ["number", "holder_name"]
    list_select_related = ["cohort"]
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from .history import admin as history_admin  # noqa: E402, F401 - registers the import's admin
