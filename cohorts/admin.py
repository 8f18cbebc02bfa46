from django.contrib import admin
from django.db.models import Max

from .admin_scope import CohortScopedAdmin
from .models import Cohort, Enrollment, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "state", "reference_prefix"]


@admin.register(Cohort)
class CohortAdmin(CohortScopedAdmin, admin.ModelAdmin):
    cohort_path = ""
    list_display = [
        "number",
        "title",
        "start_date",
        "end_date",
        "applications_open_at",
        "applications_close_on",
        "seats",
    ]
    list_filter = ["programme"]
    list_select_related = ["programme"]

    def get_changeform_initial_data(self, request):
        """A new cohort's number continues after the last one, imported cohorts included."""
        initial = super().get_changeform_initial_data(request)
        last = Cohort.objects.aggregate(last=Max("number"))["last"] or 0
        initial.setdefault("number", last + 1)
        return initial


@admin.register(Enrollment)
class EnrollmentAdmin(CohortScopedAdmin, admin.ModelAdmin):
    list_display = ["user", "cohort", "municipality", "created_at"]
    list_filter = ["cohort", "municipality__district"]
    list_select_related = ["user", "cohort", "municipality"]
    search_fields = ["user__email", "user__last_name", "municipality__name"]
    autocomplete_fields = ["user", "municipality"]
