"""The fleet kube-scheduler places every pod where the per-item ``schedule_pod`` does (docs/fleet.md §2.2).

Random clusters (5 to 600 nodes, so that node sampling and the rotating start matter) with zones,
cordons, NotReady and segment taints, PreferNoSchedule taints, node selectors, images and pods
already placed take random pod sequences, in both modes and with fixed percentages. With the
tie-break pinned to the first tied node on both sides the two must agree exactly: winners,
FailedScheduling texts, scan starts, nodes examined, feasible nodes and tie counts, and the
resources left. With real generators, each fleet winner must be among the per-item's top-scored
nodes; and the fleet's choice among tied nodes must be uniform.
"""

from __future__ import annotations

import copy
import dataclasses
import random
from collections import Counter

import numpy as np
import pytest

from simulator.eirini.node_lifecycle import UNREACHABLE_TAINTS
from simulator.kubernetes import fleet_cache
from simulator.kubernetes.cluster import (
    DEFAULT_TOLERATIONS,
    Image,
    NodeState,
    PodWork,
    Taint,
    Toleration,
    assume,
    forget,
    statefulset_pod,
)
from simulator.kubernetes.constants import BYTES_PER_MB, MODE_FRAMEWORK, MODE_LEGACY, PREFER_NO_SCHEDULE
from simulator.kubernetes.profiles import FRAMEWORK, LEGACY, KubeSchedulerSettings
from simulator.kubernetes.sampling import SamplingState
from simulator.kubernetes.scheduler import KubePlacement, schedule_pod
from simulator.kubernetes.scheduler_fleet import (
    NOT_READY_TAINTS,
    FleetNodes,
    FleetScheduler,
    FleetScheduleResult,
    PodBatch,
    fleet_nodes,
    framework_resource_score,
    legacy_resource_score,
    pod_batch,
    positions_between,
    scan_permutation,
    uniform_fleet_nodes,
)
from simulator.kubernetes.scores import (
    balanced_allocation_score,
    balanced_allocation_skipped,
    least_allocated_score,
    nonzero_requested,
)
from simulator.scenario import EiriniSettings

SETTINGS = [
    LEGACY,
    FRAMEWORK,
    KubeSchedulerSettings(MODE_LEGACY, percentage_of_nodes_to_score=70),
    KubeSchedulerSettings(MODE_FRAMEWORK, percentage_of_nodes_to_score=30),
]
SETTING_IDS = ["legacy", "framework", "legacy-70%", "framework-30%"]
SEGMENT_LABEL = "segment.cloudfoundry.org/iso"
SEGMENT_TAINT = Taint("cloudfoundry.org/isolation-segment", "iso")
SEGMENT_TOLERATIONS = (*DEFAULT_TOLERATIONS, Toleration("cloudfoundry.org/isolation-segment", value="iso"))
PREFER_TAINT = Taint("example.com/old-kernel", "", PREFER_NO_SCHEDULE)
APPS = 6


class FirstTie(random.Random):
    """A per-item generator under which ``select_host`` keeps the first tied node."""

    def randrange(self, stop: int) -> int:  # type: ignore[override]
        return stop - 1


class FirstTieGenerator:
    """A fleet generator under which the first tied node (u = 0) wins."""

    def random(self, size: int) -> np.ndarray:
        return np.zeros(size)


# --- random clusters and pods -------------------------------------------------------------------


def app_selector(app: int) -> dict[str, str]:
    return dict(statefulset_pod(f"app{app}", 0).owner_selector)


def image_name(app: int) -> str:
    return f"registry.eirini/cloudfoundry/app{app}"


def random_app_pod(
    r: random.Random, app: int, ordinal: int, shapes: dict[int, tuple[int, int, int]]
) -> PodWork:
    cpu, memory, storage = shapes[app]
    segment = app == 0
    pod = statefulset_pod(
        f"app{app}",
        ordinal,
        cpu_milli=cpu,
        memory_mb=memory,
        ephemeral_mb=storage,
        images=(Image(image_name(app), 800),),
        node_selector={SEGMENT_LABEL: "true"} if segment else None,
    )
    if segment or r.random() < 0.1:
        pod = dataclasses.replace(pod, tolerations=SEGMENT_TOLERATIONS)
    return pod


def staging_pod(index: int) -> PodWork:
    """Ownerless and without requests, as the per-item Eirini staging pod."""
    return PodWork(f"staging-{index}", f"stg{index}", -1, labels={"cloudfoundry.org/source_type": "STG"})


def random_shapes(r: random.Random) -> dict[int, tuple[int, int, int]]:
    return {
        app: (r.choice((0, 10, 120, 500)), r.choice((0, 200, 500, 1000, 3000)), r.choice((0, 256, 1024)))
        for app in range(APPS)
    }


def random_cluster(r: random.Random, count: int, shapes: dict[int, tuple[int, int, int]]) -> list[NodeState]:
    zones = r.choice((("z1",), ("z1", "z2"), ("z1", "z2", "z3"), ("z1", "", "z2"), ("",)))
    # A few apps' images are on most nodes, so that ImageLocality passes its 23 MiB floor.
    image_share = {app: r.choice((0.0, 0.1, 0.6, 0.9)) for app in range(APPS)}
    states = []
    for i in range(count):
        taints: list[Taint] = []
        if r.random() < 0.1:
            taints.append(SEGMENT_TAINT)
        if r.random() < 0.15:
            taints.append(PREFER_TAINT)
        if r.random() < 0.05:
            taints.extend(UNREACHABLE_TAINTS)
        state = NodeState(
            f"node-{i}",
            r.choice(zones),
            r.choice((2000, 4000, 8000)),
            r.choice((4000, 8000, 16000)),
            r.choice((4000, 20000)),
            allocatable_pods=r.choice((3, 6, 110)),
            labels={SEGMENT_LABEL: "true"} if r.random() < 0.3 else {},
            taints=tuple(taints),
            unschedulable=r.random() < 0.05,
            images={
                image_name(a): r.choice((300, 800, 2000)) for a in range(APPS) if r.random() < image_share[a]
            },
        )
        for k in range(r.choice((0, 0, 1, 2))):
            app = r.randrange(APPS)
            assume(
                state, random_app_pod(r, app, 100 + i * 3 + k, shapes) if r.random() < 0.8 else staging_pod(i)
            )
        states.append(state)
    return states


def random_pods(r: random.Random, count: int, shapes: dict[int, tuple[int, int, int]]) -> list[PodWork]:
    ordinals = Counter[int]()
    pods = []
    for i in range(count):
        if r.random() < 0.1:
            pods.append(staging_pod(1000 + i))
            continue
        app = r.randrange(APPS)
        pods.append(random_app_pod(r, app, ordinals[app], shapes))
        ordinals[app] += 1
    return pods


SELECTORS = [app_selector(app) for app in range(APPS)]
IMAGES = [image_name(app) for app in range(APPS)]


# --- comparing the two -----------------------------------------------------------------------


def assert_same_cycle(
    placement: KubePlacement, result: FleetScheduleResult, i: int, nodes: FleetNodes
) -> None:
    assert int(result.start[i]) == placement.start_index
    assert int(result.examined[i]) == placement.nodes_examined
    # The same nodes, in the same (node-tree) order, were filtered.
    order, start = scan_permutation(nodes.zone).tolist(), int(result.start[i])
    examined = [nodes.names[order[(start + k) % len(order)]] for k in range(int(result.examined[i]))]
    sampled = sorted((c for c in placement.candidates if c.sampled), key=lambda c: c.order or 0)
    assert examined == [c.cell for c in sampled]
    assert int(result.feasible[i]) == placement.feasible
    assert result.message(i) == placement.error
    assert int(result.tied[i]) == placement.tied


def top_scored(placement: KubePlacement) -> set[str]:
    scored = [c for c in placement.candidates if c.score is not None]
    if not scored:
        return {placement.winner} if placement.winner else set()
    best = max(c.score for c in scored if c.score is not None)
    return {c.cell for c in scored if c.score == best}


def assert_same_resources(states: list[NodeState], nodes: FleetNodes) -> None:
    assert nodes.requested_cpu.tolist() == [s.requested_cpu_milli for s in states]
    assert nodes.requested_memory.tolist() == [s.requested_memory_mb for s in states]
    assert nodes.requested_storage.tolist() == [s.requested_ephemeral_mb for s in states]
    assert nodes.pods.tolist() == [s.pod_count for s in states]
    assert nodes.pods_without_cpu_request.tolist() == [s.pods_without_cpu_request for s in states]


def disturb(
    r: random.Random, states: list[NodeState], fleet: FleetScheduler, placed: list[tuple[int, PodWork]]
) -> None:
    """The same outside changes on both sides: a cordon, a node going NotReady or back, pods deleted."""
    nodes = fleet.nodes
    node = r.randrange(len(states))
    states[node].unschedulable = not states[node].unschedulable
    nodes.unschedulable[node] = states[node].unschedulable
    node = r.randrange(len(states))
    if nodes.ready[node]:
        states[node].taints = (*states[node].taints, *NOT_READY_TAINTS)
    else:
        states[node].taints = states[node].taints[: -len(NOT_READY_TAINTS)]
    nodes.ready[node] = not nodes.ready[node]
    r.shuffle(placed)
    for _ in range(min(len(placed), r.randint(0, 5))):
        node, pod = placed.pop()
        forget(states[node], pod.name)
        app = SELECTORS.index(dict(pod.owner_selector)) if pod.owner_selector else -1
        fleet.release(node, app, pod.cpu_milli, pod.memory_mb, pod.ephemeral_mb)


CASES = [(nodes, seed) for nodes, seeds in ((5, 12), (60, 8), (150, 4), (600, 2)) for seed in range(seeds)]


@pytest.mark.parametrize("settings", SETTINGS, ids=SETTING_IDS)
@pytest.mark.parametrize(("node_count", "seed"), CASES)
def test_with_ties_pinned_every_cycle_matches_the_per_item_scheduler(
    settings: KubeSchedulerSettings, node_count: int, seed: int
) -> None:
    """Batches with outside changes between them: same winners, texts, samples, ties and resources."""
    r = random.Random(seed * 1000 + node_count)
    shapes = random_shapes(r)
    states = random_cluster(r, node_count, shapes)
    fleet = FleetScheduler(
        fleet_nodes(copy.deepcopy(states), SELECTORS, IMAGES), settings, FirstTieGenerator()
    )  # type: ignore[arg-type]
    sampling = SamplingState()
    placed: list[tuple[int, PodWork]] = []
    pods_per_batch = {5: 12, 60: 40, 150: 40, 600: 25}[node_count]
    for _ in range(3):
        pods = random_pods(r, pods_per_batch, shapes)
        result = fleet.schedule(pod_batch(pods, SELECTORS, IMAGES))
        for i, pod in enumerate(pods):
            placement = schedule_pod(states, pod, settings, sampling, FirstTie())
            assert_same_cycle(placement, result, i, fleet.nodes)
            winner = int(result.node[i])
            assert (fleet.nodes.names[winner] if winner >= 0 else None) == placement.winner
            if winner >= 0:
                placed.append((winner, pod))
        assert fleet.sampling.next_start_node_index == sampling.next_start_node_index
        assert_same_resources(states, fleet.nodes)
        disturb(r, states, fleet, placed)


@pytest.mark.parametrize("settings", SETTINGS, ids=SETTING_IDS)
@pytest.mark.parametrize(("node_count", "seed"), [(5, 0), (5, 1), (60, 0), (150, 0), (600, 0)])
def test_with_real_generators_each_winner_is_among_the_per_item_top_scores(
    settings: KubeSchedulerSettings, node_count: int, seed: int
) -> None:
    """Pod by pod: the fleet's node has the per-item's top total; the per-item then follows the fleet."""
    r = random.Random(seed + 77 * node_count)
    shapes = random_shapes(r)
    states = random_cluster(r, node_count, shapes)
    fleet = FleetScheduler(
        fleet_nodes(copy.deepcopy(states), SELECTORS, IMAGES), settings, np.random.default_rng(seed)
    )
    sampling, rng = SamplingState(), random.Random(seed)
    for pod in random_pods(r, 30, shapes):
        placement = schedule_pod(states, pod, settings, sampling, rng)
        result = fleet.schedule(pod_batch([pod], SELECTORS, IMAGES))
        assert_same_cycle(placement, result, 0, fleet.nodes)
        winner = int(result.node[0])
        if winner < 0:
            continue
        assert fleet.nodes.names[winner] in top_scored(placement)
        if fleet.nodes.names[winner] != placement.winner:
            forget(next(s for s in states if s.name == placement.winner), pod.name)
            assume(states[winner], pod)
    assert_same_resources(states, fleet.nodes)


# --- small batches between outside changes -----------------------------------------------------

MUTABLE_ARRAYS = (
    "requested_cpu",
    "requested_memory",
    "requested_storage",
    "pods",
    "pods_without_cpu_request",
    "pods_without_memory_request",
    "ready",
    "unschedulable",
)


class FixedTie:
    """A fleet generator whose every draw is ``u``: each tie goes to the ``floor(u·k)``-th tied node."""

    def __init__(self, u: float) -> None:
        self.u = u

    def random(self, size: int) -> np.ndarray:
        return np.full(size, self.u)


def assert_same_results(got: FleetScheduleResult, want: FleetScheduleResult) -> None:
    for name in ("node", "start", "examined", "feasible", "tied"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
    pods = range(len(want.node))
    assert [got.message(i) for i in pods] == [want.message(i) for i in pods]


def assert_same_nodes(got: FleetNodes, want: FleetNodes) -> None:
    for name in MUTABLE_ARRAYS:
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
    assert got.app_pods == want.app_pods


def schedule_beside_a_fresh_scheduler(
    fleet: FleetScheduler, batch: PodBatch, u: float, placed: list[tuple[int, int, int, int, int]]
) -> FleetScheduleResult:
    """Schedule ``batch`` on ``fleet`` and on a scheduler built from a copy of its nodes just now:
    the same cycles, the same nodes after. Records the pods placed as ``release`` arguments."""
    fresh = FleetScheduler(copy.deepcopy(fleet.nodes), fleet.settings, FixedTie(u))  # type: ignore[arg-type]
    fresh.sampling.next_start_node_index = fleet.sampling.next_start_node_index
    result = fleet.schedule(batch)
    assert_same_results(result, fresh.schedule(batch))
    assert_same_nodes(fleet.nodes, fresh.nodes)
    assert fleet.sampling.next_start_node_index == fresh.sampling.next_start_node_index
    staging = np.zeros(len(batch), dtype=bool) if batch.staging is None else batch.staging
    apps = np.where(staging, -1, batch.app)
    for i, node in enumerate(result.node.tolist()):
        if node >= 0:
            shape = int(batch.cpu_millis[i]), int(batch.memory_mb[i]), int(batch.storage_mb[i])
            placed.append((node, int(apps[i]), *shape))
    return result


def change_between_batches(
    r: random.Random, fleet: FleetScheduler, placed: list[tuple[int, int, int, int, int]], images: int
) -> None:
    """What the fleet simulator and the cluster do between two batches, directly on the arrays."""
    nodes = fleet.nodes
    r.shuffle(placed)
    for _ in range(min(len(placed), r.randint(0, 6))):
        fleet.release(*placed.pop())
    # Nodes report images they pulled: some on many nodes, so that ImageLocality scores them.
    for _ in range(r.randint(0, 3)):
        nodes.images.setdefault(r.randrange(images), {})[r.randrange(len(nodes))] = r.choice((300, 2000))
    if r.random() < 0.2:
        node = r.randrange(len(nodes))
        nodes.unschedulable[node] = not nodes.unschedulable[node]
    if r.random() < 0.2:
        node = r.randrange(len(nodes))
        nodes.ready[node] = not nodes.ready[node]
    if r.random() < 0.2:
        # A pod bound outside this scheduler.
        node = r.randrange(len(nodes))
        nodes.requested_cpu[node] += 50
        nodes.requested_memory[node] += 300
        nodes.pods[node] += 1


@pytest.mark.parametrize("settings", SETTINGS, ids=SETTING_IDS)
@pytest.mark.parametrize(
    ("node_count", "seed", "u", "memo_limit"),
    [(60, 1, 0.0, None), (150, 2, 0.37, 5), (600, 3, 0.999, None)],
    ids=["60-first-tie", "150-small-memo", "600-last-tie"],
)
def test_small_batches_between_outside_changes_match_a_scheduler_built_afresh(
    settings: KubeSchedulerSettings,
    node_count: int,
    seed: int,
    u: float,
    memo_limit: int | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Releases, new images, cordons, NotReady nodes and outside pods between batches of 1–6 pods:
    the long-lived scheduler's cycles are those of one built from its nodes before each batch."""
    if memo_limit is not None:
        monkeypatch.setattr(fleet_cache, "SCORE_MEMO_LIMIT", memo_limit)
    r = random.Random(seed)
    shapes = random_shapes(r)
    nodes = fleet_nodes(random_cluster(r, node_count, shapes), SELECTORS, IMAGES)
    fleet = FleetScheduler(nodes, settings, FixedTie(u))  # type: ignore[arg-type]
    placed: list[tuple[int, int, int, int, int]] = []
    for _ in range(30):
        batch = pod_batch(random_pods(r, r.randint(1, 6), shapes), SELECTORS, IMAGES)
        schedule_beside_a_fresh_scheduler(fleet, batch, u, placed)
        change_between_batches(r, fleet, placed, APPS)


@pytest.mark.parametrize("settings", [LEGACY, FRAMEWORK], ids=["legacy", "framework"])
def test_an_eirini_fleet_filling_up_matches_a_scheduler_built_afresh(settings: KubeSchedulerSettings) -> None:
    """Eirini's calls: staging pods (no requests) and app pods, staging pods released and images
    reported between batches, until the nodes are full; every cycle as on a fresh scheduler."""
    r = random.Random(11)
    nodes = uniform_fleet_nodes(150, memory_mb=4096, cpu_millis=4000, storage_mb=8192, max_pods=6)
    fleet = FleetScheduler(nodes, settings, FixedTie(0.61))  # type: ignore[arg-type]
    shapes = [(10, 32, 128), (10, 128, 128), (120, 1024, 128)]
    placed: list[tuple[int, int, int, int, int]] = []
    apps = 0
    failed = 0
    for _ in range(80):
        staging, app = [], []
        for _ in range(r.randint(5, 40)):
            if r.random() < 0.3:
                staging.append(True)
                app.append(-1)
            else:
                staging.append(False)
                app.append(r.randrange(max(1, apps)) if r.random() < 0.5 else apps)
                apps += app[-1] == apps
        shape = np.array([shapes[a % 3] if a >= 0 else (0, 0, 0) for a in app], dtype=np.int64)
        batch = PodBatch(
            app=np.array(app),
            image=np.array(app),
            staging=np.array(staging),
            cpu_millis=shape[:, 0],
            memory_mb=shape[:, 1],
            storage_mb=shape[:, 2],
        )
        result = schedule_beside_a_fresh_scheduler(fleet, batch, 0.61, placed)
        failed += int((result.node < 0).sum())
        # Staging pods finish; the nodes report the app images they pulled (2 GB: widespread
        # enough on a few nodes to score).
        finished = [p for p in placed if p[1] == -1 and r.random() < 0.7]
        for pod in finished:
            placed.remove(pod)
            fleet.release(*pod)
        for node, app_id, *_ in placed[-5:]:
            if app_id >= 0:
                nodes.images.setdefault(app_id, {})[node] = 2000
    # The fleet filled up: the last batches found no room for some pods.
    assert failed > 0


def test_release_frees_the_pod_in_the_shared_arrays_at_once() -> None:
    """The caller sees a released pod gone before the next cycle; the scheduler then scores without it."""
    nodes = uniform_fleet_nodes(3, memory_mb=8000, cpu_millis=4000, storage_mb=10_000)
    fleet = FleetScheduler(nodes, LEGACY, FirstTieGenerator())  # type: ignore[arg-type]
    batch = PodBatch(
        app=np.array([4, 4]),
        memory_mb=np.array([1000, 0]),
        cpu_millis=np.array([100, 0]),
        storage_mb=np.array([0, 0]),
    )
    first, second = fleet.schedule(batch).node.tolist()
    fleet.release(first, 4, 100, 1000, 0)
    fleet.release(second, 4, 0, 0, 0)
    for name in MUTABLE_ARRAYS[:6]:
        assert getattr(nodes, name).tolist() == [0, 0, 0], name
    assert nodes.app_pods == {4: {}}
    # All three nodes are empty again: the first tie is the scan's first node.
    assert fleet.schedule(batch).node.tolist()[0] == 0


def test_positions_between_finds_the_window_like_a_scan() -> None:
    """The first index and the count of sorted positions in a wrapping window, against a plain scan."""
    r = random.Random(4)
    for _ in range(2000):
        n = r.randint(1, 30)
        positions = sorted(r.sample(range(n), r.randint(1, n)))
        start, length = r.randrange(n), r.randint(1, n)
        scanned = [(start + k) % n for k in range(length) if (start + k) % n in positions]
        first, count = positions_between(positions, start, length, n)
        assert count == len(scanned)
        assert [positions[(first + k) % len(positions)] for k in range(count)] == scanned


# --- the tie-break ----------------------------------------------------------------------------


def test_tied_nodes_win_equally_often() -> None:
    """Four identical nodes tie for every pod: over 8,000 cycles each wins 2,000 ± 200 times (5σ ≈ 194)."""
    nodes = uniform_fleet_nodes(4, memory_mb=8000, cpu_millis=4000, storage_mb=10_000)
    fleet = FleetScheduler(nodes, LEGACY, np.random.default_rng(2019))
    wins = Counter[int]()
    pod = PodBatch(
        app=np.array([-1]), memory_mb=np.array([100]), cpu_millis=np.array([10]), storage_mb=np.array([0])
    )
    for _ in range(8000):
        result = fleet.schedule(pod)
        assert int(result.tied[0]) == 4
        winner = int(result.node[0])
        wins[winner] += 1
        fleet.release(winner, -1, 10, 100, 0)
    assert sorted(wins) == [0, 1, 2, 3]
    assert all(abs(count - 2000) < 200 for count in wins.values())


def test_ties_in_a_large_sample_are_broken_uniformly() -> None:
    """1,000 empty nodes: the winners of 20,000 one-pod cycles (each then removed) spread over every node."""
    nodes = uniform_fleet_nodes(1000, memory_mb=32768, cpu_millis=8000, storage_mb=65536, max_pods=250)
    fleet = FleetScheduler(nodes, FRAMEWORK, np.random.default_rng(5))
    batch = PodBatch(
        app=np.array([-1]), memory_mb=np.array([32]), cpu_millis=np.array([10]), storage_mb=np.array([256])
    )
    wins = np.zeros(1000, dtype=np.int64)
    for _ in range(20_000):
        result = fleet.schedule(batch)
        assert int(result.tied[0]) == int(result.feasible[0]) == 420
        wins[int(result.node[0])] += 1
        fleet.release(int(result.node[0]), -1, 10, 32, 256)
    # Each node is sampled by 42 % of the cycles and then wins 1/420 of them: 20 expected.
    assert wins.min() >= 3 and wins.max() <= 45
    assert abs(wins.mean() - 20) < 1e-9


def test_a_clear_winner_draws_nothing_from_the_generator() -> None:
    """Only a tie consumes the generator (select_host draws only when it meets a tie)."""
    nodes = uniform_fleet_nodes(3, memory_mb=8000, cpu_millis=4000, storage_mb=10_000)
    nodes.requested_memory[:] = [4000, 0, 2000]
    rng = np.random.default_rng(3)
    before = copy.deepcopy(rng.bit_generator.state)
    fleet = FleetScheduler(nodes, LEGACY, rng)
    result = fleet.schedule(
        PodBatch(
            app=np.array([-1]), memory_mb=np.array([500]), cpu_millis=np.array([10]), storage_mb=np.array([0])
        )
    )
    assert (int(result.node[0]), int(result.tied[0])) == (1, 1)
    assert rng.bit_generator.state == before


# --- texts and shapes ------------------------------------------------------------------------


def full_cluster() -> list[NodeState]:
    cordoned = NodeState("a", "z1", 4000, 8000, 10_000, unschedulable=True)
    full_memory = NodeState("b", "z1", 4000, 8000, 10_000, requested_memory_mb=7800)
    full_pods = NodeState(
        "c", "z2", 4000, 8000, 10_000, allocatable_pods=1, pod_count=1, requested_memory_mb=7900
    )
    not_ready = NodeState("d", "z2", 4000, 8000, 10_000, taints=NOT_READY_TAINTS)
    segment = NodeState("e", "z2", 4000, 8000, 10_000, taints=(SEGMENT_TAINT,))
    return [cordoned, full_memory, full_pods, not_ready, segment]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            LEGACY,
            "0/5 nodes are available: 1 Insufficient pods, 1 node(s) were unschedulable, 2 Insufficient memory,"
            " 2 node(s) had taints that the pod didn't tolerate.",
        ),
        (
            FRAMEWORK,
            "0/5 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint"
            " {cloudfoundry.org/isolation-segment: iso}, 1 node(s) had untolerated taint"
            " {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable, 2 Insufficient memory.",
        ),
    ],
    ids=["legacy", "framework"],
)
def test_an_unschedulable_pod_gets_the_per_item_message_word_for_word(
    settings: KubeSchedulerSettings, expected: str
) -> None:
    """Each node gives its first rejecting plugin's reasons (the full node two); counted and sorted as strings."""
    pod = statefulset_pod("app0", 0, cpu_milli=10, memory_mb=500, ephemeral_mb=256)
    placement = schedule_pod(full_cluster(), pod, settings, SamplingState(), random.Random(0))
    fleet = FleetScheduler(fleet_nodes(full_cluster(), SELECTORS), settings, np.random.default_rng(0))
    result = fleet.schedule(pod_batch([pod, pod], SELECTORS))
    assert placement.error == expected
    assert result.message(0) == result.message(1) == expected
    assert result.node.tolist() == [-1, -1]
    assert result.texts == [expected]


def test_a_cluster_without_nodes_has_no_nodes_available() -> None:
    """No node at all gives the scheduler's own error, not a FitError."""
    fleet = FleetScheduler(fleet_nodes([]), LEGACY, np.random.default_rng(0))
    result = fleet.schedule(pod_batch([statefulset_pod("app0", 0, memory_mb=10)], SELECTORS))
    assert result.message(0) == "no nodes available to schedule pods"


def test_a_not_ready_node_carries_the_node_lifecycle_taints() -> None:
    """``ready`` false stands for the unreachable taints the Eirini node lifecycle controller sets (§3.7)."""
    assert NOT_READY_TAINTS == UNREACHABLE_TAINTS


def test_a_1000_node_fleet_samples_420_nodes_and_moves_the_start_on() -> None:
    """§2.4: 50 − 1000/125 = 42 % of 1,000 nodes; each cycle starts where the last one stopped."""
    nodes = uniform_fleet_nodes(1000, memory_mb=32768, cpu_millis=8000, storage_mb=65536, max_pods=250)
    fleet = FleetScheduler(nodes, LEGACY, np.random.default_rng(0))
    count = 5
    batch = PodBatch(
        app=np.arange(count),
        memory_mb=np.full(count, 128),
        cpu_millis=np.full(count, 10),
        storage_mb=np.full(count, 256),
    )
    result = fleet.schedule(batch)
    assert result.examined.tolist() == [420] * count
    assert result.start.tolist() == [0, 420, 840, 260, 680]
    assert fleet.sampling.next_start_node_index == 100
    assert nodes.pods.sum() == count
    assert nodes.app_pods == {app: {int(result.node[app]): 1} for app in range(count)}


def test_pods_the_fleet_does_not_model_are_refused() -> None:
    """Affinity terms, explicit spread constraints and several images are outside fleet mode."""
    pod = statefulset_pod("app0", 0, images=(Image("a", 1), Image("b", 1)))
    with pytest.raises(ValueError, match="not modelled"):
        pod_batch([pod], SELECTORS, ["a", "b"])


@pytest.mark.parametrize("settings", [LEGACY, FRAMEWORK], ids=["legacy", "framework"])
def test_the_resource_scores_are_the_per_item_formulas(settings: KubeSchedulerSettings) -> None:
    """LeastAllocated + BalancedAllocation as scores.py computes them, nothing allocatable and overcommit included."""
    r = random.Random(9)
    for _ in range(3000):
        node = NodeState(
            "n",
            "z1",
            r.choice((0, 1000, 4000)),
            r.choice((0, 2000, 16000)),
            1000,
            requested_cpu_milli=r.randint(0, 5000),
            requested_memory_mb=r.randint(0, 20_000),
            pods_without_cpu_request=r.randint(0, 2),
            pods_without_memory_request=r.randint(0, 2),
        )
        pod = PodWork("p", "a", 0, cpu_milli=r.choice((0, 10, 500)), memory_mb=r.choice((0, 32, 1024)))
        skipped = balanced_allocation_skipped(pod, settings)
        expected = least_allocated_score(node, pod, settings)
        expected += 0 if skipped else balanced_allocation_score(node, pod, settings)
        cpu, memory = nonzero_requested(node, pod)
        allocatable = (node.allocatable_cpu_milli, node.allocatable_memory_mb * BYTES_PER_MB)
        if settings.legacy:
            assert legacy_resource_score(cpu, memory, *allocatable) == expected
        else:
            real = (
                node.requested_cpu_milli + pod.cpu_milli,
                (node.requested_memory_mb + pod.memory_mb) * BYTES_PER_MB,
            )
            assert (
                framework_resource_score(cpu, memory, *allocatable, *real, balanced=not skipped) == expected
            )


def test_a_scenarios_eirini_settings_configure_the_scheduler() -> None:
    """EiriniSettings' mode and percentage become the scheduler's, as the per-item KubeScheduler makes them."""
    nodes = uniform_fleet_nodes(200, memory_mb=8000, cpu_millis=4000, storage_mb=10_000)
    fleet = FleetScheduler(
        nodes,
        EiriniSettings(scheduler="framework", percentage_of_nodes_to_score=60),
        np.random.default_rng(0),
    )
    assert fleet.settings == KubeSchedulerSettings(MODE_FRAMEWORK, percentage_of_nodes_to_score=60)
    one = PodBatch(
        app=np.array([0]), memory_mb=np.array([100]), cpu_millis=np.array([10]), storage_mb=np.array([0])
    )
    assert fleet.schedule(one).examined.tolist() == [120]


def test_a_staging_pod_is_ownerless_whatever_its_app() -> None:
    """Pods marked ``staging`` are not counted for spreading, like the per-item staging pod without an owner."""
    nodes = uniform_fleet_nodes(3, memory_mb=8000, cpu_millis=4000, storage_mb=10_000)
    fleet = FleetScheduler(nodes, LEGACY, np.random.default_rng(0))
    batch = PodBatch(
        app=np.array([7, 7]),
        memory_mb=np.zeros(2, dtype=np.int64),
        cpu_millis=np.zeros(2, dtype=np.int64),
        storage_mb=np.zeros(2, dtype=np.int64),
        staging=np.array([True, False]),
    )
    result = fleet.schedule(batch)
    assert nodes.app_pods == {7: {int(result.node[1]): 1}}
    assert nodes.pods_without_memory_request.sum() == 2
