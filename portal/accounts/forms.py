"""The forms of a person's account: the name at sign-up, the profile."""

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import NAME_MAX_LENGTH, User
from portal.pdf.fonts import validate_printable
from portal.web.forms import KernFormMixin
from portal.web.text import TextFormMixin

# Every check of a person's name beyond the portal's text rules. The name is printed on the
# certificate as stored; a check added here applies wherever a form takes a name (PersonNameField).
NAME_VALIDATORS: list = [validate_printable]


class PersonNameField(forms.CharField):
    """A first or last name. The form's TextFormMixin has normalised it and refuses invisible
    characters; ``NAME_VALIDATORS`` holds what a name must satisfy beyond that."""

    def __init__(self, *, autocomplete: str, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX_LENGTH)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": autocomplete}))
        super().__init__(**kwargs)
        self.validators.extend(NAME_VALIDATORS)


class SignupForm(TextFormMixin, forms.Form):
    """The extra fields of the sign-up form; allauth adds e-mail and password."""

    first_name = PersonNameField(label=_("Vorname"), autocomplete="given-name")
    last_name = PersonNameField(label=_("Nachname"), autocomplete="family-name")

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.language = translation.get_language() or "de"
        user.language_chosen = True
        user.save(update_fields=["first_name", "last_name", "language", "language_chosen"])


class ProfileForm(TextFormMixin, KernFormMixin, forms.ModelForm):
    """The person's name as the certificate prints it, and mail settings: language of the mails,
    and reminders on or off."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language", "reminders_opt_out"]
        labels = {
            "first_name": _("Vorname"),
            "last_name": _("Nachname"),
            "language": _("Sprache der E-Mails und des Portals"),
            "reminders_opt_out": _("Keine Erinnerungen per E-Mail schicken"),
        }
        help_texts = {
            "last_name": _("So steht Ihr Name auf Ihrem Zertifikat."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
            self.fields[name].validators.extend(NAME_VALIDATORS)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def save(self, commit=True):
        self.instance.language_chosen = True  # the language field was shown and sent
        return super().save(commit=commit)
