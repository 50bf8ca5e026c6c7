"""Business operations on scenarios and runs; views, consumers and commands call these."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cfviz.models import Run, Scenario
from simulator.scenario import Scenario as ScenarioSpec
from simulator.scenario import ScenarioError, parse_scenario
from simulator.scenario_files import scenario_to_data

# Seeds stay below 2**53 so they survive JSON in every browser.
MAX_SEED = 2**53 - 1


def run_create(
    *,
    scenario: Scenario,
    user: AbstractBaseUser | AnonymousUser | None,
    session_key: str,
    seed: int | None = None,
    platform: str | None = None,
) -> Run:
    """Start a new run of ``scenario``; its starter (user or browser session) may control it."""
    spec = scenario.parsed()
    platform = platform or scenario.default_platform
    if platform not in Run.Platform.values:
        raise ValueError(f"unknown platform {platform!r} (choose {', '.join(Run.Platform.values)})")
    if seed is None:
        seed = spec.seed
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be between 0 and {MAX_SEED}")
    owner = user if user is not None and user.is_authenticated else None
    return Run.objects.create(
        scenario=scenario,
        scenario_name=scenario.name,
        spec=scenario.spec,
        seed=seed,
        platform=platform,
        owner=owner,
        owner_session=session_key,
    )


def run_random_seed() -> int:
    return secrets.randbelow(MAX_SEED)


def run_save_status(*, run_id: str, status: str) -> None:
    Run.objects.filter(id=run_id).update(status=status)


def run_record_finished(*, run_id: str, event_log: str, summary: dict[str, Any]) -> None:
    """Keep the finished run's event log and summary, so it can be replayed and compared later."""
    Run.objects.filter(id=run_id).update(
        status=Run.Status.FINISHED,
        finished_at=timezone.now(),
        event_log=event_log,
        summary=summary,
    )


def user_may_control(
    *, run: Run, user: AbstractBaseUser | AnonymousUser | None, session_key: str | None
) -> bool:
    """The run's starter (their account or their browser session) and staff may change a run."""
    if user is not None and user.is_authenticated:
        if getattr(user, "is_staff", False):
            return True
        if run.owner_id is not None and run.owner_id == user.pk:
            return True
    return bool(session_key) and session_key == run.owner_session


@transaction.atomic
def scenario_load_library(directory: Path | None = None) -> list[Scenario]:
    """Load (or refresh) the built-in scenarios from the repo's ``scenarios/*.json`` files.

    Every file is checked before anything is saved: one bad file saves none.
    """
    directory = directory or Path(settings.SCENARIO_LIBRARY_DIR)
    parsed = []
    problems: list[str] = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            spec = parse_scenario(data)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}: not valid JSON: {exc}")
            continue
        except ScenarioError as exc:
            problems.extend(f"{path.name}: {p}" for p in exc.problems)
            continue
        parsed.append((path.stem, spec, data))
    if problems:
        raise ScenarioError(problems)
    saved = []
    for stem, spec, data in parsed:
        scenario, _ = Scenario.objects.update_or_create(
            slug=slugify(stem),
            defaults={"name": spec.name, "description": spec.description, "spec": data, "builtin": True},
        )
        saved.append(scenario)
    return saved


def run_record_intervention(*, run_id: str, branch_id: int, action: dict[str, Any]) -> None:
    """Append a live action to a branch of the run, so that a replay includes it."""
    with transaction.atomic():
        run = Run.objects.select_for_update().get(id=run_id)
        branches = _with_main(run.branches)
        for branch in branches:
            if branch["id"] == branch_id:
                branch["interventions"] = [*branch["interventions"], action]
        run.branches = branches
        run.save(update_fields=["branches"])


def run_record_branch(*, run_id: str, branch: dict[str, Any]) -> None:
    """A new branch, forked by an action taken while viewing the past; it becomes current."""
    with transaction.atomic():
        run = Run.objects.select_for_update().get(id=run_id)
        run.branches = [*_with_main(run.branches), branch]
        run.current_branch = branch["id"]
        run.save(update_fields=["branches", "current_branch"])


def run_set_branch(*, run_id: str, branch_id: int) -> None:
    Run.objects.filter(id=run_id).update(current_branch=branch_id)


def _with_main(branches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if any(b["id"] == 0 for b in branches):
        return [dict(b) for b in branches]
    return [{"id": 0, "parent": None, "forked_at": 0.0, "interventions": []}, *[dict(b) for b in branches]]


@transaction.atomic
def scenario_import(*, spec: ScenarioSpec, slug: str, replace: bool = False) -> Scenario:
    """Save a checked scenario under ``slug``; built-ins stay as the repo's files define them."""
    existing = Scenario.objects.filter(slug=slug).first()
    if existing is not None and existing.builtin:
        raise ValueError(f"{slug!r} is a built-in scenario: import it under another --slug")
    if existing is not None and not replace:
        raise ValueError(
            f"a scenario {slug!r} exists already: pass --replace to update it, or another --slug"
        )
    data = scenario_to_data(spec)
    scenario, _ = Scenario.objects.update_or_create(
        slug=slug,
        defaults={"name": spec.name, "description": spec.description, "spec": data, "builtin": False},
    )
    return scenario
