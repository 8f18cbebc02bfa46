"""The rubric per programme, edited by the review's admins (German and English)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import RubricCriterion


@admin.register(RubricCriterion)
class RubricCriterionAdmin(admin.ModelAdmin):
    list_display = ["criterion", "programme", "description"]
    list_filter = ["programme"]
    fieldsets = [
        (None, {"fields": ["programme", "criterion"]}),
        (
            _("Deutsch"),
            {"fields": ["description", "anchor_1", "anchor_2", "anchor_3", "anchor_4", "anchor_5"]},
        ),
        (
            _("Englisch"),
            {
                "fields": [
                    "description_en",
                    "anchor_1_en",
                    "anchor_2_en",
                    "anchor_3_en",
                    "anchor_4_en",
                    "anchor_5_en",
                ]
            },
        ),
    ]
