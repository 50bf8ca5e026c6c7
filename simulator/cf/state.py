"""State every Cloud Foundry platform shares: Cloud Controller's apps."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.scenario import AppSpec


@dataclass(slots=True)
class App:
    """Cloud Controller's view of an app, plus what the cf CLI is waiting for."""

    spec: AppSpec
    guid: str
    state: str = "NEW"
    desired: int = 0
    staged: bool = False
    cli_waiting: bool = False
    # Timeline actions the CLI has started that Cloud Controller has not handled yet.
    pending_actions: int = 0
    pushed_at: float | None = None
    first_running_at: float | None = None
    all_running_at: float | None = None
    # (state, desired, running) as last recorded, so unchanged app records are not repeated.
    reported: tuple[str, int, int] | None = None
