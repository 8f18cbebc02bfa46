from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .forms import ProfileForm
from .middleware import SUPPORTED, remember_language


@require_POST
def set_language(request):
    """The language switch: remembers the choice in a cookie and, when logged in, in the profile."""
    language = request.POST.get("language")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in SUPPORTED:
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
        remember_language(response, language)
    return response


@login_required
def profile(request):
    """The person's mail settings, linked from every reminder."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Ihre Einstellungen wurden gespeichert."))
        return redirect("profile")
    return render(request, "portal/profile.html", {"form": form})
