"""Narration: which of a scenario's captions a run has reached (docs/scenarios.md, Narration).

A step shows from a simulated time (``at``) or from the first moment an event holds in a
viewer's picture of the run (``event``). Steps are shown in order: a step is reached once every
step before it is. Pure functions over :class:`~simulator.view.ViewState`, so the server (which
pauses the shared run at a step with ``pause``) and anyone replaying a log agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from simulator.scenario import NarrationStep
from simulator.view import ViewState

APP_EVENT_STATES = {
    "app-pushing": "PUSHING",
    "app-staging": "STAGING",
    "app-starting": "STARTING",
    "app-running": "RUNNING",
    "app-stopped": "STOPPED",
}
CELL_EVENT_STATES = {
    "cell-evacuating": {"evacuating", "cordoned"},
    "cell-restarting": {"restarting"},
    "cell-failed": {"failed"},
}


def holds(step: NarrationStep, view: ViewState) -> bool:
    """Whether the step's moment has come in this view (an event counts once it has happened)."""
    if step.at is not None:
        return view.t >= step.at
    event = step.event or ""
    if event in APP_EVENT_STATES:
        return ("app", step.app, APP_EVENT_STATES[event]) in view.seen
    if event in CELL_EVENT_STATES:
        return any(("cell", step.cell, state) in view.seen for state in CELL_EVENT_STATES[event])
    if event == "all-running":
        return view.headline["all_running_at"] is not None
    if event == "converged":
        actions = view.actions
        converged = view.metrics["convergence"]
        # Caught up with the latest action: its convergence is recorded.
        return bool(actions) and any(c["action"] == actions[-1]["words"] for c in converged)
    return False


def reached(steps: Iterable[NarrationStep], views: Iterable[ViewState], already: int = 0) -> int:
    """How many steps are reached, in order, given ``already`` reached; any platform's view counts."""
    views = list(views)
    count = already
    for step in list(steps)[already:]:
        if not any(holds(step, view) for view in views):
            break
        count += 1
    return count
