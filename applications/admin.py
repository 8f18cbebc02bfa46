from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Application, DeadlineExtension


class DeadlineExtensionInline(admin.StackedInline):
    model = DeadlineExtension
    extra = 0
    max_num = 1
    fields = ["until", "reason", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["reference", "applicant", "employer", "district", "status", "submitted_at"]
    list_filter = ["cohort", "status", "municipality__district", "municipality__kind"]
    search_fields = ["reference", "applicant__email", "applicant__last_name", "applicant__first_name",
                     "municipality__name", "other_employer"]
    list_select_related = ["applicant", "municipality", "cohort"]
    inlines = [DeadlineExtensionInline]
    readonly_fields = [
        "cohort", "applicant", "status", "reference", "municipality", "other_employer", "department", "position",
        "phone", "role", "motivation", "strategy", "plans", "funding_programme", "supervisor_name",
        "supervisor_email", "endorsement_link", "privacy_consent_version", "privacy_consent_at", "created_at",
        "submitted_at", "decided_at", "withdrawn_at",
    ]
    exclude = ["endorsement", "endorsement_name", "endorsement_size"]

    @admin.display(description=_("Dienststelle"), ordering="municipality__name")
    def employer(self, obj):
        return obj.municipality.name if obj.municipality_id else obj.other_employer

    @admin.display(description=_("Landkreis"), ordering="municipality__district")
    def district(self, obj):
        return obj.municipality.district if obj.municipality_id else "–"

    @admin.display(description=_("Unterstützungsschreiben"))
    def endorsement_link(self, obj):
        if not obj.endorsement:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("applications:endorsement", args=[obj.pk]),
                           obj.endorsement_name)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if isinstance(instance, DeadlineExtension) and not instance.granted_by_id:
                instance.granted_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
