from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    """The extra fields of the sign-up form; allauth adds e-mail and password."""

    first_name = forms.CharField(label=_("Vorname"), max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Nachname"), max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "family-name"}))

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.language = translation.get_language() or "de"
        user.save(update_fields=["first_name", "last_name", "language"])


class AccessibleFormMixin:
    """Ties help texts and errors to their inputs (aria-describedby, aria-invalid)."""

    input_class = "kern-form-input__input"

    def describe_fields(self) -> None:
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}-help")
            if self.is_bound and name in self.errors:
                ids.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids and not getattr(field.widget, "input_type", "") == "radio":
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            if getattr(field.widget, "input_type", "") in {"text", "email", "tel", "url", "number", "select", None}:
                field.widget.attrs.setdefault("class", self.input_class)

    def full_clean(self):
        super().full_clean()
        self.describe_fields()
