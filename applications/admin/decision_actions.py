"""Decisions in the reviewers' tool: the list's actions and the single application's decide page.

Every decision is shown before it is made: what happens to whom, who is unscored, how many mails
go out. The confirmation carries the preview's fingerprint, and ``decisions.decide`` acts only if
its own plan (the same function, under its locks) still has that fingerprint.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.web.text import TextFormMixin

from .. import decisions
from ..models import Application


class DecisionForm(TextFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Entscheidung"),
        choices=[
            (Application.Status.ACCEPTED, _("annehmen")),
            (Application.Status.WAITLISTED, _("auf die Warteliste setzen")),
            (Application.Status.REJECTED, _("ablehnen")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Begründung (optional; erscheint in der E-Mail bei Warteliste und Absage)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class DecisionAdminMixin:
    """The decision actions and the decide page of ``ApplicationAdmin``."""

    def has_decide_permission(self, request):
        return request.user.has_perm("applications.decide_application")

    def _decide(self, request, ids, decision, *, reason="", overflow=decisions.Overflow.REFUSE, confirmed):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        result = decisions.decide(
            application_ids=list(ids),
            decision=decision,
            by=request.user,
            at=timezone.now(),
            reason=reason,
            overflow=overflow,
            confirmed=confirmed,
        )
        for status, decided in result.items():
            if decided:
                self.message_user(
                    request,
                    _("%(status)s: %(list)s. Die E-Mails werden versendet.")
                    % {
                        "status": Application.Status(status).label,
                        "list": ", ".join(a.reference for a in decided),
                    },
                    messages.SUCCESS,
                )

    def _confirmation(self, request, *, ids, decision, overflow, hidden, back_url, reason="", error=None):
        plan = decisions.preview_decision(
            application_ids=list(ids), decision=decision, overflow=overflow, at=timezone.now()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Entscheidung prüfen und bestätigen"),
            "plan": plan,
            "decision_label": Application.Status(decision).label,
            "reason": reason,
            "hidden": hidden,
            "back_url": back_url,
            "error": error,
            "counts": [
                (Application.Status(status).label, len(plan.to(status)))
                for status in [
                    Application.Status.ACCEPTED,
                    Application.Status.WAITLISTED,
                    Application.Status.REJECTED,
                    Application.Status.IN_REVIEW,
                ]
                if plan.to(status) or status in DECISION_COUNTS[decision]
            ],
        }
        return TemplateResponse(request, "admin/applications/application/decide_confirm.html", context)

    def _action(self, request, queryset, decision, *, overflow=decisions.Overflow.REFUSE):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        ids = list(queryset.values_list("pk", flat=True))
        error = None
        if request.POST.get("confirmed"):
            try:
                self._decide(request, ids, decision, overflow=overflow, confirmed=request.POST["confirmed"])
                return None  # back to the list, with the messages
            except ValidationError as exc:
                error = " ".join(exc.messages)
        hidden = [("action", request.POST.get("action", "")), *((ACTION_CHECKBOX_NAME, pk) for pk in ids)]
        return self._confirmation(
            request,
            ids=ids,
            decision=decision,
            overflow=overflow,
            hidden=hidden,
            back_url=request.get_full_path(),
            error=error,
        )

    @admin.action(description=_("Annehmen (nur wenn genug Plätze frei sind)"), permissions=["decide"])
    def accept(self, request, queryset):
        return self._action(request, queryset, Application.Status.ACCEPTED)

    @admin.action(description=_("Die Besten annehmen, übrige auf die Warteliste"), permissions=["decide"])
    def accept_best_waitlist_rest(self, request, queryset):
        return self._action(
            request, queryset, Application.Status.ACCEPTED, overflow=decisions.Overflow.WAITLIST_REST
        )

    @admin.action(description=_("Auf die Warteliste setzen"), permissions=["decide"])
    def waitlist(self, request, queryset):
        return self._action(request, queryset, Application.Status.WAITLISTED)

    @admin.action(description=_("Ablehnen"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._action(request, queryset, Application.Status.REJECTED)

    @admin.action(description=_("Als „in Prüfung“ markieren"), permissions=["decide"])
    def mark_in_review(self, request, queryset):
        return self._action(request, queryset, Application.Status.IN_REVIEW)

    def get_urls(self):
        return [
            path(
                "<int:pk>/entscheiden/",
                self.admin_site.admin_view(self.decide_view),
                name="applications_application_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk):
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if not (self.has_view_permission(request, application) and self.has_decide_permission(request)):
            raise PermissionDenied
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
            error = None
            if request.POST.get("confirmed"):
                try:
                    self._decide(
                        request,
                        [application.pk],
                        decision,
                        reason=reason,
                        confirmed=request.POST["confirmed"],
                    )
                    return redirect("admin:applications_application_change", application.pk)
                except ValidationError as exc:
                    error = " ".join(exc.messages)
            return self._confirmation(
                request,
                ids=[application.pk],
                decision=decision,
                overflow=decisions.Overflow.REFUSE,
                hidden=[("decision", decision), ("reason", reason)],
                back_url=request.path,
                reason=reason,
                error=error,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Entscheidung über %(reference)s") % {"reference": application.reference},
            "application": application,
            "form": form,
            "free_seats": application.cohort.free_seats(),
        }
        return TemplateResponse(request, "admin/applications/application/decide.html", context)


# Which counts the confirmation shows even when they are zero.
DECISION_COUNTS = {
    Application.Status.ACCEPTED: {Application.Status.ACCEPTED, Application.Status.WAITLISTED},
    Application.Status.WAITLISTED: {Application.Status.WAITLISTED},
    Application.Status.REJECTED: {Application.Status.REJECTED},
    Application.Status.IN_REVIEW: {Application.Status.IN_REVIEW},
}
