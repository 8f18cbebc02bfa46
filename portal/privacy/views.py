"""The person's data protection pages: "Meine Daten" (Art. 15/20 DSGVO) and account deletion (Art. 17)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.privacy import registry as data_protection
from portal.privacy.forms import DeleteAccountForm
from portal.web.ratelimit import allow, retry_after, too_many_requests

EXPORT_LIMIT = 10  # archives per person and hour
DELETE_LIMIT = 5  # password attempts per person and 15 minutes


@login_required
def my_data(request):
    plan = data_protection.erasure_plan(request.user, at=timezone.now())
    return render(
        request,
        "portal/my_data.html",
        {"plan": plan, "retention_months": data_protection.retention_months()},
    )


@login_required
def export_archive(request):
    if not allow(request, "privacy-export", limit=EXPORT_LIMIT, window=3600):
        return too_many_requests(
            request,
            retry_after=retry_after(request, "privacy-export", window=3600),
            message=_("Sie haben Ihre Daten in der letzten Stunde schon mehrmals heruntergeladen."),
        )
    now = timezone.now()
    archive = data_protection.build_archive(request.user, at=now)
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"meine-daten-smart-city-manager-{timezone.localdate(now).isoformat()}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    user = request.user
    now = timezone.now()
    plan = data_protection.erasure_plan(user, at=now)
    # Staff accounts sign decisions and certificates; an administrator closes them.
    allowed = not (user.is_staff or user.is_superuser)
    form = DeleteAccountForm(request.POST if request.method == "POST" and allowed else None, user=user)
    status, limited = 200, False
    if request.method == "POST":
        if not allowed:
            status = 403
        elif not allow(request, "account-delete", limit=DELETE_LIMIT, window=900):
            # The password is not even checked, so guessing learns nothing.
            form = DeleteAccountForm(user=user)
            status, limited = 429, True
        elif form.is_valid():
            plan = data_protection.erase_account(user=user, at=now)
            logout(request)
            if plan.restricted:
                messages.success(
                    request,
                    _(
                        "Ihr Konto ist gesperrt. Daten, die wir noch aufbewahren müssen, löschen oder "
                        "anonymisieren wir nach dem %(date)s; alles andere ist bereits gelöscht."
                    )
                    % {"date": date_format(plan.until, "SHORT_DATE_FORMAT")},
                )
            else:
                messages.success(request, _("Ihr Konto und Ihre Daten sind gelöscht."))
            return redirect("home")
        else:
            status = 400
    response = render(
        request,
        "portal/delete_account.html",
        {"form": form, "plan": plan, "allowed": allowed, "limited": limited},
        status=status,
    )
    if limited:
        response["Retry-After"] = str(retry_after(request, "account-delete", window=900))
    return response
