"""Diego after the push: crashes, evacuation, rootfs rollouts and cell failures (diego.md §3, §4)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from simulator.diego.constants import CONVERGENCE_INTERVAL_S, PRESENCE_TTL_S
from simulator.diego.restart import next_crash_count, restart_delay
from simulator.records import Record
from simulator.scenario import parse_scenario
from simulator.simulation import Simulation
from simulator.view import ViewState

PUSH = json.loads((Path(__file__).resolve().parents[2] / "scenarios" / "cf-push.json").read_text())


def run(*actions: dict[str, Any], **changes: Any) -> tuple[Simulation, ViewState]:
    data = copy.deepcopy(PUSH)
    data["timeline"] += list(actions)
    data.update(changes)
    spec = parse_scenario(data)
    sim = Simulation(spec, platform="diego")
    view = ViewState(spec, "diego")
    view.apply_all(sim.run())
    return sim, view


def route_changes(sim: Simulation, after: float) -> list[Record]:
    return [
        r for r in sim.records if r["kind"] == "state" and r["entity_type"] == "route" and r["t"] >= after
    ]


@pytest.mark.parametrize(
    ("crash_count", "delay"),
    [(1, 0.0), (2, 0.0), (3, 30.0), (4, 60.0), (5, 120.0), (6, 240.0), (7, 480.0), (8, 960.0), (199, 960.0)],
)
def test_crashed_instances_restart_on_diegos_back_off_schedule(crash_count: int, delay: float) -> None:
    """diego.md §3.3: counts 1–2 restart at once, then 30 s doubling to 16 min."""
    assert restart_delay(crash_count) == delay


def test_diego_gives_up_after_two_hundred_crashes_and_forgives_after_five_minutes_running() -> None:
    assert restart_delay(200) is None
    assert next_crash_count(7, was_running=True, running_for=301) == 1
    assert next_crash_count(7, was_running=True, running_for=299) == 8


def test_evacuation_keeps_an_app_with_three_instances_routable_throughout() -> None:
    """The old instance stays routed until its replacement runs: no moment without endpoints."""
    sim, view = run({"at": 60, "action": "evacuate", "cell": "cell-z1-0"})
    changes = route_changes(sim, 60)
    assert changes, "the route must move"
    assert min(len(r["endpoints"]) for r in changes) >= 3
    # For a moment both the evacuating instance and its replacement are registered.
    assert max(len(r["endpoints"]) for r in changes) == 4
    assert view.outages == []
    assert view.metrics["below_desired_s"] == 0.0
    assert "cell-z1-0" not in sim.summary()["placements"].values()


def test_an_evacuating_cell_takes_no_new_work_and_rejoins_after_its_restart() -> None:
    sim, _ = run({"at": 60, "action": "evacuate", "cell": "cell-z1-0"})
    decisions = [r for r in sim.records if r["kind"] == "decision" and r["t"] > 60]
    assert decisions and all("cell-z1-0" not in {c["cell"] for c in d["candidates"]} for d in decisions)
    states = [
        r["state"]
        for r in sim.records
        if r["kind"] == "state" and r["entity"] == "cell-z1-0" and r["t"] >= 60
    ]
    assert states[0] == "evacuating" and "restarting" in states and states[-1] == "ok"


def test_an_app_with_two_instances_stays_routable_through_a_whole_rootfs_rollout() -> None:
    """BOSH rolls the cells one at a time, each by evacuation (talk.md §6)."""
    data_app = dict(PUSH["apps"][0], instances=2)
    sim, view = run({"at": 60, "action": "rootfs", "version": "cflinuxfs4 1.99"}, apps=[data_app])
    cell_versions = {
        r["entity"]: r["rootfs"] for r in sim.records if r["kind"] == "state" and r["entity_type"] == "cell"
    }
    assert set(cell_versions.values()) == {"cflinuxfs4 1.99"}
    restarting = [
        r
        for r in sim.records
        if r["kind"] == "state" and r["entity_type"] == "cell" and r["state"] == "restarting"
    ]
    # One cell at a time: a cell starts restarting only after the previous one is back.
    starts = [
        r["t"]
        for r in restarting
        if not any(p["entity"] == r["entity"] and p["t"] < r["t"] for p in restarting)
    ]
    assert starts == sorted(starts) and len(starts) == 3
    assert view.outages == []
    assert min(len(r["endpoints"]) for r in route_changes(sim, 60)) >= 1


def test_a_failed_cell_is_noticed_when_its_presence_expires_and_replaced_by_convergence() -> None:
    """Presence expires after 15 s; the next 30 s convergence pass makes the instance SUSPECT and
    auctions a replacement; the replacement running deletes the suspect (§4.3)."""
    sim, view = run({"at": 60, "action": "fail", "cell": "cell-z1-0"}, duration_s=300)
    states = [r for r in sim.records if r["kind"] == "state"]
    expired = next(r["t"] for r in states if r["entity"] == "cell-z1-0" and r["t"] > 60)
    assert expired == pytest.approx(60 + PRESENCE_TTL_S)
    suspect = next(r for r in states if r["entity"] == "web/0 (suspect)")
    assert expired <= suspect["t"] <= expired + CONVERGENCE_INTERVAL_S + 1
    replaced = next(r for r in states if r["entity"] == "web/0" and r["state"] == "RUNNING" and r["t"] > 60)
    removed = next(r for r in states if r["entity"] == "web/0 (suspect)" and r["state"] == "REMOVED")
    assert removed["t"] == replaced["t"]
    assert sim.summary()["placements"]["web/0"] != "cell-z1-0"
    # Two instances kept serving: below desired, never unavailable.
    assert view.outages == []
    assert view.metrics["below_desired_s"] == pytest.approx(replaced["t"] - 60, abs=0.1)


def test_crashing_the_only_instance_is_an_outage_until_its_restart_runs() -> None:
    _sim, view = run(
        {"at": 60, "action": "scale", "app": "web", "instances": 1},
        {"at": 80, "action": "crash", "app": "web", "index": 0},
    )
    assert [o[0] for o in view.outages] == ["web"]
    start, end = view.outages[0][1], view.outages[0][2]
    assert start == pytest.approx(80, abs=0.1)
    assert end is not None and end > start
    assert view.metrics["longest_outage_s"] == pytest.approx(end - start)
    crash = next(c for c in view.metrics["convergence"] if c["action"] == "crash web/0")
    assert crash["converged_at"] >= end


def test_an_app_with_a_crash_pattern_keeps_crashing_and_the_run_goes_on() -> None:
    app = dict(PUSH["apps"][0], crash={"min_s": 20, "max_s": 40})
    sim, _ = run(apps=[app], duration_s=200)
    crashes = [r for r in sim.records if r["kind"] == "log" and r["line"].startswith("Exit status 1")]
    assert len(crashes) >= 4
    assert sim.settled_at is None
    assert sim.now == 200
