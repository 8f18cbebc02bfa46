"""Personal data of the evaluation app: a participant's answers to the questionnaire.

Hooks of ``portal.privacy.registry`` (found by name, like ``demo`` modules): the person gets
their answers in the archive of their data, erasure deletes them, and they are deleted when the
cohort's retention period has ended. The evaluators' copies of the pseudonymised exports are
governed by the evaluation agreement, not by the portal.
"""

import datetime as dt

from portal.accounts.models import User

from .models import ITEM_FIELDS, QuestionnaireResponse


def export(user: User):
    from portal.privacy.registry import Export

    answers = (
        QuestionnaireResponse.objects.filter(enrollment__user=user)
        .select_related("enrollment__cohort", "module")
        .order_by("enrollment__cohort__start_date", "module__position")
    )
    return Export(
        name="fragebogen",
        data=[
            {
                "cohort": answer.enrollment.cohort.title,
                "module": answer.module.title,
                "submitted_at": answer.submitted_at,
                **{field: getattr(answer, field) for field in ITEM_FIELDS},
                "comment": answer.comment,
            }
            for answer in answers
        ],
    )


def erase(user: User, *, at: dt.datetime) -> None:
    QuestionnaireResponse.objects.filter(enrollment__user=user).delete()


def retention(*, at: dt.datetime) -> dict[str, int]:
    """Answers go with the end of their cohort's retention period, like the course records."""
    from portal.privacy.registry import retention_cutoff

    deleted, _by_model = QuestionnaireResponse.objects.filter(
        enrollment__cohort__end_date__lt=retention_cutoff(at)
    ).delete()
    return {"questionnaire_answers_deleted": deleted}
