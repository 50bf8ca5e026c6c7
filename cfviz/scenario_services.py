"""Writes of scenarios: from a spec (import, the built-in library), the spec from the parts, copies.

A scenario's parts are its editable source and ``Scenario.spec`` is derived from them, always
through ``parse_scenario``. Every function here saves all or nothing: one problem anywhere
raises :class:`~simulator.scenario.ScenarioError` listing every problem with its place.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from cfviz import selectors
from cfviz.models import App, CellGroup, NarrationStep, Scenario, TimelineAction, Zone
from cfviz.scenario_parts import (
    APP_PATHS,
    PARTS,
    SCENARIO_FIELDS,
    SETTINGS,
    Parts,
    draft_from_parts,
    parts_from_spec,
)
from simulator.scenario import Scenario as ScenarioSpec
from simulator.scenario import ScenarioError, parse_scenario
from simulator.scenario_files import guess_format, load_scenario_text, scenario_to_data

PART_MODELS: dict[str, type[models.Model]] = {
    "zones": Zone,
    "cell_groups": CellGroup,
    "apps": App,
    "timeline": TimelineAction,
    "narration": NarrationStep,
}
LIBRARY_PATTERNS = ("*.json", "*.yaml", "*.yml")
SLUG_MAX = 100


def scenario_create(*, spec: ScenarioSpec, slug: str, builtin: bool = False) -> Scenario:
    return scenario_write_parts(scenario=Scenario(slug=slug, builtin=builtin), spec=spec)


@transaction.atomic
def scenario_write_parts(*, scenario: Scenario, spec: ScenarioSpec) -> Scenario:
    """Make ``scenario`` (saved or not) say ``spec``: its fields and all its parts."""
    parts = parts_from_spec(spec)
    problems = parts_problems(parts)
    if problems:
        raise ScenarioError(problems)
    for name, value in parts.scenario.items():
        setattr(scenario, name, value)
    scenario.spec = scenario_to_data(spec)
    scenario.save()
    for part, model in PART_MODELS.items():
        getattr(scenario, part).all().delete()
        model.objects.bulk_create(model(scenario=scenario, **values) for values in getattr(parts, part))
    scenario_refresh_spec(scenario=scenario)
    return scenario


def scenario_refresh_spec(*, scenario: Scenario) -> ScenarioSpec:
    """Regenerate ``spec`` from the saved parts; raise if they do not make a valid scenario."""
    draft = draft_from_parts(selectors.scenario_parts(scenario))
    if draft.problems:
        raise ScenarioError(draft.problems)
    spec = parse_scenario(draft.data)
    scenario.spec = scenario_to_data(spec)
    scenario.save(update_fields=["spec", "updated_at"])
    return spec


def parts_problems(parts: Parts) -> list[str]:
    """What the models' own validators refuse in a parsed scenario (numbers too large to be
    meant, names too long to store), each at its place in the scenario file."""
    scenario = Scenario(slug="x", spec={}, **parts.scenario)
    problems = _field_problems(scenario, "scenario", "", exclude=["slug", "spec"])
    first_cell = 0
    for part in PARTS:
        for i, values in enumerate(getattr(parts, part)):
            if part == "cell_groups":
                path = f"cells[{first_cell}]"
                first_cell += values["count"]
            else:
                path = f"{part}[{i}]"
            problems += _field_problems(PART_MODELS[part](**values), part, path, exclude=["scenario"])
    return problems


# An app's fields that stand for nested keys in a file (health_check_type: health_check.type).
APP_FIELD_PATHS = {field: path for path, field in APP_PATHS.items() if "." in path}


def _spec_path(part: str, path: str, name: str) -> str:
    if part == "scenario":
        section = next((s for s, names in SETTINGS.items() if name in names), None)
        return name if section is None or name in SCENARIO_FIELDS else f"{section}.{name}"
    if part == "zones":
        return path
    return f"{path}.{APP_FIELD_PATHS.get(name, name) if part == 'apps' else name}"


def _field_problems(instance: models.Model, part: str, path: str, *, exclude: list[str]) -> list[str]:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [
            f"{_spec_path(part, path, name)}: {message}"
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


@transaction.atomic
def scenario_import(*, spec: ScenarioSpec, slug: str, replace: bool = False) -> Scenario:
    """Save a checked scenario under ``slug``; built-ins stay as the repo's files define them."""
    existing = Scenario.objects.filter(slug=slug).first()
    if existing is not None and existing.builtin:
        raise ValueError(f"{slug!r} is a built-in scenario: import it under another slug")
    if existing is not None and not replace:
        raise ValueError(
            f"a scenario {slug!r} exists already: pass --replace to update it, or another --slug"
        )
    return scenario_write_parts(scenario=existing or Scenario(slug=slug), spec=spec)


@transaction.atomic
def scenario_load_library(directory: Path | None = None) -> list[Scenario]:
    """Load (or refresh) the built-in scenarios from the repo's ``scenarios/`` files (JSON or YAML).

    Every file is checked before anything is saved: one bad file saves none.
    """
    directory = directory or Path(settings.SCENARIO_LIBRARY_DIR)
    paths = sorted({path for pattern in LIBRARY_PATTERNS for path in directory.glob(pattern)})
    loaded: list[tuple[str, ScenarioSpec]] = []
    problems: list[str] = []
    for path in paths:
        slug = slugify(path.stem)
        try:
            spec = load_scenario_text(path.read_bytes(), guess_format(path.name))
            problems.extend(f"{path.name}: {p}" for p in parts_problems(parts_from_spec(spec)))
        except ScenarioError as exc:
            problems.extend(f"{path.name}: {p}" for p in exc.problems)
            continue
        if Scenario.objects.filter(slug=slug, builtin=False).exists():
            problems.append(f"{path.name}: a scenario made here has the slug {slug!r}: change its slug first")
        loaded.append((slug, spec))
    if problems:
        raise ScenarioError(problems)
    saved = []
    for slug, spec in loaded:
        scenario = Scenario.objects.filter(slug=slug).first() or Scenario(slug=slug)
        scenario.builtin = True
        saved.append(scenario_write_parts(scenario=scenario, spec=spec))
    return saved


@transaction.atomic
def scenario_duplicate(*, scenario: Scenario) -> Scenario:
    """An editable copy (of a built-in too), under a new name and slug."""
    spec = parse_scenario(draft_from_parts(selectors.scenario_parts(scenario)).data)
    name = f"{spec.name} (copy)"[: Scenario._meta.get_field("name").max_length]
    return scenario_create(
        spec=dataclasses.replace(spec, name=name), slug=scenario_unique_slug(f"{scenario.slug}-copy")
    )


def scenario_unique_slug(base: str) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever no scenario has yet."""
    base = slugify(base)[: SLUG_MAX - 6].strip("-") or "scenario"
    slug, n = base, 1
    while Scenario.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
