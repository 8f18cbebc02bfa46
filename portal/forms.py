from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .fonts import validate_printable
from .models import NAME_MAX_LENGTH, User
from .text import TextFormMixin

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
        user.save(update_fields=["first_name", "last_name", "language"])


class KernFormMixin:
    """Gives inputs, selects, check boxes and radio buttons their KERN UX classes. Django itself ties help texts and
    errors to their inputs (aria-describedby with ``<id>_helptext`` and ``<id>_error``, aria-invalid)."""

    input_class = "kern-form-input__input"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            input_type = getattr(field.widget, "input_type", None)
            if input_type == "checkbox":
                field.widget.attrs.setdefault("class", "kern-form-check__checkbox")
            elif input_type == "radio":
                field.widget.attrs.setdefault("class", "kern-form-check__radio")
            elif input_type == "select":
                field.widget.attrs.setdefault("class", "kern-form-input__select")
            elif input_type != "file":
                field.widget.attrs.setdefault("class", self.input_class)


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
