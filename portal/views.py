"""The ground floor's public pages: the language switch, the accessibility statement with its
feedback form, the sign language page."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from portal import services
from portal.accounts.services import choose_language
from portal.forms import AccessibilityFeedbackForm
from portal.web.middleware import SUPPORTED, remember_language
from portal.web.ratelimit import allow

FEEDBACK_LIMIT = 5  # reports per client and hour


@require_POST
def set_language(request):
    """The language switch: remembers the choice in a cookie and, when logged in, in the profile."""
    language = request.POST.get("language")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in SUPPORTED:
        if request.user.is_authenticated:
            choose_language(user=request.user, language=language)
        remember_language(response, language)
    return response


@require_http_methods(["GET", "POST"])
def accessibility(request):
    """The accessibility statement with its feedback form (BITV 2.0 § 7)."""
    form = AccessibilityFeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not allow(request, "accessibility-feedback", limit=FEEDBACK_LIMIT, window=3600):
            form.add_error(
                None,
                gettext(
                    "Von Ihrem Anschluss sind in der letzten Stunde schon mehrere Rückmeldungen gekommen. "
                    "Bitte versuchen Sie es später noch einmal oder schreiben Sie uns eine E-Mail."
                ),
            )
        if form.is_valid():
            services.submit_accessibility_feedback(**form.cleaned_data, at=timezone.now())
            messages.success(
                request,
                gettext("Vielen Dank für Ihre Rückmeldung. Wir antworten Ihnen innerhalb von sechs Wochen."),
            )
            return redirect(f"{request.path}#feedback-title")
        status = 400
    return render(request, "portal/barrierefreiheit.html", {"form": form}, status=status)


def sign_language(request):
    """The operator's video in German Sign Language; without a configured video there is no page."""
    if not settings.PORTAL_OPERATOR["sign_language_video"]:
        raise Http404
    return render(request, "portal/gebaerdensprache.html")
