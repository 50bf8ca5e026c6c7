"""The scenario editor: a scenario and its parts as inlines, checked together on save; actions to
preview, duplicate and export; an import page. Built-ins are read-only: duplicate one to edit it.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cfviz import scenario_services, selectors
from cfviz.admin.forms import PartFormSet, ScenarioForm, ScenarioImportForm
from cfviz.admin.parts import (
    AppInline,
    CellGroupInline,
    NarrationStepInline,
    TimelineActionInline,
    ZoneInline,
)
from cfviz.models import Run, Scenario
from cfviz.preview import scenario_preview
from cfviz.scenario_parts import PLATFORM_LISTS, SETTINGS
from simulator.preflight import PreflightWarning, preflight
from simulator.scenario import Scenario as ScenarioSpec
from simulator.scenario import ScenarioError
from simulator.scenario_files import scenario_to_data

EVERYWHERE = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def _part_formsets(request: HttpRequest) -> list[PartFormSet]:
    """This request's part formsets: they register here as they are made, and the scenario
    form made for the same request checks them all together."""
    if not hasattr(request, "_scenario_part_formsets"):
        request._scenario_part_formsets = []  # type: ignore[attr-defined]
    return request._scenario_part_formsets  # type: ignore[attr-defined,no-any-return]


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    form = ScenarioForm
    inlines = [ZoneInline, CellGroupInline, AppInline, TimelineActionInline, NarrationStepInline]
    list_display = (
        "name",
        "slug",
        "platforms",
        "cells_shown",
        "apps_shown",
        "builtin",
        "updated_at",
        "preview_link",
    )
    list_filter = ("builtin", "platforms")
    search_fields = ("name", "slug", "description", "apps__name")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("builtin", "spec_text")
    actions = ["preview", "duplicate", "export_json", "export_yaml"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", ("platforms", "seed", "duration_s"), "mode")}),
        (
            _("Timing assumptions"),
            {
                "classes": ("collapse",),
                "description": _(
                    "Durations the real systems leave to the environment; the defaults are cfviz's "
                    "assumptions (docs/scenarios.md)."
                ),
                "fields": SETTINGS["timing"],
            },
        ),
        (
            _("Diego deployment settings"),
            {
                "classes": ("collapse",),
                "description": _("The auctioneer's and rep's settings; the defaults are diego-release's."),
                "fields": SETTINGS["diego"],
            },
        ),
        (
            _("Eirini on Kubernetes settings"),
            {"classes": ("collapse",), "fields": SETTINGS["eirini"]},
        ),
        (
            _("Fleet mode"),
            {
                "classes": ("collapse",),
                "description": _(
                    "How a fleet run pushes the apps, every copy a cf push of its own; a detailed run "
                    "ignores these (docs/fleet.md)."
                ),
                "fields": SETTINGS["fleet"],
            },
        ),
        (_("The scenario as a file"), {"classes": ("collapse",), "fields": ("builtin", "spec_text")}),
    )

    # -- the editor --------------------------------------------------------------------------

    def get_form(
        self, request: HttpRequest, obj: Scenario | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.part_formsets = _part_formsets(request)
        return form

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Scenario, inline: Any, prefix: str
    ) -> dict[str, Any]:
        return {
            **super().get_formset_kwargs(request, obj, inline, prefix),
            "siblings": _part_formsets(request),
        }

    def save_model(self, request: HttpRequest, obj: Scenario, form: ScenarioForm, change: bool) -> None:
        # The spec as checked; save_related regenerates it from the parts once they are saved.
        if form.checked is not None:
            obj.spec = scenario_to_data(form.checked)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ScenarioForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        spec = scenario_services.scenario_refresh_spec(scenario=form.instance)
        self._warn(request, spec, form.instance)

    def _warn(self, request: HttpRequest, spec: ScenarioSpec, scenario: Scenario) -> None:
        platforms = set(PLATFORM_LISTS[scenario.platforms])
        for warning in preflight(spec):
            if platforms & set(warning.platforms):
                self.message_user(request, warning_text(warning), messages.WARNING)

    @admin.display(description=_("the scenario as a file"))
    def spec_text(self, obj: Scenario) -> str:
        if not obj.spec:
            return "-"
        return format_html("<pre>{}</pre>", json.dumps(obj.spec, indent=2, ensure_ascii=False))

    @admin.display(description=_("cells"))
    def cells_shown(self, obj: Scenario) -> int:
        return obj.cell_count

    @admin.display(description=_("apps"))
    def apps_shown(self, obj: Scenario) -> int:
        return obj.app_count

    @admin.display(description=_("preview"))
    def preview_link(self, obj: Scenario) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:cfviz_scenario_preview", args=[obj.pk]), _("Preview")
        )

    # -- built-ins are read-only -------------------------------------------------------------

    def has_change_permission(self, request: HttpRequest, obj: Scenario | None = None) -> bool:
        # Built-ins come from the repo's files; duplicate one to edit it.
        if obj is not None and obj.builtin:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Scenario | None = None) -> bool:
        if obj is not None and obj.builtin:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, ...]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Deleting several from the list goes through here, not has_delete_permission(obj).
        builtins = [str(o) for o in objs if o.builtin]
        if builtins:
            perms_needed = {*perms_needed, *(_("built-in scenario “%s”") % name for name in builtins)}
        return deleted, counts, perms_needed, protected

    # -- actions ------------------------------------------------------------------------------

    @admin.action(description=_("Preview"), permissions=["view"], location=EVERYWHERE)
    def preview(self, request: HttpRequest, queryset: QuerySet[Scenario]) -> HttpResponseBase | None:
        if queryset.count() != 1:
            self.message_user(request, _("Preview one scenario at a time."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:cfviz_scenario_preview", args=[queryset.get().pk]))

    @admin.action(description=_("Duplicate as an editable copy"), permissions=["add"], location=EVERYWHERE)
    def duplicate(self, request: HttpRequest, queryset: QuerySet[Scenario]) -> HttpResponseBase | None:
        copies = []
        for scenario in queryset:
            try:
                copies.append(scenario_services.scenario_duplicate(scenario=scenario))
            except ScenarioError as exc:
                self.message_user(
                    request,
                    _("%(name)s cannot be copied: %(why)s") % {"name": scenario, "why": exc},
                    messages.ERROR,
                )
        for copy in copies:
            self.log_addition(request, copy, [{"added": {}}])
        if len(copies) == 1:
            self.message_user(request, _("Made an editable copy: %s.") % copies[0], messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:cfviz_scenario_change", args=[copies[0].pk]))
        if copies:
            count = len(copies)
            self.message_user(
                request,
                ngettext("Made %d editable copy.", "Made %d editable copies.", count) % count,
                messages.SUCCESS,
            )
        return None

    @admin.action(description=_("Export as JSON"), permissions=["view"], location=EVERYWHERE)
    def export_json(self, request: HttpRequest, queryset: QuerySet[Scenario]) -> HttpResponse:
        return _download(queryset, "json")

    @admin.action(description=_("Export as YAML"), permissions=["view"], location=EVERYWHERE)
    def export_yaml(self, request: HttpRequest, queryset: QuerySet[Scenario]) -> HttpResponse:
        return _download(queryset, "yaml")

    # -- pages: preview and import ------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="cfviz_scenario_import"),
            path("<path:object_id>/preview/", view(self.preview_view), name="cfviz_scenario_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        scenario = self.get_object(request, unquote(object_id))
        if scenario is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, scenario):
            raise PermissionDenied
        try:
            spec = scenario.parsed()
        except ScenarioError as exc:
            self.message_user(request, _("This scenario cannot run: %s") % exc, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:cfviz_scenario_change", args=[scenario.pk]))
        preview = scenario_preview(spec=spec, platforms=tuple(PLATFORM_LISTS[scenario.platforms]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": scenario,
            "title": _("Preview: %s") % scenario,
            "preview": preview,
            "warnings": [warning_text(w) for w in preview.warnings],
            "platform_choices": Run.Platform.choices,
            "has_view_permission": True,
            "has_change_permission": self.has_change_permission(request, scenario),
        }
        return TemplateResponse(request, "admin/cfviz/scenario/preview.html", context)

    def import_view(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ScenarioImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid() and form.spec is not None:
            slug = form.cleaned_data["slug"] or scenario_services.scenario_unique_slug(form.spec.name)
            try:
                scenario = scenario_services.scenario_import(spec=form.spec, slug=slug)
            except ScenarioError as exc:
                form.add_error("file", list(exc.problems))
            except ValueError as exc:
                form.add_error("slug", str(exc))
            else:
                self.log_addition(request, scenario, [{"added": {}}])
                self.message_user(
                    request, _("Imported %(name)s as %(slug)s.") % {"name": scenario, "slug": slug}
                )
                self._warn(request, scenario.parsed(), scenario)
                return HttpResponseRedirect(reverse("admin:cfviz_scenario_change", args=[scenario.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import a scenario"),
            "form": form,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/cfviz/scenario/import.html", context)


def warning_text(warning: PreflightWarning) -> str:
    only = "" if len(warning.platforms) > 1 else f" ({warning.platforms[0].capitalize()} only)"
    return f"Pre-flight: {warning.text}{only}."


def _download(queryset: QuerySet[Scenario], fmt: str) -> HttpResponse:
    files = [selectors.scenario_file(scenario, fmt) for scenario in queryset]
    if len(files) == 1:
        name, text = files[0]
        response = HttpResponse(text, content_type=f"{selectors.FILE_CONTENT_TYPES[fmt]}; charset=utf-8")
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file_name, text in files:
                archive.writestr(file_name, text)
        name = f"scenarios-{fmt}.zip"
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
