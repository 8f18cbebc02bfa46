"""The report of a barrier, from the accessibility statement."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.web.forms import KernFormMixin
from portal.web.text import TextFormMixin


class AccessibilityFeedbackForm(TextFormMixin, KernFormMixin, forms.Form):
    """A barrier reported from the accessibility statement. Only the description is required."""

    message = forms.CharField(
        label=_("Welche Barriere ist Ihnen aufgefallen?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Beschreiben Sie bitte, was nicht funktioniert hat. Höchstens 4000 Zeichen."),
        error_messages={"required": _("Bitte beschreiben Sie die Barriere.")},
    )
    page = forms.CharField(
        label=_("Betroffene Seite oder Funktion (freiwillig)"),
        max_length=300,
        required=False,
        help_text=_("Zum Beispiel „Bewerbungsformular“ oder die Adresse der Seite."),
    )
    name = forms.CharField(
        label=_("Ihr Name (freiwillig)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse für die Antwort (freiwillig)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Ohne Adresse können wir Ihnen nicht antworten."),
    )
