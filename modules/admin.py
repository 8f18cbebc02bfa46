from django.contrib import admin

from .models import Module


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["position", "title", "programme"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
