"""The coordinators' schedule of a cohort: every module's sessions in one form."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.web.forms import KernFormMixin
from portal.web.text import TextFormMixin

from .models import Module, Session
from .services import PlannedSession


class SessionRowForm(TextFormMixin, KernFormMixin, forms.Form):
    """One session: a blank row that stays blank is left out."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    module = forms.TypedChoiceField(label=_("Modul"), coerce=int)
    date = forms.DateField(
        label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start = forms.TimeField(label=_("Beginn"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Ende"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    meeting_url = forms.URLField(label=_("Link zum Online-Raum"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description_en = forms.CharField(
        label=_("Beschreibung (englisch)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    delete = forms.BooleanField(label=_("Sitzung löschen"), required=False)

    def __init__(self, *args, modules: list[Module] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.modules = {module.pk: module for module in modules}
        self.fields["module"].choices = [(m.pk, f"{m.position}. {m.localized_title}") for m in modules]
        if not self.initial.get("id"):
            del self.fields["delete"]

    def has_changed(self) -> bool:
        """A blank row for a new session counts as filled once anything but its module is typed."""
        if not self.empty_permitted:
            return super().has_changed()
        return any(self.data.get(self.add_prefix(name), "").strip() for name in self.TYPED)

    TYPED = ("date", "start", "end", "meeting_url", "description", "description_en")

    def planned(self) -> PlannedSession:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        return PlannedSession(
            pk=data.get("id"),
            module=self.modules[data["module"]],
            starts_at=dt.datetime.combine(data["date"], data["start"], tzinfo=zone),
            ends_at=dt.datetime.combine(data["date"], data["end"], tzinfo=zone),
            meeting_url=data.get("meeting_url", ""),
            description=data.get("description", ""),
            description_en=data.get("description_en", ""),
            delete=bool(data.get("delete")),
        )


class BaseScheduleFormSet(forms.BaseFormSet):
    """The cohort's ``existing`` sessions come first and are all checked; the blank rows after
    them for new sessions are left out while nothing was entered in them."""

    def __init__(self, *args, existing: int = 0, **kwargs):
        self.existing = existing
        super().__init__(*args, **kwargs)
        self.extra = max(len(self.initial or []) - existing, 0)

    def initial_form_count(self) -> int:
        return super().initial_form_count() if self.is_bound else self.existing

    def filled_forms(self) -> list[SessionRowForm]:
        return [
            form for i, form in enumerate(self.forms) if i < self.initial_form_count() or form.has_changed()
        ]


ScheduleFormSet = forms.formset_factory(SessionRowForm, formset=BaseScheduleFormSet, extra=0, max_num=60)


def schedule_initial(sessions: list[Session], modules: list[Module]) -> list[dict]:
    """The cohort's sessions in time order, then one blank row per module for a new session."""
    rows = []
    for session in sessions:
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        rows.append(
            {
                "id": session.pk,
                "module": session.module_id,
                "date": start.date(),
                "start": start.time(),
                "end": end.time(),
                "meeting_url": session.meeting_url,
                "description": session.description,
                "description_en": session.description_en,
            }
        )
    return rows + [{"module": module.pk} for module in modules]
