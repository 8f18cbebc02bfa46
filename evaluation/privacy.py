"""Personal data of the evaluation app: a participant's answers to the questionnaire after each
module and to the waves, and their consents.

Hooks of ``portal.privacy.registry`` (found by name, like ``demo`` modules): the person gets
their answers in the archive of their data, erasure deletes them, and they are deleted when the
cohort's retention period has ended. When erasure must wait for other records (restriction),
the answers go at once: nothing obliges the portal to keep them. The evaluators' copies of the pseudonymised exports are
governed by the evaluation agreement, not by the portal.
"""

import datetime as dt

from portal.accounts.models import User

from .models import EvaluationConsent, Invitation, WaveResponse


def export(user: User):

    return [_questionnaire_export(user), _waves_export(user)]


def _waves_export(user: User):
    """The person's invitations to the waves, their answers and their consents."""
    from portal.privacy.registry import Export

    invitations = (
        Invitation.objects.filter(enrollment__user=user)
        .select_related("wave__instrument", "enrollment__cohort", "response__version")
        .prefetch_related("response__answers__item")
        .order_by("opens_at", "pk")
    )
    rows = []
    for invitation in invitations:
        response = getattr(invitation, "response", None)
        rows.append(
            {
                "cohort": invitation.enrollment.cohort.title,
                "wave": invitation.wave.kind,
                "instrument": invitation.wave.instrument.key,
                "opens_at": invitation.opens_at,
                "closes_at": invitation.closes_at,
                "version": response.version.number if response else None,
                "submitted_at": response.submitted_at if response else None,
                "answers": _answers(response) if response else {},
            }
        )
    consents = [
        {
            "programme": consent.programme.title,
            "text_version": consent.text_version,
            "given_at": consent.given_at,
            "opted_out_at": consent.opted_out_at,
            "withdrawn_at": consent.withdrawn_at,
        }
        for consent in EvaluationConsent.objects.filter(user=user).select_related("programme").order_by("pk")
    ]
    return Export(name="befragungen", data={"invitations": rows, "consents": consents})


def _answers(response) -> dict:
    return {
        answer.item.key: answer.number if answer.number is not None else (answer.choices or answer.text)
        for answer in response.answers.all()
    }


def _questionnaire_export(user: User):
    from portal.privacy.registry import Export

    responses = (
        WaveResponse.objects.filter(enrollment__user=user, module__isnull=False)
        .select_related("enrollment__cohort", "module", "version__instrument")
        .prefetch_related("answers__item")
        .order_by("enrollment__cohort__start_date", "module__position")
    )
    return Export(
        name="fragebogen",
        data=[
            {
                "cohort": response.enrollment.cohort.title,
                "module": response.module.title,
                "instrument": response.version.instrument.key,
                "version": response.version.number,
                "submitted_at": response.submitted_at,
                "answers": _answers(response),
            }
            for response in responses
        ],
    )


def erase(user: User, *, at: dt.datetime) -> None:
    WaveResponse.objects.filter(enrollment__user=user).delete()  # the questionnaires after modules
    Invitation.objects.filter(enrollment__user=user).delete()  # with their answers
    EvaluationConsent.objects.filter(user=user).delete()


def restrict(user: User, *, at: dt.datetime) -> None:
    """Erasure waits for other records: the answers and consents need not, and go now."""
    erase(user, at=at)


def retention(*, at: dt.datetime) -> dict[str, int]:
    """Answers go with the end of their cohort's retention period, like the course records."""
    from portal.privacy.registry import retention_cutoff

    cutoff = retention_cutoff(at)
    _total, by_model = WaveResponse.objects.filter(enrollment__cohort__end_date__lt=cutoff).delete()
    deleted = by_model.get(WaveResponse._meta.label, 0)
    waves, _by_model = WaveResponse.objects.filter(
        invitation__enrollment__cohort__end_date__lt=cutoff
    ).delete()
    return {"questionnaire_answers_deleted": deleted, "wave_answers_deleted": waves}
