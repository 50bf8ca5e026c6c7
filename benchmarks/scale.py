"""Scale figures for issue 7: engine event throughput against SimPy, and the 250k placement.

Run from the repository root: ``.venv/bin/python benchmarks/scale.py [--quick] [--engine-only]``.
SimPy is a benchmark-only dependency (requirements-bench.txt). Prints figures and how each was
measured; asserts nothing.

The placement figures here are the scheduling calls alone. The whole push in fleet mode (staging,
container starts, image pulls, cf push sessions), on Diego and on Kubernetes, is measured by
``benchmarks/fleet_push.py``.
"""

from __future__ import annotations

import argparse
import copy
import platform
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.diego.auction import CellState, LRPWork, schedule_round
from simulator.diego.auction_fleet import FleetCells, WorkBatch, fleet_cells, schedule_round_fleet
from simulator.diego.auction_vectorised import schedule_round_vectorised
from simulator.diego.constants import MINIMUM_STAGING_DISK_MB, MINIMUM_STAGING_MEMORY_MB
from simulator.eirini.constants import cpu_request_millis
from simulator.engine import Engine
from simulator.kubernetes.cluster import NodeState, statefulset_pod
from simulator.kubernetes.profiles import FRAMEWORK, LEGACY, KubeSchedulerSettings
from simulator.kubernetes.sampling import SamplingState
from simulator.kubernetes.scheduler import schedule_pod
from simulator.kubernetes.scheduler_fleet import FleetScheduler, PodBatch, uniform_fleet_nodes
from simulator.scenario import DiegoSettings

# diego.md §7 / performance.md §1: one push of the 20-app, 25-instance mix as
# (instances, memory MB) per app: a 4-instance and nine 1-instance 32 MB apps, a 3-instance
# and six 1-instance 128 MB apps, one 1024 MB app, two crashing 128 MB apps (2,848 MB).
PUSH_MIX = [(4, 32)] + [(1, 32)] * 9 + [(3, 128)] + [(1, 128)] * 6 + [(1, 1024)] + [(1, 128)] * 2
PUSHES = 10_000
CELLS = 1_000
# diego.md §7: cells allocate 32 GiB memory and 64 GiB disk; performance.md §3 used 256 slots
# and 256 MB of disk per instance.
CELL_MEMORY_MB = 32 * 1024
CELL_DISK_MB = 64 * 1024
CELL_CONTAINERS = 256
INSTANCE_DISK_MB = 256
ZONES = ("z1", "z2", "z3")
PUSHES_PER_ROUND = 100
STACK = "cflinuxfs4"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- (a) engine throughput ------------------------------------------------------------------


def engine_events_per_s(sources: int, events: int) -> float:
    engine = Engine(seed=1)
    draw = random.Random(1).expovariate
    fired = 0

    def tick(source: int) -> None:
        nonlocal fired
        fired += 1
        if fired + sources <= events:
            engine.schedule(draw(1.0), "tick", source)

    engine.register("tick", tick)
    for source in range(sources):
        engine.schedule(draw(1.0), "tick", source)
    start = time.perf_counter()
    engine.run()
    elapsed = time.perf_counter() - start
    return engine.steps_taken / elapsed


def simpy_events_per_s(sources: int, events: int) -> float:
    import simpy

    env = simpy.Environment()
    draw = random.Random(1).expovariate
    fired = 0

    def source_process(env: simpy.Environment):  # type: ignore[no-untyped-def]
        nonlocal fired
        while True:
            yield env.timeout(draw(1.0))
            fired += 1
            if fired + sources > events:
                return

    for _ in range(sources):
        env.process(source_process(env))
    start = time.perf_counter()
    env.run()
    elapsed = time.perf_counter() - start
    return fired / elapsed


# -- (b) placing the 250k mix ---------------------------------------------------------------


def fleet() -> list[CellState]:
    return [
        CellState(
            name=f"cell-{i}",
            zone=ZONES[i % len(ZONES)],
            index=i,
            stacks=(STACK,),
            placement_tags=(),
            optional_placement_tags=(),
            total_memory_mb=CELL_MEMORY_MB,
            total_disk_mb=CELL_DISK_MB,
            total_containers=CELL_CONTAINERS,
            available_memory_mb=CELL_MEMORY_MB,
            available_disk_mb=CELL_DISK_MB,
            available_containers=CELL_CONTAINERS,
        )
        for i in range(CELLS)
    ]


def push_round(first_push: int, pushes: int) -> list[LRPWork]:
    return [
        LRPWork(f"p{push}-a{app}", index, memory_mb, INSTANCE_DISK_MB, STACK)
        for push in range(first_push, first_push + pushes)
        for app, (instances, memory_mb) in enumerate(PUSH_MIX)
        for index in range(instances)
    ]


def place(cells: list[CellState], rounds: list[list[LRPWork]], schedule, rng) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    """Schedule each round, then mark its containers started (starting count back to 0)."""
    placed = failed = 0
    start = time.perf_counter()
    for lrps in rounds:
        for placement in schedule(cells, lrps, [], DiegoSettings(), rng):
            placed += placement.winner is not None
            failed += placement.winner is None
        for cell in cells:
            cell.starting_containers = 0
    return time.perf_counter() - start, placed, failed


# -- (c) kube-scheduler over the 250k mix --------------------------------------------------

# Eirini's nodes as the scenario gives them: the same cells, EiriniSettings.node_cpu_millis, and
# max_containers (250) as the pod capacity. The kubelet's default of 110 pods per node would hold
# only 110,000 of the 250,000 pods on 1,000 nodes.
KUBE_NODE_CPU_MILLIS = 8000
KUBE_MAX_PODS = 250


def kube_pods(pushes: int) -> PodBatch:
    """The mix as Eirini pods in push order: one StatefulSet (app id) per app of each push,
    memory as pushed, CPU as Eirini 2019 requests it, 256 MB of ephemeral storage as in (b)."""
    per_push = [(app, memory) for app, (n, memory) in enumerate(PUSH_MIX) for _ in range(n)]
    apps = np.array([app for app, _ in per_push], dtype=np.int64)
    memory = np.array([m for _, m in per_push], dtype=np.int64)
    offsets = np.repeat(np.arange(pushes, dtype=np.int64) * len(PUSH_MIX), len(per_push))
    memory_mb = np.tile(memory, pushes)
    return PodBatch(
        app=np.tile(apps, pushes) + offsets,
        memory_mb=memory_mb,
        cpu_millis=np.array([cpu_request_millis(m) for m in memory_mb.tolist()], dtype=np.int64),
        storage_mb=np.full(len(memory_mb), INSTANCE_DISK_MB, dtype=np.int64),
    )


def kube_fleet_place(settings: KubeSchedulerSettings, pods: PodBatch) -> tuple[float, float, str]:
    """Schedule every pod in one batch on empty nodes; (wall s, CPU s, a summary line)."""
    nodes = uniform_fleet_nodes(
        CELLS,
        zones=ZONES,
        memory_mb=CELL_MEMORY_MB,
        cpu_millis=KUBE_NODE_CPU_MILLIS,
        storage_mb=CELL_DISK_MB,
        max_pods=KUBE_MAX_PODS,
    )
    scheduler = FleetScheduler(nodes, settings, np.random.default_rng(1))
    wall, cpu = time.perf_counter(), time.process_time()
    result = scheduler.schedule(pods)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    placed = int(np.count_nonzero(result.node >= 0))
    summary = (
        f"{placed:,} placed, {len(pods) - placed:,} unschedulable, {nodes.pods.min()}-{nodes.pods.max()} pods"
        f" and {nodes.requested_memory.min():,}-{nodes.requested_memory.max():,} MB per node,"
        f" {result.nodes_scored / max(placed, 1):.0f} nodes scored per cycle, {result.ties:,} ties"
    )
    return wall, cpu, summary


def kube_item_sample(settings: KubeSchedulerSettings, count: int) -> float:
    """Seconds the per-item ``schedule_pod`` takes for the first ``count`` pods on empty nodes."""
    nodes = [
        NodeState(
            f"node-{i}",
            ZONES[i % len(ZONES)],
            KUBE_NODE_CPU_MILLIS,
            CELL_MEMORY_MB,
            CELL_DISK_MB,
            allocatable_pods=KUBE_MAX_PODS,
        )
        for i in range(CELLS)
    ]
    batch = kube_pods(1 + count // len(PUSH_MIX))
    apps, cpus, memories = batch.app.tolist(), batch.cpu_millis.tolist(), batch.memory_mb.tolist()
    pods = [
        statefulset_pod(
            f"app{apps[i]}", i, cpu_milli=cpus[i], memory_mb=memories[i], ephemeral_mb=INSTANCE_DISK_MB
        )
        for i in range(count)
    ]
    sampling, rng = SamplingState(), random.Random(1)
    start = time.perf_counter()
    for pod in pods:
        schedule_pod(nodes, pod, settings, sampling, rng)
    return time.perf_counter() - start


def fleet_batch(app: np.ndarray, index: np.ndarray, memory_mb: np.ndarray, disk_mb: int) -> WorkBatch:
    count = len(app)
    zeros = np.zeros(count, dtype=np.int64)
    return WorkBatch(app, index, memory_mb, np.full(count, disk_mb), zeros, zeros, [STACK], [()])


NO_WORK = fleet_batch(*(np.zeros(0, dtype=np.int64),) * 3, 0)


def fleet_rounds(pushes: int) -> tuple[list[WorkBatch], list[WorkBatch]]:
    """Per round of PUSHES_PER_ROUND pushes, as the fleet auction's arrays: the mix's LRPs, and
    one staging task per app at Cloud Controller's 1 GiB / 4 GiB minimums (diego.md §5)."""
    instances = np.tile([n for n, _ in PUSH_MIX], PUSHES_PER_ROUND)
    memory_mb = np.repeat(np.tile([m for _, m in PUSH_MIX], PUSHES_PER_ROUND), instances)
    index = np.arange(instances.sum()) - np.repeat(np.cumsum(instances) - instances, instances)
    lrps, staging = [], []
    for first in range(0, pushes, PUSHES_PER_ROUND):
        apps = np.arange(first, first + PUSHES_PER_ROUND) * len(PUSH_MIX)
        apps = (apps[:, None] + np.arange(len(PUSH_MIX))).ravel()
        lrps.append(fleet_batch(np.repeat(apps, instances), index, memory_mb, INSTANCE_DISK_MB))
        staging_memory = np.full(len(apps), MINIMUM_STAGING_MEMORY_MB)
        staging.append(
            fleet_batch(apps, np.zeros(len(apps), dtype=np.int64), staging_memory, MINIMUM_STAGING_DISK_MB)
        )
    return lrps, staging


def place_fleet(rounds: list[tuple[WorkBatch, WorkBatch]]) -> tuple[float, float, int, int, int, FleetCells]:
    """Schedule the rounds on 1,000 empty cells; (wall s, CPU s, placed, failed, ties, cells).
    Between rounds (not timed) the containers have started, and the staging tasks have finished
    and given back their resources."""
    cells = fleet_cells(fleet(), {})
    rng = np.random.default_rng(1)
    wall = cpu = 0.0
    placed = failed = ties = 0
    for lrps, tasks in rounds:
        start, start_cpu = time.perf_counter(), time.process_time()
        result = schedule_round_fleet(cells, lrps, tasks, DiegoSettings(), rng)
        wall, cpu = wall + time.perf_counter() - start, cpu + time.process_time() - start_cpu
        winners = np.concatenate([result.lrp_cell, result.task_cell])
        placed, failed, ties = (
            placed + int((winners >= 0).sum()),
            failed + int((winners < 0).sum()),
            ties + result.ties,
        )
        cells.starting[:] = 0
        if len(tasks.app):
            done = result.task_cell[result.task_cell >= 0]
            np.add.at(cells.available_memory, done, MINIMUM_STAGING_MEMORY_MB)
            np.add.at(cells.available_disk, done, MINIMUM_STAGING_DISK_MB)
            np.add.at(cells.available_containers, done, 1)
            cells.task_count[:] = 0
    return wall, cpu, placed, failed, ties, cells


def fleet_auction_figures(pushes: int) -> None:
    lrps, staging = fleet_rounds(pushes)
    print(
        "  fleet auction (auction_fleet.schedule_round_fleet: the per-item rules and tie odds over arrays),"
        " auction calls only:"
    )
    wall, cpu, placed, failed, ties, cells = place_fleet([(batch, NO_WORK) for batch in lrps])
    used = cells.total_containers - cells.available_containers
    print(
        f"    the LRPs     : {wall:5.2f} s wall ({cpu:.2f} s CPU), {placed / wall:9,.0f} placements/s, {placed:,} placed,"
        f" {failed:,} failed, {used.min()}-{used.max()} per cell, {ties:,} decided by a tie"
    )
    wall, cpu, placed, failed, ties, _ = place_fleet([(NO_WORK, batch) for batch in staging])
    print(
        f"    staging tasks: {wall:5.2f} s wall ({cpu:.2f} s CPU), {placed / wall:9,.0f} placements/s, {placed:,} placed,"
        f" {failed:,} failed, {ties:,} decided by a tie (one 1 GiB / 4 GiB task per app,"
        f" {len(PUSH_MIX) * PUSHES_PER_ROUND:,} a round, all finished before the next)"
    )
    cells, rng, settings = fleet_cells(fleet(), {}), np.random.default_rng(2), DiegoSettings()
    one_lrp = [
        fleet_batch(np.array([-1 - k]), np.zeros(1, dtype=np.int64), np.array([128]), INSTANCE_DISK_MB)
        for k in range(1_000)
    ]
    start = time.perf_counter()
    for _ in range(1_000):
        schedule_round_fleet(cells, NO_WORK, NO_WORK, settings, rng)
    empty_us = (time.perf_counter() - start) * 1e3
    start = time.perf_counter()
    for batch in one_lrp:
        schedule_round_fleet(cells, batch, NO_WORK, settings, rng)
    one_us = (time.perf_counter() - start) * 1e3
    print(
        f"    per round on {CELLS:,} cells (mean of 1,000): {empty_us:.0f} us with no work, {one_us:.0f} us placing one LRP"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the work, for a smoke run")
    parser.add_argument(
        "--engine-only", action="store_true", help="measure (a) only, skip the placement parts"
    )
    args = parser.parse_args()
    events = 100_000 if args.quick else 1_000_000
    pushes = PUSHES // 10 if args.quick else PUSHES
    print(f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}; one run each")

    print(
        f"\n(a) Engine throughput: 1,000 sources, each rescheduling an exponential timeout, {events:,} events"
    )
    ours = engine_events_per_s(1_000, events)
    try:
        import simpy

        theirs = simpy_events_per_s(1_000, events)
        print(f"  simulator.engine.Engine : {ours:12,.0f} events/s  (run() wall time, perf_counter)")
        print(f"  SimPy {simpy.__version__:<18}: {theirs:12,.0f} events/s  (env.run(), 1,000 processes)")
        print(f"  ratio Engine / SimPy    : {ours / theirs:.2f}  (issue 7 asks for >= 2)")
    except ImportError:
        print(
            f"  simulator.engine.Engine : {ours:12,.0f} events/s; SimPy not installed (requirements-bench.txt)"
        )
    if args.engine_only:
        return

    instances = pushes * sum(n for n, _ in PUSH_MIX)
    rounds = [push_round(p, PUSHES_PER_ROUND) for p in range(0, pushes, PUSHES_PER_ROUND)]
    print(
        f"\n(b) Placement only: {pushes:,} pushes of the 20-app mix = {instances:,} instances on {CELLS:,} cells"
        f" ({CELL_MEMORY_MB // 1024} GiB / {CELL_DISK_MB // 1024} GiB / {CELL_CONTAINERS} slots, {len(ZONES)} zones),"
        f" in {len(rounds)} auction rounds of {PUSHES_PER_ROUND} pushes; starting counts reset between rounds"
    )
    cells = fleet()
    rss_before = rss_mb()
    elapsed, placed, failed = place(cells, rounds, schedule_round_vectorised, np.random.default_rng(1))
    per_cell = [CELL_CONTAINERS - c.available_containers for c in cells]
    print(
        f"  vectorised, numpy Generator order : {elapsed:6.2f} s wall, {placed / elapsed:9,.0f} placements/s,"
        f" {placed:,} placed, {failed:,} failed, {min(per_cell)}-{max(per_cell)} per cell"
    )
    print(f"    peak RSS {rss_mb():.0f} MB (ru_maxrss of the process; {rss_before:.0f} MB before this run)")

    sample = [push_round(0, 40)]  # 1,000 instances on empty cells: the first round's cost
    sample_size = len(sample[0])
    scale = instances / sample_size
    item_cells, exact_cells = fleet(), fleet()
    item_time, _, _ = place(item_cells, copy.deepcopy(sample), schedule_round, random.Random(5))
    exact_time, _, _ = place(exact_cells, sample, schedule_round_vectorised, random.Random(5))
    same = item_cells == exact_cells
    print(
        f"  sample of {sample_size:,} placements (40 pushes on empty cells), extrapolated x{scale:.0f} to {instances:,}:"
    )
    print(
        f"    per-item auction (auction.schedule_round)    : {item_time:6.2f} s -> ~{item_time * scale:7.0f} s"
        " extrapolated"
    )
    print(
        f"    vectorised, random.Random (exact per-item rng): {exact_time:6.2f} s -> ~{exact_time * scale:7.0f} s"
        f" extrapolated; same placements as per-item: {same}"
    )
    print(
        "    (the exact mode pays random.shuffle of every cell per placement, as the per-item code"
        " does; the Generator mode draws its shuffles from numpy)"
    )
    fleet_auction_figures(pushes)
    print(
        "\nThe whole 250k push in fleet mode (staging, starts, pulls, push sessions): benchmarks/fleet_push.py"
    )

    pods = kube_pods(pushes)
    print(
        f"\n(c) kube-scheduler, fleet arrays (scheduler_fleet.FleetScheduler): {len(pods):,} Eirini pods of"
        f" {pushes * len(PUSH_MIX):,} apps on {CELLS:,} nodes ({CELL_MEMORY_MB // 1024} GiB,"
        f" {KUBE_NODE_CPU_MILLIS}m CPU, {CELL_DISK_MB // 1024} GiB ephemeral, {KUBE_MAX_PODS} pods), one"
        f" schedule() call of one cycle per pod, node sampling at the adaptive 42 %"
    )
    for settings in (LEGACY, FRAMEWORK):
        wall, cpu, summary = kube_fleet_place(settings, pods)
        print(
            f"  {settings.mode:<11}: {wall:6.2f} s wall ({cpu:.2f} s CPU), {len(pods) / wall:9,.0f} pods/s; {summary}"
        )
    sample = 200
    for settings in (LEGACY, FRAMEWORK):
        item = kube_item_sample(settings, sample)
        print(
            f"  per-item schedule_pod, {settings.mode:<11}: {item:5.2f} s for the first {sample} pods on empty"
            f" nodes -> ~{item * len(pods) / sample:5.0f} s extrapolated (a floor: its cost grows with the pods placed)"
        )


if __name__ == "__main__":
    main()
