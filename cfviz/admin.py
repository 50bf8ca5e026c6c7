"""The admin: scenarios (validated on save) and runs (read-only records)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cfviz.models import Run, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "builtin", "updated_at")
    list_filter = ("builtin",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "description")}),
        (_("Specification"), {"fields": ("spec",)}),
    )

    def has_change_permission(self, request: HttpRequest, obj: Scenario | None = None) -> bool:
        # Built-ins come from the repo's files; edit a copy instead.
        if obj is not None and obj.builtin:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("scenario_name", "id", "seed", "status", "owner", "created_at")
    list_filter = ("status", "platform")
    search_fields = ("scenario_name", "id")
    readonly_fields = [f.name for f in Run._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
