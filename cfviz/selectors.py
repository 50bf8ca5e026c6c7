"""Reads of scenarios and runs."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from cfviz.models import Run, Scenario

RECENT_RUNS = 10


def scenario_list() -> QuerySet[Scenario]:
    return Scenario.objects.order_by("-builtin", "name")


def scenario_by_slug(slug: str) -> Scenario | None:
    return Scenario.objects.filter(slug=slug).first()


def run_recent(limit: int = RECENT_RUNS) -> QuerySet[Run]:
    return Run.objects.order_by("-created_at")[:limit]


def run_get(run_id: str | uuid.UUID) -> Run | None:
    try:
        key = run_id if isinstance(run_id, uuid.UUID) else uuid.UUID(str(run_id))
    except ValueError:
        return None
    return Run.objects.filter(id=key).first()
