"""A scenario's parts as inlines of the scenario editor: zones, cells, apps, the timeline and the
narration. The scenario's permissions govern its parts, and a built-in's parts are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.db import models
from django.forms import NumberInput, Textarea, TextInput
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cfviz.admin.forms import PartFormSet
from cfviz.models import App, CellGroup, NarrationStep, Scenario, TimelineAction, Zone
from cfviz.models.fields import StringListField
from cfviz.scenario_parts import ACTION_FIELDS, CELL_FIELDS, NARRATION_FIELDS


def _may(request: HttpRequest, action: str) -> bool:
    return request.user.has_perm(f"cfviz.{get_permission_codename(action, Scenario._meta)}")


class PartInline:
    """A part is edited as part of its scenario: the scenario's permissions decide, and a
    built-in's parts are read-only like the built-in."""

    formset = PartFormSet
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 2, "cols": 40})}}
    # A part shown as a table gets narrow inputs, so that a whole row fits on the page.
    compact = True

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if not self.compact or field is None or db_field.choices:
            return field
        if isinstance(db_field, (models.CharField, StringListField)):
            field.widget = TextInput(attrs={"size": 12})
        elif isinstance(db_field, models.FloatField):
            field.widget = NumberInput(attrs={"class": "vIntegerField", "step": "any"})
        return field

    def get_extra(self, request: HttpRequest, obj: Scenario | None = None, **kwargs: Any) -> int:
        # A new scenario starts with one empty row of each part; an existing one with none.
        return 1 if obj is None else 0

    def has_view_permission(self, request: HttpRequest, obj: Scenario | None = None) -> bool:
        return _may(request, "view") or _may(request, "change")

    def has_add_permission(self, request: HttpRequest, obj: Scenario | None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Scenario | None = None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Scenario | None = None) -> bool:
        return self._may_edit(request, obj)

    @staticmethod
    def _may_edit(request: HttpRequest, obj: Scenario | None) -> bool:
        if obj is None:
            return _may(request, "add")
        return not obj.builtin and _may(request, "change")

    # Read-only, a list of names reads "a, b" rather than as JSON.
    def get_fieldsets(self, request: HttpRequest, obj: Scenario | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if self._may_edit(request, obj):
            return fieldsets
        return [(name, {**options, "fields": _shown(options["fields"])}) for name, options in fieldsets]

    def get_readonly_fields(self, request: HttpRequest, obj: Scenario | None = None) -> Any:
        if self._may_edit(request, obj):
            return super().get_readonly_fields(request, obj)  # type: ignore[misc]
        return [f"{name}_shown" for name in LIST_FIELDS]

    @admin.display(description=_("stacks"))
    def stacks_shown(self, part: Any) -> str:
        return ", ".join(part.stacks)

    @admin.display(description=_("placement tags"))
    def placement_tags_shown(self, part: Any) -> str:
        return ", ".join(part.placement_tags) or "-"

    @admin.display(description=_("optional placement tags"))
    def optional_placement_tags_shown(self, part: Any) -> str:
        return ", ".join(part.optional_placement_tags) or "-"


LIST_FIELDS = ("stacks", "placement_tags", "optional_placement_tags")


def _shown(fields: Any) -> Any:
    """``fields`` (names, or rows of names) with each list field's read-only display instead."""
    if isinstance(fields, str):
        return f"{fields}_shown" if fields in LIST_FIELDS else fields
    return tuple(_shown(f) for f in fields)


class ZoneInline(PartInline, admin.TabularInline):
    model = Zone
    fields = ("name",)


class CellGroupInline(PartInline, admin.TabularInline):
    model = CellGroup
    # A group's count follows its name: "40 cells of 32 GiB in zone z1".
    fields = (CELL_FIELDS[0], "count", *CELL_FIELDS[1:])


class AppInline(PartInline, admin.StackedInline):
    model = App
    compact = False
    fieldsets = (
        (None, {"fields": (("name", "instances", "copies"), ("memory_mb", "disk_mb"))}),
        (
            _("Staging and start"),
            {
                "fields": (
                    ("stack", "buildpack"),
                    ("package_mb", "droplet_mb", "staging_s"),
                    ("boot_s", "health_check_type", "health_check_timeout_s"),
                )
            },
        ),
        (_("Placement and routing"), {"fields": (("placement_tags", "route"),)}),
        (_("A crashing app"), {"classes": ("collapse",), "fields": (("crash_min_s", "crash_max_s"),)}),
    )


class TimelineActionInline(PartInline, admin.TabularInline):
    model = TimelineAction
    fields = ACTION_FIELDS


class NarrationStepInline(PartInline, admin.TabularInline):
    model = NarrationStep
    fields = NARRATION_FIELDS
