"""The participants' and graduates' side of the evaluation waves: their surveys, answering one,
opting out (also from a mail, without signing in) and withdrawing the consent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.models import Programme
from portal.accounts.models import User

from . import instruments, wave_selectors, waves
from .reminders import OPT_OUT_SALT
from .wave_forms import wave_form


@login_required
def surveys(request):
    return render(
        request, "evaluation/surveys.html", wave_selectors.surveys_page(request.user, now=timezone.now())
    )


def _render_survey(request, invitation, version, items, form, status=200):
    context = {"invitation": invitation, "version": version, "form": form, "items": items}
    return render(request, "evaluation/survey.html", context, status=status)


@login_required
def survey(request, pk: int):
    invitation = wave_selectors.own_invitation(request.user, pk)
    now = timezone.now()
    if wave_selectors.has_response(invitation):
        messages.info(request, _("Sie haben diese Befragung bereits beantwortet. Vielen Dank!"))
        return redirect("evaluation:surveys")
    if not waves.is_open(invitation, now):
        messages.error(request, _("Diese Befragung ist geschlossen. Antworten sind nicht mehr möglich."))
        return redirect("evaluation:surveys")
    version = instruments.current_version(invitation.wave.instrument)
    if version is None:
        raise Http404
    items = list(version.items.select_related("module").order_by("position", "pk"))
    consent = waves.consent_of(request.user, invitation.wave.programme)
    ask_consent = consent is None or consent.given_at is None or consent.withdrawn_at is not None
    shown = instruments.fingerprint(version, items)
    form = wave_form(items, ask_consent=ask_consent, data=request.POST or None, initial={"shown": shown})
    if request.method != "POST" or not form.is_valid():
        return _render_survey(request, invitation, version, items, form)
    try:
        waves.submit_response(
            invitation=invitation,
            version=version,
            shown=form.cleaned_data["shown"],
            answers=form.answers(),
            consent=bool(form.cleaned_data.get("consent")),
            at=timezone.now(),
        )
    except ValidationError as exc:
        # Shown with the current questions and everything typed; a changed version gets the
        # current fingerprint so that the next submission is taken.
        data = request.POST.copy()
        data["shown"] = shown
        form = wave_form(items, ask_consent=ask_consent, data=data)
        form.is_valid()
        for message in exc.messages:
            form.add_error(None, message)
        return _render_survey(request, invitation, version, items, form)
    messages.success(request, _("Vielen Dank! Ihre Antworten sind gespeichert."))
    return redirect("evaluation:surveys")


def opt_out(request, token: str):
    """One button, reachable from every invitation without signing in."""
    try:
        payload = signing.loads(token, salt=OPT_OUT_SALT)
        user = User.objects.get(pk=payload["u"], is_active=True)
        programme = Programme.objects.get(pk=payload["p"])
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist, Programme.DoesNotExist):
        raise Http404 from None
    done = False
    if request.method == "POST":
        waves.opt_out(user=user, programme=programme, at=timezone.now())
        done = True
    return render(request, "evaluation/opt_out.html", {"programme": programme, "done": done})


@login_required
def withdraw(request, programme_pk: int):
    programme = get_object_or_404(Programme, pk=programme_pk)
    if waves.consent_of(request.user, programme) is None:
        raise Http404
    if request.method == "POST":
        deleted = waves.withdraw_consent(user=request.user, programme=programme, at=timezone.now())
        messages.success(
            request,
            _("Ihre Einwilligung ist widerrufen. %(count)s Antworten wurden gelöscht.") % {"count": deleted},
        )
        return redirect("evaluation:surveys")
    return render(request, "evaluation/withdraw.html", {"programme": programme})


@login_required
@require_POST
def stop_invitations(request, programme_pk: int):
    programme = get_object_or_404(Programme, pk=programme_pk)
    waves.opt_out(user=request.user, programme=programme, at=timezone.now())
    messages.success(request, _("Sie erhalten keine weiteren Einladungen zur Evaluation."))
    return redirect("evaluation:surveys")
