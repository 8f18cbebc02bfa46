from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cohorts.models import Cohort
from portal.accounts.navigation import remember_destination, remember_roles, remembered_destination
from portal.files import private_download
from portal.web.ratelimit import allow

from . import decisions, rules, selectors, services
from .forms import ApplicationForm, kept_form_data, kept_input
from .models import Application
from .pdf import render_application_pdf

UPLOAD_LIMIT = 30  # uploads per account and 10 minutes (see portal.web.ratelimit)


def _own_application(request, pk: int) -> Application:
    """The applicant's own application; anyone else's id is a 404."""
    return get_object_or_404(
        Application.objects.select_related("cohort__programme", "municipality", "applicant", "enrollment"),
        pk=pk,
        applicant=request.user,
    )


@login_required
def dashboard(request):
    page = selectors.applicant_dashboard(applicant=request.user, at=timezone.now())
    return render(
        request, "applications/dashboard.html", {"rows": page.rows, "open_cohorts": page.open_cohorts}
    )


def start(request, number: int | None = None):
    """'Jetzt bewerben': to the draft for the open cohort, or a clear message why not.

    Signed out, the person is sent to the login with that cohort's form as ``next``; the login and
    sign-up pages say why, and the cohort is kept through sign-up and e-mail confirmation.
    A form that is sent is always answered with the form: if the window closed or a draft was
    saved in another tab meanwhile, everything typed is shown again with the reason.
    """
    if not request.user.is_authenticated:
        return _sign_in_first(request, number)
    remembered_destination(request, forget=True)  # arrived where the person was going
    now = timezone.now()
    cohort = selectors.cohort_to_apply_to(number=number, at=now, sent=request.method == "POST")
    if cohort is None:
        return render(request, "applications/closed.html", {"cohort": None}, status=404)
    existing = selectors.own_application_in(cohort=cohort, applicant=request.user)
    if request.method == "POST":
        return _edit(request, cohort=cohort, application=existing)
    if existing:
        return redirect("applications:edit", pk=existing.pk)
    if not cohort.accepts_applications(now):
        return render(request, "applications/closed.html", {"cohort": cohort, "now": now}, status=403)
    return _edit(request, cohort=cohort, application=None)


def _sign_in_first(request, number: int | None):
    cohort = selectors.cohort_to_apply_to(number=number, at=timezone.now(), sent=False)
    if cohort is None:
        return redirect_to_login(request.get_full_path())
    path = reverse("applications:start_for_cohort", args=[cohort.number])
    remember_destination(request, path)
    return redirect(f"{reverse('account_login')}?{urlencode({'next': path})}")


@login_required
def edit(request, pk: int):
    application = _own_application(request, pk)
    if not application.is_draft and request.method != "POST":
        return redirect("applications:detail", pk=application.pk)
    return _edit(request, cohort=application.cohort, application=application)


def _closed_message(*, cohort: Cohort, application: Application | None, at) -> str | None:
    """Why this application cannot be saved at ``at``, or None while its window is open."""
    try:
        rules.check_window(cohort=cohort, at=at, application=application)
    except ValidationError as error:
        return error.messages[0]
    return None


FILE_FIELD = "endorsement_upload"


def _edit(request, *, cohort: Cohort, application: Application | None):
    """The application form. What is sent is never lost: a value that is not valid is kept in the
    draft and flagged, and the form comes back with everything typed and the reason whenever
    something is refused. A refused file is the one thing not taken."""
    now = timezone.now()
    sent = request.method == "POST"
    if sent:
        form = ApplicationForm(
            request.POST, request.FILES, instance=application or Application(cohort=cohort)
        )
    elif application is not None and application.invalid_input:
        # The draft's kept values, checked again, so the page says which ones to correct.
        form = ApplicationForm(kept_form_data(application), instance=application)
    else:
        form = ApplicationForm(instance=application or Application(cohort=cohort))
    saved_without_file = False
    if sent:
        _refuse_upload_burst(request, form)
        application, done, saved_without_file = _save_form(
            request, form, cohort=cohort, application=application, at=now
        )
        if done is not None:
            return done
    closed = _closed_message(cohort=cohort, application=application, at=now)
    return render(
        request,
        "applications/form.html",
        {
            "form": form,
            "cohort": cohort,
            "application": application,
            "window_open": closed is None,
            "closed_message": closed,
            "saved_without_file": saved_without_file,
            "kept_invalid": bool(application is not None and application.invalid_input),
        },
        status=400 if sent and form.errors else 200,
    )


def _refuse_upload_burst(request, form: ApplicationForm) -> None:
    if request.FILES and not allow(request, "upload", limit=UPLOAD_LIMIT, window=600):
        form.add_error(
            FILE_FIELD,
            _(
                "Sie haben in kurzer Zeit sehr viele Dateien hochgeladen. Bitte warten Sie einige "
                "Minuten und wählen Sie die Datei dann erneut aus."
            ),
        )


def _save_form(request, form: ApplicationForm, *, cohort: Cohort, application: Application | None, at):
    """Save everything the sent form holds but a refused file; values that are not valid are kept
    and flagged. Returns the application as it now is, the redirect when all was saved (else None:
    the form is shown again) and whether it was saved without the refused file."""
    file_refused = FILE_FIELD in form.errors
    invalid = kept_input(form)
    try:
        saved = services.save_draft(
            applicant=request.user,
            cohort=cohort,
            data=form.cleaned_data,
            endorsement=None if file_refused else form.cleaned_data.get(FILE_FIELD),
            invalid=invalid,
            at=at,
        )
    except ValidationError as error:
        # Nothing is written; everything typed stays on the page.
        unsaved = [_("Ihre Eingaben wurden nicht gespeichert.")]
        if application is not None and error.code == "closed":
            unsaved.append(_("Ihr zuletzt gespeicherter Entwurf bleibt erhalten."))
        form.add_error(None, [*error.messages, *unsaved])
        return application, None, False
    if file_refused:
        return saved, None, True
    if invalid:
        messages.warning(
            request,
            _("Ihr Entwurf ist gespeichert. Bitte korrigieren Sie vor dem Absenden die markierten Angaben."),
        )
        return saved, redirect("applications:edit", pk=saved.pk), False
    if request.POST.get("action") == "review":
        return saved, redirect("applications:review", pk=saved.pk), False
    messages.success(request, _("Ihr Entwurf ist gespeichert. Sie können jederzeit weitermachen."))
    return saved, redirect("applications:edit", pk=saved.pk), False


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    if request.method == "POST":
        return _submit(request, pk)
    application = _own_application(request, pk)
    if not application.is_draft:
        return redirect("applications:detail", pk=application.pk)
    return _review_page(request, application)


def _submit(request, pk: int):
    """The binding submit. The service loads, checks and locks the draft itself; the review page
    is loaded and rendered again only when the submit is refused."""
    at = timezone.now()
    try:
        application = services.submit_application(application_id=pk, applicant=request.user, at=at)
    except Application.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        application = _own_application(request, pk)
        if not application.is_draft:
            return redirect("applications:detail", pk=application.pk)
        return _review_page(request, application, error=exc.messages[0])
    if application.submitted_at == at:  # submitted now, not by an earlier request
        return redirect("applications:submitted", pk=application.pk)
    return redirect("applications:detail", pk=application.pk)


@login_required
def submitted(request, pk: int):
    """The confirmation after submitting: the reference and what happens next."""
    application = _own_application(request, pk)
    if application.is_draft:
        return redirect("applications:edit", pk=application.pk)
    return render(
        request,
        "applications/submitted.html",
        {"application": application, "confirmation_days": settings.SEAT_CONFIRMATION_DAYS},
    )


def missing_links(application: Application) -> list[tuple[str, str]]:
    """What a submission still needs, as (anchor in the form, the field's label in the form)."""
    fields = ApplicationForm.base_fields
    invalid = set(rules.invalid_fields(application))
    links = []
    for name in rules.missing_fields(application):
        field = fields[name]
        anchor = f"id_{name}_0" if getattr(field.widget, "input_type", "") == "radio" else f"id_{name}"
        label = str(field.label)
        if name in invalid:
            label = _("%(field)s (Ihre Eingabe ist noch zu korrigieren)") % {"field": label}
        links.append((anchor, label))
    return links


def _review_page(request, application: Application, *, error: str | None = None):
    return render(
        request,
        "applications/review.html",
        {"application": application, "missing": missing_links(application), "error": error},
        status=400 if error else 200,
    )


@login_required
def detail(request, pk: int):
    application = _own_application(request, pk)
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "can_apply_again": rules.can_apply_again(application, at=timezone.now()),
            "confirmation_days": settings.SEAT_CONFIRMATION_DAYS,
        },
    )


@login_required
@require_POST
def apply_again(request, pk: int):
    """'Neu bewerben' after a withdrawal, while the window is open: the application becomes a
    draft again, with everything it held."""
    application = _own_application(request, pk)
    try:
        services.apply_again(application_id=application.pk, applicant=request.user, at=timezone.now())
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("applications:detail", pk=application.pk)
    messages.success(
        request,
        _(
            "Ihre Bewerbung ist wieder ein Entwurf. Prüfen Sie Ihre Angaben und senden Sie sie erneut ab, "
            "damit sie berücksichtigt wird."
        ),
    )
    return redirect("applications:edit", pk=application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    application = _own_application(request, pk)
    deletes = application.is_draft and application.sequence is None  # never submitted
    if request.method == "POST":
        try:
            if deletes:
                services.delete_draft(application_id=application.pk, applicant=request.user)
            else:
                services.withdraw_application(
                    application_id=application.pk, applicant=request.user, at=timezone.now()
                )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request, _("Ihr Entwurf ist gelöscht.") if deletes else _("Ihre Bewerbung ist zurückgezogen.")
            )
        return redirect("applications:dashboard")
    if not application.can_withdraw:
        messages.error(request, _("Über diese Bewerbung ist bereits entschieden."))
        return redirect("applications:detail", pk=application.pk)
    return render(request, "applications/withdraw.html", {"application": application, "deletes": deletes})


@login_required
@require_http_methods(["GET", "POST"])
def offer(request, pk: int):
    """The accepted applicant confirms or declines the offered seat."""
    application = _own_application(request, pk)
    enrollment = application.enrollment
    if request.method == "POST":
        accept = request.POST.get("answer") == "confirm"
        try:
            decisions.respond_to_offer(
                application_id=application.pk, applicant=request.user, accept=accept, at=timezone.now()
            )
        except ValidationError as exc:
            if enrollment is not None and enrollment.state == enrollment.State.OFFERED:
                # The offer page again, with the reason, so that the answer can still be given.
                return render(
                    request,
                    "applications/offer.html",
                    {"application": application, "enrollment": enrollment, "error": exc.messages[0]},
                    status=400,
                )
            messages.error(request, exc.messages[0])
        else:
            if accept:
                remember_roles(request, request.user)  # "Mein Kurs" appears in the header
                messages.success(request, _("Sie haben Ihren Platz bestätigt. Willkommen im Programm!"))
            else:
                messages.success(
                    request,
                    _("Sie haben den Platz abgelehnt. Er geht an die nächste Person auf der Warteliste."),
                )
        return redirect("applications:dashboard")
    if enrollment is None or enrollment.state != enrollment.State.OFFERED:
        return redirect("applications:dashboard")
    return render(request, "applications/offer.html", {"application": application, "enrollment": enrollment})


def can_read_application(user, application: Application) -> bool:
    return application.applicant_id == user.pk or user.has_perm("applications.view_application")


@login_required
def endorsement(request, pk: int):
    """The endorsement letter, for the applicant and reviewers only, always as a download."""
    application = get_object_or_404(Application, pk=pk)
    if not can_read_application(request.user, application):
        raise Http404
    if not application.endorsement:
        raise Http404
    return private_download(
        application.endorsement, application.endorsement_name or "schreiben.pdf", "application/pdf"
    )


@login_required
def submission_pdf(request, pk: int):
    application = _own_application(request, pk)
    if application.is_draft:
        raise PermissionDenied
    response = HttpResponse(render_application_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
