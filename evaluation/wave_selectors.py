"""Reads of the evaluation waves for the person who answers them."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import Http404

from portal.accounts.models import User

from .models import EvaluationConsent, Invitation, WaveResponse


@dataclass(frozen=True)
class SurveyRow:
    invitation: Invitation
    answered: bool
    is_open: bool


def _own(user: User):
    return (
        Invitation.objects.filter(enrollment__user=user)
        .select_related("wave__instrument", "wave__programme", "enrollment__cohort")
        .annotate(answered=Exists(WaveResponse.objects.filter(invitation_id=OuterRef("pk"))))
    )


def own_invitation(user: User, pk: int) -> Invitation:
    """The invitation if it is the user's own; a guessed id is a 404."""
    invitation = _own(user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def has_response(invitation: Invitation) -> bool:
    answered = getattr(invitation, "answered", None)
    if answered is not None:
        return answered
    return WaveResponse.objects.filter(invitation=invitation).exists()


def surveys_page(user: User, *, now: dt.datetime) -> dict:
    """The person's invitations, newest first, and their consents: three queries."""
    rows = [
        SurveyRow(invitation=i, answered=i.answered, is_open=i.opens_at <= now < i.closes_at)
        for i in _own(user).order_by("-opens_at", "-pk")
    ]
    consents = list(EvaluationConsent.objects.filter(user=user).select_related("programme").order_by("pk"))
    return {"rows": rows, "consents": consents}
