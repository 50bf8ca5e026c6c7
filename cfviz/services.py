"""Business operations on runs; views, consumers and commands call these (scenarios' are in
``cfviz.scenario_services``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from cfviz.models import Run, Scenario
from cfviz.models.limits import MAX_SEED


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
    return [Run.main_branch(), *[dict(b) for b in branches]]
