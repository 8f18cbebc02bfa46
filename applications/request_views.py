"""The applicant's side of a Rückfrage: the form for exactly the requested fields."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.web.text import TextFormMixin

from .models import Application, InformationRequest
from .requests import answer_request, field_labels


class AnswerFormBase(TextFormMixin, forms.ModelForm):
    """The applicant's answer to a request: the fields asked for are chosen per request (see
    ``answer``); on its own the form has none."""

    class Meta:
        model = Application
        fields: list[str] = []


@login_required
def answer(request, pk: int):
    """Only the applicant whose application it is; another's id is a 404, as everywhere."""
    information_request = get_object_or_404(
        InformationRequest.objects.select_related("application__cohort"),
        pk=pk,
        application__applicant=request.user,
    )
    application = information_request.application
    if information_request.answered_at is not None:
        raise Http404
    form_class = modelform_factory(Application, form=AnswerFormBase, fields=information_request.fields)
    form = form_class(request.POST or None, instance=Application.objects.get(pk=application.pk))
    if request.method == "POST" and form.is_valid():
        try:
            answer_request(
                request_id=information_request.pk,
                applicant=request.user,
                values={name: form.cleaned_data[name] for name in information_request.fields},
                at=timezone.now(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Vielen Dank. Ihre Antwort ist gespeichert; die Bewerbung ist wieder in Prüfung.")
            )
            return redirect("applications:dashboard")
    return render(
        request,
        "applications/answer_request.html",
        {
            "application": application,
            "information_request": information_request,
            "labels": field_labels(information_request.fields),
            "form": form,
        },
    )
