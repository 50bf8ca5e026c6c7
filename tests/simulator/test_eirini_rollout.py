"""A new rootfs on Eirini (2019): helm upgrade, the rootfs patcher and StatefulSet rolling updates
(kubernetes-eirini.md §1.10, §3.5)."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
from pathlib import Path
from typing import Any

from simulator.eirini.constants import DEFAULT_ROOTFS_VERSION
from simulator.eirini.rolling_update import DELETE, DONE, WAIT, OrdinalState, rolling_update_step
from simulator.records import Record, dumps_log
from simulator.scenario import Action, CrashPattern, Scenario, parse_scenario
from simulator.simulation import Simulation
from simulator.view import ViewState

PUSH = json.loads((Path(__file__).resolve().parents[2] / "scenarios" / "cf-push.json").read_text())
NEW = "v76.0.0"
ROLLOUT_AT = 100.0


def scenario(*apps: dict[str, Any], max_in_flight: int = 1, jitter: float = 0.0) -> Scenario:
    """The push scenario's cluster and ``apps`` (web by default), then a rollout of ``NEW`` at 100 s."""
    data = copy.deepcopy(PUSH)
    data["timing"] = {"jitter": jitter}
    if apps:
        data["apps"] = [dict(PUSH["apps"][0], route=f"{a['name']}.example.com", **a) for a in apps]
    data["timeline"] = [{"at": 1, "action": "push", "app": a["name"]} for a in data["apps"]]
    data["timeline"].append(
        {"at": ROLLOUT_AT, "action": "rootfs", "version": NEW, "max_in_flight": max_in_flight}
    )
    return parse_scenario(data)


def run(spec: Scenario, seed: int | None = None) -> Simulation:
    sim = Simulation(spec, seed, platform="eirini")
    sim.run()
    return sim


def messages(sim: Simulation, label_start: str, after: float = 0.0) -> list[Record]:
    return [
        r
        for r in sim.records
        if r["kind"] == "message" and r["label"].startswith(label_start) and r["t"] >= after
    ]


def instance_states(sim: Simulation, instance: str, after: float = ROLLOUT_AT) -> list[Record]:
    return [
        r
        for r in sim.records
        if r["kind"] == "state"
        and r["entity_type"] == "instance"
        and r["entity"] == instance
        and r["t"] >= after
    ]


def serving(record: Record) -> bool:
    return record["state"] == "RUNNING" and "Terminating" not in record["detail"]


def roll_of(sim: Simulation, instance: str) -> tuple[float, float]:
    """When the instance's old pod was deleted, and when its new pod was next Ready."""
    states = instance_states(sim, instance)
    deleted = next(r for r in states if "Terminating" in r["detail"])
    ready = next(r for r in states if r["seq"] > deleted["seq"] and serving(r))
    return deleted["t"], ready["t"]


# -- the decision, by hand ------------------------------------------------------------------------


def test_a_rolling_update_deletes_the_highest_old_ordinal_first() -> None:
    """§3.5: walk down from the highest ordinal; the first old pod not terminating is deleted."""
    pods = {0: OrdinalState(1), 1: OrdinalState(1), 2: OrdinalState(1)}
    assert rolling_update_step(pods, replicas=3, update_revision=2) == (DELETE, 2)


def test_a_rolling_update_waits_for_the_new_pod_to_be_running_and_ready() -> None:
    """One pod down at a time: terminating, missing or unready at the target ordinal means wait."""
    terminating = {0: OrdinalState(1), 1: OrdinalState(1), 2: OrdinalState(1, terminating=True)}
    assert rolling_update_step(terminating, 3, 2) == (WAIT, 2)
    assert rolling_update_step({0: OrdinalState(1), 1: OrdinalState(1)}, 3, 2) == (WAIT, 2)
    unready = {0: OrdinalState(1), 1: OrdinalState(1), 2: OrdinalState(2, healthy=False)}
    assert rolling_update_step(unready, 3, 2) == (WAIT, 2)
    ready = {0: OrdinalState(1), 1: OrdinalState(1), 2: OrdinalState(2)}
    assert rolling_update_step(ready, 3, 2) == (DELETE, 1)
    assert rolling_update_step({i: OrdinalState(2) for i in range(3)}, 3, 2) == (DONE, None)


# -- the rollout ----------------------------------------------------------------------------------


def test_the_patcher_waits_for_bits_service_then_relabels_every_statefulset_one_after_another() -> None:
    """§1.10: helm upgrade; bits-waiter polls every 1 s until bits is Ready; then one PUT per set."""
    spec = scenario({"name": "web"}, {"name": "api"}, {"name": "worker"})
    sim = run(spec)
    upgrade = messages(sim, "helm upgrade eirini")[0]
    assert upgrade["from"] == "operator" and upgrade["t"] == ROLLOUT_AT
    polls = messages(sim, "GET Deployment bits")
    assert len(polls) > 1 and all(r["from"] == "rootfs-patcher" for r in polls)
    assert [b["t"] - a["t"] for a, b in itertools.pairwise(polls)] == [1.0] * (len(polls) - 1)
    puts = messages(sim, "PUT StatefulSet")
    assert [r["label"].split()[2].rsplit("-", 1)[0] for r in puts] == ["api", "web", "worker"]
    assert puts[0]["t"] >= polls[-1]["t"]
    replies = messages(sim, "200 StatefulSet")
    for put, reply, following in zip(puts, replies, [*puts[1:], None], strict=True):
        assert put["t"] < reply["t"]
        if following is not None:
            assert reply["t"] <= following["t"]  # sequential: the next only after the answer
    statuses = [r["state"] for r in sim.records if r["kind"] == "state" and r["entity"] == "rootfs-patcher"]
    assert "relabelling 2/3 StatefulSets" in statuses
    assert statuses[-1].startswith("done: relabelled 3/3 StatefulSets")


def test_each_statefulset_rolls_its_pods_highest_ordinal_first_one_at_a_time() -> None:
    """The next ordinal is deleted only once the previous one's new pod is Running and Ready."""
    sim = run(scenario())
    rolls = [roll_of(sim, f"web/{index}") for index in (2, 1, 0)]
    deletions = [deleted for deleted, _ in rolls]
    assert deletions == sorted(deletions)
    for (_, ready), (next_deleted, _) in itertools.pairwise(rolls):
        assert next_deleted >= ready
    deletes = [
        r for r in messages(sim, "DELETE Pod web-", after=ROLLOUT_AT) if "rolling update" in r["label"]
    ]
    assert [r["label"].split()[2].rsplit("-", 1)[1] for r in deletes] == ["2", "1", "0"]
    assert all(r["from"] == "controller-manager" for r in deletes)
    assert sim.settled_at is not None and sim.settled_at > rolls[-1][1]


def test_every_instance_is_down_from_its_deletion_until_its_new_pod_is_ready() -> None:
    """Unlike Diego's evacuation, a StatefulSet deletes first and recreates after: an outage per instance."""
    sim = run(scenario())
    for index in range(3):
        deleted, ready = roll_of(sim, f"web/{index}")
        between = [r for r in instance_states(sim, f"web/{index}") if deleted <= r["t"] < ready]
        assert between and not any(serving(r) for r in between)
        # At least graceful stop, scheduling, the new rootfs pull, start and a readiness probe.
        assert ready - deleted > 10.0
        # gorouter's table from a second after the deletion (the unregister's trip) to the Readiness.
        routes = [r for r in sim.records if r["kind"] == "state" and r["entity_type"] == "route"]
        unrouted_by = deleted + 1.0
        tables = [r for r in routes if r["t"] <= unrouted_by][-1:] + [
            r for r in routes if unrouted_by < r["t"] < ready
        ]
        assert all(e["instance"] != f"web/{index}" for table in tables for e in table["endpoints"])


def test_an_app_with_one_instance_is_unavailable_while_it_rolls() -> None:
    """No second instance to serve: the roll is a full outage (Diego evacuates first; it would not be)."""
    sim = run(scenario({"name": "web", "instances": 1}))
    deleted, ready = roll_of(sim, "web/0")
    view = ViewState(sim.scenario, "eirini")
    view.apply_all(sim.records)
    assert len(view.outages) == 1
    app, start, end = view.outages[0]
    assert app == "web" and deleted <= start < deleted + 1 and ready <= end < ready + 1
    assert view.metrics["longest_outage_s"] > 10.0


def test_every_node_pulls_the_new_rootfs_once_and_new_pods_run_it() -> None:
    """A new eirinifs digest: the first new pod per node downloads it; old pods kept the old one."""
    sim = run(scenario({"name": "web", "instances": 6}))
    pulls = messages(sim, f"GET blob eirinifs:{NEW}")
    clients = [r["from"] for r in pulls]
    assert len(clients) == len(set(clients)) == 3  # runtime@<node>, once per node
    final = {r["entity"]: r for r in sim.records if r["kind"] == "state" and r["entity_type"] == "instance"}
    assert {r["rootfs"] for r in final.values()} == {NEW}
    first = [
        r for r in sim.records if r["kind"] == "state" and r["entity_type"] == "instance" and r["t"] < 90
    ]
    assert {r["rootfs"] for r in first if r["rootfs"]} == {DEFAULT_ROOTFS_VERSION}


def test_different_statefulsets_roll_at_the_same_time() -> None:
    """§1.10 step 3: each set rolls on its own; the controller reconciles several at once."""
    sim = run(scenario({"name": "web", "instances": 2}, {"name": "api", "instances": 2}))
    web = (roll_of(sim, "web/1")[0], roll_of(sim, "web/0")[1])
    api = (roll_of(sim, "api/1")[0], roll_of(sim, "api/0")[1])
    assert web[0] < api[1] and api[0] < web[1]


def test_a_new_pod_that_never_becomes_ready_halts_its_sets_rollout() -> None:
    """§3.5: the crash-looping new revision blocks the lower ordinals, which keep the old rootfs."""
    spec = scenario()
    spec = dataclasses.replace(spec, duration_s=600, timeline=spec.timeline[:1])
    sim = Simulation(spec, platform="eirini")
    sim.run(until=ROLLOUT_AT)
    # The app cannot run on the new rootfs: every container started from now on exits after 1 s.
    app = sim.platform.apps["web"]
    app.spec = dataclasses.replace(app.spec, crash=CrashPattern(1.0, 1.0))
    sim.intervene(Action(at=ROLLOUT_AT, action="rootfs", version=NEW))
    sim.run()
    new_pod = instance_states(sim, "web/2")
    assert any(r["state"] == "CRASHED" and r["rootfs"] == NEW for r in new_pod)
    assert not any(serving(r) for r in new_pod if r["rootfs"] == NEW)
    for index in (0, 1):
        assert not any("Terminating" in r["detail"] for r in instance_states(sim, f"web/{index}"))
    final = {r["entity"]: r for r in sim.records if r["kind"] == "state" and r["entity_type"] == "instance"}
    assert [final[f"web/{i}"]["rootfs"] for i in range(3)] == [
        DEFAULT_ROOTFS_VERSION,
        DEFAULT_ROOTFS_VERSION,
        NEW,
    ]
    statuses = [
        r["state"] for r in sim.records if r["kind"] == "state" and r["entity"] == "controller-manager"
    ]
    assert statuses[-1].endswith("waiting for web/2 to be Running and Ready")
    assert sim.settled_at is None


def test_rolling_out_the_version_already_running_restarts_nothing() -> None:
    """The label does not change, so there is no new revision and no pod is deleted."""
    data = copy.deepcopy(PUSH)
    data["timeline"].append({"at": ROLLOUT_AT, "action": "rootfs", "version": DEFAULT_ROOTFS_VERSION})
    sim = run(parse_scenario(data))
    assert messages(sim, "PUT StatefulSet")
    assert not messages(sim, "DELETE Pod web-", after=ROLLOUT_AT)
    assert sim.settled_at is not None


def test_max_in_flight_changes_nothing_on_kubernetes() -> None:
    """BOSH's max_in_flight has no counterpart: every set rolls one pod at a time regardless."""
    assert dumps_log(run(scenario(max_in_flight=1)).records) == dumps_log(
        run(scenario(max_in_flight=3)).records
    )


def test_rollouts_are_deterministic() -> None:
    spec = scenario({"name": "web", "instances": 3}, {"name": "api", "instances": 2}, jitter=0.1)
    assert dumps_log(run(spec, seed=11).records) == dumps_log(run(spec, seed=11).records)
