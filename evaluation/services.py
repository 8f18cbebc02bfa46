"""Writes of the evaluation: a participant answers the questionnaire after a module.

The questionnaire is the instrument ``modul-feedback``; its answers are stored like every
instrument's, as a response of the version shown with one answer per item answered."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cohorts.models import Enrollment
from modules.models import Module, Session

from . import instruments
from .models import MODULE_INSTRUMENT, Answer, InstrumentVersion, WaveResponse


def questionnaire_opens_at(*, enrollment: Enrollment, module: Module) -> dt.datetime | None:
    """The end of the module's last session in the participant's cohort (None: not scheduled)."""
    ends = Session.objects.filter(cohort_id=enrollment.cohort_id, module=module).values_list(
        "ends_at", flat=True
    )
    return max(ends, default=None)


def _check_may_answer(enrollment: Enrollment, module: Module, at: dt.datetime) -> None:
    if enrollment.state != Enrollment.State.CONFIRMED:
        raise ValidationError(_("Den Fragebogen beantworten nur Teilnehmer:innen."), code="not_participant")
    if module.programme_id != enrollment.cohort.programme_id:
        raise ValidationError(_("Dieses Modul gehört nicht zu Ihrem Programm."), code="other_programme")
    opens_at = questionnaire_opens_at(enrollment=enrollment, module=module)
    if opens_at is None or opens_at > at:
        raise ValidationError(
            _("Der Fragebogen zu diesem Modul ist erst nach seiner letzten Sitzung geöffnet."),
            code="not_open",
        )


def submit_questionnaire(
    *,
    enrollment: Enrollment,
    module: Module,
    version: InstrumentVersion,
    shown: str,
    answers: dict,
    at: dt.datetime,
) -> WaveResponse:
    """Store a participant's answers after a module, once per module and only after it ended.

    ``answers`` maps item keys to what was entered; ``shown`` is the fingerprint of the items
    the form showed: if the version changed meanwhile, nothing is stored."""
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().select_related("cohort").get(pk=enrollment.pk)
        _check_may_answer(enrollment, module, at)
        if version.instrument.key != MODULE_INSTRUMENT:
            raise ValidationError(_("Dieser Fragebogen gehört nicht zu dieser Befragung."), code="instrument")
        items = list(version.items.order_by("position", "pk"))
        if instruments.fingerprint(version, items) != shown:
            raise ValidationError(
                _(
                    "Der Fragebogen wurde inzwischen geändert. Bitte prüfen Sie Ihre Antworten und senden Sie erneut."
                ),
                code="changed",
            )
        cleaned = instruments.clean_answers(
            items,
            answers,
            empty_message=_("Bitte beantworten Sie mindestens eine Frage oder schreiben Sie eine Anmerkung."),
        )
        answered = _("Sie haben den Fragebogen zu diesem Modul bereits beantwortet.")
        if WaveResponse.objects.filter(enrollment=enrollment, module=module).exists():
            raise ValidationError(answered, code="answered")
        try:
            with transaction.atomic():
                response = WaveResponse.objects.create(
                    enrollment=enrollment, module=module, version=version, submitted_at=at
                )
        except IntegrityError as exc:
            raise ValidationError(answered, code="answered") from exc
        Answer.objects.bulk_create([Answer(response=response, item=item, **value) for item, value in cleaned])
        return response
