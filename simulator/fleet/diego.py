"""Diego in fleet mode: the auctioneer's rounds over arrays, and each cell's container starts.

Per round (diego.md §1.1–§1.8): the batch is what arrived before the round began (staging Tasks
from Cloud Controller, LRPs desired once their droplet is staged, and work convergence
re-auctions); the auctioneer lists the cells and fetches their states (``cell_state_fetch_s``),
schedules with :func:`simulator.diego.auction_fleet.schedule_round_fleet` (the real order,
filters, scores, AZ balancing and in-flight limit), and sends the Performs. On the cell: create
the container, download (at most 5 at once per cell, §2.3), start, health-check every 2 s until
the app is up; staging compiles and uploads the droplet instead, holding its resources until it
completes. A failed LRP is re-auctioned by convergence once it has been UNCLAIMED for 30 s
(passes every 30 s, §1.9, §4); a rejected task at the next pass, and it fails after
``TASK_MAX_RETRIES`` rejections (§1.10). What this leaves out, against the detailed model:
crashes, Garden's create pool of 32, route registration and log lines.

A round brings a few dozen items, so per-item work is plain Python over lists: at that size a
loop is cheaper than numpy's per-call cost. The auction itself works on arrays.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from simulator.cf.staging import compile_seconds
from simulator.diego.auction_fleet import FleetCells, WorkBatch, schedule_round_fleet
from simulator.diego.constants import (
    CONVERGENCE_INTERVAL_S,
    HEALTH_CHECK_INTERVAL_S,
    MAX_CONCURRENT_DOWNLOADS,
    MINIMUM_STAGING_DISK_MB,
    MINIMUM_STAGING_MEMORY_MB,
    STALE_UNCLAIMED_S,
    TASK_MAX_RETRIES,
)
from simulator.fleet.platform import FleetPlatform
from simulator.scenario import Scenario

# What arrives at the auctioneer: a staging task (subject: app), every instance of an app
# (subject: app), or one instance again (subject: instance).
_TASK, _APP_LRPS, _LRP = 0, 1, 2


class DiegoFleet(FleetPlatform):
    name = "diego"
    stamp_names = ("created", "download")
    queue_stamps = {"auctioneer": ("desired", "placed"), "downloads": ("created", "download")}

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        super().__init__(scenario, seed)
        cells = scenario.cells
        zone_id = {zone: i for i, zone in enumerate(scenario.zones)}
        n = len(cells)
        layout = self.layout
        # The reps' states, kept up to date between rounds: a round's reservations are made by
        # the auction itself; what finishes in between is taken back from the heaps below.
        self.cells = FleetCells(
            zone=np.array([zone_id[c.zone] for c in cells], dtype=np.int64),
            zone_names=list(scenario.zones),
            names=list(layout.names),
            index=np.arange(n, dtype=np.int64),
            stacks=[c.stacks for c in cells],
            placement_tags=[c.placement_tags for c in cells],
            optional_placement_tags=[c.optional_placement_tags for c in cells],
            total_memory=layout.memory_mb.copy(),
            total_disk=layout.disk_mb.copy(),
            total_containers=layout.containers.copy(),
            available_memory=layout.memory_mb.copy(),
            available_disk=layout.disk_mb.copy(),
            available_containers=layout.containers.copy(),
            starting=np.zeros(n, dtype=np.int64),
            task_count=np.zeros(n, dtype=np.int64),
            proxy_memory=np.full(n, scenario.diego.proxy_memory_mb, dtype=np.int64),
            app_counts={},
            live=np.ones(n, dtype=bool),
            changed_complete=True,  # _catch_up records every change between rounds
        )
        # (done, node, memory, disk) of staging tasks running; (started, node) of containers starting.
        self.tasks_running: list[tuple[float, int, int, int]] = []
        self.containers_starting: list[tuple[float, int]] = []
        self.download_slots = [[0.0] * MAX_CONCURRENT_DOWNLOADS for _ in range(n)]
        # (arrives, seq, kind, subject): work on its way to the auctioneer.
        self.arrivals: list[tuple[float, int, int, int]] = []
        self.arrival_seq = 0
        self.task_rejections = [0] * self.apps.count
        self.busy_until = 0.0
        templates = self.apps.templates
        stack_names = sorted({t.stack for t in templates})
        tag_sets = sorted({t.placement_tags for t in templates})
        self.stack_names, self.tag_sets = stack_names, tag_sets
        per_app = self.apps.template
        timing = self.timing

        def column(values: list[float]) -> np.ndarray:
            return np.array(values)[per_app]

        self.app_stack = column([stack_names.index(t.stack) for t in templates]).astype(np.int64)
        self.app_tags = column([tag_sets.index(t.placement_tags) for t in templates]).astype(np.int64)
        bandwidth = timing.blobstore_bandwidth_mb_s
        self.app_droplet_s = (column([t.droplet_mb for t in templates]) / bandwidth).tolist()
        self.app_package_s = (column([t.package_mb for t in templates]) / bandwidth).tolist()
        self.app_boot = column([t.boot_s for t in templates]).tolist()
        self.app_compile = column([compile_seconds(t, timing) for t in templates]).tolist()
        self.staging_memory = np.maximum(self.apps.memory_mb, MINIMUM_STAGING_MEMORY_MB)
        self.staging_disk = np.maximum(self.apps.disk_mb, MINIMUM_STAGING_DISK_MB)
        self.app_first = self.apps.first_instance.tolist()
        # The latest running time of each app's instances placed so far.
        self.app_latest = [0.0] * self.apps.count
        self.app_instances = self.apps.instances.tolist()
        self.instance_app = np.repeat(np.arange(self.apps.count, dtype=np.int64), self.apps.instances)
        self.instance_index = np.arange(self.apps.instance_count, dtype=np.int64) - np.repeat(
            self.apps.first_instance, self.apps.instances
        )
        # The round and turn in it that placed each instance, and each app's staging task (and
        # when that task's container was created and when it finished): enough to rebuild what
        # the auctioneer saw for any placement (simulator/fleet/diego_explain.py).
        self.lrp_round = np.full(self.apps.instance_count, -1, dtype=np.int64)
        self.lrp_turn = np.zeros(self.apps.instance_count, dtype=np.int64)
        self.task_round = np.full(self.apps.count, -1, dtype=np.int64)
        self.task_turn = np.zeros(self.apps.count, dtype=np.int64)
        self.task_created = np.full(self.apps.count, np.inf)
        self.task_done = np.full(self.apps.count, np.inf)
        # One request between components: network both ways and the server's handling.
        self.hop_s = 2 * timing.network_latency_s + timing.api_latency_s + timing.db_latency_s
        # A round lists the cells (BBS) and fetches every rep's state in parallel.
        self.fetch_s = 2 * timing.network_latency_s + timing.api_latency_s + timing.cell_state_fetch_s

    def _arrive(self, at: float, kind: int, subject: int) -> None:
        heapq.heappush(self.arrivals, (at, self.arrival_seq, kind, subject))
        self.arrival_seq += 1

    # -- a tick: one auction round, or waiting for the next work -------------------------------

    def step(self, now: float) -> None:
        if now < self.busy_until:
            self._wake(self.busy_until)
            return
        requested = self.trace.staging_requested_at
        for app in self.admit(now):
            # Cloud Controller → BBS DesireTask → auctioneer.
            self._arrive(float(requested[app]) + self.duration(self.hop_s), _TASK, app)
        arrivals = self.arrivals
        if not arrivals or arrivals[0][0] > now:
            self.check_finished()
            self._wake(self._next_arrival())
            return
        lrps: list[int] = []
        tasks: list[int] = []
        while arrivals and arrivals[0][0] <= now:
            _, _, kind, subject = heapq.heappop(arrivals)
            if kind == _TASK:
                tasks.append(subject)
            elif kind == _APP_LRPS:
                first = self.app_first[subject]
                lrps.extend(range(first, first + self.app_instances[subject]))
            else:
                lrps.append(subject)
        self._round(now, np.array(lrps, dtype=np.int64), np.array(tasks, dtype=np.int64))

    def _next_arrival(self) -> float:
        return min(self.arrivals[0][0] if self.arrivals else math.inf, self.next_session_at())

    def _catch_up(self, at: float) -> None:
        """What the reps report at ``at``: staging finished and containers started since."""
        cells = self.cells
        changed = cells.changed
        running = self.tasks_running
        while running and running[0][0] <= at:
            _, node, memory, disk = heapq.heappop(running)
            cells.available_memory[node] += memory
            cells.available_disk[node] += disk
            cells.available_containers[node] += 1
            cells.task_count[node] -= 1
            changed.add(node)
        starting = self.containers_starting
        while starting and starting[0][0] <= at:
            node = heapq.heappop(starting)[1]
            cells.starting[node] -= 1
            changed.add(node)

    def _round(self, now: float, lrps: np.ndarray, tasks: np.ndarray) -> None:
        decided = now + self.duration(self.fetch_s)
        self._catch_up(decided)
        lrp_apps = self.instance_app[lrps]
        result = schedule_round_fleet(
            self.cells,
            WorkBatch(
                app=lrp_apps,
                index=self.instance_index[lrps],
                memory_mb=self.apps.memory_mb[lrp_apps],
                disk_mb=self.apps.disk_mb[lrp_apps],
                stack=self.app_stack[lrp_apps],
                tags=self.app_tags[lrp_apps],
                stacks=self.stack_names,
                tag_sets=self.tag_sets,
            ),
            WorkBatch(
                app=tasks,
                index=np.zeros(len(tasks), dtype=np.int64),
                memory_mb=self.staging_memory[tasks],
                disk_mb=self.staging_disk[tasks],
                stack=self.app_stack[tasks],
                tags=self.app_tags[tasks],
                stacks=self.stack_names,
                tag_sets=self.tag_sets,
            ),
            self.scenario.diego,
            self.rng,
        )
        # The Perform reaches each winning rep one hop later.
        performed = decided + self.timing.network_latency_s
        trace = self.trace
        lrp_list, lrp_cells = lrps.tolist(), result.lrp_cell.tolist()
        task_list, task_cells = tasks.tolist(), result.task_cell.tolist()
        self._note_turns(
            len(trace.round_at), lrp_list, lrp_cells, result.lrp_turn, task_list, task_cells, result.task_turn
        )
        placed = self._start_lrps(lrp_list, lrp_cells, performed, decided)
        placed += self._start_staging(task_list, task_cells, performed, decided)
        trace.round_at.append(decided)
        trace.round_placed.append(placed)
        trace.round_failed.append(len(lrps) + len(tasks) - placed)
        trace.round_ties.append(result.ties)
        self.busy_until = performed + self.timing.network_latency_s
        self.check_finished()
        self._wake(max(self.busy_until, self._next_arrival()))

    def _note_turns(
        self,
        round_: int,
        lrps: list[int],
        lrp_cells: list[int],
        lrp_turns: list[int],
        tasks: list[int],
        task_cells: list[int],
        task_turns: list[int],
    ) -> None:
        lrp_round, lrp_turn, task_round, task_turn = (
            self.lrp_round,
            self.lrp_turn,
            self.task_round,
            self.task_turn,
        )
        for instance, node, turn in zip(lrps, lrp_cells, lrp_turns, strict=True):
            if node >= 0:
                lrp_round[instance] = round_
                lrp_turn[instance] = turn
        for app, node, turn in zip(tasks, task_cells, task_turns, strict=True):
            if node >= 0:
                task_round[app] = round_
                task_turn[app] = turn

    def _start_lrps(self, lrps: list[int], cells: list[int], performed: float, decided: float) -> int:
        trace = self.trace
        node_of, placed_at, running_at = trace.node, trace.placed_at, trace.running_at
        created_at, download_at = trace.stamps["created"], trace.stamps["download"]
        create_s = self.timing.container_create_s
        starting = self.containers_starting
        instance_app = self.instance_app
        droplet_s, boot_s, slots = self.app_droplet_s, self.app_boot, self.download_slots
        unplaced, latest = self.unplaced, self.app_latest
        factors = iter(self.jitter.take(3 * len(lrps)))
        failed: list[int] = []
        for instance, node in zip(lrps, cells, strict=True):
            if node < 0:
                failed.append(instance)
                continue
            app = int(instance_app[instance])
            created = performed + create_s * next(factors)
            download = droplet_s[app] * next(factors)
            # The executor downloads at most 5 at once (§2.3): the first free slot takes it.
            workers = slots[node]
            free = min(workers)
            downloading = created if created > free else free
            workers[workers.index(free)] = downloading + download
            # The executor's start-up health check every 2 s, until the app answers.
            checks = math.ceil(boot_s[app] * next(factors) / HEALTH_CHECK_INTERVAL_S) or 1
            running = downloading + download + checks * HEALTH_CHECK_INTERVAL_S
            node_of[instance] = node
            placed_at[instance] = performed
            running_at[instance] = running
            created_at[instance] = created
            download_at[instance] = downloading
            heapq.heappush(starting, (running, node))
            if running > latest[app]:
                latest[app] = running
            unplaced[app] -= 1
            if not unplaced[app]:
                self.app_started(app, latest[app])
                self.apps_done += 1
        if failed:
            # FailActualLRP: convergence re-auctions it once UNCLAIMED for 30 s (§1.9, §4).
            trace.placement_failures += len(failed)
            again = math.ceil((decided + STALE_UNCLAIMED_S) / CONVERGENCE_INTERVAL_S) * CONVERGENCE_INTERVAL_S
            for instance in failed:
                self._arrive(again, _LRP, instance)
        return len(lrps) - len(failed)

    def _start_staging(self, tasks: list[int], cells: list[int], performed: float, decided: float) -> int:
        trace = self.trace
        create_s = self.timing.container_create_s
        hop = self.hop_s
        factors = iter(self.jitter.take(6 * len(tasks)))
        placed = 0
        for app, node in zip(tasks, cells, strict=True):
            if node < 0:
                self._task_rejected(app, decided)
                continue
            placed += 1
            created = performed + create_s * next(factors)
            download = self.app_package_s[app] * next(factors)
            workers = self.download_slots[node]
            free = min(workers)
            downloading = created if created > free else free
            workers[workers.index(free)] = downloading + download
            compiled = downloading + download + self.app_compile[app] * next(factors)
            done = compiled + self.app_droplet_s[app] * next(factors)
            memory, disk = int(self.staging_memory[app]), int(self.staging_disk[app])
            trace.staging_placed_at[app] = performed
            trace.staging_node[app] = node
            trace.staging_memory_mb[app] = memory
            trace.staging_disk_mb[app] = disk
            heapq.heappush(self.tasks_running, (done, node, memory, disk))
            heapq.heappush(self.containers_starting, (created, node))
            self.task_created[app] = created
            self.task_done[app] = done
            # The rep reports completion to the BBS, which calls Cloud Controller back; CC
            # desires the LRP, and the BBS asks the auctioneer to start its instances.
            staged = done + 2 * hop * next(factors)
            trace.staged_at[app] = staged
            count = self.app_instances[app]
            if count == 0:
                self.staged_without_instances(app, staged)
                continue
            desired = staged + hop * next(factors)
            first = self.app_first[app]
            trace.desired_at[first : first + count] = desired
            self._arrive(desired, _APP_LRPS, app)
        return placed

    def _task_rejected(self, app: int, decided: float) -> None:
        """RejectTask: back to PENDING for the next convergence, failed after the retries (§1.10)."""
        self.trace.placement_failures += 1
        self.task_rejections[app] += 1
        if self.task_rejections[app] > TASK_MAX_RETRIES:
            self.trace.staging_failed_at[app] = decided
            self.release_session(app, decided + self.timing.cli_poll_interval_s * self.jitter.uniform())
            self.apps_done += 1
            return
        self._arrive(math.ceil(decided / CONVERGENCE_INTERVAL_S + 1e-9) * CONVERGENCE_INTERVAL_S, _TASK, app)
