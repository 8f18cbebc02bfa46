"""The group's forms: KERN classes, text rules, errors at their fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from cohorts.selectors import programme_municipalities
from modules.models import Module
from portal.web.forms import KernFormMixin
from portal.web.text import TextFormMixin

from . import selectors
from .models import (
    POST_MAX_LENGTH,
    PROJECT_LINKS_MAX,
    TAG_MAX_LENGTH,
    TAGS_MAX,
    TESTIMONIAL_MAX_LENGTH,
    DirectoryEntry,
    Project,
    ProjectFile,
)
from .testimonials import CONSENT_TEXT


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


class DirectorySearchForm(TextFormMixin, KernFormMixin, forms.Form):
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

    def __init__(self, *args, districts: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if districts is None:
            districts = selectors.districts()
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


# --- Projects -------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def parse_links(value: str) -> list[str]:
    from django.core.validators import URLValidator

    links = [line.strip() for line in value.splitlines() if line.strip()]
    if len(links) > PROJECT_LINKS_MAX:
        raise ValidationError(_("Bitte höchstens %(count)d Links angeben.") % {"count": PROJECT_LINKS_MAX})
    check = URLValidator(schemes=["https", "http"])
    for link in links:
        try:
            check(link)
        except ValidationError as error:
            raise ValidationError(
                _("„%(link)s“ ist keine gültige Adresse (http:// oder https://).") % {"link": link[:80]}
            ) from error
    return links


class ProjectForm(TextFormMixin, KernFormMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    summary = forms.CharField(
        label=_("Kurzbeschreibung"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    municipality = MunicipalityChoiceField(
        label=_("Kommune"), queryset=programme_municipalities().order_by("name", "district")
    )
    status = forms.ChoiceField(label=_("Stand"), choices=Project.Status.choices)
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
    started_on = forms.DateField(
        label=_("Beginn"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ended_on = forms.DateField(
        label=_("Ende"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    lessons = forms.CharField(
        label=_("Erfahrungen und Empfehlungen"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Was hat geholfen, was würden Sie anderen Kommunen raten?"),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        max_length=PROJECT_LINKS_MAX * 500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Eine Adresse je Zeile, höchstens 5"),
    )
    files = MultipleFileField(
        label=_("Dateien hinzufügen"),
        required=False,
        help_text=_("PDF, PNG oder JPEG, je höchstens 5 MB; höchstens 3 Dateien je Projekt"),
    )
    remove_files = forms.ModelMultipleChoiceField(
        label=_("Dateien entfernen"),
        queryset=ProjectFile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if project is not None and project.pk:
            self.fields["remove_files"].queryset = ProjectFile.objects.filter(project=project)
        else:
            del self.fields["remove_files"]

    clean_tags = DirectoryEntryForm.clean_tags

    def clean_links(self) -> list[str]:
        return parse_links(self.cleaned_data["links"])

    def clean_files(self) -> list:
        from .uploads import checked_file

        return [checked_file(upload) for upload in self.cleaned_data["files"]]

    def clean(self):
        data = super().clean()
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("Das Ende liegt vor dem Beginn."))
        return data

    @classmethod
    def initial_from(cls, project: Project | None) -> dict:
        if project is None:
            return {"status": Project.Status.IDEA}
        return {
            "title": project.title,
            "summary": project.summary,
            "municipality": project.municipality_id,
            "status": project.status,
            "modules": [module.pk for module in project.modules.all()],
            "tags": ", ".join(project.tags),
            "started_on": project.started_on,
            "ended_on": project.ended_on,
            "lessons": project.lessons,
            "links": "\n".join(project.links),
        }


class ProjectSearchForm(TextFormMixin, KernFormMixin, forms.Form):
    q = forms.CharField(label=_("Suchbegriff"), required=False, max_length=100)
    module = forms.ModelChoiceField(
        label=_("Thema"),
        queryset=Module.objects.order_by("position"),
        required=False,
        empty_label=_("alle Themen"),
    )
    district = forms.ChoiceField(label=_("Landkreis / kreisfreie Stadt"), required=False)
    status = forms.ChoiceField(
        label=_("Stand"), required=False, choices=[("", _("alle"))] + list(Project.Status.choices)
    )

    def __init__(self, *args, districts: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if districts is None:
            districts = selectors.districts()
        self.fields["district"].choices = [("", _("alle Landkreise"))] + [(d, d) for d in districts]


class DeclineForm(TextFormMixin, KernFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Grund"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Exchange -------------------------------------------------------------------------------

MARKDOWN_HELP = _(
    "Einfaches Markdown: **fett**, _kursiv_, Listen mit -, > Zitat, `Code`, [Text](https://…). Kein HTML, keine Bilder."
)


class ThreadForm(TextFormMixin, KernFormMixin, forms.Form):
    module = forms.ModelChoiceField(
        label=_("Thema"),
        queryset=Module.objects.order_by("position"),
        required=False,
        empty_label=_("Allgemein"),
    )
    title = forms.CharField(label=_("Titel"), max_length=200)
    body = forms.CharField(
        label=_("Ihre Frage oder Ihr Beitrag"),
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )


class ReplyForm(TextFormMixin, KernFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Ihre Antwort"),
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HELP,
    )


class ReasonForm(TextFormMixin, KernFormMixin, forms.Form):
    reason = forms.CharField(label=_("Grund"), max_length=1000, required=False)


class TopicFilterForm(TextFormMixin, KernFormMixin, forms.Form):
    module = forms.ModelChoiceField(
        label=_("Thema"),
        queryset=Module.objects.order_by("position"),
        required=False,
        empty_label=_("alle Themen"),
    )


# --- Testimonials ---------------------------------------------------------------------------


class TestimonialForm(TextFormMixin, KernFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Ihr Eindruck"),
        max_length=TESTIMONIAL_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TESTIMONIAL_MAX_LENGTH}),
        help_text=_("Höchstens 600 Zeichen"),
    )
    show_name = forms.TypedChoiceField(
        label=_("Wie soll Ihr Eindruck gezeichnet sein?"),
        choices=[
            ("1", _("mit meinem Namen, meiner Kommune und meinem Durchgang")),
            ("0", _("nur mit Kommune und Durchgang")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)
