"""The group's forms: KERN classes, text rules, errors at their fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from cohorts.selectors import programme_municipalities
from modules.models import Module
from portal.web.forms import KernFormMixin
from portal.web.text import TextFormMixin

from .models import TAG_MAX_LENGTH, TAGS_MAX, DirectoryEntry


def parse_tags(value: str) -> list[str]:
    """Comma-separated tags, trimmed, without duplicates (case-insensitive), in their order."""
    seen, tags = set(), []
    for raw in value.split(","):
        tag = " ".join(raw.split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.district})"


class DirectoryEntryForm(TextFormMixin, KernFormMixin, forms.Form):
    municipality = MunicipalityChoiceField(
        label=_("Kommune"), queryset=programme_municipalities().order_by("name", "district")
    )
    unit = forms.CharField(label=_("Organisationseinheit"), max_length=150, required=False)
    function = forms.CharField(label=_("Funktion"), max_length=150, required=False)
    modules = forms.ModelMultipleChoiceField(
        label=_("Themen (Module)"),
        queryset=Module.objects.order_by("position"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Eigene Schlagworte"),
        required=False,
        max_length=TAGS_MAX * (TAG_MAX_LENGTH + 2),
        help_text=_("Durch Kommas getrennt, höchstens 10, z. B. Open Data, Sensorik"),
    )
    contact = forms.ChoiceField(
        label=_("Wie möchten Sie kontaktiert werden?"),
        choices=DirectoryEntry.Contact.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Ihre E-Mail-Adresse wird nie angezeigt. Nachrichten erreichen Sie per E-Mail über das Portal."
        ),
    )
    contact_note = forms.CharField(
        label=_("Hinweis zur Kontaktaufnahme"),
        max_length=200,
        required=False,
        help_text=_("Zum Beispiel: am besten dienstags"),
    )

    def clean_tags(self) -> list[str]:
        tags = parse_tags(self.cleaned_data["tags"])
        if len(tags) > TAGS_MAX:
            raise ValidationError(_("Bitte höchstens %(count)d Schlagworte angeben.") % {"count": TAGS_MAX})
        if any(len(tag) > TAG_MAX_LENGTH for tag in tags):
            raise ValidationError(
                _("Ein Schlagwort darf höchstens %(count)d Zeichen lang sein.") % {"count": TAG_MAX_LENGTH}
            )
        return tags

    @classmethod
    def initial_from(cls, entry: DirectoryEntry | None) -> dict:
        if entry is None:
            return {"contact": DirectoryEntry.Contact.FORM}
        return {
            "municipality": entry.municipality_id,
            "unit": entry.unit,
            "function": entry.function,
            "modules": [module.pk for module in entry.modules.all()],
            "tags": ", ".join(entry.tags),
            "contact": entry.contact,
            "contact_note": entry.contact_note,
        }


class DirectorySearchForm(KernFormMixin, forms.Form):
    """The directory's filters, from the query string; anything unknown is ignored."""

    q = forms.CharField(label=_("Name, Funktion oder Schlagwort"), required=False, max_length=100)
    district = forms.ChoiceField(label=_("Landkreis / kreisfreie Stadt"), required=False)
    municipality = MunicipalityChoiceField(
        label=_("Kommune"), queryset=programme_municipalities().order_by("name"), required=False
    )
    module = forms.ModelChoiceField(
        label=_("Thema"),
        queryset=Module.objects.order_by("position"),
        required=False,
        empty_label=_("alle Themen"),
    )
    cohort = forms.ModelChoiceField(
        label=_("Schulungsdurchgang"),
        queryset=Cohort.objects.order_by("number"),
        required=False,
        empty_label=_("alle Durchgänge"),
    )

    def __init__(self, *args, districts: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("alle Landkreise"))] + [(d, d) for d in districts]
        self.fields["municipality"].empty_label = _("alle Kommunen")


class ContactForm(TextFormMixin, KernFormMixin, forms.Form):
    subject = forms.CharField(label=_("Betreff"), max_length=150)
    body = forms.CharField(label=_("Nachricht"), max_length=3000, widget=forms.Textarea(attrs={"rows": 8}))
    reply_to_sender = forms.BooleanField(
        label=_("Meine E-Mail-Adresse darf in der Nachricht stehen, damit direkt geantwortet werden kann."),
        required=False,
    )


class SuspendForm(TextFormMixin, KernFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Grund der Sperre"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Das Mitglied erhält diesen Text per E-Mail."),
    )
