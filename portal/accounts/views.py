"""The person's own account settings."""

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.accounts.forms import ProfileForm
from portal.web.ratelimit import allow

RESEND_LIMIT = 5  # requests per client and hour
RESEND_PAUSE = 180  # seconds between two confirmation mails to one address


@login_required
def profile(request):
    """The profile: the name as the certificate prints it, and the mail settings (linked from every reminder)."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Ihre Einstellungen wurden gespeichert."))
        return redirect("profile")
    return render(request, "portal/profile.html", {"form": form})


@require_POST
def resend_confirmation(request):
    """A new confirmation mail for an address not yet confirmed, without asking for the password.

    The answer is the same whether or not such an account exists, so that nobody learns which
    addresses have one. At most one mail per address every few minutes, a few requests per client
    and hour."""
    target = reverse("help") + "#resend-title"
    if not allow(request, "resend-confirmation", limit=RESEND_LIMIT, window=3600):
        messages.error(
            request,
            gettext(
                "Von Ihrem Anschluss kamen viele Anfragen. Bitte versuchen Sie es in einer Stunde noch einmal."
            ),
        )
        return redirect(target)
    field = forms.EmailField()
    try:
        email = field.clean(request.POST.get("email", ""))
    except forms.ValidationError:
        messages.error(request, gettext("Bitte geben Sie Ihre E-Mail-Adresse an, z. B. name@beispiel.de."))
        return redirect(target)
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(email__iexact=email, verified=False).select_related("user").first()
    key = "resend-confirmation:" + hashlib.sha256(email.lower().encode()).hexdigest()
    if address is not None and cache.add(key, 1, timeout=RESEND_PAUSE):
        address.send_confirmation(request)
    messages.success(
        request,
        gettext(
            "Gehört zu dieser Adresse ein Konto, das noch nicht bestätigt ist, haben wir eine neue "
            "Bestätigungsmail geschickt. Sehen Sie bitte auch im Spam-Ordner nach."
        ),
    )
    return redirect(target)
