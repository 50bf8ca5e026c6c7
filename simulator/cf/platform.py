"""What every simulated platform shares: time, identity, messages and the records about apps.

A platform (Diego, Eirini) owns the engine, the event log and its model state. Components talk
only through :meth:`Platform.send`, which records a ``message`` and schedules the receiver's
handler after the network latency, so every interaction is both simulated and visible.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from simulator.cf.state import App
from simulator.engine import Engine
from simulator.records import RecordLog
from simulator.scenario import Scenario


class Platform(ABC):
    name = "platform"
    # Diego concepts this platform has no counterpart for, shown on the run page.
    notes: dict[str, str] = {}

    def __init__(self, scenario: Scenario, engine: Engine, log: RecordLog) -> None:
        self.scenario = scenario
        self.engine = engine
        self.log = log
        self.timing = scenario.timing
        self.apps: dict[str, App] = {
            spec.name: App(spec=spec, guid=self.new_guid(), desired=spec.instances) for spec in scenario.apps
        }
        self.component_status: dict[str, str] = {}

    # -- time and identity ------------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.engine.now

    def latency(self) -> float:
        return self.engine.jitter(self.timing.network_latency_s, self.timing.jitter)

    def duration(self, mean: float) -> float:
        return self.engine.jitter(mean, self.timing.jitter)

    def new_guid(self) -> str:
        bits = self.engine.rng.getrandbits(48)
        return f"{bits >> 16:08x}-{bits & 0xFFFF:04x}"

    # -- interactions ---------------------------------------------------------------------

    def send(
        self,
        src: str,
        dst: str,
        label: str,
        kind: str,
        *args: Any,
        delay: float | None = None,
        **entities: Any,
    ) -> None:
        """Record a message from ``src`` to ``dst`` and run handler ``kind`` when it arrives."""
        travel = self.latency() if delay is None else delay
        self.log.message(self.now, src, dst, label, travel, **entities)
        self.engine.schedule(travel, kind, *args)

    def note(self, src: str, dst: str, label: str, **entities: Any) -> None:
        """Record a message whose answer needs no handler of its own (e.g. a database write)."""
        self.log.message(self.now, src, dst, label, self.latency(), **entities)

    def set_status(self, component: str, text: str) -> None:
        if self.component_status.get(component) != text:
            self.component_status[component] = text
            self.log.state(self.now, "component", component, text)

    def app_log(self, app: str, source: str, component: str, line: str) -> None:
        self.log.log(self.now, app, source, component, line)

    def emit_app(self, app: App) -> None:
        running = self.running_count(app.spec.name)
        # Only a change is news: platforms call this whenever an instance might have changed.
        if app.reported == (app.state, app.desired, running):
            return
        app.reported = (app.state, app.desired, running)
        self.log.state(
            self.now,
            "app",
            app.spec.name,
            app.state,
            desired=app.desired,
            running=running,
            route=app.spec.hostname,
        )

    # -- what each platform answers -------------------------------------------------------

    @abstractmethod
    def start(self) -> None:
        """Schedule the timeline and the platform's periodic work; emit the opening state."""

    @abstractmethod
    def running_count(self, app: str) -> int: ...

    @abstractmethod
    def routable_count(self, app: str) -> int: ...

    @abstractmethod
    def placements(self) -> dict[str, str | None]:
        """Each instance (``app/index``) and the cell or node it runs on, if any."""

    @abstractmethod
    def cell_names(self) -> list[str]: ...

    @abstractmethod
    def scheduling_rounds(self) -> int:
        """Auction rounds (Diego) or scheduling cycles (Kubernetes) so far."""

    @abstractmethod
    def settled(self) -> bool: ...
