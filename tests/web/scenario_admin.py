"""Helpers for admin tests of the scenario editor: POST data for a scenario and its parts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Permission

from cfviz.admin.forms import SCENARIO_VALUES
from cfviz.models import App, CellGroup, NarrationStep, Scenario, TimelineAction, Zone

ADD_URL = "/admin/cfviz/scenario/add/"
PART_MODELS = {
    "zones": Zone,
    "cell_groups": CellGroup,
    "apps": App,
    "timeline": TimelineAction,
    "narration": NarrationStep,
}


def change_url(scenario: Scenario) -> str:
    return f"/admin/cfviz/scenario/{scenario.pk}/change/"


def scenario_values(**changes: Any) -> dict[str, Any]:
    """Every field of the scenario form, at its default, with ``changes``."""
    values = {name: Scenario._meta.get_field(name).get_default() for name in SCENARIO_VALUES}
    values.update(
        {"name": "my scenario", "slug": "my-scenario", "description": "", "platforms": "both", "seed": 7}
    )
    values.update(changes)
    return values


def a_cell_group(**changes: Any) -> dict[str, Any]:
    return {
        "name": "cell",
        "count": 2,
        "zone": "z1",
        "memory_mb": 16384,
        "disk_mb": 65536,
        "max_containers": 250,
        "stacks": "cflinuxfs4",
        "placement_tags": "",
        "optional_placement_tags": "",
        **changes,
    }


def an_app(**changes: Any) -> dict[str, Any]:
    return {
        "name": "web",
        "instances": 2,
        "copies": 1,
        "memory_mb": 512,
        "disk_mb": 1024,
        "stack": "cflinuxfs4",
        "buildpack": "ruby_buildpack",
        "package_mb": 5,
        "droplet_mb": 60,
        "staging_s": "",
        "boot_s": 4,
        "health_check_type": "port",
        "health_check_timeout_s": 60,
        "placement_tags": "",
        "route": "",
        "crash_min_s": "",
        "crash_max_s": "",
        **changes,
    }


def an_action(**changes: Any) -> dict[str, Any]:
    return {
        "at": 1,
        "action": "push",
        "app": "web",
        "instances": "",
        "index": "",
        "cell": "",
        "recover_after_s": "",
        "version": "",
        "max_in_flight": 1,
        **changes,
    }


def form_data(
    scenario: dict[str, Any] | None = None,
    *,
    zones: list[dict[str, Any]] | None = None,
    cell_groups: list[dict[str, Any]] | None = None,
    apps: list[dict[str, Any]] | None = None,
    timeline: list[dict[str, Any]] | None = None,
    narration: list[dict[str, Any]] | None = None,
    initial: dict[str, int] | None = None,
) -> dict[str, Any]:
    """What the admin's add or change form posts; ``initial`` counts the rows that exist already
    (those rows carry their ``id``)."""
    data: dict[str, Any] = {k: "" if v is None else v for k, v in (scenario or scenario_values()).items()}
    parts = {
        "zones": [{"name": "z1"}] if zones is None else zones,
        "cell_groups": [a_cell_group()] if cell_groups is None else cell_groups,
        "apps": [an_app()] if apps is None else apps,
        "timeline": [an_action()] if timeline is None else timeline,
        "narration": narration or [],
    }
    for prefix, rows in parts.items():
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = (initial or {}).get(prefix, 0)
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = "" if value is None else value
    return data


def saved_form_data(scenario: Scenario, **changes: Any) -> dict[str, Any]:
    """The change form of a saved scenario as the browser would post it back, with ``changes``
    to the scenario's own fields."""
    values = scenario_values(**{name: getattr(scenario, name) for name in SCENARIO_VALUES})
    values.update(slug=scenario.slug, **changes)
    parts: dict[str, list[dict[str, Any]]] = {}
    for prefix, model in PART_MODELS.items():
        rows = []
        for item in model.objects.filter(scenario=scenario):
            row = {"id": item.pk, "scenario": scenario.pk}
            for field in model._meta.fields:
                if field.name in ("id", "scenario"):
                    continue
                value = getattr(item, field.name)
                row[field.name] = ", ".join(value) if isinstance(value, list) else value
            rows.append(row)
        parts[prefix] = rows
    return form_data(values, **parts, initial={prefix: len(rows) for prefix, rows in parts.items()})


def part_counts() -> dict[str, int]:
    return {"scenarios": Scenario.objects.count(), **{p: m.objects.count() for p, m in PART_MODELS.items()}}


def make_user(
    username: str, *, staff: bool = True, perms: tuple[str, ...] = (), superuser: bool = False
) -> AbstractUser:
    user = get_user_model().objects.create_user(
        username, password="pw-for-tests", is_staff=staff, is_superuser=superuser
    )
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="cfviz", codename=codename))
    return user  # type: ignore[return-value]
