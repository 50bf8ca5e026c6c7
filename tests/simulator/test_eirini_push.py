"""cf push on Eirini (2019): staging Job, StatefulSet, kube-scheduler, kubelet pulls, probes, routes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from simulator.eirini.constants import PROBE_PERIOD_S
from simulator.records import Record, dumps_log
from simulator.scenario import parse_scenario
from simulator.simulation import Simulation

PUSH = json.loads((Path(__file__).resolve().parents[2] / "scenarios" / "cf-push.json").read_text())


def scenario(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(PUSH)
    for key, value in changes.items():
        data[key] = value
    return data


def run(data: dict[str, Any] | None = None, seed: int | None = None) -> Simulation:
    sim = Simulation(parse_scenario(data or PUSH), seed, platform="eirini")
    sim.run()
    return sim


def first(sim: Simulation, label_start: str) -> Record:
    return next(r for r in sim.records if r["kind"] == "message" and r["label"].startswith(label_start))


def test_the_push_goes_through_eirini_the_api_server_and_kube_scheduler_in_order() -> None:
    """CC → Eirini → Job → pod → scheduler → bind → kubelet; then StatefulSet → pods → routes."""
    sim = run()
    order = [
        first(sim, "POST /stage/staging-web"),
        first(sim, "POST Job staging-web"),
        first(sim, "POST Pod staging-web-"),
        first(sim, "watch: Pod staging-web-"),
        first(sim, "PUT droplet"),
        first(sim, "PUT /stage/staging-web/completed"),
        first(sim, "POST /internal/v3/staging/staging-web/build_completed"),
        first(sim, "PUT /apps/"),
        first(sim, "POST StatefulSet web-"),
        first(sim, "POST Pod web-"),
        first(sim, "GET manifest cloudfoundry/"),
        first(sim, "GET blob eirinifs"),
        first(sim, "PATCH Pod web-"),
        first(sim, "router.register web.apps.example.com"),
    ]
    assert [r["seq"] for r in order] == sorted(r["seq"] for r in order)
    assert first(sim, "POST /stage/staging-web")["to"] == "eirini"
    assert first(sim, "router.register web.apps.example.com")["from"] == "route-collector"


def test_every_instance_becomes_ready_and_routable_on_its_own_node() -> None:
    """The StatefulSet's default spreading puts its three pods on three nodes."""
    sim = run()
    summary = sim.summary()
    assert summary["apps"]["web"]["state"] == "RUNNING"
    assert summary["apps"]["web"]["routable"] == 3
    assert sorted(summary["placements"]) == ["web/0", "web/1", "web/2"]
    assert len(set(summary["placements"].values())) == 3


def test_each_pod_placement_is_a_decision_in_the_same_shape_as_diegos() -> None:
    sim = run()
    decisions = [r for r in sim.records if r["kind"] == "decision"]
    assert [d["work"] for d in decisions] == ["task:staging-web", "web/0", "web/1", "web/2"]
    for decision in decisions:
        assert {"work", "winner", "error", "candidates", "tied", "zone_counts"} <= set(decision)
        assert {c["cell"] for c in decision["candidates"]} == {"cell-z1-0", "cell-z1-1", "cell-z2-0"}
        assert decision["mode"] == "legacy-2019"
    placements = sim.summary()["placements"]
    assert {d["work"]: d["winner"] for d in decisions[1:]} == placements


def test_readiness_is_seen_on_the_first_probe_after_the_app_listens() -> None:
    """Readiness is probed every 10 s from the container's start: a 5 s boot is Ready at 10 s."""
    sim = run(scenario(timing={"jitter": 0}))
    for index in range(3):
        states = [r for r in sim.records if r["kind"] == "state" and r["entity"] == f"web/{index}"]
        started = next(r["t"] for r in states if r["detail"] == "Running, not Ready")
        ready = next(r["t"] for r in states if r["state"] == "RUNNING")
        assert round(ready - started, 6) == PROBE_PERIOD_S


def test_the_shared_rootfs_layer_is_pulled_once_per_node() -> None:
    """Two instances on one node: the second pulls no eirinifs layer, only the manifest."""
    data = scenario(cells=[PUSH["cells"][0]], zones=["z1"])
    data["apps"][0]["instances"] = 2
    sim = run(data)
    pulls = [r for r in sim.records if r["kind"] == "message" and r["label"].startswith("GET blob eirinifs")]
    manifests = [r for r in sim.records if r["kind"] == "message" and r["label"].startswith("GET manifest")]
    assert len(pulls) == 1
    assert len(manifests) == 2  # imagePullPolicy: Always asks for the manifest on every start


def test_staging_and_pulls_queue_at_bits_service_as_parallel_pushes_grow() -> None:
    """Every droplet upload and image pull is a bits-service request: N pushes wait on each other."""
    base = scenario(timing={"jitter": 0})
    base["cells"] = [dict(c, memory_mb=65536) for c in PUSH["cells"]]
    base.pop("narration", None)  # the push's story is about its one app
    app = PUSH["apps"][0]

    def parallel_pushes(count: int) -> Simulation:
        data = copy.deepcopy(base)
        data["apps"] = [
            dict(app, name=f"app{i}", route=f"app{i}.example.com", instances=1) for i in range(count)
        ]
        data["timeline"] = [{"at": 1, "action": "push", "app": f"app{i}"} for i in range(count)]
        return run(data)

    def slowest(sim: Simulation) -> float:
        return max(a["time_to_all_running"] for a in sim.summary()["apps"].values())

    one, six, twelve = parallel_pushes(1), parallel_pushes(6), parallel_pushes(12)
    assert slowest(one) < slowest(six) < slowest(twelve)
    # At least the eleven other droplet uploads, four at a time, stand before the last one.
    settings = parse_scenario(base).eirini
    upload_s = app["droplet_mb"] / settings.registry_bandwidth_mb_s
    assert slowest(twelve) - slowest(one) >= 11 * upload_s / settings.registry_concurrency
    registry = twelve.platform.registry  # type: ignore[attr-defined]
    assert registry.longest_wait_s > 0


def test_an_app_that_never_listens_goes_into_crash_loop_back_off_in_place() -> None:
    """Liveness fails 4 times after the timeout; the kubelet restarts it on the same node, 10 s then 20 s later."""
    data = scenario(duration_s=400)
    data["apps"][0]["boot_s"] = 1000
    data["apps"][0]["instances"] = 1
    data["apps"][0]["health_check"] = {"type": "port", "timeout_s": 30}
    sim = run(data)
    states = [r for r in sim.records if r["kind"] == "state" and r["entity"] == "web/0"]
    crashes = [r for r in states if r["state"] == "CRASHED"]
    assert crashes[0]["crash_count"] == 1 and "restart 1 in 10 s" in crashes[0]["detail"]
    assert crashes[1]["crash_count"] == 2 and "restart 2 in 20 s" in crashes[1]["detail"]
    assert {r["cell"] for r in states if r["cell"]} == {crashes[0]["cell"]}
    assert sim.summary()["apps"]["web"]["routable"] == 0


def test_eirini_runs_are_deterministic_too() -> None:
    a, b = run(seed=5), run(seed=5)
    assert dumps_log(a.records) == dumps_log(b.records)


def test_placement_tags_keep_pods_on_their_isolation_segment_as_on_diego() -> None:
    """Tags become labels/taints and selectors/tolerations: the same cells as Diego's rule allows."""
    data = scenario()
    data["cells"] = [dict(c) for c in PUSH["cells"]]
    data["cells"][2]["placement_tags"] = ["gpu"]
    data["apps"][0]["placement_tags"] = ["gpu"]
    tagged = run(data)
    assert set(tagged.summary()["placements"].values()) == {"cell-z2-0"}

    untagged = copy.deepcopy(data)
    untagged["apps"][0]["placement_tags"] = []
    sim = run(untagged)
    assert "cell-z2-0" not in set(sim.summary()["placements"].values())
    decision = next(r for r in sim.records if r["kind"] == "decision" and r["work"] == "web/0")
    row = next(c for c in decision["candidates"] if c["cell"] == "cell-z2-0")
    assert row["verdict"] != "ok"
    assert "taint" in row["reason"]
