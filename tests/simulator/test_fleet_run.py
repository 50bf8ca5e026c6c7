"""Fleet mode (docs/fleet.md): the same platform rules as per-instance arrays, at any scale."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulator.comparison import Comparison
from simulator.fleet.diego_explain import lrp_decision
from simulator.fleet.eirini_explain import pod_decision
from simulator.fleet.run import FleetRun
from simulator.scenario import Scenario, parse_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def fleet_scenario(**changes: Any) -> Scenario:
    """Six cells in three zones; two apps pushed in 4 copies each by 3 cf push sessions."""
    data: dict[str, Any] = {
        "name": "small fleet",
        "seed": 7,
        "duration_s": 3600,
        "platforms": ["diego", "eirini"],
        "mode": "fleet",
        "zones": ["z1", "z2", "z3"],
        "cells": [
            {
                "name": f"cell-{zone}-{i}",
                "zone": zone,
                "memory_mb": 8192,
                "disk_mb": 32768,
                "max_containers": 40,
            }
            for zone in ("z1", "z2", "z3")
            for i in range(2)
        ],
        "apps": [
            {"name": "web", "instances": 3, "memory_mb": 256, "copies": 4},
            {"name": "worker", "instances": 1, "memory_mb": 512, "copies": 4},
        ],
        "timeline": [{"at": 0, "action": "push", "app": "web"}, {"at": 5, "action": "push", "app": "worker"}],
        "fleet": {"push_concurrency": 3},
    }
    data.update(changes)
    return parse_scenario(data)


def finished_run(
    spec: Scenario, platforms: tuple[str, ...] = ("diego", "eirini"), seed: int | None = None
) -> FleetRun:
    run = FleetRun(spec, platforms, seed)
    run.run_to_end(spec.duration_s)
    assert run.finished, "the run should finish well within its duration"
    return run


def digest(run: FleetRun) -> str:
    sha = hashlib.sha256()
    for platform in run.platforms.values():
        trace = platform.trace
        for array in (trace.node, trace.desired_at, trace.placed_at, trace.running_at, trace.staged_at):
            sha.update(np.ascontiguousarray(array).tobytes())
    return sha.hexdigest()


@pytest.mark.parametrize("platform", ["diego", "eirini"])
def test_every_instance_of_every_copy_is_staged_placed_and_running_in_order(platform: str) -> None:
    run = finished_run(fleet_scenario(), (platform,))
    sim = run.platforms[platform]
    trace = sim.trace
    assert len(trace.node) == 16  # 4 × 3 + 4 × 1
    assert (trace.node >= 0).all()
    assert (trace.desired_at <= trace.placed_at).all()
    assert (trace.placed_at < trace.running_at).all()
    app_of = sim.apps.app_of_instance(np.arange(len(trace.node)))
    assert (trace.staged_at[app_of] < trace.desired_at).all()
    assert sim.finished_at == pytest.approx(float(trace.all_running_at.max()))
    assert sorted(sim.apps.name(a) for a in range(sim.apps.count)) == sorted(
        [f"web-{k}" for k in range(4)] + [f"worker-{k}" for k in range(4)]
    )


@pytest.mark.parametrize("platform", ["diego", "eirini"])
def test_no_cell_ever_holds_more_than_its_capacity(platform: str) -> None:
    spec = fleet_scenario(
        apps=[{"name": "web", "instances": 4, "memory_mb": 1024, "copies": 11}],
        timeline=[{"at": 0, "action": "push", "app": "web"}],
    )
    run = finished_run(spec, (platform,))
    sim = run.platforms[platform]
    for t in np.linspace(0, run.now, 40):
        frame = sim.frame(float(t))
        assert (frame.memory_mb <= sim.layout.memory_mb).all()
        assert (frame.disk_mb <= sim.layout.disk_mb).all()
        assert (frame.running + frame.starting <= sim.layout.containers).all()


@pytest.mark.parametrize("platform", ["diego", "eirini"])
def test_one_push_session_pushes_one_app_after_the_other(platform: str) -> None:
    run = finished_run(fleet_scenario(fleet={"push_concurrency": 1}), (platform,))
    trace = run.platforms[platform].trace
    order = run.platforms[platform].apps.push_order
    for before, after in itertools.pairwise(order.tolist()):
        # The cf CLI waits for every instance before the session pushes the next app.
        assert trace.staging_requested_at[after] > trace.all_running_at[before]


def test_the_same_seed_gives_the_same_run_and_another_seed_another() -> None:
    spec = fleet_scenario()
    assert digest(finished_run(spec)) == digest(finished_run(spec))
    assert digest(finished_run(spec, seed=8)) != digest(finished_run(spec))


def test_a_run_in_slices_is_the_run_in_one_go() -> None:
    spec = fleet_scenario()
    whole = finished_run(spec)
    sliced = FleetRun(spec)
    for until in range(7, 3600, 7):
        sliced.advance(float(until))
        if sliced.finished:
            break
    assert digest(sliced) == digest(whole)


def test_the_past_reads_the_same_after_the_run_went_on() -> None:
    spec = fleet_scenario()
    run = FleetRun(spec)
    run.advance(40.0)
    before = {name: frame.header() for name, frame in run.frames(30.0).items()}
    arrays = {name: frame.running.copy() for name, frame in run.frames(30.0).items()}
    run.run_to_end(spec.duration_s)
    after = run.frames(30.0)
    for name, frame in after.items():
        assert frame.header() == before[name]
        assert (frame.running == arrays[name]).all()


def test_diego_spreads_an_apps_instances_over_the_zones() -> None:
    run = finished_run(fleet_scenario(), ("diego",))
    sim = run.platforms["diego"]
    for copy_index in range(4):
        app = sim.apps.find(f"web-{copy_index}")
        assert app is not None
        zones = [sim.layout.zones[node] for node, _ in sim.trace.nodes_of(app, run.now)]
        assert sorted(zones) == ["z1", "z2", "z3"]


def test_frames_count_what_the_trace_holds() -> None:
    run = finished_run(fleet_scenario())
    for name, frame in run.frames(run.now).items():
        assert frame.totals["running"] == frame.totals["instances"] == 16
        assert int(frame.running.sum()) == 16
        assert frame.totals["apps_running"] == 8
        assert frame.finished_at == run.platforms[name].finished_at
        assert frame.balance["max"] >= frame.balance["mean"] >= frame.balance["min"]


def test_apps_on_a_node_and_nodes_of_an_app_agree() -> None:
    run = finished_run(fleet_scenario(), ("diego",))
    sim = run.platforms["diego"]
    app = sim.apps.find("web-2")
    assert app is not None
    first = int(sim.apps.first_instance[app])
    nodes = sim.trace.node[first : first + int(sim.apps.instances[app])].tolist()
    for node, count in sim.trace.nodes_of(app, run.now):
        lowest = nodes.index(node)  # the app's lowest instance index on the node
        assert (app, count, lowest) in sim.trace.apps_on(node, run.now)
    assert sim.apps.find("web-9") is None
    assert sim.apps.find("nope") is None


def _as_fleet(path: Path) -> tuple[Scenario, Scenario]:
    data = json.loads(path.read_text())
    data.pop("narration", None)
    fleet = copy.deepcopy(data)
    fleet["mode"] = "fleet"
    fleet["timeline"] = [a for a in data["timeline"] if a["action"] == "push"]
    return parse_scenario(data), parse_scenario(fleet)


@pytest.mark.parametrize("name", ["cf-push", "eirini-staging-bottleneck", "auction-vs-kube-scheduler"])
def test_fleet_mode_agrees_with_the_detailed_model_on_the_built_in_pushes(name: str) -> None:
    detailed_spec, fleet_spec = _as_fleet(SCENARIOS / f"{name}.json")
    detailed = Comparison(detailed_spec)
    detailed.run()
    summaries = detailed.summary()
    fleet = finished_run(fleet_spec)
    for platform in ("diego", "eirini"):
        expected = summaries[platform]["all_running_at"]
        assert fleet.platforms[platform].finished_at == pytest.approx(expected, rel=0.15)


@pytest.mark.parametrize("platform", ["diego", "eirini"])
def test_apps_with_placement_tags_run_in_their_isolation_segment(platform: str) -> None:
    """Tagged apps on the segment's cells only, the others never there, on both platforms (the
    detailed model's rule: Diego's placement tags, Eirini's node selector and taint)."""
    cells = [
        {"name": f"shared-{zone}", "zone": zone, "memory_mb": 8192, "disk_mb": 32768, "max_containers": 40}
        for zone in ("z1", "z2")
    ] + [
        {
            "name": f"blue-{zone}",
            "zone": zone,
            "memory_mb": 8192,
            "disk_mb": 32768,
            "max_containers": 40,
            "placement_tags": ["blue"],
        }
        for zone in ("z1", "z2")
    ]
    spec = fleet_scenario(
        zones=["z1", "z2"],
        cells=cells,
        apps=[
            {"name": "web", "instances": 3, "memory_mb": 256, "copies": 3},
            {"name": "vault", "instances": 2, "memory_mb": 256, "copies": 3, "placement_tags": ["blue"]},
        ],
        timeline=[{"at": 0, "action": "push", "app": "web"}, {"at": 0, "action": "push", "app": "vault"}],
    )
    sim = finished_run(spec, (platform,)).platforms[platform]
    names = sim.layout.names
    for app in range(sim.apps.count):
        blue = sim.apps.name(app).startswith("vault")
        part = sim.trace.instances_of(app)
        landed = {names[n] for n in sim.trace.node[part].tolist()}
        staged = names[int(sim.trace.staging_node[app])]
        assert all(name.startswith("blue") == blue for name in (*landed, staged)), (
            sim.apps.name(app),
            landed,
        )
    # Why each landed where it did, as the per-item code sees it: the same segment rules.
    explain = lrp_decision if platform == "diego" else pod_decision
    for instance in range(sim.apps.instance_count):
        assert explain(sim, instance)["consistent"], instance  # type: ignore[arg-type]
