from django import forms
from django.utils.translation import gettext_lazy as _

from portal.web.text import TextFormMixin

from .models import COMMENT_MAX, ITEMS

SCALE = [
    ("", _("keine Angabe")),
    (1, _("1 – trifft gar nicht zu")),
    (2, _("2 – trifft eher nicht zu")),
    (3, _("3 – teils, teils")),
    (4, _("4 – trifft eher zu")),
    (5, _("5 – trifft voll zu")),
]


class QuestionnaireForm(TextFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Was möchten Sie uns zu diesem Modul noch mitteilen?"),
        help_text=_("Freiwillig. Bitte nennen Sie keine Namen anderer Personen."),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "class": "kern-form-input__input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        items = {}
        for field, statement, _column in ITEMS:
            items[field] = forms.TypedChoiceField(
                label=statement,
                choices=SCALE,
                coerce=int,
                empty_value=None,
                required=False,
                initial="",
                widget=forms.RadioSelect(attrs={"class": "kern-form-check__radio"}),
            )
        # The statements first, the free text last.
        self.fields = {**items, "comment": self.fields["comment"]}

    def item_fields(self):
        return [self[field] for field, _statement, _column in ITEMS]

    def answers(self) -> dict:
        return {field: self.cleaned_data.get(field) for field, _statement, _column in ITEMS}
