"""A run: one scenario, one seed, one platform model, driven by the engine.

This is what hosts use: ``peek()``, ``step()`` and ``run(until=...)`` advance it and return the
records they produced; ``done`` says the run has nothing more to show (every action happened
and the platform settled, or the scenario's duration passed); ``summary()`` gives the figures.
The whole object is plain data underneath, so ``copy.deepcopy`` forks a run.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from simulator.cf.platform import Platform
from simulator.diego.platform import DiegoPlatform
from simulator.eirini.platform import EiriniPlatform
from simulator.engine import Engine
from simulator.records import Record, RecordLog
from simulator.scenario import Action, Scenario

PLATFORMS: dict[str, type[Platform]] = {"diego": DiegoPlatform, "eirini": EiriniPlatform}
# Once settled, a run plays this much longer so the last tokens and logs land on screen.
SETTLED_TAIL_S = 3.0


class Simulation:
    def __init__(self, scenario: Scenario, seed: int | None = None, platform: str = "diego") -> None:
        if platform not in PLATFORMS:
            raise ValueError(f"unknown platform {platform!r} (known: {', '.join(PLATFORMS)})")
        if scenario.is_fleet:
            # Every record of every instance would be tens of millions at this scale.
            raise ValueError(
                f"{scenario.name!r} runs in fleet mode ({scenario.instance_count:,} instances): "
                "use simulator.fleet.run.FleetRun (docs/fleet.md)"
            )
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.platform_name = platform
        self.engine = Engine(self.seed)
        self.log = RecordLog()
        self.platform: Platform = PLATFORMS[platform](scenario, self.engine, self.log)
        self.platform.start()
        self.settled_at: float | None = None
        # Where each event (an engine step that recorded something) and each step that sent a
        # message began in the log: what stepping back returns to.
        self.event_starts: list[int] = []
        self.message_starts: list[int] = []

    @property
    def now(self) -> float:
        return self.engine.now

    @property
    def records(self) -> list[Record]:
        return self.log.records

    @property
    def end_time(self) -> float:
        """When the run stops: a little after it settled, or at the scenario's duration."""
        if self.settled_at is not None:
            return min(self.settled_at + SETTLED_TAIL_S, self.scenario.duration_s)
        return self.scenario.duration_s

    @property
    def done(self) -> bool:
        return self.now >= self.end_time

    def peek(self) -> float:
        next_time = self.engine.peek()
        return next_time if next_time <= self.end_time else math.inf

    def step(self) -> list[Record]:
        """Run the next timer, if the run has one before its end; return its records."""
        start = len(self.log)
        if self.peek() < math.inf:
            self._step()
        return self.log.since(start)

    def _step(self) -> None:
        start = len(self.log)
        self.engine.step()
        if len(self.log) > start:
            self.event_starts.append(start)
            if any(r["kind"] == "message" for r in self.log.records[start:]):
                self.message_starts.append(start)
        self._check_settled()

    def run(self, until: float | None = None) -> list[Record]:
        """Advance to ``until`` (or to the end), never past the end; return the new records."""
        start = len(self.log)
        target = self.end_time if until is None else min(until, self.end_time)
        while not self.done:
            next_time = self.engine.peek()
            if next_time > target or next_time > self.end_time:
                break
            self._step()
            target = self.end_time if until is None else min(until, self.end_time)
        if target > self.engine.now:
            self.engine.run(until=target)
        return self.log.since(start)

    def _check_settled(self) -> None:
        """After each step while the platform is catching up with an action (or its start):
        once it is steady, record how long each action took to converge."""
        p = self.platform
        if not p.unconverged:
            return
        # An action arrived (a live one, after the run had settled): it is not settled any more.
        self.settled_at = None
        if not p.steady():
            return
        for action, at in p.unconverged:
            self.log.state(
                self.engine.now,
                "convergence",
                action,
                "converged",
                at=round(at, 6),
                converge_s=round(self.engine.now - at, 6),
            )
        p.unconverged.clear()
        if self.settled_at is None and p.timeline_done():
            self.settled_at = self.engine.now

    def intervene(self, action: Action) -> None:
        """Carry out ``action`` at its time (now or later), as if it were on the timeline.

        The run is no longer settled: it goes on until it is steady again after the action.
        """
        if action.at < self.now:
            raise ValueError(f"cannot act at {action.at:g} s: the run is at {self.now:g} s")
        self.engine.schedule(action.at - self.now, "platform.intervene", action)
        self.settled_at = None

    def fork(self) -> Simulation:
        return copy.deepcopy(self)

    def summary(self) -> dict[str, Any]:
        """Headline figures: when each app was pushed, first running and all running; placements."""
        p = self.platform
        apps = {}
        for name, app in p.apps.items():
            apps[name] = {
                "state": app.state,
                "desired": app.desired,
                "pushed_at": app.pushed_at,
                "first_running_at": app.first_running_at,
                "all_running_at": app.all_running_at,
                "time_to_all_running": None
                if app.all_running_at is None or app.pushed_at is None
                else round(app.all_running_at - app.pushed_at, 3),
                "routable": p.routable_count(name),
            }
        placements = p.placements()
        per_cell: dict[str, int] = {name: 0 for name in p.cell_names()}
        for cell in placements.values():
            if cell is not None:
                per_cell[cell] += 1
        all_running = [a["all_running_at"] for a in apps.values() if a["all_running_at"] is not None]
        return {
            "scenario": self.scenario.name,
            "platform": self.platform_name,
            "seed": self.seed,
            "simulated_s": round(self.now, 3),
            "settled_at": self.settled_at,
            "all_running_at": max(all_running) if all_running and len(all_running) == len(apps) else None,
            "apps": apps,
            "placements": placements,
            "instances_per_cell": per_cell,
            "scheduling_rounds": p.scheduling_rounds(),
            "records": len(self.log),
        }
