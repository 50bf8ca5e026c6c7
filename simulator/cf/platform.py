"""What every simulated platform shares: time, identity, messages and the records about apps.

A platform (Diego, Eirini) owns the engine, the event log and its model state. Components talk
only through :meth:`Platform.send`, which records a ``message`` and schedules the receiver's
handler after the network latency, so every interaction is both simulated and visible.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from simulator.cf.state import App
from simulator.engine import Engine
from simulator.records import RecordLog
from simulator.scenario import Action, Scenario

if TYPE_CHECKING:
    from simulator.cf.cloud_controller import CloudController

DEVELOPER_ACTIONS = frozenset({"push", "scale", "stop"})


def _action_fields(action: Action) -> dict[str, object]:
    fields: dict[str, object] = {"action": action.action}
    for key in ("app", "index", "instances", "cell", "version"):
        value = getattr(action, key)
        if value not in (None, ""):
            fields[key] = value
    return fields


class Platform(ABC):
    name = "platform"
    cc: CloudController
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
        self.actions_done = 0
        # Actions (and the start) the platform has not converged from yet: (description, time).
        self.unconverged: list[tuple[str, float]] = [("start", 0.0)]
        engine.register("platform.timeline", self._timeline_action)
        engine.register("platform.intervene", self.perform)

    # -- actions ------------------------------------------------------------------------------

    def schedule_timeline(self) -> None:
        for i, action in enumerate(self.scenario.timeline):
            self.engine.schedule(action.at, "platform.timeline", i)

    def timeline_done(self) -> bool:
        return self.actions_done == len(self.scenario.timeline)

    def _timeline_action(self, i: int) -> None:
        self.actions_done += 1
        self.perform(self.scenario.timeline[i])

    def perform(self, action: Action) -> None:
        """Carry out a timeline action, or one a viewer triggers live, at the current time."""
        # Marks the action on the timeline; the run measures convergence from it.
        self.log.state(self.now, "action", action.describe(), action.action, **_action_fields(action))
        self.unconverged.append((action.describe(), self.now))
        if action.action in DEVELOPER_ACTIONS:
            self.cc.command(action)
        elif action.action == "crash":
            self.crash_instance(action.app, action.index or 0)
        elif action.action == "evacuate":
            self.evacuate_cell(action.cell)
        elif action.action == "fail":
            self.fail_cell(action.cell, action.recover_after_s)
        elif action.action == "rootfs":
            self.rollout_rootfs(action.version, action.max_in_flight)

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

    # -- what each platform does ----------------------------------------------------------------

    @abstractmethod
    def crash_instance(self, app: str, index: int) -> None:
        """The instance's process exits with an error, as a crashing app does."""

    @abstractmethod
    def evacuate_cell(self, cell: str) -> None:
        """The operator takes the cell out of service gracefully (Diego: BOSH drain and evacuation;
        Kubernetes: ``kubectl drain``), restarts it, and it takes work again."""

    @abstractmethod
    def fail_cell(self, cell: str, recover_after_s: float | None) -> None:
        """The cell dies without warning; it comes back after ``recover_after_s``, if given."""

    @abstractmethod
    def rollout_rootfs(self, version: str, max_in_flight: int) -> None:
        """A new root filesystem is rolled out the platform's way."""

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
    def steady(self) -> bool:
        """Every app is where its developer wanted it and nothing is in flight."""

    def settled(self) -> bool:
        """Steady after the whole timeline: the run can end."""
        return self.timeline_done() and self.steady()
