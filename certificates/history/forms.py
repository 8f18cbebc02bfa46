from django import forms
from django.utils.translation import gettext_lazy as _

from portal.web.forms import KernFormMixin
from portal.web.text import TextFormMixin


class ImportFileForm(TextFormMixin, forms.Form):
    datei = forms.FileField(
        label=_("Datei (CSV oder XLSX)"),
        help_text=_(
            "Nach einer der Vorlagen. Zuerst folgt immer ein Probelauf; gespeichert wird erst nach Ihrer Bestätigung."
        ),
    )


class ConfirmForm(TextFormMixin, forms.Form):
    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{20,60}$", widget=forms.HiddenInput)
    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    name = forms.CharField(max_length=200, widget=forms.HiddenInput)


class FingerprintForm(TextFormMixin, forms.Form):
    datei = forms.FileField(
        label=_("Original oder Scan (PDF)"),
        help_text=_("Die Prüfseite erkennt danach genau diese Datei als unverändert."),
    )


class SecondCopyForm(TextFormMixin, forms.Form):
    einwilligung = forms.BooleanField(
        label=_("Die Inhaber:in hat die Zweitschrift beantragt und in ihre Ausstellung eingewilligt."),
    )


class HolderSecondCopyForm(TextFormMixin, KernFormMixin, forms.Form):
    """The holder's own request: the consent is theirs to give."""

    einwilligung = forms.BooleanField(
        label=_(
            "Ich beantrage eine digitale Zweitschrift meines Zertifikats und willige ein, dass das Portal "
            "sie mit meinem Namen, der Nummer und dem Datum des Zertifikats erstellt, siegelt und mir "
            "per E-Mail sendet."
        ),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie die Zweitschrift beantragen.")},
    )
