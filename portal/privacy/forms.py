"""Deleting one's own account (Art. 17 DSGVO)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.web.forms import KernFormMixin
from portal.web.text import TextFormMixin


class DeleteAccountForm(TextFormMixin, KernFormMixin, forms.Form):
    """Art. 17 DSGVO: the person confirms with their password that the account is to go."""

    password = forms.CharField(
        label=_("Ihr Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Zur Sicherheit bestätigen Sie die Löschung mit Ihrem Passwort."),
        error_messages={"required": _("Bitte geben Sie Ihr Passwort ein.")},
    )
    confirm = forms.BooleanField(
        label=_(
            "Ich möchte mein Konto löschen. Mir ist bewusst, dass dies nicht rückgängig gemacht werden kann."
        ),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Das Passwort ist nicht richtig."), code="password")
        return password
