"""Writes of the evaluation: a participant answers the questionnaire after a module."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cohorts.models import Enrollment
from modules.models import Module, Session

from .models import COMMENT_MAX, ITEM_FIELDS, QuestionnaireResponse


def questionnaire_opens_at(*, enrollment: Enrollment, module: Module) -> dt.datetime | None:
    """The end of the module's last session in the participant's cohort (None: not scheduled)."""
    ends = Session.objects.filter(cohort_id=enrollment.cohort_id, module=module).values_list(
        "ends_at", flat=True
    )
    return max(ends, default=None)


def submit_questionnaire(
    *, enrollment: Enrollment, module: Module, answers: dict, comment: str, at: dt.datetime
) -> QuestionnaireResponse:
    """Store a participant's answers after a module, once per module and only after it ended."""
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().select_related("cohort").get(pk=enrollment.pk)
        if enrollment.state != Enrollment.State.CONFIRMED:
            raise ValidationError(
                _("Den Fragebogen beantworten nur Teilnehmer:innen."), code="not_participant"
            )
        if module.programme_id != enrollment.cohort.programme_id:
            raise ValidationError(_("Dieses Modul gehört nicht zu Ihrem Programm."), code="other_programme")
        opens_at = questionnaire_opens_at(enrollment=enrollment, module=module)
        if opens_at is None or opens_at > at:
            raise ValidationError(
                _("Der Fragebogen zu diesem Modul ist erst nach seiner letzten Sitzung geöffnet."),
                code="not_open",
            )
        values = {field: answers.get(field) for field in ITEM_FIELDS}
        if any(value is not None and value not in range(1, 6) for value in values.values()):
            raise ValidationError(_("Bitte wählen Sie je Aussage einen Wert von 1 bis 5."), code="scale")
        comment = (comment or "").strip()
        if len(comment) > COMMENT_MAX:
            raise ValidationError(
                _("Ihre Anmerkungen dürfen höchstens %(max)s Zeichen lang sein.") % {"max": COMMENT_MAX},
                code="too_long",
            )
        if all(value is None for value in values.values()) and not comment:
            raise ValidationError(
                _("Bitte beantworten Sie mindestens eine Frage oder schreiben Sie eine Anmerkung."),
                code="empty",
            )
        answered = _("Sie haben den Fragebogen zu diesem Modul bereits beantwortet.")
        if QuestionnaireResponse.objects.filter(enrollment=enrollment, module=module).exists():
            raise ValidationError(answered, code="answered")
        try:
            with transaction.atomic():
                return QuestionnaireResponse.objects.create(
                    enrollment=enrollment, module=module, comment=comment, submitted_at=at, **values
                )
        except IntegrityError as exc:
            raise ValidationError(answered, code="answered") from exc
