import itertools

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db.models import Subquery
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from portal.files import validate_pdf
from portal.models import Municipality
from portal.web.forms import KernFormMixin
from portal.web.text import TextFormMixin

from .models import APPLICANT_FIELDS, LONG_TEXT_MAX, MOTIVATION_MAX, Application


def with_limit(text, limit: int):
    """A lazily translated help text with its length limit filled in when it is shown."""
    return lazy(lambda: str(text) % {"max": limit}, str)()


PHONE = RegexValidator(
    r"^\+?[0-9 ()/\-]{5,30}$", _("Bitte geben Sie eine Telefonnummer an, z. B. 0331 123456.")
)


def municipalities_for(cohort_id: int | None):
    """The municipalities of the state of the cohort's programme (of ``PORTAL_STATE`` without a
    cohort), in one statement: the state is a subquery, not a query of its own."""
    if cohort_id is None:
        return Municipality.objects.filter(state=settings.PORTAL_STATE)
    state = Cohort.objects.filter(pk=cohort_id).values("programme__state")[:1]
    return Municipality.objects.filter(state=Subquery(state))


def municipality_choices(cohort_id: int | None = None):
    """The state's municipalities grouped by district; Ämter and Verbandsgemeinden are employers too."""
    rows = (
        municipalities_for(cohort_id)
        .order_by("district", "name")
        .values_list("pk", "name", "district", "kind")
    )
    kinds = dict(Municipality.Kind.choices)
    choices = [("", _("Bitte wählen Sie Ihre Kommune"))]
    for district, members in itertools.groupby(rows, key=lambda row: row[2]):
        choices.append(
            (
                district,
                [
                    # A town that is its own district (Cottbus) is not named twice.
                    (
                        pk,
                        f"{name} ({kinds[kind]})"
                        if name == district
                        else f"{name} ({district}, {kinds[kind]})",
                    )
                    for pk, name, _d, kind in members
                ],
            )
        )
    return choices


class ApplicationForm(TextFormMixin, KernFormMixin, forms.ModelForm):
    """The application form. Nothing is required to save a draft; completeness is checked on submission."""

    municipality = forms.TypedChoiceField(
        label=_("Kommune, bei der Sie beschäftigt sind"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": _(
                "Diese Kommune steht nicht in der Liste des Programms. Bitte wählen Sie Ihre Kommune "
                "aus der Liste oder nennen Sie eine andere öffentliche Stelle."
            )
        },
        help_text=_(
            "Tippen Sie die ersten Buchstaben, um in der Liste zu springen. Der Landkreis steht in Klammern."
        ),
    )
    endorsement_upload = forms.FileField(
        label=_("Unterstützungsschreiben von Vorgesetzte:r (PDF)"),
        required=False,
        help_text=_("Nur PDF, höchstens 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    privacy_consent = forms.BooleanField(
        label=_(
            "Ich habe die Datenschutzhinweise gelesen und willige in die Verarbeitung meiner Angaben ein."
        ),
        required=False,
    )

    class Meta:
        model = Application
        fields = APPLICANT_FIELDS
        widgets = {
            "other_employer": forms.TextInput(attrs={"autocomplete": "organization"}),
            "department": forms.TextInput(),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "role": forms.Textarea(attrs={"rows": 5, "maxlength": LONG_TEXT_MAX}),
            "motivation": forms.Textarea(attrs={"rows": 8, "maxlength": MOTIVATION_MAX}),
            "plans": forms.Textarea(attrs={"rows": 5, "maxlength": LONG_TEXT_MAX}),
            "strategy": forms.RadioSelect(),
            "supervisor_email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "other_employer": _(
                "Nur ausfüllen, wenn Ihre Dienststelle nicht in der Liste steht, "
                "z. B. ein Landkreis oder Zweckverband."
            ),
            "role": with_limit(
                _(
                    "Welche Aufgaben haben Sie heute in der Digitalisierung oder Stadtentwicklung? "
                    "Höchstens %(max)s Zeichen."
                ),
                LONG_TEXT_MAX,
            ),
            "motivation": with_limit(
                _(
                    "Warum möchten Sie teilnehmen, und was wollen Sie in Ihrer Kommune bewegen? "
                    "Höchstens %(max)s Zeichen."
                ),
                MOTIVATION_MAX,
            ),
            "plans": with_limit(
                _(
                    "Was plant Ihre Kommune, etwa eine Smart-City- oder Digitalstrategie oder ein gefördertes Projekt? "
                    "Höchstens %(max)s Zeichen."
                ),
                LONG_TEXT_MAX,
            ),
            "funding_programme": _("Falls zutreffend, z. B. „Modellprojekte Smart Cities“."),
        }
        labels = {
            "other_employer": _("Andere öffentliche Stelle"),
            "department": _("Fachbereich oder Organisationseinheit"),
            "position": _("Ihre Funktion"),
            "phone": _("Telefon für Rückfragen"),
            "strategy": _("Hat Ihre Kommune eine Smart-City- oder Digitalstrategie?"),
            "funding_programme": _("Förderprogramm"),
            "supervisor_name": _("Vorgesetzte:r: Name"),
            "supervisor_email": _("Vorgesetzte:r: E-Mail-Adresse"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = municipality_choices(self.instance.cohort_id)
        self.fields["strategy"].choices = Application.Strategy.choices
        self.fields["strategy"].error_messages["invalid_choice"] = _(
            "Bitte wählen Sie eine der angebotenen Antworten."
        )
        self.fields["phone"].validators.append(PHONE)
        if self.instance.pk:
            self.initial["municipality"] = self.instance.municipality_id
            self.initial["privacy_consent"] = bool(self.instance.privacy_consent_at)
        for name, limit in (
            ("role", LONG_TEXT_MAX),
            ("motivation", MOTIVATION_MAX),
            ("plans", LONG_TEXT_MAX),
        ):
            self.fields[name].validators.append(MaxLengthValidator(limit))

    def clean(self):
        data = super().clean()
        if data.get("municipality") and data.get("other_employer"):
            self.add_error(
                "other_employer",
                _("Bitte wählen Sie entweder eine Kommune oder nennen Sie eine andere Stelle, nicht beides."),
            )
        if data.get("municipality"):
            data["municipality"] = (
                municipalities_for(self.instance.cohort_id).filter(pk=data["municipality"]).first()
            )
            if data["municipality"] is None:
                self.add_error("municipality", _("Diese Kommune ist nicht bekannt."))
        return data

    def clean_endorsement_upload(self):
        upload = self.cleaned_data.get("endorsement_upload")
        if upload:
            validate_pdf(upload)
        return upload

    def _post_clean(self):
        # The model is written by the service, not by the form.
        pass


# The longest text a draft keeps for one field that is not valid: far above every limit, so that
# nothing typed is cut, and still a bound on what one request can store.
KEPT_INPUT_MAX = 20_000


def kept_input(form: ApplicationForm) -> dict[str, str]:
    """What was typed into the fields that did not pass validation, as sent, by field name."""
    kept = {}
    for name in form.errors:
        if name not in APPLICANT_FIELDS:
            continue
        value = str(form.data.get(form.add_prefix(name), "")).replace("\x00", "")[:KEPT_INPUT_MAX]
        if value.strip():
            kept[name] = value
    return kept


def kept_form_data(application: Application) -> dict[str, str]:
    """A draft's values as the form sends them, with the kept invalid ones in place of their
    empty fields: bound to the form, it shows them again with their errors."""
    data = {}
    for name in APPLICANT_FIELDS:
        value = application.municipality_id if name == "municipality" else getattr(application, name)
        data[name] = "" if value is None else str(value)
    data.update({name: str(value) for name, value in application.invalid_input.items()})
    if application.privacy_consent_at:
        data["privacy_consent"] = "on"
    return data
