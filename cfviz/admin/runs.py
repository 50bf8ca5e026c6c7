"""Runs in the admin: read-only records of what was run, with which seed, by whom."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cfviz.models import Run


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("scenario_name", "id", "seed", "status", "owner", "created_at")
    list_filter = ("status", "platform")
    search_fields = ("scenario_name", "id")
    readonly_fields = [f.name for f in Run._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
