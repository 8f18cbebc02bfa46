"""The reviewers' workspace inside the application admin: "save and next", declaring a conflict,
the endorsement shown inline next to the answers, the reviewer's own declaration of their
municipality and district, and the cohort overview with its phase controls."""

from csp.decorators import csp_replace
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from cohorts.models import PHASE_ORDER, Cohort, ReviewPhase
from cohorts.selectors import programme_municipalities, programme_slug
from portal.pdf.preview import MAX_BYTES, Preview, render_pages
from portal.web.text import TextFormMixin

from .. import assignment, phases, requests
from ..models import Application, ReviewerProfile
from ..review_selectors import SORT_KEYS, cohort_overview, next_in_queue
from ..selectors import cohort_in_review


def letter_preview(stored) -> Preview:
    """The pages of a stored PDF as pictures; a file larger than the limit is not even read."""
    try:
        if stored.size > MAX_BYTES:
            return Preview(problem="too_large")
        with stored.open("rb") as source:
            return render_pages(source.read(MAX_BYTES + 1))
    except OSError:
        return Preview(problem="unreadable")


class ReviewerProfileForm(TextFormMixin, forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Ihre eigene Kommune (Wohnort oder Dienstort)"),
        queryset=programme_municipalities().order_by("name"),
        required=False,
    )
    district = forms.ChoiceField(label=_("Ihr eigener Landkreis bzw. Ihre kreisfreie Stadt"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        districts = (
            programme_municipalities().values_list("district", flat=True).distinct().order_by("district")
        )
        self.fields["district"].choices = [("", "–")] + [(d, d) for d in districts]


class RequestForm(TextFormMixin, forms.Form):
    fields = forms.MultipleChoiceField(
        label=_("Welche Angaben soll die Bewerber:in ergänzen oder erläutern?"),
        choices=[(name, Application._meta.get_field(name).verbose_name) for name in requests.REQUESTABLE],
        widget=forms.CheckboxSelectMultiple,
    )
    message = forms.CharField(
        label=_("Ihre Rückfrage"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    due_on = forms.DateField(label=_("Antwort bis (einschließlich, TT.MM.JJJJ)"))


class WorkspaceMixin:
    """Views of ``ApplicationAdmin`` for the review itself."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("uebersicht/", view(self.overview_view), name="applications_application_overview"),
            path(
                "uebersicht/<int:cohort_pk>/phase/",
                view(require_POST(self.phase_view)),
                name="applications_application_phase",
            ),
            path("meine-angaben/", view(self.profile_view), name="applications_application_profile"),
            path(
                "<int:pk>/konflikt/",
                view(require_POST(self.conflict_view)),
                name="applications_application_conflict",
            ),
            path("<int:pk>/rueckfrage/", view(self.request_view), name="applications_application_request"),
            path(
                "<int:pk>/schreiben/",
                view(self.endorsement_view),
                name="applications_application_endorsement",
            ),
            *super().get_urls(),
        ]

    def _viewable(self, request, pk):
        application = get_object_or_404(self.get_queryset(request).select_related("cohort"), pk=pk)
        if not self.has_view_permission(request, application):
            raise PermissionDenied
        return application

    def response_change(self, request, obj):
        if "_save_next" in request.POST:
            following = next_in_queue(reviewer=request.user, after=obj)
            if following is None:
                messages.success(
                    request, _("Gespeichert. Alle Ihnen zugewiesenen Bewerbungen sind bewertet.")
                )
                return redirect("admin:index")
            messages.success(
                request,
                _("%(done)s gespeichert. Weiter mit %(next)s.")
                % {"done": obj.reference, "next": following.reference},
            )
            return redirect("admin:applications_application_change", following.pk)
        return super().response_change(request, obj)

    def render_change_form(self, request, context, *args, **kwargs):
        context["error_summary"] = error_summary(context)
        return super().render_change_form(request, context, *args, **kwargs)

    def conflict_view(self, request, pk):
        application = self._viewable(request, pk)
        assignment.declare_conflict(
            application=application, reviewer=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(
            request,
            _(
                "Interessenkonflikt zu %(reference)s erklärt. Die Bewerbung wurde einer anderen Person zugewiesen."
            )
            % {"reference": application.reference},
        )
        following = next_in_queue(reviewer=request.user, after=application)
        if following is None:
            return redirect("admin:index")
        return redirect("admin:applications_application_change", following.pk)

    # The frame's document may run nothing and reach nothing: CSP sandbox (no scripts, forms,
    # popups or same-origin) on top of the frame's own sandbox attribute.
    @csp_replace({"frame-ancestors": ["'self'"], "sandbox": True})
    @xframe_options_sameorigin
    def endorsement_view(self, request, pk):
        """The endorsement for the sandboxed frame next to the answers, permission-checked as the
        download: its pages as pictures (``portal.pdf.preview``), since a PDF viewer does not run
        in a sandbox. The PDF itself is the download below the frame."""
        application = self._viewable(request, pk)
        if not application.endorsement:
            raise Http404
        preview = letter_preview(application.endorsement)
        response = TemplateResponse(
            request,
            "admin/applications/application/endorsement_frame.html",
            {"application": application, "preview": preview, "images": preview.data_urls()},
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def request_view(self, request, pk):
        """A Rückfrage to the applicant about named fields, by a date."""
        application = self._viewable(request, pk)
        if not request.user.has_perm("applications.add_informationrequest"):
            raise PermissionDenied
        form = RequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                requests.ask_applicant(
                    application=application, by=request.user, at=timezone.now(), **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Die Rückfrage ist gestellt; %(reference)s ist nun für die gewählten Angaben offen.")
                    % {"reference": application.reference},
                )
                return redirect("admin:applications_application_change", application.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Rückfrage zu %(reference)s") % {"reference": application.reference},
            "application": application,
            "form": form,
        }
        return TemplateResponse(request, "admin/applications/application/request.html", context)

    def profile_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        profile = ReviewerProfile.objects.filter(user=request.user).first()
        initial = {"municipality": profile.municipality_id, "district": profile.district} if profile else {}
        form = ReviewerProfileForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            municipality = form.cleaned_data["municipality"]
            assignment.save_profile(
                reviewer=request.user,
                municipality_id=municipality.pk if municipality else None,
                district=form.cleaned_data["district"],
            )
            messages.success(
                request,
                _(
                    "Ihre Angaben sind gespeichert. Bewerbungen aus Ihrer Kommune und Ihrem Landkreis werden Ihnen nicht zugewiesen."
                ),
            )
            return redirect("admin:index")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Ihre Angaben zu Interessenkonflikten"),
            "form": form,
        }
        return TemplateResponse(request, "admin/applications/application/profile.html", context)

    def _overview_cohort(self, request) -> Cohort:
        cohorts = Cohort.objects.filter(programme__slug=programme_slug()).select_related("programme")
        chosen = request.GET.get("durchgang", "")
        if chosen.isdigit():
            return get_object_or_404(cohorts, pk=chosen)
        cohort = cohort_in_review(at=timezone.now())
        if cohort is None:
            raise Http404
        return cohorts.get(pk=cohort.pk)

    def overview_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        cohort = self._overview_cohort(request)
        order = request.GET.get("o", "-sum")
        order = order if order.lstrip("-") in SORT_KEYS else "-sum"
        overview = cohort_overview(cohort=cohort, order=order)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Übersicht für die Entscheidung: %(cohort)s") % {"cohort": cohort.localized_title},
            "overview": overview,
            "order": order,
            "columns": _sort_columns(order),
            "cohorts": Cohort.objects.filter(programme__slug=programme_slug()).order_by("-number"),
            "can_manage": request.user.has_perm("cohorts.manage_review"),
            "phases": [(p, ReviewPhase(p).label, p == cohort.review_phase) for p in PHASE_ORDER],
            "next_phase": _phase_choice(phases.next_phase(cohort)),
            "previous_phase": _phase_choice(phases.previous_phase(cohort)),
            "is_nav_sidebar_enabled": False,
        }
        return TemplateResponse(request, "admin/applications/application/overview.html", context)

    def phase_view(self, request, cohort_pk):
        cohort = get_object_or_404(Cohort, pk=cohort_pk)
        try:
            cohort = phases.move_review_phase(
                cohort=cohort, to=request.POST.get("to", ""), by=request.user, at=timezone.now()
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(cohort)s ist jetzt in der Phase „%(phase)s“.")
                % {"cohort": cohort.localized_title, "phase": cohort.get_review_phase_display()},
            )
        return redirect(reverse("admin:applications_application_overview") + f"?durchgang={cohort.pk}")


def _phase_choice(phase: str | None) -> tuple[str, str] | None:
    return (phase, ReviewPhase(phase).label) if phase else None


SORT_LABELS = [
    ("reference", _("Aktenzeichen")),
    ("district", _("Landkreis")),
    ("motivation", _("Motivation")),
    ("relevance", _("Bezug zu den Vorhaben")),
    ("commitment", _("Verbindlichkeit")),
    ("sum", _("Summe der Mittelwerte (3–15)")),
    ("count", _("Bewertungen")),
    ("missing", _("fehlend")),
]


def _sort_columns(order: str) -> list[dict]:
    """The sortable headers: label, the link's order, and aria-sort for the current column."""
    current, descending = order.lstrip("-"), order.startswith("-")
    columns = []
    for key, label in SORT_LABELS:
        active = key == current
        columns.append(
            {
                "key": key,
                "label": label,
                "order": (key if descending else f"-{key}")
                if active
                else f"-{key}"
                if key != "reference"
                else key,
                "aria_sort": ("descending" if descending else "ascending") if active else "",
            }
        )
    return columns


def error_summary(context) -> list[dict]:
    """Every error of the page's form and inlines, each with the id of its field (or of its
    inline group) to link to, for the summary at the top of the page."""
    items = []
    adminform = context.get("adminform")
    forms_ = [(adminform.form, None)] if adminform else []
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        for message in formset.non_form_errors():
            items.append(
                {
                    "label": inline.opts.verbose_name_plural,
                    "message": message,
                    "anchor": f"{formset.prefix}-group",
                }
            )
        forms_ += [(form, formset.prefix) for form in formset.forms]
    for form, prefix in forms_:
        for name, messages_ in form.errors.items():
            field = form.fields.get(name)
            for message in messages_:
                items.append(
                    {
                        "label": field.label if field else _("Formular"),
                        "message": message,
                        "anchor": form[name].auto_id if field else (f"{prefix}-group" if prefix else ""),
                    }
                )
    return items
