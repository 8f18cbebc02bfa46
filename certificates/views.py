import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from cohorts.models import Cohort, Programme
from cohorts.selectors import can_coordinate
from portal.files import private_download
from portal.web.forms import KernFormMixin
from portal.web.ratelimit import allow, retry_after
from portal.web.text import TextFormMixin

from . import openbadges, selectors, services
from .models import Certificate

VERIFY_LIMIT = 20  # lookups per client (account, or address when signed out) and window
VERIFY_WINDOW = 600


class VerifyForm(TextFormMixin, KernFormMixin, forms.Form):
    nummer = forms.CharField(
        label=gettext_lazy("Zertifikatsnummer"),
        max_length=40,
        help_text=gettext_lazy("z. B. SCM-2022-3-0012"),
    )
    code = forms.CharField(
        label=gettext_lazy("Prüfcode"),
        max_length=12,
        help_text=gettext_lazy("Die acht Zeichen unter dem QR-Code"),
    )


class RevokeForm(TextFormMixin, KernFormMixin, forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Was soll geschehen?"),
        choices=[
            ("revoke", gettext_lazy("Widerrufen: das Zertifikat wird ungültig.")),
            ("reissue", gettext_lazy("Neu ausstellen: widerrufen und mit neuer Nummer neu ausstellen.")),
        ],
        widget=forms.RadioSelect,
        initial="revoke",
    )
    reason = forms.CharField(
        label=gettext_lazy("Grund"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Der Grund steht in der Prüfauskunft und in der E-Mail an die Inhaber:in."),
    )

    def __init__(self, *args, certificate: Certificate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if certificate is not None:  # the error names the certificate
            self.fields["reason"].error_messages["required"] = _(
                "Bitte geben Sie den Grund an, aus dem das Zertifikat %(number)s von %(name)s widerrufen wird."
            ) % {"number": certificate.number, "name": certificate.holder_name}


class PdfCheckForm(TextFormMixin, KernFormMixin, forms.Form):
    datei = forms.FileField(
        label=gettext_lazy("Zertifikat als PDF oder digitaler Nachweis (.jwt, .json)"),
        help_text=gettext_lazy("Höchstens 5 MB. Die Datei wird nicht gespeichert."),
    )


def verify(request):
    """Public: is this certificate genuine and valid? Shows nothing else about the person."""
    certificate = None
    looked_up = False
    limited = False
    form = VerifyForm(request.GET or None)
    pdf_form = PdfCheckForm()
    pdf_result = None
    if request.method == "POST":
        pdf_form = PdfCheckForm(request.POST, request.FILES)
        if not allow(request, "certificate-verify", limit=VERIFY_LIMIT, window=VERIFY_WINDOW):
            limited = True
        elif pdf_form.is_valid():
            upload = pdf_form.cleaned_data["datei"]
            if upload.size > 5 * 1024 * 1024:
                pdf_form.add_error("datei", _("Die Datei ist größer als 5 MB."))
            else:
                pdf_result = selectors.check_file(upload.read())
    elif form.is_bound and form.is_valid():
        if not allow(request, "certificate-verify", limit=VERIFY_LIMIT, window=VERIFY_WINDOW):
            limited = True
        else:
            looked_up = True
            certificate = selectors.find(form.cleaned_data["nummer"], form.cleaned_data["code"])
    status = 429 if limited else 200
    response = render(
        request,
        "certificates/verify.html",
        {
            "form": form,
            "pdf_form": pdf_form,
            "certificate": certificate,
            "looked_up": looked_up,
            "limited": limited,
            "pdf_result": pdf_result,
        },
        status=status,
    )
    if limited:
        response["Retry-After"] = str(retry_after(request, "certificate-verify", window=VERIFY_WINDOW))
    return response


@login_required
def download(request, pk: int):
    certificate = get_object_or_404(Certificate.objects.select_related("enrollment", "cohort"), pk=pk)
    own = certificate.enrollment.user_id == request.user.pk
    translated = request.GET.get("fassung") == certificate.translation_language
    document = certificate.translation_pdf if translated else certificate.pdf
    if not (own or can_coordinate(request.user, certificate.cohort)) or not document:
        raise Http404
    suffix = f"-{certificate.translation_language}" if translated else ""
    return private_download(document, f"Zertifikat-{certificate.number}{suffix}.pdf", "application/pdf")


@login_required
def download_credential(request, pk: int, fmt: str):
    """The certificate's Open Badges credential: signed (.jwt) or readable (.json)."""
    certificate = get_object_or_404(Certificate.objects.select_related("enrollment", "cohort"), pk=pk)
    own = certificate.enrollment.user_id == request.user.pk
    allowed = own or can_coordinate(request.user, certificate.cohort)
    if not allowed or not certificate.credential_jwt:
        raise Http404
    if fmt == "jwt":
        body, content_type = certificate.credential_jwt, "application/jwt"
    else:
        body = json.dumps(openbadges.credential_of(certificate.credential_jwt), ensure_ascii=False, indent=2)
        content_type = "application/json"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="Nachweis-{certificate.number}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _public_json(data: dict, content_type: str = "application/json") -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = f"{content_type}; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"  # verifiers in wallets and browsers read these
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def ob_issuer(request):
    """The issuing organisation's Open Badges profile (the credential's ``issuer.id``)."""
    return _public_json(openbadges.published_profile(), "application/ld+json")


@require_GET
@cache_control(public=True, max_age=3600)
def ob_jwks(request):
    """The public keys credentials are signed with, current and retired (JWKS, RFC 7517)."""
    return _public_json(openbadges.jwks(), "application/jwk-set+json")


@require_GET
@cache_control(public=True, max_age=3600)
def ob_key(request, thumbprint: str):
    """One signing key as JWK: what a credential's ``kid`` (this address) dereferences to."""
    jwk = openbadges.published_key(thumbprint)
    if jwk is None:
        raise Http404
    return _public_json(jwk, "application/jwk+json")


@require_GET
@cache_control(public=True, max_age=3600)
def ob_achievement(request, slug: str):
    """The programme as Open Badges achievement, German (or English with ``?lang=en``)."""
    programme = get_object_or_404(Programme, slug=slug)
    modules = selectors.achievement_modules(programme)
    build = openbadges.english_achievement if request.GET.get("lang") == "en" else openbadges.achievement
    return _public_json(
        {"@context": [openbadges.VC_CONTEXT, openbadges.OB_CONTEXT], **build(programme, modules)},
        "application/ld+json",
    )


@require_GET
@cache_control(no_cache=True)
def ob_status_list(request):
    """The revocation list (Bitstring Status List credential as VC-JWT), current at every request."""
    status_list = openbadges.status_list(at=timezone.now())
    response = HttpResponse(status_list.token, content_type="application/vc+jwt")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _coordinated_cohort(request, pk: int) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    if not can_coordinate(request.user, cohort):
        raise Http404
    return cohort


@login_required
def cohort_certificates(request, pk: int):
    """The coordinator's view: who is eligible and who not yet and why, what is issued, and how
    far the rendering is (the status region polls ``issuing_status`` while certificates are made)."""
    cohort = _coordinated_cohort(request, pk)
    page = selectors.issuing_page(cohort)
    return render(
        request,
        "certificates/cohort.html",
        {
            "cohort": cohort,
            "page": page,
            "stuck": selectors.stuck_certificates(page.certificates, now=timezone.now()),
        },
    )


@login_required
def issuing_status(request, pk: int):
    """The counts by status and the failures with their reasons, as a fragment for the page's
    status region; ``X-Poll-Done`` tells the page to stop asking once nothing is in progress."""
    cohort = _coordinated_cohort(request, pk)
    page = selectors.issuing_progress(cohort)
    response = render(
        request, "certificates/_progress.html", {"cohort": cohort, "page": page, "polled": True}
    )
    response["Cache-Control"] = "no-store"
    if not page.in_progress:
        response["X-Poll-Done"] = "1"
    return response


@login_required
@require_POST
def request_translation(request, pk: int):
    certificate = get_object_or_404(
        Certificate.objects.select_related("enrollment"), pk=pk, enrollment__user=request.user
    )
    try:
        services.request_translation(certificate=certificate, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Die Fassung in der anderen Sprache wird erstellt; sie erscheint gleich hier.")
        )
    return redirect("modules:dashboard")


@login_required
@require_POST
def request_second_copy(request, pk: int):
    """The holder asks for the second copy of their certificate from before the portal."""
    from .history.forms import HolderSecondCopyForm
    from .history.second_copy import request_second_copy as request_copy

    certificate = get_object_or_404(
        Certificate.objects.select_related("enrollment"), pk=pk, enrollment__user=request.user
    )
    form = HolderSecondCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["einwilligung"]))
        return redirect("modules:dashboard")
    try:
        request_copy(certificate=certificate, by=request.user, at=timezone.now(), consent=True)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "Ihre Zweitschrift wird erstellt. Sie erhalten eine E-Mail, sobald sie bereitsteht; "
                "dann finden Sie sie auch hier."
            ),
        )
    return redirect("modules:dashboard")


@login_required
@require_POST
def issue(request, pk: int):
    cohort = _coordinated_cohort(request, pk)
    ids = [int(i) for i in request.POST.getlist("enrollment") if i.isdigit()] or None
    try:
        issued = services.issue_certificates(
            cohort=cohort, by=request.user, at=timezone.now(), enrollment_ids=ids
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s Zertifikat wird erstellt und versendet.",
                "%(count)s Zertifikate werden erstellt und versendet.",
                len(issued),
            )
            % {"count": len(issued)},
        )
    return redirect("certificates:cohort", pk=cohort.pk)


@login_required
def revoke_or_reissue(request, pk: int):
    """Revoke (or revoke and reissue) a certificate in two steps, as decisions are taken: the
    form with the reason, then a confirmation that shows what will happen; only the confirmed
    step writes."""
    certificate = get_object_or_404(Certificate.objects.select_related("cohort"), pk=pk)
    if (
        not can_coordinate(request.user, certificate.cohort)
        or certificate.status == Certificate.Status.REVOKED
    ):
        raise Http404
    form = RevokeForm(request.POST or None, certificate=certificate)
    if request.method != "POST" or not form.is_valid():
        return render(
            request,
            "certificates/revoke.html",
            {"certificate": certificate, "form": form},
            status=400 if form.is_bound else 200,
        )
    reason, action = form.cleaned_data["reason"], form.cleaned_data["action"]
    if request.POST.get("edit"):
        return render(request, "certificates/revoke.html", {"certificate": certificate, "form": form})
    if not request.POST.get("confirmed"):
        return render(request, "certificates/revoke_confirm.html", {"certificate": certificate, "form": form})
    try:
        if action == "reissue":
            new = services.reissue(certificate=certificate, reason=reason, by=request.user, at=timezone.now())
            messages.success(request, _("Neu ausgestellt als %(number)s.") % {"number": new.number})
        else:
            services.revoke(certificate=certificate, reason=reason, by=request.user, at=timezone.now())
            messages.success(
                request, _("Das Zertifikat %(number)s ist widerrufen.") % {"number": certificate.number}
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("certificates:cohort", pk=certificate.cohort_id)


@login_required
@require_POST
def start_again(request, pk: int):
    """ "Erneut anstoßen": a coordinator hands a stuck or failed certificate to the worker again."""
    certificate = get_object_or_404(Certificate.objects.select_related("cohort"), pk=pk)
    if not can_coordinate(request.user, certificate.cohort):
        raise Http404
    try:
        services.start_again(certificate=certificate, by=request.user, at=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Das Zertifikat %(number)s wird erneut erstellt.") % {"number": certificate.number}
        )
    return redirect("certificates:cohort", pk=certificate.cohort_id)
