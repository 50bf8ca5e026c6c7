"""A Diego cell: the rep, its in-process executor and Garden (diego.md §2).

The rep answers the auctioneer's State and Perform calls, reserves containers and keeps the BBS
records in step with them. The executor takes a container through Reserved → Initializing
(Garden creates it) → Created (the droplet or app package downloads, at most 5 at once) →
Running (the start-up health check passed every 2 s) → Completed, and runs staging tasks:
download the package, compile with the buildpack, upload the droplet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.cf.staging import compile_lines, compile_seconds
from simulator.diego.auction import CellState, LRPWork, TaskWork
from simulator.diego.constants import (
    APP_CONTAINER_PORT,
    CREATE_WORK_POOL_SIZE,
    EVACUATION_POLL_S,
    EVACUATION_TIMEOUT_S,
    FIRST_HOST_PORT,
    HEALTH_CHECK_INTERVAL_S,
    LIVENESS_CHECK_INTERVAL_S,
    MAX_CONCURRENT_DOWNLOADS,
    PRESENCE_TTL_S,
)
from simulator.diego.evacuation import KEEP
from simulator.diego.state import (
    COMPLETED,
    CREATED,
    INITIALIZING,
    RUNNING,
    STARTING_STATES,
    Cell,
    Container,
)
from simulator.engine import Engine

if TYPE_CHECKING:
    from simulator.diego.platform import DiegoPlatform


class Rep:
    """Every cell's rep and executor; handlers take the cell's name first."""

    def __init__(self, platform: DiegoPlatform) -> None:
        self.p = platform

    def register(self, engine: Engine) -> None:
        for name in (
            "state_requested",
            "perform",
            "claimed",
            "task_started",
            "discard",
            "garden_create",
            "container_created",
            "download_done",
            "garden_run",
            "process_started",
            "health_check",
            "health_result",
            "liveness_check",
            "compiled",
            "droplet_uploaded",
            "task_completed_ack",
            "stop_instance",
            "stopped",
            "bbs_ack",
            "evacuate",
            "evacuation_poll",
            "evacuation_reply",
            "app_exits",
            "presence_expired",
            "recover",
        ):
            engine.register(f"rep.{name}", getattr(self, name))

    # -- helpers ------------------------------------------------------------------------------

    def _cell(self, name: str) -> Cell:
        return self.p.cells[name]

    def _container(self, cell: str, guid: str | None) -> Container | None:
        if guid is None:
            return None
        return self._cell(cell).containers.get(guid)

    def _source(self, container: Container) -> str:
        return "STG/0" if container.kind == "task" else f"CELL/{container.index}"

    def _log(self, container: Container, component: str, line: str) -> None:
        self.p.app_log(container.app, self._source(container), f"{component}@{container.cell}", line)

    def _set_detail(self, container: Container, state: str, detail: str) -> None:
        container.state = state
        container.detail = detail
        if container.kind == "lrp":
            lrp = self.p.actual.get(container.work)
            if lrp is not None and lrp.instance_guid == container.guid:
                lrp.detail = detail
                self.p.emit_instance(lrp)
        else:
            task = self.p.tasks.get(container.work.removeprefix("task:"))
            if task is not None and task.cell == container.cell:
                task.detail = detail
                self.p.emit_task(task)

    # -- auctioneer calls ---------------------------------------------------------------------

    def state_requested(self, cell_name: str, round_no: int) -> None:
        cell = self._cell(cell_name)
        if not cell.alive:
            return  # a dead rep never answers: the auctioneer's 10 s state timeout runs out
        spec = cell.spec
        lrp_counts: dict[str, int] = {}
        task_count = 0
        for container in cell.containers.values():
            if container.kind == "lrp":
                lrp_counts[container.app] = lrp_counts.get(container.app, 0) + 1
            else:
                task_count += 1
        state = CellState(
            name=spec.name,
            zone=spec.zone,
            index=cell.index,
            stacks=spec.stacks,
            placement_tags=spec.placement_tags,
            optional_placement_tags=spec.optional_placement_tags,
            total_memory_mb=spec.memory_mb,
            total_disk_mb=spec.disk_mb,
            total_containers=spec.max_containers,
            available_memory_mb=spec.memory_mb - cell.memory_used(),
            available_disk_mb=spec.disk_mb - cell.disk_used(),
            available_containers=spec.max_containers - len(cell.containers),
            starting_containers=cell.starting_count(),
            lrp_counts=lrp_counts,
            task_count=task_count,
            proxy_memory_mb=self.p.scenario.diego.proxy_memory_mb,
            evacuating=cell.evacuating,
        )
        self.p.send(
            f"rep@{cell_name}",
            "auctioneer",
            f"200 State (free {state.available_memory_mb} MB, {state.available_containers} slots)",
            "auctioneer.state_received",
            round_no,
            state,
            delay=self.p.duration(self.p.timing.cell_state_fetch_s) + self.p.latency(),
            cell=cell_name,
        )

    def perform(self, cell_name: str, round_no: int, lrps: list[LRPWork], tasks: list[TaskWork]) -> None:
        """Perform: re-check and reserve; what does not fit goes back as failed work (§1.9)."""
        cell = self._cell(cell_name)
        if not cell.alive:
            return
        spec = cell.spec
        free_memory = spec.memory_mb - cell.memory_used()
        free_disk = spec.disk_mb - cell.disk_used()
        free_slots = spec.max_containers - len(cell.containers)
        failed_lrps: list[LRPWork] = []
        failed_tasks: list[TaskWork] = []
        reserved: list[Container] = []
        proxy = self.p.scenario.diego.proxy_memory_mb
        if cell.evacuating:
            # An evacuating rep returns all work as failed (§1.9).
            failed_lrps, failed_tasks, lrps, tasks = list(lrps), list(tasks), [], []
        for lrp in sorted(lrps, key=lambda w: -w.memory_mb):
            if lrp.memory_mb + proxy > free_memory or lrp.disk_mb > free_disk or free_slots < 1:
                failed_lrps.append(lrp)
                continue
            free_memory -= lrp.memory_mb
            free_disk -= lrp.disk_mb
            free_slots -= 1
            reserved.append(
                self._reserve(cell, "lrp", lrp.key, lrp.app, lrp.index, lrp.memory_mb, lrp.disk_mb)
            )
        for task in tasks:
            if task.memory_mb > free_memory or task.disk_mb > free_disk or free_slots < 1:
                failed_tasks.append(task)
                continue
            free_memory -= task.memory_mb
            free_disk -= task.disk_mb
            free_slots -= 1
            reserved.append(self._reserve(cell, "task", task.key, task.app, -1, task.memory_mb, task.disk_mb))
        self.p.emit_cell(cell)
        self.p.send(
            f"rep@{cell_name}",
            "auctioneer",
            f"200 Perform ({len(failed_lrps) + len(failed_tasks)} failed)",
            "auctioneer.perform_done",
            round_no,
            cell_name,
            failed_lrps,
            failed_tasks,
            cell=cell_name,
        )
        # The executor's Reserved event reaches the rep at once, which claims or starts the work.
        for container in reserved:
            self.p.note(f"rep@{cell_name}", f"executor@{cell_name}", f"AllocateContainer {container.work}")
            if container.kind == "lrp":
                self.p.send(
                    f"rep@{cell_name}",
                    "bbs",
                    f"ClaimActualLRP {container.work}",
                    "bbs.claim",
                    container.work,
                    cell_name,
                    container.guid,
                    instance=container.work,
                    app=container.app,
                )
            else:
                guid = container.work.removeprefix("task:")
                self.p.send(
                    f"rep@{cell_name}",
                    "bbs",
                    f"StartTask {guid}",
                    "bbs.start_task",
                    guid,
                    cell_name,
                    container.guid,
                    task=guid,
                    app=container.app,
                )

    def _reserve(
        self, cell: Cell, kind: str, work: str, app: str, index: int, memory_mb: int, disk_mb: int
    ) -> Container:
        container = Container(
            guid=self.p.new_guid(),
            cell=cell.name,
            kind=kind,
            work=work,
            app=app,
            index=index,
            memory_mb=memory_mb,
            disk_mb=disk_mb,
        )
        cell.containers[container.guid] = container
        return container

    # -- BBS answers --------------------------------------------------------------------------

    def discard(self, cell_name: str, guid: str) -> None:
        """The BBS refused the claim or start: delete the reserved container."""
        container = self._container(cell_name, guid)
        if container is not None:
            self._destroy(container)

    def claimed(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is not None:
            self._run(container)

    def task_started(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is not None:
            self._run(container)

    def bbs_ack(self, cell_name: str, guid: str) -> None:
        """The BBS acknowledged a StartActualLRP; nothing more to do."""

    # -- the executor runs a container ----------------------------------------------------

    def _run(self, container: Container) -> None:
        self._set_detail(container, INITIALIZING, "creating container")
        self._log(
            container, "executor", f"Cell {container.cell} creating container for instance {container.guid}"
        )
        cell = self._cell(container.cell)
        if cell.creates_active < CREATE_WORK_POOL_SIZE:
            self._start_create(cell, container)
        else:
            cell.create_queue.append(container.guid)

    def _start_create(self, cell: Cell, container: Container) -> None:
        cell.creates_active += 1
        self.p.cell_activity(cell)
        self.p.send(
            f"executor@{cell.name}",
            f"garden@{cell.name}",
            f"create container {container.guid}",
            "rep.garden_create",
            cell.name,
            container.guid,
            instance=container.work,
        )

    def garden_create(self, cell_name: str, guid: str) -> None:
        self.p.engine.schedule(
            self.p.duration(self.p.timing.container_create_s), "rep.container_created", cell_name, guid
        )

    def container_created(self, cell_name: str, guid: str) -> None:
        cell = self._cell(cell_name)
        cell.creates_active -= 1
        while cell.create_queue and cell.creates_active < CREATE_WORK_POOL_SIZE:
            waiting = self._container(cell_name, cell.create_queue.pop(0))
            if waiting is not None:
                self._start_create(cell, waiting)
        self.p.cell_activity(cell)
        container = self._container(cell_name, guid)
        if container is None:
            return
        self.p.note(f"garden@{cell_name}", f"executor@{cell_name}", f"container {guid} created")
        self._log(
            container, "executor", f"Cell {cell_name} successfully created container for instance {guid}"
        )
        what = "droplet" if container.kind == "lrp" else "app package"
        self._set_detail(container, CREATED, f"downloading {what}")
        self._log(container, "executor", f"Downloading {what}...")
        if cell.downloads_active < MAX_CONCURRENT_DOWNLOADS:
            self._start_download(cell, container)
        else:
            cell.download_queue.append(guid)

    def _start_download(self, cell: Cell, container: Container) -> None:
        cell.downloads_active += 1
        self.p.cell_activity(cell)
        spec = self.p.apps[container.app].spec
        size = spec.droplet_mb if container.kind == "lrp" else spec.package_mb
        what = "droplets" if container.kind == "lrp" else "cc-packages"
        self.p.note(
            f"executor@{cell.name}",
            "blobstore",
            f"GET /{what}/{self.p.apps[container.app].guid}",
            instance=container.work,
        )
        self.p.send(
            "blobstore",
            f"executor@{cell.name}",
            f"{'droplet' if container.kind == 'lrp' else 'app package'} ({size:g} MB)",
            "rep.download_done",
            cell.name,
            container.guid,
            delay=self.p.duration(size / self.p.timing.blobstore_bandwidth_mb_s) + 2 * self.p.latency(),
            instance=container.work,
        )

    def download_done(self, cell_name: str, guid: str) -> None:
        cell = self._cell(cell_name)
        cell.downloads_active -= 1
        while cell.download_queue and cell.downloads_active < MAX_CONCURRENT_DOWNLOADS:
            waiting = self._container(cell_name, cell.download_queue.pop(0))
            if waiting is not None:
                self._start_download(cell, waiting)
        self.p.cell_activity(cell)
        container = self._container(cell_name, guid)
        if container is None:
            return
        spec = self.p.apps[container.app].spec
        if container.kind == "lrp":
            self._log(container, "executor", f"Downloaded droplet ({spec.droplet_mb:g}M)")
            self._set_detail(container, CREATED, "starting app")
            self.p.send(
                f"executor@{cell_name}",
                f"garden@{cell_name}",
                f"run launcher: start {container.work}",
                "rep.garden_run",
                cell_name,
                guid,
                instance=container.work,
            )
        else:
            self._log(container, "executor", f"Downloaded app package ({spec.package_mb:g}M)")
            self._set_detail(container, RUNNING, f"compiling with {spec.buildpack}")
            for line in compile_lines(spec):
                self._log(container, "garden", line)
            compile_s = compile_seconds(spec, self.p.timing)
            self.p.engine.schedule(self.p.duration(compile_s), "rep.compiled", cell_name, guid)

    # -- LRP start-up and health ----------------------------------------------------------

    def garden_run(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is None:
            return
        cell = self._cell(cell_name)
        container.host_port = FIRST_HOST_PORT + cell.next_port
        cell.next_port += 1
        container.run_started_at = self.p.now
        self.p.engine.schedule(0.0, "rep.process_started", cell_name, guid)

    def process_started(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is None:
            return
        spec = self.p.apps[container.app].spec
        if spec.crash is not None:
            # The app's crash pattern: its process exits this long after every start.
            exit_after = self.p.engine.rng.uniform(spec.crash.min_s, spec.crash.max_s)
            self.p.engine.schedule(exit_after, "rep.app_exits", cell_name, guid)
        if spec.health_check.type == "process":
            # No start-up check for the process type: running as soon as the process is.
            self._became_healthy(container)
            return
        self._set_detail(container, CREATED, "health check")
        self._log(container, "executor", "Starting health monitoring of container")
        self.p.engine.schedule(HEALTH_CHECK_INTERVAL_S, "rep.health_check", cell_name, guid)

    def health_check(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is None or container.state != CREATED or container.stopping:
            return
        container.health_checks += 1
        spec = self.p.apps[container.app].spec
        kind = "http GET /" if spec.health_check.type == "http" else "port"
        self.p.send(
            f"executor@{cell_name}",
            f"garden@{cell_name}",
            f"health check #{container.health_checks} ({kind} {APP_CONTAINER_PORT})",
            "rep.health_result",
            cell_name,
            guid,
            instance=container.work,
        )
        # The monitor ticks every interval whatever each check's answer takes.
        self.p.engine.schedule(HEALTH_CHECK_INTERVAL_S, "rep.health_check", cell_name, guid)

    def _booted(self, container: Container) -> bool:
        return self.p.now - container.run_started_at >= self.p.apps[container.app].spec.boot_s

    def health_result(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is None or container.state != CREATED or container.stopping:
            return
        spec = self.p.apps[container.app].spec
        if self._booted(container):
            self._became_healthy(container)
            return
        if self.p.now - container.run_started_at >= spec.health_check.timeout_s:
            self._log(
                container,
                "executor",
                f"Timed out after {spec.health_check.timeout_s:g}s: health check never passed.",
            )
            self._crash(container, "health check never passed")

    def _became_healthy(self, container: Container) -> None:
        cell = self._cell(container.cell)
        self.p.app_log(
            container.app,
            f"APP/PROC/WEB/{container.index}",
            f"garden@{container.cell}",
            f"Listening on port {APP_CONTAINER_PORT}",
        )
        self._log(container, "executor", "Container became healthy")
        self._set_detail(container, RUNNING, "running")
        self.p.emit_cell(cell)
        address = f"{cell.ip}:{container.host_port}"
        self.p.send(
            f"rep@{container.cell}",
            "bbs",
            f"StartActualLRP {container.work} ({address})",
            "bbs.start_actual",
            container.work,
            container.cell,
            container.guid,
            address,
            instance=container.work,
            app=container.app,
        )
        self.p.engine.schedule(
            LIVENESS_CHECK_INTERVAL_S, "rep.liveness_check", container.cell, container.guid
        )

    def liveness_check(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is None or container.state != RUNNING or container.stopping:
            return
        self.p.note(
            f"executor@{cell_name}",
            f"garden@{cell_name}",
            f"liveness check ({APP_CONTAINER_PORT})",
            instance=container.work,
        )
        self.p.engine.schedule(LIVENESS_CHECK_INTERVAL_S, "rep.liveness_check", cell_name, guid)

    def _crash(self, container: Container, reason: str) -> None:
        container.failed = True
        self._set_detail(container, COMPLETED, f"crashed: {reason}")
        self.p.send(
            f"rep@{container.cell}",
            "bbs",
            f"CrashActualLRP {container.work} ({reason})",
            "bbs.crash_actual",
            container.work,
            container.guid,
            reason,
            instance=container.work,
            app=container.app,
        )
        self._destroy(container)

    # -- staging tasks ------------------------------------------------------------------------

    def compiled(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is None:
            return
        spec = self.p.apps[container.app].spec
        self._log(container, "garden", "Exit status 0")
        self._log(container, "executor", "Uploading droplet, build artifacts cache...")
        self._set_detail(container, RUNNING, "uploading droplet")
        self.p.send(
            f"executor@{cell_name}",
            "blobstore",
            f"PUT /droplets/{self.p.apps[container.app].guid} via cc-uploader ({spec.droplet_mb:g} MB)",
            "rep.droplet_uploaded",
            cell_name,
            guid,
            delay=self.p.duration(spec.droplet_mb / self.p.timing.blobstore_bandwidth_mb_s)
            + self.p.latency(),
            app=container.app,
        )

    def droplet_uploaded(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is None:
            return
        spec = self.p.apps[container.app].spec
        self._log(container, "executor", f"Uploaded droplet ({spec.droplet_mb:g}M)")
        self._log(container, "executor", "Uploading complete")
        self._set_detail(container, COMPLETED, "completed")
        task_guid = container.work.removeprefix("task:")
        self.p.send(
            f"rep@{cell_name}",
            "bbs",
            f"CompleteTask {task_guid}",
            "bbs.complete_task",
            task_guid,
            cell_name,
            guid,
            False,
            "",
            task=task_guid,
            app=container.app,
        )

    def task_completed_ack(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is not None:
            self._destroy(container)

    # -- stopping -----------------------------------------------------------------------------

    def stop_instance(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is None or container.stopping:
            return
        container.stopping = True
        self._set_detail(container, container.state, "stopping")
        self.p.engine.schedule(self.p.duration(self.p.timing.graceful_stop_s), "rep.stopped", cell_name, guid)

    def stopped(self, cell_name: str, guid: str) -> None:
        container = self._container(cell_name, guid)
        if container is None:
            return
        container.state = COMPLETED
        self.p.send(
            f"rep@{cell_name}",
            "bbs",
            f"RemoveActualLRP {container.work}",
            "bbs.remove_actual",
            container.work,
            guid,
            instance=container.work,
            app=container.app,
        )
        self._destroy(container)

    def _destroy(self, container: Container) -> None:
        cell = self._cell(container.cell)
        self._log(container, "executor", f"Cell {cell.name} stopping instance {container.guid}")
        self._log(
            container, "executor", f"Cell {cell.name} destroying container for instance {container.guid}"
        )
        self.p.note(f"executor@{cell.name}", f"garden@{cell.name}", f"destroy container {container.guid}")
        del cell.containers[container.guid]
        self._log(
            container,
            "executor",
            f"Cell {cell.name} successfully destroyed container for instance {container.guid}",
        )
        self.p.emit_cell(cell)

    # -- crashes ------------------------------------------------------------------------------

    def app_exits(self, cell_name: str, guid: str) -> None:
        """The app's process exits with an error: the container completes as failed (§2.3 step 6)."""
        container = self._container(cell_name, guid)
        if container is None or container.stopping or container.state not in (CREATED, RUNNING):
            return
        self.p.app_log(
            container.app,
            f"APP/PROC/WEB/{container.index}",
            f"garden@{cell_name}",
            "Exit status 1 (app crashed)",
        )
        self._crash(container, "APP/PROC/WEB/" + str(container.index) + " exited with status 1")

    def crash_instance(self, app: str, index: int) -> None:
        lrp = self.p.actual.get(f"{app}/{index}")
        if lrp is not None and lrp.cell is not None:
            self.app_exits(lrp.cell, lrp.instance_guid or "")

    # -- evacuation ---------------------------------------------------------------------------

    def evacuate(self, cell_name: str) -> None:
        """The drain script POSTed /evacuate: stop taking work, move every instance (§3.4)."""
        cell = self._cell(cell_name)
        if not cell.alive or cell.evacuating:
            return
        cell.evacuating = True
        cell.evacuation_started = self.p.now
        self.p.emit_cell(cell)
        self.p.set_status(f"rep@{cell_name}", f"evacuating: {len(cell.containers)} container(s) left")
        self.evacuation_poll(cell_name)

    def evacuation_poll(self, cell_name: str) -> None:
        """The evacuating rep's bulk loop, every 10 s, until no container is left or 600 s passed."""
        cell = self._cell(cell_name)
        if not cell.evacuating or not cell.alive:
            return
        timed_out = self.p.now - cell.evacuation_started >= EVACUATION_TIMEOUT_S
        for container in list(cell.containers.values()):
            if timed_out:
                self._log(container, "executor", f"Cell {cell_name} evacuation timed out: stranded instance")
                self._destroy(container)
            elif container.kind == "task":
                continue  # tasks finish where they are (§3.4)
            elif container.state == COMPLETED:
                self._destroy(container)
            elif container.state in STARTING_STATES:
                self.p.send(
                    f"rep@{cell_name}",
                    "bbs",
                    f"EvacuateClaimedActualLRP {container.work}",
                    "evacuation.claimed",
                    container.work,
                    cell_name,
                    container.guid,
                    instance=container.work,
                )
            else:
                self.p.send(
                    f"rep@{cell_name}",
                    "bbs",
                    f"EvacuateRunningActualLRP {container.work}",
                    "evacuation.running",
                    container.work,
                    cell_name,
                    container.guid,
                    instance=container.work,
                )
        if cell.containers:
            self.p.set_status(f"rep@{cell_name}", f"evacuating: {len(cell.containers)} container(s) left")
            self.p.engine.schedule(EVACUATION_POLL_S, "rep.evacuation_poll", cell_name)
        else:
            self._evacuated(cell)

    def evacuation_reply(self, cell_name: str, guid: str, answer: str) -> None:
        cell = self._cell(cell_name)
        container = self._container(cell_name, guid)
        if container is not None and answer != KEEP:
            self._destroy(container)
        if cell.evacuating and not cell.containers:
            self._evacuated(cell)

    def _evacuated(self, cell: Cell) -> None:
        if not cell.evacuating:
            return
        cell.evacuating = False
        cell.present = False  # the rep exits; its presence goes with it
        self.p.emit_cell(cell)
        self.p.send(
            f"rep@{cell.name}", "bosh", "drain script done: cell evacuated", "bosh.drained", cell.name
        )

    # -- failure ------------------------------------------------------------------------------

    def fail(self, cell_name: str, recover_after_s: float | None) -> None:
        """The cell's VM dies: every container with it. The BBS notices only when its presence expires."""
        cell = self._cell(cell_name)
        if not cell.alive:
            return
        cell.alive = False
        cell.evacuating = False
        cell.recovering = recover_after_s is not None
        for container in list(cell.containers.values()):
            del cell.containers[container.guid]
        cell.creates_active = cell.downloads_active = 0
        cell.create_queue.clear()
        cell.download_queue.clear()
        self.p.emit_cell(cell)
        for part in ("rep", "executor", "garden"):
            self.p.set_status(f"{part}@{cell_name}", "down")
        self.p.engine.schedule(PRESENCE_TTL_S, "rep.presence_expired", cell_name)
        if recover_after_s is not None:
            self.p.engine.schedule(recover_after_s, "rep.recover", cell_name)

    def presence_expired(self, cell_name: str) -> None:
        cell = self._cell(cell_name)
        if not cell.alive and cell.present:
            cell.present = False
            self.p.note(
                "bbs", "bbs-db", f"cell {cell_name} presence expired (Locket TTL 15 s)", cell=cell_name
            )
            self.p.emit_cell(cell)

    def recover(self, cell_name: str) -> None:
        """The VM is back, empty: the rep registers again and drops records it has no container for."""
        cell = self._cell(cell_name)
        if cell.alive:
            return
        cell.alive = True
        cell.present = True
        cell.recovering = False
        self.p.note(f"rep@{cell_name}", "bbs", "cell presence registered (Locket)", cell=cell_name)
        self.p.emit_cell(cell)
        for key, suspect in list(self.p.suspects.items()):
            if suspect.cell == cell_name:
                del self.p.suspects[key]
                self.p.bbs.delete_extra_record(suspect, "suspect")
        for lrp in list(self.p.actual.values()):
            if lrp.cell == cell_name and lrp.instance_guid is not None:
                self.p.send(
                    f"rep@{cell_name}",
                    "bbs",
                    f"RemoveActualLRP {lrp.key} (no container after restart)",
                    "bbs.remove_actual",
                    lrp.key,
                    lrp.instance_guid,
                    instance=lrp.key,
                )
