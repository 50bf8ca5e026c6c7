"""Reads of scenarios and runs."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from cfviz.models import Run, Scenario
from cfviz.scenario_parts import PART_FIELDS, PARTS, SCENARIO_FIELDS, SETTINGS, Parts
from simulator.scenario_files import dump_scenario

RECENT_RUNS = 10
FILE_CONTENT_TYPES = {"json": "application/json", "yaml": "application/yaml"}


def scenario_list() -> QuerySet[Scenario]:
    return Scenario.objects.order_by("-builtin", "name")


def scenario_by_slug(slug: str) -> Scenario | None:
    return Scenario.objects.filter(slug=slug).first()


def scenario_parts(scenario: Scenario) -> Parts:
    """The scenario's own fields and its parts as saved, in their order."""
    names = [*SCENARIO_FIELDS, *(name for section in SETTINGS.values() for name in section)]
    return Parts(
        scenario={name: getattr(scenario, name) for name in names},
        **{part: list(getattr(scenario, part).values(*PART_FIELDS[part])) for part in PARTS},
    )


def scenario_file(scenario: Scenario, fmt: str) -> tuple[str, str]:
    """The scenario as a file: its name and its text, the format ``manage.py simulate`` reads."""
    return f"{scenario.slug}.{fmt}", dump_scenario(scenario.parsed(), fmt)


def run_recent(limit: int = RECENT_RUNS) -> QuerySet[Run]:
    return Run.objects.order_by("-created_at")[:limit]


def run_get(run_id: str | uuid.UUID) -> Run | None:
    try:
        key = run_id if isinstance(run_id, uuid.UUID) else uuid.UUID(str(run_id))
    except ValueError:
        return None
    return Run.objects.filter(id=key).first()
