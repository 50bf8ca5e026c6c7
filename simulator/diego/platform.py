"""Diego as a whole: the model state and the components that act on it.

:class:`DiegoPlatform` wires Cloud Controller (through its BBS client), the BBS, the auctioneer,
the cells and routing around the shared :class:`~simulator.cf.platform.Platform` machinery.
"""

from __future__ import annotations

from simulator.cf.cloud_controller import CloudController
from simulator.cf.gorouter import Gorouter
from simulator.cf.platform import Platform
from simulator.diego.auctioneer import Auctioneer
from simulator.diego.bbs import BBS
from simulator.diego.bbs_client import BBSClient
from simulator.diego.cell import Rep
from simulator.diego.routing import RouteEmitter
from simulator.diego.state import ActualLRP, Cell, DesiredLRP, Task
from simulator.engine import Engine
from simulator.records import RecordLog
from simulator.scenario import Scenario

NAME = "diego"


class DiegoPlatform(Platform):
    name = NAME

    def __init__(self, scenario: Scenario, engine: Engine, log: RecordLog) -> None:
        super().__init__(scenario, engine, log)
        self.cells: dict[str, Cell] = {
            spec.name: Cell(spec=spec, index=i, ip=f"10.0.{16 + i // 250}.{i % 250 + 4}")
            for i, spec in enumerate(scenario.cells)
        }
        self.desired: dict[str, DesiredLRP] = {}
        self.actual: dict[str, ActualLRP] = {}
        self.tasks: dict[str, Task] = {}

        self.cc = CloudController(self, BBSClient(self))
        self.bbs = BBS(self)
        self.auctioneer = Auctioneer(self)
        self.rep = Rep(self)
        self.route_emitter = RouteEmitter(self)
        self.gorouter = Gorouter(self)
        for component in (self.cc, self.bbs, self.auctioneer, self.rep, self.route_emitter, self.gorouter):
            component.register(engine)

    # -- interactions ----------------------------------------------------------------------

    def start(self) -> None:
        self.cc.schedule_timeline()
        self.bbs.start_convergence()
        self.route_emitter.start()
        self.gorouter.start()
        for cell in self.cells.values():
            self.emit_cell(cell)
        for component in ("cf", "uaa", "cc", "bbs", "auctioneer", "route-emitter", "gorouter"):
            self.set_status(component, "idle")

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

    def cell_activity(self, cell: Cell) -> None:
        """What the cell's rep, executor and Garden are busy with, for their boxes."""
        containers = len(cell.containers)
        starting = cell.starting_count()
        self.set_status(
            f"rep@{cell.name}",
            f"{containers} container(s), {starting} starting" if containers else "idle",
        )
        busy = []
        if cell.creates_active or cell.create_queue:
            busy.append(
                f"{cell.creates_active} creating"
                + (f", {len(cell.create_queue)} queued" if cell.create_queue else "")
            )
        if cell.downloads_active or cell.download_queue:
            busy.append(
                f"{cell.downloads_active} downloading"
                + (f", {len(cell.download_queue)} queued" if cell.download_queue else "")
            )
        self.set_status(f"executor@{cell.name}", "; ".join(busy) or "idle")
        self.set_status(f"garden@{cell.name}", f"{containers} container(s)" if containers else "idle")

    def emit_cell(self, cell: Cell) -> None:
        self.cell_activity(cell)
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

    # -- questions the facade asks ----------------------------------------------------------

    def running_count(self, app: str) -> int:
        return sum(1 for lrp in self.actual.values() if lrp.app == app and lrp.state == "RUNNING")

    def routable_count(self, app: str) -> int:
        return self.gorouter.routable_count(app)

    def placements(self) -> dict[str, str | None]:
        ordered = sorted(self.actual.values(), key=lambda lrp: (lrp.app, lrp.index))
        return {lrp.key: lrp.cell for lrp in ordered}

    def cell_names(self) -> list[str]:
        return list(self.cells)

    def scheduling_rounds(self) -> int:
        return self.auctioneer.round

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
            if self.gorouter.routable_count(name) != wanted:
                return False
        if any(task.state != "DELETED" for task in self.tasks.values()):
            return False
        return all(
            container.state == "RUNNING" and not container.stopping
            for cell in self.cells.values()
            for container in cell.containers.values()
        )
