"""Eirini (2019) after the push: crashes, node drains and node failures (kubernetes-eirini.md §3.3–§3.8)."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from simulator.eirini.constants import (
    NODE_MONITOR_GRACE_PERIOD_S,
    NODE_MONITOR_PERIOD_S,
    crash_backoff,
    next_backoff_step,
)
from simulator.eirini.disruption import eviction_allowed, has_budget
from simulator.eirini.node_lifecycle import last_heartbeat, not_ready_at
from simulator.kubernetes.constants import DEFAULT_TOLERATION_SECONDS
from simulator.records import Record, dumps_log
from simulator.scenario import Action, EiriniSettings, Scenario, parse_scenario
from simulator.simulation import Simulation
from simulator.view import ViewState

PUSH = json.loads((Path(__file__).resolve().parents[2] / "scenarios" / "cf-push.json").read_text())
FAILED_AT = 103.0


def scenario(*actions: dict[str, Any], duration_s: float = 900, **app: Any) -> Scenario:
    """The push scenario without jitter, with ``actions`` after the push and ``app`` changes to web."""
    data = copy.deepcopy(PUSH)
    data["duration_s"] = duration_s
    data["timing"] = {"jitter": 0}
    data["apps"][0].update(app)
    data["timeline"] += list(actions)
    return parse_scenario(data)


@dataclasses.dataclass(frozen=True, slots=True)
class WithDisruptionBudgets(EiriniSettings):
    """The PDB option the platform reads (Eirini from 2020: minAvailable for apps of 2+ instances)."""

    pdb_min_available: int = 1


def with_budgets(spec: Scenario, min_available: int = 1) -> Scenario:
    settings = {**dataclasses.asdict(spec.eirini), "pdb_min_available": min_available}
    return dataclasses.replace(spec, eirini=WithDisruptionBudgets(**settings))


def run(spec: Scenario, until: float | None = None, seed: int | None = None) -> Simulation:
    sim = Simulation(spec, seed, platform="eirini")
    sim.run(until)
    return sim


def instance_states(sim: Simulation, instance: str, after: float = 0.0) -> list[Record]:
    return [
        r
        for r in sim.records
        if r["kind"] == "state"
        and r["entity_type"] == "instance"
        and r["entity"] == instance
        and r["t"] >= after
    ]


def messages(sim: Simulation, label_start: str, after: float = 0.0) -> list[Record]:
    return [
        r
        for r in sim.records
        if r["kind"] == "message" and r["label"].startswith(label_start) and r["t"] >= after
    ]


def serving(record: Record) -> bool:
    """An instance record of a Ready pod that is not being deleted."""
    return record["state"] == "RUNNING" and "Terminating" not in record["detail"]


def ready_pods_over_time(sim: Simulation, app: str, after: float) -> list[tuple[float, int]]:
    """How many of the app's instances are Ready after each of their records from ``after`` on."""
    ready: dict[str, bool] = {}
    counts = []
    for r in sim.records:
        if r["kind"] == "state" and r["entity_type"] == "instance" and r.get("app") == app:
            ready[r["entity"]] = serving(r)
            if r["t"] >= after:
                counts.append((r["t"], sum(ready.values())))
    return counts


# -- crashes --------------------------------------------------------------------------------------


def test_crash_loop_back_off_doubles_from_10_s_to_at_most_300_s() -> None:
    """§3.3: 10 s, 20 s, 40 s … capped at 300 s (MaxContainerBackOff)."""
    assert [crash_backoff(n) for n in range(1, 8)] == [10, 20, 40, 80, 160, 300, 300]


def test_the_back_off_starts_again_after_ten_minutes_running() -> None:
    """§3.3: the delay resets once the container ran 10 minutes."""
    assert next_backoff_step(5, ran_for_s=599) == 6
    assert next_backoff_step(5, ran_for_s=600) == 1


def test_a_crashing_app_is_restarted_in_place_after_10_20_40_80_160_300_300_s() -> None:
    """Every crash is followed, on the same node, by a restart exactly one back-off later."""
    spec = scenario(duration_s=1200, instances=1, crash={"min_s": 5, "max_s": 5})
    sim = run(spec)
    states = instance_states(sim, "web/0")
    crashes = [i for i, r in enumerate(states) if r["state"] == "CRASHED"]
    delays = [states[i + 1]["t"] - states[i]["t"] for i in crashes[:7]]
    assert delays == pytest.approx([10, 20, 40, 80, 160, 300, 300])
    assert [states[i]["crash_count"] for i in crashes[:7]] == [1, 2, 3, 4, 5, 6, 7]
    assert len({r["cell"] for r in states if r["cell"]}) == 1
    assert len({r["instance_guid"] for r in states}) == 1  # the same pod throughout


def test_a_crash_after_ten_minutes_running_waits_10_s_again() -> None:
    """Crashes at 100 s and 140 s wait 10 s then 20 s; one after 10 minutes up waits 10 s again."""
    spec = scenario(
        {"at": 100, "action": "crash", "app": "web", "index": 0},
        {"at": 140, "action": "crash", "app": "web", "index": 0},
        {"at": 900, "action": "crash", "app": "web", "index": 0},
        duration_s=1000,
    )
    sim = run(spec)
    crashed = [r for r in instance_states(sim, "web/0") if r["state"] == "CRASHED"]
    assert [r["t"] for r in crashed] == [100, 140, 900]
    assert [r["detail"].split("; ")[-1] for r in crashed] == [
        "restart 1 in 10 s",
        "restart 2 in 20 s",
        "restart 3 in 10 s",
    ]


def test_a_crash_drops_readiness_unregisters_the_route_and_reports_app_crashed_to_cloud_controller() -> None:
    """The kubelet restarts in place; Eirini's crash reporter only tells Cloud Controller (§1.9)."""
    sim = run(scenario({"at": 100, "action": "crash", "app": "web", "index": 0}, duration_s=300))
    crash = instance_states(sim, "web/0", after=100)[0]
    assert crash["state"] == "CRASHED" and crash["t"] == 100
    unregister = messages(sim, "router.unregister web.apps.example.com", after=100)[0]
    assert unregister["from"] == "route-collector"
    report = messages(sim, "POST /internal/v4/apps/", after=100)
    assert [(r["from"], r["to"]) for r in report] == [("eirini", "cc")]
    assert "AppCrashed web/0, crash count 1" in report[0]["label"]
    logs = [r["line"] for r in sim.records if r["kind"] == "log" and r["source"] == "API/0" and r["t"] >= 100]
    assert 'Process has crashed with type: "web"' in logs
    # Back to three Ready instances and routes after the restart: the run settles.
    assert sim.summary()["apps"]["web"]["routable"] == 3
    assert sim.settled_at is not None


def test_a_crash_pattern_draws_every_run_time_from_the_runs_generator() -> None:
    """After each start the app exits within [min_s, max_s]; the same seed gives the same times."""
    spec = scenario(duration_s=600, instances=1, crash={"min_s": 20, "max_s": 60})
    sim = run(spec)
    states = instance_states(sim, "web/0")
    starts = [r["t"] for r in states if r["detail"] == "Running, not Ready"]
    crashes = [r["t"] for r in states if r["state"] == "CRASHED"]
    assert len(crashes) >= 3
    for started, crashed in zip(starts, crashes, strict=False):
        assert 20 <= crashed - started <= 60
    assert sim.settled_at is None  # an app that keeps crashing never settles
    again = run(spec)
    assert dumps_log(again.records) == dumps_log(sim.records)
    other = run(spec, seed=7)
    assert [r["t"] for r in instance_states(other, "web/0") if r["state"] == "CRASHED"] != crashes


# -- kubectl drain -----------------------------------------------------------------------------


DRAINED = "cell-z2-0"  # six instances: three in zone z2 (this node), three over z1's two nodes


def drained(spec: Scenario, node: str = DRAINED) -> Simulation:
    return run(
        dataclasses.replace(spec, timeline=(*spec.timeline, Action(at=100, action="evacuate", cell=node)))
    )


def test_a_drain_cordons_the_node_then_evicts_every_pod_on_it_at_once() -> None:
    """§3.6: cordon first, then one Eviction per pod, all sent before any pod is gone."""
    sim = drained(scenario(instances=6))
    cordon = messages(sim, f"PATCH Node {DRAINED} (spec.unschedulable: true")[0]
    assert cordon["from"] == "operator" and cordon["to"] == "api-server"
    evictions = messages(sim, "POST Pod web-", after=100)
    evictions = [r for r in evictions if r["label"].endswith("/eviction")]
    assert len(evictions) == 3
    assert all(r["from"] == "operator" for r in evictions)
    first_gone = min(
        r["t"] for r in sim.records if r["kind"] == "state" and r["state"] == "REMOVED" and r["t"] >= 100
    )
    assert cordon["t"] < min(r["t"] for r in evictions)
    assert max(r["t"] for r in evictions) < first_gone
    assert f"draining {DRAINED}: 3 pods left" in [
        r["state"] for r in sim.records if r["kind"] == "state" and r["entity"] == "operator"
    ]


def test_each_evicted_instance_is_recreated_only_after_its_old_pod_is_gone_and_on_another_node() -> None:
    """§1.11: the replacement has the same name, so it can only be created once the old pod is gone."""
    sim = drained(scenario(instances=6))
    evicted = {
        r["entity"]
        for r in sim.records
        if r["kind"] == "state"
        and r["entity_type"] == "instance"
        and r["t"] >= 100
        and r["state"] == "REMOVED"
    }
    assert len(evicted) == 3
    for instance in evicted:
        states = instance_states(sim, instance, after=100)
        removed = next(r for r in states if r["state"] == "REMOVED")
        assert removed["cell"] == DRAINED
        # Every record of the new pod (another uid) comes after the old one's removal.
        replacements = [r for r in states if r["instance_guid"] != removed["instance_guid"]]
        assert replacements and all(r["seq"] > removed["seq"] for r in replacements)
        serving_again = next(r for r in states if r["seq"] > removed["seq"] and serving(r))
        assert serving_again["cell"] != DRAINED
    assert DRAINED not in sim.summary()["placements"].values()


def test_the_drained_node_reboots_then_is_uncordoned_and_schedulable_again() -> None:
    """After the last pod is gone: reboot (timing.cell_restart_s), then kubectl uncordon."""
    spec = scenario(duration_s=900)
    spec = dataclasses.replace(
        spec,
        timeline=(*spec.timeline, Action(at=400, action="scale", app="web", instances=6)),
    )
    sim = drained(spec)
    node_states = [r["state"] for r in sim.records if r["kind"] == "state" and r["entity"] == DRAINED]
    # Uncordoned only once the node is back from its reboot.
    sequence = [s for i, s in enumerate(node_states) if i == 0 or s != node_states[i - 1]]
    assert sequence == ["ok", "cordoned", "restarting", "cordoned", "ok"]
    uncordon = messages(sim, f"PATCH Node {DRAINED} (spec.unschedulable: false")[0]
    rebooted = next(
        r["t"]
        for r in sim.records
        if r["kind"] == "state" and r["entity"] == DRAINED and r["state"] == "restarting"
    )
    assert uncordon["t"] - rebooted == pytest.approx(spec.timing.cell_restart_s)
    # The scale-up after the drain may use the node again.
    later = [r for r in sim.records if r["kind"] == "decision" and r["t"] > 400]
    assert later and all(
        next(c for c in d["candidates"] if c["cell"] == DRAINED)["verdict"] == "ok" for d in later
    )
    assert sim.settled_at is not None


def drain_both_nodes_of_a_two_instance_app(min_available: int) -> Simulation:
    """Push two instances, then drain at once both nodes they run on; the third node takes them."""
    spec = scenario(instances=2)
    if min_available:
        spec = with_budgets(spec, min_available)
    sim = Simulation(spec, platform="eirini")
    sim.run(until=100)
    nodes = sorted({node or "" for node in sim.platform.placements().values()})
    assert len(nodes) == 2
    for node in nodes:
        sim.intervene(Action(at=100, action="evacuate", cell=node))
    sim.run()
    assert set(sim.platform.placements().values()).isdisjoint(nodes)
    return sim


def test_without_disruption_budgets_a_drain_can_take_every_instance_down_at_once() -> None:
    """2019: no PDBs, so both evictions go through and the app has no Ready pod for a while."""
    sim = drain_both_nodes_of_a_two_instance_app(min_available=0)
    assert min(count for _, count in ready_pods_over_time(sim, "web", after=100)) == 0
    assert not messages(sim, "429")


def test_with_disruption_budgets_an_app_with_two_instances_keeps_a_ready_pod_throughout_a_drain() -> None:
    """§3.6: an eviction that would leave fewer than minAvailable Ready pods is refused (429) and
    kubectl retries it every 5 s, so one instance always serves."""
    sim = drain_both_nodes_of_a_two_instance_app(min_available=1)
    counts = ready_pods_over_time(sim, "web", after=100)
    assert min(count for _, count in counts) >= 1
    refusals = messages(sim, "429 Too Many Requests")
    assert refusals and all(r["to"] == "operator" for r in refusals)
    retries = [r["t"] for r in messages(sim, "POST Pod web-", after=100) if r["label"].endswith("/eviction")]
    # kubectl waits 5 s after each refusal before it asks again.
    assert any(5.0 <= b - a < 5.1 for a, b in itertools.pairwise(retries))
    view = ViewState(sim.scenario, "eirini")
    view.apply_all(sim.records)
    assert view.outages == []
    assert sim.settled_at is not None


def test_disruption_budgets_allow_an_eviction_only_with_a_healthy_pod_to_spare() -> None:
    assert eviction_allowed(healthy=2, min_available=1)
    assert not eviction_allowed(healthy=1, min_available=1)
    assert not has_budget(1, replicas=1)  # Eirini gave single-instance apps no PDB
    assert has_budget(1, replicas=2) and not has_budget(0, replicas=5)


# -- node failure ---------------------------------------------------------------------------------


def failed(recover_after_s: float | None = None, duration_s: float = 900) -> Simulation:
    action: dict[str, Any] = {"at": FAILED_AT, "action": "fail", "cell": "cell-z1-0"}
    if recover_after_s is not None:
        action["recover_after_s"] = recover_after_s
    return run(scenario(action, duration_s=duration_s))


def pod_on(sim: Simulation, node: str, at: float) -> str:
    return next(
        r["entity"]
        for r in sim.records
        if r["kind"] == "state" and r["entity_type"] == "instance" and r["cell"] == node and r["t"] <= at
    )


def test_the_node_lifecycle_controller_notices_a_silent_node_40_s_after_its_last_heartbeat() -> None:
    """§3.7: heartbeats every 10 s, checks every 5 s, NotReady once 40 s passed without one."""
    assert last_heartbeat(0.0, 103.0) == 100.0
    assert not_ready_at(100.0) == 145.0  # strictly after 140 s, on the next 5 s check
    heartbeat = last_heartbeat(0.0, FAILED_AT)
    sim = failed()
    marked = messages(sim, "PATCH Node cell-z1-0 (Ready=Unknown")[0]
    assert marked["from"] == "controller-manager"
    assert marked["t"] == not_ready_at(heartbeat)
    assert (
        NODE_MONITOR_GRACE_PERIOD_S
        < marked["t"] - heartbeat
        <= NODE_MONITOR_GRACE_PERIOD_S + NODE_MONITOR_PERIOD_S
    )
    node = [
        r for r in sim.records if r["kind"] == "state" and r["entity"] == "cell-z1-0" and r["t"] >= FAILED_AT
    ]
    assert node[0]["state"] == "failed" and node[0]["t"] == FAILED_AT and node[0]["node_ready"] == "True"
    tainted = next(r for r in node if r["node_ready"] == "Unknown")
    assert tainted["taints"] == [
        "node.kubernetes.io/unreachable:NoSchedule",
        "node.kubernetes.io/unreachable:NoExecute",
    ]


def test_until_then_gorouter_keeps_the_dead_endpoint_and_then_the_pod_turns_unready_and_unrouted() -> None:
    """The API shows the pod Ready until the controller sets Ready=False; only then is it unregistered."""
    sim = failed()
    instance = pod_on(sim, "cell-z1-0", FAILED_AT)
    marked = messages(sim, "PATCH Node cell-z1-0 (Ready=Unknown")[0]["t"]
    states = instance_states(sim, instance, after=FAILED_AT)
    assert states[0]["state"] == "RUNNING" and "node down" in states[0]["detail"]
    unready = next(r for r in states if r["state"] != "RUNNING")
    assert marked <= unready["t"] < marked + 1
    unregister = messages(sim, "router.unregister", after=FAILED_AT)[0]
    assert unregister["entities"]["instance"] == instance
    assert unregister["t"] > marked
    routes = [r for r in sim.records if r["kind"] == "state" and r["entity_type"] == "route"]
    before = [r for r in routes if r["t"] < marked]
    assert any(e["instance"] == instance for e in before[-1]["endpoints"])


def test_after_the_300_s_toleration_its_pods_are_terminating_but_never_replaced() -> None:
    """§3.7 step 4 (2019): no kubelet confirms the deletion, so the StatefulSet does not recreate it."""
    sim = failed()
    instance = pod_on(sim, "cell-z1-0", FAILED_AT)
    marked = messages(sim, "PATCH Node cell-z1-0 (Ready=Unknown")[0]["t"]
    deletion = messages(sim, "DELETE Pod web-", after=FAILED_AT)[0]
    assert deletion["from"] == "controller-manager" and "taint manager" in deletion["label"]
    assert deletion["t"] == marked + DEFAULT_TOLERATION_SECONDS  # +342 s after the failure
    states = instance_states(sim, instance, after=FAILED_AT)
    assert "Terminating" in states[-1]["detail"] and states[-1]["cell"] == "cell-z1-0"
    assert len({r["instance_guid"] for r in states}) == 1  # no replacement, to the end
    assert sim.now == sim.scenario.duration_s and sim.settled_at is None
    assert sim.summary()["apps"]["web"]["routable"] == 2


def test_when_the_node_returns_its_terminating_pods_go_and_their_statefulset_recreates_them() -> None:
    sim = failed(recover_after_s=500)
    instance = pod_on(sim, "cell-z1-0", FAILED_AT)
    back = FAILED_AT + 500
    confirm = messages(sim, "DELETE Pod web-", after=back)[0]
    assert confirm["from"] == "kubelet@cell-z1-0" and confirm["t"] == back
    states = instance_states(sim, instance, after=back)
    assert states[0]["state"] == "REMOVED"
    assert serving(states[-1]) and states[-1]["instance_guid"] != states[0]["instance_guid"]
    untaint = messages(sim, "PATCH Node cell-z1-0 (Ready=True", after=back)[0]
    assert untaint["from"] == "controller-manager"
    assert sim.summary()["apps"]["web"]["routable"] == 3
    assert sim.settled_at is not None


def test_a_node_back_within_the_grace_period_restarts_its_pods_in_place() -> None:
    """Never marked NotReady: the kubelet starts the same pod again, with a new IP."""
    sim = failed(recover_after_s=20)
    instance = pod_on(sim, "cell-z1-0", FAILED_AT)
    assert not messages(sim, "PATCH Node cell-z1-0 (Ready=Unknown")
    states = instance_states(sim, instance, after=FAILED_AT)
    assert len({r["instance_guid"] for r in states}) == 1
    assert serving(states[-1]) and states[-1]["cell"] == "cell-z1-0"
    assert states[-1]["address"] != states[0]["address"]
    assert sim.settled_at is not None


def test_node_failures_and_drains_are_deterministic() -> None:
    spec = scenario(
        {"at": 90, "action": "crash", "app": "web", "index": 1},
        {"at": 100, "action": "evacuate", "cell": "cell-z1-1"},
        {"at": 120, "action": "fail", "cell": "cell-z2-0", "recover_after_s": 400},
    )
    spec = dataclasses.replace(spec, timing=dataclasses.replace(spec.timing, jitter=0.1))
    assert dumps_log(run(spec, seed=3).records) == dumps_log(run(spec, seed=3).records)


def test_a_staging_pod_stuck_on_a_dead_node_is_replaced_by_its_job_once_it_is_terminating() -> None:
    """Unlike a StatefulSet, a Job counts a terminating pod as gone and makes another (§3.7 step 4)."""
    sim = Simulation(scenario(), platform="eirini")
    sim.run(until=15)
    staging = next(r for r in sim.records if r["kind"] == "decision" and r["work"] == "task:staging-web")
    node = staging["winner"]
    sim.intervene(Action(at=15, action="fail", cell=node))
    sim.run()
    placements = [r for r in sim.records if r["kind"] == "decision" and r["work"] == "task:staging-web"]
    marked = messages(sim, f"PATCH Node {node} (Ready=Unknown")[0]["t"]
    assert len(placements) == 2
    assert placements[1]["t"] > marked + DEFAULT_TOLERATION_SECONDS
    assert placements[1]["winner"] != node
    assert sim.summary()["apps"]["web"]["state"] == "RUNNING"
    assert node not in sim.summary()["placements"].values()
