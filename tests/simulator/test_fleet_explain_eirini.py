"""Why this node? in fleet mode (simulator/fleet/eirini_explain.py): any pod of an Eirini fleet run,
rebuilt from what the run recorded and scheduled again by the per-item kube-scheduler."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from simulator.fleet.eirini import EiriniFleet
from simulator.fleet.eirini_explain import NotPlaced, images_at, nodes_at, pod_decision, staging_decision
from simulator.fleet.run import FleetRun
from simulator.kubernetes.cluster import matching_pod_count, statefulset_pod
from simulator.kubernetes.scheduler_fleet import FleetScheduler, ScheduledCycles
from tests.simulator.test_fleet_run import finished_run, fleet_scenario

# The FleetNodes arrays a cycle reads, and the NodeState field each is rebuilt into.
ARRAYS = {
    "requested_cpu": "requested_cpu_milli",
    "requested_memory": "requested_memory_mb",
    "requested_storage": "requested_ephemeral_mb",
    "pods": "pod_count",
    "pods_without_cpu_request": "pods_without_cpu_request",
    "pods_without_memory_request": "pods_without_memory_request",
}


def eirini_of(run: FleetRun) -> EiriniFleet:
    platform = run.platforms["eirini"]
    assert isinstance(platform, EiriniFleet)
    return platform


@pytest.mark.parametrize("seed", [7, 8, 9])
@pytest.mark.parametrize("scheduler", ["legacy-2019", "framework"])
def test_every_pod_is_explained_with_the_fleets_own_node_among_the_top_totals(
    seed: int, scheduler: str
) -> None:
    eirini = eirini_of(finished_run(fleet_scenario(seed=seed, eirini={"scheduler": scheduler}), ("eirini",)))
    apps = eirini.apps
    names = eirini.layout.names

    for instance in range(apps.instance_count):
        decision = pod_decision(eirini, instance)
        assert decision["consistent"], f"instance {instance}: {decision['winner']} was not a top total"
        assert decision["winner"] == names[int(eirini.trace.node[instance])]
        assert decision["t"] == pytest.approx(float(eirini.trace.placed_at[instance]))
        assert decision["work_type"] == "pod" and decision["mode"] == scheduler
        assert decision["error"] is None
        assert any(c["verdict"] == "ok" for c in decision["candidates"])
    for app in range(apps.count):
        decision = staging_decision(eirini, app)
        assert decision["consistent"]
        assert decision["work_type"] == "task"
        assert decision["work"] == f"task:staging-{apps.name(app)}"
        assert decision["winner"] == names[int(eirini.trace.staging_node[app])]


def test_the_rebuilt_nodes_are_what_the_fleet_scheduler_was_given_at_each_cycle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every cycle's node arrays, spreading counts, images and start index, as the fleet scheduler
    had them, against the nodes rebuilt from the run."""
    seen: list[dict[str, Any]] = []
    schedule = FleetScheduler.schedule_lists

    def recording(
        self: FleetScheduler,
        apps: list[int],
        cpus: list[int],
        memories: list[int],
        storages: list[int],
        images: list[int],
        *rest: Any,
    ) -> ScheduledCycles:
        # The batch's cycles see the shared arrays as they are now, plus the pods assumed before
        # them in the batch (added below as the result says).
        arrays = {name: getattr(self.nodes, name).tolist() for name in ARRAYS}
        app_pods = copy.deepcopy(self.nodes.app_pods)
        known = copy.deepcopy(self.nodes.images)
        result = schedule(self, apps, cpus, memories, storages, images, *rest)
        for i, app in enumerate(apps):
            seen.append(
                {
                    "arrays": copy.deepcopy(arrays),
                    "spread": {k: v for k, v in app_pods.get(app, {}).items() if v} if app >= 0 else {},
                    "images": dict(known.get(app, {})) if app >= 0 else {},
                    "start": result.start[i],
                    "all_images": copy.deepcopy(known),
                }
            )
            node = result.node[i]
            if node < 0:
                continue
            arrays["requested_cpu"][node] += cpus[i]
            arrays["requested_memory"][node] += memories[i]
            arrays["requested_storage"][node] += storages[i]
            arrays["pods"][node] += 1
            arrays["pods_without_cpu_request"][node] += cpus[i] == 0
            arrays["pods_without_memory_request"][node] += memories[i] == 0
            if app >= 0:
                counts = app_pods.setdefault(app, {})
                counts[node] = counts.get(node, 0) + 1
        return result

    monkeypatch.setattr(FleetScheduler, "schedule_lists", recording)
    # Two pods a node, and four apps that only stage (a big package) beside web's ten pods: some of
    # web's pods wait for a staging pod to be let go, until images of web's first pods are reported.
    cells = [
        {"name": f"cell-{zone}-{i}", "zone": zone, "memory_mb": 4096, "disk_mb": 16384, "max_containers": 2}
        for zone in ("z1", "z2", "z3")
        for i in range(2)
    ]
    spec = fleet_scenario(
        cells=cells,
        apps=[
            {"name": "web", "instances": 10, "memory_mb": 256},
            {"name": "worker", "instances": 0, "memory_mb": 512, "copies": 4, "package_mb": 500},
        ],
        timeline=[{"at": 0, "action": "push", "app": "web"}, {"at": 0, "action": "push", "app": "worker"}],
        fleet={"push_concurrency": 5},
    )
    eirini = eirini_of(finished_run(spec, ("eirini",)))
    assert eirini.trace.placement_failures > 0, "some pod waited for room"
    assert len(seen) == len(eirini.trace.round_at)
    assert any(at >= 0 for at in eirini.staging_released), "some staging pod was let go"
    assert eirini.image_key, "some image was reported"
    assert any(e["images"] for e in seen), "some pod's image was known to some node"

    for cycle, expected in enumerate(seen):
        states = nodes_at(eirini, cycle)
        pod = int(eirini.cycle_pod[cycle])
        rebuilt = {name: [getattr(s, field) for s in states] for name, field in ARRAYS.items()}
        assert rebuilt == expected["arrays"], f"cycle {cycle}"
        if pod >= 0:
            selector = statefulset_pod(eirini.apps.name(int(eirini.instance_app[pod])), 0).owner_selector
            counts = {i: matching_pod_count(s, selector) for i, s in enumerate(states)}
            assert {i: c for i, c in counts.items() if c} == expected["spread"], f"cycle {cycle}"
        images = {i: size for i, s in enumerate(states) for size in s.images.values()}
        assert images == expected["images"], f"cycle {cycle}"
        assert images_at(eirini, cycle) == expected["all_images"], f"cycle {cycle}"
        assert int(eirini.cycle_start[cycle]) == expected["start"], f"cycle {cycle}"


def test_a_pod_not_bound_yet_is_refused_by_name() -> None:
    run = FleetRun(fleet_scenario(), ("eirini",))
    eirini = eirini_of(run)
    with pytest.raises(NotPlaced, match=r"pod web-0-0 \(web-0/0\) has not been bound"):
        pod_decision(eirini, 0)
    with pytest.raises(NotPlaced, match=r"staging pod of staging-web-0 has not been bound"):
        staging_decision(eirini, 0)


def test_a_run_goes_on_after_a_question_and_answers_it_the_same() -> None:
    """Asking mid-run holds nothing of the run's arrays: it advances, and the answer stands."""
    spec = fleet_scenario()
    run = FleetRun(spec, ("eirini",))
    eirini = eirini_of(run)
    while int(eirini.trace.node[0]) < 0:
        run.advance(run.now + 5.0)
    early = pod_decision(eirini, 0)
    run.run_to_end(spec.duration_s)
    assert run.finished
    assert pod_decision(eirini, 0) == early
    assert early["consistent"]
