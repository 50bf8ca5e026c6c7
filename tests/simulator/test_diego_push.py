"""cf push on Diego end to end: staging, placement, start-up, routing and the failure paths."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

from simulator.diego.constants import ERROR_ROOTFS, HEALTH_CHECK_INTERVAL_S, STALE_UNCLAIMED_S
from simulator.records import Record
from simulator.scenario import parse_scenario
from simulator.simulation import Simulation

PUSH = json.loads((Path(__file__).resolve().parents[2] / "scenarios" / "cf-push.json").read_text())


def run(**changes: Any) -> Simulation:
    data = copy.deepcopy(PUSH)
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    sim = Simulation(parse_scenario(data))
    sim.run()
    return sim


def messages(sim: Simulation, label_start: str) -> list[Record]:
    return [r for r in sim.records if r["kind"] == "message" and r["label"].startswith(label_start)]


def first(sim: Simulation, label_start: str) -> Record:
    return messages(sim, label_start)[0]


def test_the_push_goes_through_uaa_cloud_controller_staging_and_the_auction_in_order() -> None:
    """The talk's sequence: login, create, upload, stage as a Task, then desire the LRP."""
    sim = run()
    order = [
        first(sim, "POST /oauth/token"),
        first(sim, "POST /v3/apps"),
        first(sim, "POST /v3/packages/upload"),
        first(sim, "PUT /cc-packages/"),
        first(sim, "POST /v3/builds"),
        first(sim, "DesireTask staging-web"),
        first(sim, "RequestTaskAuctions"),
        first(sim, "StartTask staging-web"),
        first(sim, "GET /cc-packages/"),
        first(sim, "PUT /droplets/"),
        first(sim, "CompleteTask staging-web"),
        first(sim, "POST /internal/v3/staging/"),
        first(sim, "DesireLRP web (3 instances"),
        first(sim, "RequestLRPAuctions web [0, 1, 2]"),
        first(sim, "ClaimActualLRP web/"),
        first(sim, "GET /droplets/"),
        first(sim, "StartActualLRP web/"),
        first(sim, "router.register web.apps.example.com"),
    ]
    assert [r["seq"] for r in order] == sorted(r["seq"] for r in order)
    assert [(r["from"], r["to"]) for r in order[:2]] == [("cf", "uaa"), ("cf", "cc")]
    assert first(sim, "POST /internal/v3/staging/")["from"] == "bbs"
    assert first(sim, "POST /internal/v3/staging/")["to"] == "cc"


def test_every_instance_runs_on_its_own_cell_balanced_across_zones_and_is_routed() -> None:
    """Three instances on three cells in two zones: AZ balancing then locality spread them out."""
    sim = run()
    summary = sim.summary()
    assert summary["apps"]["web"]["state"] == "RUNNING"
    assert summary["apps"]["web"]["routable"] == 3
    cells = list(summary["placements"].values())
    assert len(set(cells)) == 3
    zones = {c.name: c.zone for c in sim.scenario.cells}
    assert {zones[summary["placements"]["web/0"]], zones[summary["placements"]["web/1"]]} == {"z1", "z2"}
    routes = [r for r in sim.records if r["kind"] == "state" and r["entity_type"] == "route"]
    assert len(routes[-1]["endpoints"]) == 3


def test_every_placement_is_explained_by_a_decision_naming_its_winner() -> None:
    """One decision per placed item; its winner is where the instance actually runs."""
    sim = run()
    decisions = {r["work"]: r for r in sim.records if r["kind"] == "decision"}
    assert sorted(decisions) == ["task:staging-web", "web/0", "web/1", "web/2"]
    for key, lrp in sim.platform.actual.items():
        decision = decisions[key]
        assert decision["winner"] == lrp.cell
        winner_rows = [c for c in decision["candidates"] if c["cell"] == lrp.cell]
        assert winner_rows[0]["verdict"] == "ok"


def test_the_health_check_runs_every_two_seconds_until_the_app_has_booted() -> None:
    """An app that boots in 5 s passes its third check, 6 s after the process started."""
    sim = run(apps__0__boot_s=5, timing={"jitter": 0})
    checks = [r for r in messages(sim, "health check #") if r["entities"]["instance"] == "web/0"]
    assert [c["label"].split()[2] for c in checks] == ["#1", "#2", "#3"]
    gaps = [round(b["t"] - a["t"], 6) for a, b in itertools.pairwise(checks)]
    assert gaps == [HEALTH_CHECK_INTERVAL_S, HEALTH_CHECK_INTERVAL_S]


def test_an_app_that_never_becomes_healthy_crashes_and_restarts_by_diegos_policy() -> None:
    """Boot time beyond the health-check timeout: crashes 1 and 2 restart at once, the 3rd waits 30 s."""
    sim = run(apps__0__boot_s=500, apps__0__instances=1, duration_s=400)
    crashes = [
        r
        for r in sim.records
        if r["kind"] == "state"
        and r["entity"] == "web/0"
        and r["crash_count"] > 0
        and "crashed (" in r["detail"]
    ]
    assert [c["crash_count"] for c in crashes[:3]] == [1, 2, 3]
    assert [c["state"] for c in crashes[:3]] == ["UNCLAIMED", "UNCLAIMED", "CRASHED"]
    assert "restart after 30 s" in crashes[2]["detail"]
    assert any("health check never passed" in r.get("line", "") for r in sim.records if r["kind"] == "log")
    assert sim.summary()["apps"]["web"]["routable"] == 0


def test_staging_fails_after_four_placements_when_no_cell_has_the_stack() -> None:
    """The task is rejected with the rootfs error, retried by convergence, and failed on the 4th."""
    sim = run(apps__0__stack="cflinuxfs3")
    decisions = [r for r in sim.records if r["kind"] == "decision"]
    assert [d["error"] for d in decisions] == [ERROR_ROOTFS] * 4
    assert sim.summary()["apps"]["web"]["state"] == "STAGING_FAILED"
    assert any(r["kind"] == "log" and r["line"] == f"Staging failed: {ERROR_ROOTFS}" for r in sim.records)


def test_an_instance_that_fits_nowhere_keeps_its_error_and_is_retried_by_convergence() -> None:
    """FailActualLRP leaves it UNCLAIMED; it is auctioned again once stale (30 s)."""
    sim = run(apps__0__memory_mb=12000, apps__0__instances=4, duration_s=100)
    failures = [r for r in sim.records if r["kind"] == "decision" and r["work"] == "web/3"]
    assert [f["error"] for f in failures] == ["insufficient resources: memory"] * 2
    assert failures[1]["t"] - failures[0]["t"] > STALE_UNCLAIMED_S
    assert sim.platform.actual["web/3"].placement_error == "insufficient resources: memory"


def test_scaling_down_stops_the_highest_indices_and_unregisters_their_routes() -> None:
    """cf scale web -i 1: web/1 and web/2 stop, their routes go, web/0 keeps running."""
    data = copy.deepcopy(PUSH)
    data["timeline"].append({"at": 60, "action": "scale", "app": "web", "instances": 1})
    sim = Simulation(parse_scenario(data))
    sim.run()
    assert list(sim.platform.actual) == ["web/0"]
    assert len(messages(sim, "router.unregister")) == 2 * 2  # route-emitter → NATS → gorouter
    assert sim.summary()["apps"]["web"]["routable"] == 1


def test_a_stopped_app_has_no_instances_and_no_routes() -> None:
    data = copy.deepcopy(PUSH)
    data["timeline"].append({"at": 60, "action": "stop", "app": "web"})
    sim = Simulation(parse_scenario(data))
    sim.run()
    assert sim.platform.actual == {}
    assert sim.summary()["apps"]["web"]["state"] == "STOPPED"
    assert all(not cell.containers for cell in sim.platform.cells.values())


def test_logs_read_like_cf_logs_and_name_the_component_that_wrote_them() -> None:
    sim = run()
    lines = [(r["source"], r["line"]) for r in sim.records if r["kind"] == "log"]
    assert lines[0][0] == "API/0" and lines[0][1].startswith("Created app with guid ")
    assert ("STG/0", "Uploading complete") in lines
    assert ("CELL/0", "Container became healthy") in lines
    assert ("APP/PROC/WEB/0", "Listening on port 8080") in lines
    components = {r["component"] for r in sim.records if r["kind"] == "log"}
    assert "cc" in components and any(c.startswith("executor@") for c in components)
