"""One scenario and seed on several platforms at once, advanced on one clock (lockstep).

Each platform is its own :class:`~simulator.simulation.Simulation` with its own engine and
generator seeded alike, so each is deterministic on its own and the pair is too. Running to a
time runs every platform to that time; a platform that has finished stays where it ended.
"""

from __future__ import annotations

import copy
from typing import Any

from simulator.records import Record, dumps
from simulator.scenario import Action, Scenario
from simulator.simulation import Simulation

BOTH = ("diego", "eirini")


class Comparison:
    def __init__(
        self, scenario: Scenario, seed: int | None = None, platforms: tuple[str, ...] = BOTH
    ) -> None:
        if not platforms:
            raise ValueError("a comparison needs at least one platform")
        self.scenario = scenario
        self.runs: dict[str, Simulation] = {name: Simulation(scenario, seed, name) for name in platforms}
        self.seed = next(iter(self.runs.values())).seed
        self.clock = 0.0

    @property
    def platforms(self) -> list[str]:
        return list(self.runs)

    @property
    def now(self) -> float:
        return self.clock

    @property
    def end_time(self) -> float:
        return max(sim.end_time for sim in self.runs.values())

    @property
    def done(self) -> bool:
        return all(sim.done for sim in self.runs.values())

    def run(self, until: float | None = None) -> dict[str, list[Record]]:
        """Advance every platform to ``until`` (or to the end); the new records per platform."""
        target = self.end_time if until is None else until
        records = {name: sim.run(until=target) for name, sim in self.runs.items()}
        if until is None:
            # A platform that settled late may have moved the end: run the others on to it.
            while any(not sim.done for sim in self.runs.values()):
                for name, sim in self.runs.items():
                    records[name].extend(sim.run(until=self.end_time))
        self.clock = max(self.clock, min(target, self.end_time))
        return records

    def intervene(self, action: Action) -> None:
        """The same action on every platform at the same simulated time."""
        for sim in self.runs.values():
            sim.intervene(action)

    def fork(self) -> Comparison:
        return copy.deepcopy(self)

    def summary(self) -> dict[str, dict[str, Any]]:
        return {name: sim.summary() for name, sim in self.runs.items()}

    def dumps_log(self) -> str:
        """Every platform's log, one platform after the other, each record naming its platform."""
        return "".join(
            dumps({**record, "platform": name}) + "\n"
            for name, sim in self.runs.items()
            for record in sim.records
        )
