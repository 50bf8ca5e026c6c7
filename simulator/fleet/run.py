"""A fleet run: one scenario on Diego, Eirini or both, on one clock (docs/fleet.md §2)."""

from __future__ import annotations

from simulator.fleet.diego import DiegoFleet
from simulator.fleet.eirini import EiriniFleet
from simulator.fleet.frames import FleetFrame
from simulator.fleet.platform import FleetPlatform
from simulator.scenario import PLATFORMS, Scenario

PLATFORM_CLASSES: dict[str, type[FleetPlatform]] = {"diego": DiegoFleet, "eirini": EiriniFleet}


class FleetRun:
    """The platforms of one run, advanced together."""

    def __init__(
        self, scenario: Scenario, platforms: tuple[str, ...] | None = None, seed: int | None = None
    ) -> None:
        names = platforms or scenario.platforms
        unknown = [name for name in names if name not in PLATFORMS]
        if unknown:
            raise ValueError(f"unknown platform {unknown[0]!r} (known: {', '.join(PLATFORMS)})")
        self.scenario = scenario
        self.platforms: dict[str, FleetPlatform] = {
            name: PLATFORM_CLASSES[name](scenario, seed) for name in names
        }

    @property
    def now(self) -> float:
        return min(p.now for p in self.platforms.values())

    @property
    def finished(self) -> bool:
        return all(p.finished for p in self.platforms.values())

    @property
    def finished_at(self) -> float | None:
        """When the last platform finished, once all have."""
        ends = [p.finished_at for p in self.platforms.values()]
        return None if any(end is None for end in ends) else max(e for e in ends if e is not None)

    def advance(self, until: float) -> None:
        for platform in self.platforms.values():
            platform.advance(until)

    def run_to_end(self, limit: float, step: float = 60.0) -> None:
        """Advance until every platform has finished or ``limit`` seconds have passed."""
        while not self.finished and self.now < limit:
            self.advance(min(limit, self.now + step))

    def frames(self, t: float) -> dict[str, FleetFrame]:
        return {name: platform.frame(t) for name, platform in self.platforms.items()}
