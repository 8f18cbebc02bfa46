"""The evaluators define the questionnaires here (the waves' and the one after each module),
without a deployment. A version with answers is frozen: its items are shown read-only, and "Neue
Fassung anlegen" copies them into the next version to edit. Answers themselves have no admin:
nobody reads them one by one."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import instruments
from .models import Instrument, InstrumentVersion, Item, Wave

ITEM_FIELDS = [
    "position",
    "key",
    "kind",
    "text",
    "text_en",
    "label",
    "label_en",
    "options",
    "options_en",
    "competency",
    "module",
    "minimum",
    "maximum",
]


class ItemInline(admin.StackedInline):
    model = Item
    extra = 0
    fields = ITEM_FIELDS

    def _frozen(self, obj) -> bool:
        return obj is not None and instruments.is_frozen(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._frozen(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._frozen(obj)


class VersionInline(admin.TabularInline):
    model = InstrumentVersion
    extra = 0
    fields = ["number", "note", "created_at"]
    readonly_fields = ["number", "note", "created_at"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["key", "title"]
    fields = ["key", "title", "title_en", "description", "description_en"]
    inlines = [VersionInline]
    actions = ["make_new_version"]

    @admin.action(description=_("Neue Fassung anlegen (Fragen der neuesten Fassung kopieren)"))
    def make_new_version(self, request, queryset):
        for instrument in queryset:
            version = instruments.new_version(instrument=instrument)
            self.message_user(
                request,
                _("%(instrument)s: Fassung %(number)s angelegt.")
                % {"instrument": instrument, "number": version.number},
                messages.SUCCESS,
            )


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):
    list_display = ["instrument", "number", "note", "created_at"]
    list_filter = ["instrument"]
    fields = ["instrument", "number", "note"]
    inlines = [ItemInline]

    def get_readonly_fields(self, request, obj=None):
        return ["instrument", "number"] if obj is not None else []

    def save_formset(self, request, form, formset, change):
        try:
            instruments.refuse_change_when_frozen(form.instance)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        super().save_formset(request, form, formset, change)


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["programme", "kind", "instrument", "offset_days", "open_days", "reminder_days", "active"]
    list_filter = ["programme", "kind", "active"]
    fields = ["programme", "kind", "instrument", "offset_days", "open_days", "reminder_days", "active"]
