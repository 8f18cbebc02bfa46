"""The person's own account settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from portal.accounts.forms import ProfileForm


@login_required
def profile(request):
    """The profile: the name as the certificate prints it, and the mail settings (linked from every reminder)."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Ihre Einstellungen wurden gespeichert."))
        return redirect("profile")
    return render(request, "portal/profile.html", {"form": form})
