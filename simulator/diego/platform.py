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
from simulator.diego.bosh import BoshDirector
from simulator.diego.cell import Rep
from simulator.diego.convergence import Convergence
from simulator.diego.evacuation import EvacuationAPI
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
        # ActualLRPs by "app/index": the ordinary records, and the evacuating and suspect ones.
        self.actual: dict[str, ActualLRP] = {}
        self.evacuating: dict[str, ActualLRP] = {}
        self.suspects: dict[str, ActualLRP] = {}
        self.tasks: dict[str, Task] = {}

        self.cc = CloudController(self, BBSClient(self))
        self.bbs = BBS(self)
        self.convergence = Convergence(self)
        self.evacuation = EvacuationAPI(self)
        self.bosh = BoshDirector(self)
        self.auctioneer = Auctioneer(self)
        self.rep = Rep(self)
        self.route_emitter = RouteEmitter(self)
        self.gorouter = Gorouter(self)
        for component in (
            self.cc,
            self.bbs,
            self.convergence,
            self.evacuation,
            self.bosh,
            self.auctioneer,
            self.rep,
            self.route_emitter,
            self.gorouter,
        ):
            component.register(engine)

    # -- interactions ----------------------------------------------------------------------

    def start(self) -> None:
        self.schedule_timeline()
        self.convergence.start()
        self.route_emitter.start()
        self.gorouter.start()
        for cell in self.cells.values():
            self.emit_cell(cell)
        # The BOSH director has a status only once it acts.
        for component in ("cf", "uaa", "cc", "bbs", "auctioneer", "route-emitter", "gorouter"):
            self.set_status(component, "idle")

    # -- state records ---------------------------------------------------------------------

    def emit_instance(self, lrp: ActualLRP, presence: str | None = None) -> None:
        """An ActualLRP record; evacuating and suspect records are separate entities."""
        self.log.state(
            self.now,
            "instance",
            lrp.key if presence is None else f"{lrp.key} ({presence})",
            lrp.state,
            presence=presence or "ordinary",
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

    def _serving(self, lrp: ActualLRP) -> bool:
        """RUNNING in the BBS, and its container really runs on a live cell."""
        if lrp.state != "RUNNING" or lrp.cell is None or lrp.instance_guid is None:
            return False
        cell = self.cells[lrp.cell]
        container = cell.containers.get(lrp.instance_guid)
        return cell.alive and container is not None and container.state == "RUNNING"

    @staticmethod
    def cell_state(cell: Cell) -> str:
        if not cell.alive:
            return "failed"
        if not cell.present:
            return "restarting"
        return "evacuating" if cell.evacuating else "ok"

    def emit_cell(self, cell: Cell) -> None:
        self.cell_activity(cell)
        self.log.state(
            self.now,
            "cell",
            cell.name,
            self.cell_state(cell),
            rootfs=cell.rootfs_version or cell.spec.stacks[0],
            memory_used=cell.memory_used(),
            disk_used=cell.disk_used(),
            containers_used=len(cell.containers),
            starting=cell.starting_count(),
        )

    # -- what the operator and the app do ------------------------------------------------------

    def crash_instance(self, app: str, index: int) -> None:
        self.rep.crash_instance(app, index)

    def evacuate_cell(self, cell: str) -> None:
        self.bosh.drain(cell)

    def fail_cell(self, cell: str, recover_after_s: float | None) -> None:
        self.rep.fail(cell, recover_after_s)

    def rollout_rootfs(self, version: str, max_in_flight: int) -> None:
        self.bosh.rollout(version, max_in_flight)

    # -- questions the facade asks ----------------------------------------------------------

    def running_count(self, app: str) -> int:
        """Instances serving: an ordinary RUNNING record, or while it is being replaced, its
        evacuating one (as the BBS resolves an index for Cloud Controller). Suspect records are
        not counted: their cell is gone."""
        running = {lrp.index for lrp in self.actual.values() if lrp.app == app and lrp.state == "RUNNING"}
        running |= {lrp.index for lrp in self.evacuating.values() if lrp.app == app}
        return len(running)

    def routable_count(self, app: str) -> int:
        """Endpoints gorouter can really reach: those on cells that are alive."""
        return self.gorouter.routable_count(app, {name for name, cell in self.cells.items() if cell.alive})

    def placements(self) -> dict[str, str | None]:
        ordered = sorted(self.actual.values(), key=lambda lrp: (lrp.app, lrp.index))
        return {lrp.key: lrp.cell for lrp in ordered}

    def cell_names(self) -> list[str]:
        return list(self.cells)

    def scheduling_rounds(self) -> int:
        return self.auctioneer.round

    def steady(self) -> bool:
        # Asked after every event: the records are grouped by app in one pass, once needed
        # (one pass per app made a big push quadratic).
        records_of: dict[str, list[ActualLRP]] | None = None
        for name, app in self.apps.items():
            if app.pending_actions or app.cli_waiting or app.state in ("PUSHING", "STAGING"):
                return False
            desired = self.desired.get(name)
            wanted = desired.instances if desired is not None else 0
            if desired is not None and app.state != "STOPPED" and wanted != app.desired:
                return False  # Cloud Controller's change has not reached the BBS yet.
            if app.spec.crash is not None and app.state in ("STARTING", "RUNNING"):
                return False  # an app that keeps crashing never settles
            if records_of is None:
                records_of = {}
                for lrp in self.actual.values():
                    records_of.setdefault(lrp.app, []).append(lrp)
            records = records_of.get(name, [])
            if len(records) != wanted or not all(self._serving(lrp) for lrp in records):
                return False
            if self.gorouter.routable_count(name) != wanted:
                return False
        if any(task.state != "DELETED" for task in self.tasks.values()):
            return False
        if self.evacuating or self.suspects or self.bosh.busy():
            return False
        # A cell that died for good is a steady state; one coming back, or restarting, is not.
        if any(
            cell.evacuating or cell.recovering or (cell.alive and not cell.present)
            for cell in self.cells.values()
        ):
            return False
        return all(
            container.state == "RUNNING" and not container.stopping
            for cell in self.cells.values()
            for container in cell.containers.values()
        )
