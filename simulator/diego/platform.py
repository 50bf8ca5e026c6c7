"""Diego as a whole: the shared state and the components that act on it.

:class:`DiegoPlatform` owns the engine, the event log and the model state, and wires the
components (Cloud Controller side, BBS, auctioneer, cells, routing). Components talk only through
:meth:`DiegoPlatform.send`, which records a ``message`` and schedules the receiver's handler
after the network latency, so every interaction is both simulated and visible.
"""

from __future__ import annotations

from typing import Any

from simulator.diego.auctioneer import Auctioneer
from simulator.diego.bbs import BBS
from simulator.diego.cell import Rep
from simulator.diego.cloud_controller import CloudController
from simulator.diego.routing import Routing
from simulator.diego.state import (
    ActualLRP,
    App,
    Cell,
    DesiredLRP,
    Task,
)
from simulator.engine import Engine
from simulator.records import RecordLog
from simulator.scenario import Scenario

NAME = "diego"


class DiegoPlatform:
    def __init__(self, scenario: Scenario, engine: Engine, log: RecordLog) -> None:
        self.scenario = scenario
        self.engine = engine
        self.log = log
        self.timing = scenario.timing
        self.cells: dict[str, Cell] = {
            spec.name: Cell(spec=spec, index=i, ip=f"10.0.{16 + i // 250}.{i % 250 + 4}")
            for i, spec in enumerate(scenario.cells)
        }
        self.apps: dict[str, App] = {
            spec.name: App(spec=spec, guid=self.new_guid(), desired=spec.instances) for spec in scenario.apps
        }
        self.desired: dict[str, DesiredLRP] = {}
        self.actual: dict[str, ActualLRP] = {}
        self.tasks: dict[str, Task] = {}
        self.component_status: dict[str, str] = {}

        self.cc = CloudController(self)
        self.bbs = BBS(self)
        self.auctioneer = Auctioneer(self)
        self.rep = Rep(self)
        self.routing = Routing(self)
        for component in (self.cc, self.bbs, self.auctioneer, self.rep, self.routing):
            component.register(engine)

    # -- time and identity ---------------------------------------------------------------

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

    # -- interactions ----------------------------------------------------------------------

    def start(self) -> None:
        self.cc.schedule_timeline()
        self.bbs.start_convergence()
        self.routing.start()
        for cell in self.cells.values():
            self.emit_cell(cell)
        for component in ("cf", "uaa", "cc", "bbs", "auctioneer", "route-emitter", "gorouter"):
            self.set_status(component, "idle")

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
        """Record a message whose reply needs no handler of its own (e.g. a database write)."""
        self.log.message(self.now, src, dst, label, self.latency(), **entities)

    def set_status(self, component: str, text: str) -> None:
        if self.component_status.get(component) != text:
            self.component_status[component] = text
            self.log.state(self.now, "component", component, text)

    # -- state records ---------------------------------------------------------------------

    def emit_instance(self, lrp: ActualLRP) -> None:
        self.log.state(
            self.now,
            "instance",
            lrp.key,
            lrp.state,
            app=lrp.app,
            index=lrp.index,
            cell=lrp.cell,
            instance_guid=lrp.instance_guid,
            detail=lrp.detail,
            placement_error=lrp.placement_error,
            crash_count=lrp.crash_count,
            address=lrp.address,
        )

    def emit_task(self, task: Task) -> None:
        self.log.state(
            self.now,
            "task",
            task.guid,
            task.state,
            app=task.app,
            cell=task.cell,
            detail=task.detail,
            failed=task.failed,
            failure_reason=task.failure_reason,
        )

    def emit_app(self, app: App) -> None:
        running = sum(
            1 for lrp in self.actual.values() if lrp.app == app.spec.name and lrp.state == "RUNNING"
        )
        self.log.state(
            self.now,
            "app",
            app.spec.name,
            app.state,
            desired=app.desired,
            running=running,
            route=app.spec.hostname,
        )

    def emit_cell(self, cell: Cell) -> None:
        self.log.state(
            self.now,
            "cell",
            cell.name,
            "ok",
            memory_used=cell.memory_used(),
            disk_used=cell.disk_used(),
            containers_used=len(cell.containers),
            starting=cell.starting_count(),
        )

    def app_log(self, app: str, source: str, component: str, line: str) -> None:
        self.log.log(self.now, app, source, component, line)

    # -- questions the facade asks ----------------------------------------------------------

    def settled(self) -> bool:
        """Every action has been carried out and every app is where its developer wanted it."""
        if not self.cc.timeline_done():
            return False
        for name, app in self.apps.items():
            if app.pending_actions or app.cli_waiting or app.state in ("PUSHING", "STAGING"):
                return False
            desired = self.desired.get(name)
            wanted = desired.instances if desired is not None else 0
            if desired is not None and app.state != "STOPPED" and wanted != app.desired:
                return False  # Cloud Controller's change has not reached the BBS yet.
            records = [lrp for lrp in self.actual.values() if lrp.app == name]
            if len(records) != wanted or any(lrp.state != "RUNNING" for lrp in records):
                return False
            if self.routing.routable_count(name) != wanted:
                return False
        if any(task.state != "DELETED" for task in self.tasks.values()):
            return False
        return all(
            container.state == "RUNNING" and not container.stopping
            for cell in self.cells.values()
            for container in cell.containers.values()
        )
