"""The form of a wave's questionnaire, built from the items of one version."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.web.text import TextFormMixin

from . import instruments
from .models import Item

PREFIX = "item_"
NO_ANSWER = ("", _("keine Angabe"))


def _field(item: Item) -> forms.Field:
    label = instruments.item_text(item)
    choices = [(option.value, option.label) for option in instruments.options(item)]
    if item.kind == Item.Kind.LIKERT:
        choices = [(value, f"{value} – {label}" if label else value) for value, label in choices]
        return forms.ChoiceField(
            label=label,
            choices=[NO_ANSWER, *choices],
            required=False,
            initial="",
            widget=forms.RadioSelect(attrs={"class": "kern-form-check__radio"}),
        )
    if item.kind == Item.Kind.SINGLE:
        return forms.ChoiceField(
            label=label,
            choices=[NO_ANSWER, *choices],
            required=False,
            initial="",
            widget=forms.RadioSelect(attrs={"class": "kern-form-check__radio"}),
        )
    if item.kind == Item.Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            label=label,
            choices=choices,
            required=False,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "kern-form-check__checkbox"}),
        )
    if item.kind == Item.Kind.NUMBER:
        # A text input: a value that is not a number is kept on the page with its error.
        return forms.CharField(
            label=label,
            required=False,
            max_length=12,
            widget=forms.TextInput(attrs={"class": "kern-form-input__input", "inputmode": "numeric"}),
        )
    return forms.CharField(
        label=label,
        required=False,
        max_length=instruments.text_max(item),
        widget=forms.Textarea(attrs={"rows": 4, "class": "kern-form-input__input"}),
    )


class _WaveFormBase(TextFormMixin, forms.Form):
    consent = forms.BooleanField(
        label=_(
            "Ich möchte an der wissenschaftlichen Begleitung teilnehmen. Meine Antworten dürfen "
            "pseudonymisiert ausgewertet werden. Ich kann diese Einwilligung jederzeit widerrufen."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "kern-form-check__checkbox"}),
    )
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    items: list[Item] = []

    def __init__(self, *args, ask_consent: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_consent:
            del self.fields["consent"]

    def clean(self):
        cleaned = super().clean()
        for item in self.items:
            name = PREFIX + item.key
            if name in self.errors:
                continue
            try:
                instruments.clean_answer(item, cleaned.get(name))
            except ValidationError as exc:
                self.add_error(name, exc)
        if "consent" in self.fields and not cleaned.get("consent"):
            self.add_error(
                "consent", _("Bitte bestätigen Sie, dass Sie an der Evaluation teilnehmen möchten.")
            )
        return cleaned

    def item_fields(self):
        return [(item, self[PREFIX + item.key]) for item in self.items]

    def answers(self) -> dict:
        return {item.key: self.cleaned_data.get(PREFIX + item.key) for item in self.items}


def wave_form(items: list[Item], *, ask_consent: bool, data=None, initial=None):
    """The form for ``items``: a class of its own, so that the text checks of ``TextFormMixin``
    apply to the item fields as to every declared field."""
    fields = {PREFIX + item.key: _field(item) for item in items}
    form_class = type("WaveForm", (_WaveFormBase,), {**fields, "items": items})
    return form_class(data=data, initial=initial, ask_consent=ask_consent)
