"""The admin shows a member of staff what the portal's own pages show them, and nothing more.

Every model admin whose rows belong to a cohort takes ``CohortScopedAdmin`` and names the path from
its model to the cohort (``cohort_path``). The mixin then scopes, in one place:

- the list, the change, delete and history pages (another cohort's object is a 404, as on
  ``/koordination/<id>/``), bulk actions and the export (both start from ``get_queryset``);
- autocomplete: Django answers it from the *target* model's admin queryset, so a scoped target
  admin lists only what its viewer may see, whichever field asks;
- the choices of cohort and enrollment fields in forms, and the cohort list filter.

Who sees which cohorts (``admin_cohorts``):
- superusers: every cohort;
- reviewers (the operator's unit, the programme's owner), that is whoever holds their right to read
  applications (``applications.view_application``): every cohort, because they read and decide
  the applications of every cohort and the seats that follow from them (``visible_mails`` shows
  them the same by the same right); drafts stay the applicant's alone;
- coordinators: the cohorts they coordinate (``cohorts.selectors.coordinated_by``);
- anyone else: none.
Model permissions still decide *which* admins a role reaches; this decides which rows.
"""

from django.contrib import admin
from django.db.models import Q
from django.http import Http404

from .models import Cohort, Enrollment
from .selectors import coordinated_by


def admin_cohorts(user):
    """The cohorts whose rows ``user`` may see in the admin (see the module's docstring)."""
    if not (user.is_active and user.is_staff):
        return Cohort.objects.none()
    # A permission, as ``applications.mails._reviewable`` asks; the admin has loaded them already.
    if user.is_superuser or user.has_perm("applications.view_application"):
        return Cohort.objects.all()
    return coordinated_by(user)


class CohortScopedAdmin:
    """Mix in before ``admin.ModelAdmin``; set ``cohort_path`` ("" for the Cohort admin itself)
    and ``cohort_optional`` where a row without a cohort (programme-wide) is visible to all staff
    who reach the admin."""

    cohort_path = "cohort"
    cohort_optional = False

    def scope_filter(self, request) -> Q:
        cohorts = admin_cohorts(request.user).values("pk")
        if not self.cohort_path:
            return Q(pk__in=cohorts)
        scope = Q(**{f"{self.cohort_path}__in": cohorts})
        if self.cohort_optional:
            scope |= Q(**{f"{self.cohort_path}__isnull": True})
        return scope

    def get_queryset(self, request):
        return super().get_queryset(request).filter(self.scope_filter(request))

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Someone else's object does not exist for this person: the change, delete and history
        # pages answer 404 (after the permission check's 403), not a redirect to the index.
        raise Http404

    def get_list_filter(self, request):
        # A plain "cohort" filter offers every cohort in the database; this one offers only those
        # of the rows the person may see.
        return [
            (entry, admin.RelatedOnlyFieldListFilter) if entry == self.cohort_path else entry
            for entry in super().get_list_filter(request)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        cohorts = admin_cohorts(request.user)
        if db_field.related_model is Cohort:
            kwargs["queryset"] = cohorts
        elif db_field.related_model is Enrollment:
            kwargs["queryset"] = Enrollment.objects.filter(cohort__in=cohorts.values("pk"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
