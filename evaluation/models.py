"""The participants' questionnaire after each module, and the permissions of the evaluation.

Answers are personal data of the participant. They are shown nowhere per person: the dashboard
shows them only aggregated (and not below three answers), the evaluators get them only in the
pseudonymised export. That is why this model has no admin and is not in the audit log.
"""

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cohorts.models import Enrollment
from modules.models import Module

COMMENT_MAX = 2000
LIKERT = [MinValueValidator(1), MaxValueValidator(5)]

# (field, statement, export column). The statements are rated from 1 (trifft gar nicht zu)
# to 5 (trifft voll zu); every item may be left out.
ITEMS = [
    ("relevance", _("Die Inhalte des Moduls sind für meine Arbeit in der Kommune wichtig."), "relevanz"),
    ("clarity", _("Die Inhalte wurden verständlich vermittelt."), "verstaendlichkeit"),
    (
        "practical_task",
        _("Die Praxisaufgabe hat mir geholfen, das Gelernte in meiner Kommune anzuwenden."),
        "praxisaufgabe",
    ),
    ("online_format", _("Das Online-Format der Sitzungen hat gut funktioniert."), "online_format"),
    ("overall", _("Insgesamt bin ich mit dem Modul zufrieden."), "gesamt"),
]
ITEM_FIELDS = [field for field, _statement, _column in ITEMS]


def _likert(verbose_name):
    return models.PositiveSmallIntegerField(verbose_name, null=True, blank=True, validators=LIKERT)


class QuestionnaireResponse(models.Model):
    """A participant's answers to the questionnaire after one module (at most one per module)."""

    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("Teilnahme"),
        on_delete=models.CASCADE,
        related_name="questionnaire_responses",
    )
    module = models.ForeignKey(
        Module, verbose_name=_("Modul"), on_delete=models.PROTECT, related_name="questionnaire_responses"
    )
    relevance = _likert(_("Relevanz für die Arbeit"))
    clarity = _likert(_("Verständlichkeit"))
    practical_task = _likert(_("Nutzen der Praxisaufgabe"))
    online_format = _likert(_("Online-Format"))
    overall = _likert(_("Zufriedenheit insgesamt"))
    comment = models.TextField(_("Anmerkungen"), blank=True, validators=[MaxLengthValidator(COMMENT_MAX)])
    submitted_at = models.DateTimeField(_("beantwortet am"))

    class Meta:
        verbose_name = _("Antwort auf den Fragebogen")
        verbose_name_plural = _("Antworten auf den Fragebogen")
        # No view/change permissions per answer exist, so no role can be given one by mistake.
        default_permissions = ()
        permissions = [
            ("view_statistics", _("Kann die Auswertung des Programms sehen")),
            ("export_pseudonymised", _("Kann pseudonymisierte Daten für die Evaluation herunterladen")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "module"], name="one_questionnaire_per_module"),
            models.CheckConstraint(
                condition=Q(
                    *(
                        Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 1, f"{field}__lte": 5})
                        for field in ITEM_FIELDS
                    )
                ),
                name="questionnaire_items_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return _("Fragebogen zu Modul %(position)s") % {"position": self.module.position}
