"""Time travel over the websocket: seek, step both ways, beat pacing, and exploring detached."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from cfviz.runtime import registry
from simulator.comparison import Comparison
from simulator.scenario import parse_scenario
from simulator.view import ViewState
from tests.web.helpers import connect, new_run, new_session, receive_until, reload_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_scenarios")]


def view_at(
    spec: dict[str, Any], seed: int, t: float, platforms: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """What the views are at ``t`` when the run goes straight there."""
    scenario = parse_scenario(spec)
    comparison = Comparison(scenario, seed, platforms)
    comparison.run(until=0.0)
    comparison.run(until=t)
    views = {}
    for name, sim in comparison.runs.items():
        view = ViewState(scenario, name, sim.platform.notes)
        view.apply_all(sim.records)
        view.t = comparison.now
        views[name] = view.to_dict()
    return views


async def started(platform: str = "both") -> tuple[WebsocketCommunicator, Any]:
    session = await new_session()
    run = await new_run(session, platform=platform)
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    return socket, run


async def test_seeking_shows_everyone_the_state_running_straight_there_would() -> None:
    owner, run = await started()
    watcher, _ = await connect(run.id, await new_session())
    await watcher.receive_json_from()
    await owner.send_json_to({"command": "seek", "t": 45.5})
    snapshot = (await receive_until(watcher, lambda m: m["type"] == "snapshot"))[-1]
    assert snapshot["t"] == 45.5
    assert snapshot["views"] == view_at(run.spec, run.seed, 45.5, ("diego", "eirini"))
    # And back again, to before anything ran.
    await owner.send_json_to({"command": "seek", "t": 10})
    snapshot = (await receive_until(watcher, lambda m: m["type"] == "snapshot"))[-1]
    assert snapshot["views"] == view_at(run.spec, run.seed, 10, ("diego", "eirini"))
    await owner.disconnect()
    await watcher.disconnect()


async def test_a_step_forward_sends_one_event_and_a_step_back_returns_to_before_it() -> None:
    owner, _run = await started("diego")
    await owner.send_json_to({"command": "seek", "t": 30})
    before = (await receive_until(owner, lambda m: m["type"] == "snapshot"))[-1]
    await owner.send_json_to({"command": "step", "unit": "event", "direction": "forward"})
    frame = (await receive_until(owner, lambda m: m["type"] == "frame"))[-1]
    records = frame["records"]["diego"]
    assert records and len({r["t"] for r in records}) == 1
    await owner.send_json_to({"command": "step", "unit": "event", "direction": "back"})
    after = (await receive_until(owner, lambda m: m["type"] == "snapshot"))[-1]
    assert after["views"]["diego"]["seq"] == before["views"]["diego"]["seq"]
    assert after["views"]["diego"]["instances"] == before["views"]["diego"]["instances"]
    await owner.disconnect()


async def test_beat_pacing_plays_one_event_per_beat() -> None:
    owner, _ = await started("diego")
    await owner.send_json_to({"command": "pacing", "mode": "beat", "beat_s": 0.1})
    paced = (await receive_until(owner, lambda m: m["type"] == "frame"))[-1]
    await owner.send_json_to({"command": "play"})
    frames = await receive_until(
        owner, lambda m: m["type"] == "frame" and any(m["records"].values()), timeout=5
    )
    assert paced.get("status") == "paused"
    event = frames[-1]["records"]["diego"]
    assert len({r["t"] for r in event}) == 1
    await owner.send_json_to({"command": "pause"})
    await owner.disconnect()


async def test_a_watcher_who_detaches_explores_alone_and_the_shared_run_goes_on() -> None:
    owner, run = await started("diego")
    watcher, _ = await connect(run.id, await new_session())
    await watcher.receive_json_from()
    await watcher.send_json_to({"command": "detach"})
    private = await watcher.receive_json_from()
    assert private["detached"] is True and private["can_control"] is True
    await watcher.send_json_to({"command": "seek", "t": 25})
    mine = (await receive_until(watcher, lambda m: m["type"] == "snapshot"))[-1]
    assert mine["t"] == 25 and mine["detached"] is True
    # The shared run has not moved; its owner plays it, and the detached viewer hears nothing of it.
    await owner.send_json_to({"command": "snapshot"})
    shared = (await receive_until(owner, lambda m: m["type"] == "snapshot"))[-1]
    assert shared["t"] == 0
    await owner.send_json_to({"command": "speed", "value": 100})
    await owner.send_json_to({"command": "play"})
    await receive_until(owner, lambda m: m.get("t", 0) > 10)
    assert await watcher.receive_nothing(timeout=0.3)
    await watcher.send_json_to({"command": "attach"})
    back = await watcher.receive_json_from()
    assert back["detached"] is False and back["t"] > 10
    assert back["can_control"] is False
    await owner.disconnect()
    await watcher.disconnect()


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"command": "seek"}, '"seek" needs a simulated time "t"'),
        ({"command": "seek", "t": -3}, '"seek" needs a simulated time "t"'),
        ({"command": "step", "unit": "hour"}, "step by event, message, not 'hour'"),
        ({"command": "step", "direction": "sideways"}, "step forward or back, not 'sideways'"),
        ({"command": "pacing", "mode": "warp"}, "pacing is one of time, beat, not 'warp'"),
        ({"command": "pacing", "mode": "beat", "beat_s": 60}, '"beat_s" must be from 0.1 to 10 seconds'),
    ],
)
async def test_bad_time_travel_commands_are_refused_with_the_reason(
    message: dict[str, Any], expected: str
) -> None:
    owner, _ = await started("diego")
    await owner.send_json_to(message)
    error = await owner.receive_json_from()
    assert error["type"] == "error"
    assert expected in error["error"]
    await owner.disconnect()


async def test_acting_on_the_past_forks_a_branch_and_keeps_the_original() -> None:
    """Seek back, fail a cell: a new branch from that moment; branch 0 is kept and can be shown."""
    owner, run = await started("diego")
    await owner.send_json_to({"command": "seek", "t": 30})
    at_30 = (await receive_until(owner, lambda m: m["type"] == "snapshot"))[-1]
    await owner.send_json_to({"command": "seek", "t": 20})
    await receive_until(owner, lambda m: m["type"] == "snapshot")
    await owner.send_json_to({"command": "act", "action": {"action": "fail", "cell": "cell-z1-0"}})
    await owner.send_json_to({"command": "seek", "t": 30})
    forked = (await receive_until(owner, lambda m: m["type"] == "snapshot"))[-1]
    assert forked["branch"] == 1
    assert [b["id"] for b in forked["branches"]] == [0, 1]
    assert forked["branches"][1]["parent"] == 0 and forked["branches"][1]["forked_at"] == 20
    assert forked["views"]["diego"]["cells"][0]["state"] != "ok"
    assert forked["views"] != at_30["views"]
    # The original line is untouched: switching back shows exactly what it showed.
    await owner.send_json_to({"command": "branch", "id": 0})
    original = (await receive_until(owner, lambda m: m["type"] == "snapshot"))[-1]
    assert original["branch"] == 0
    assert original["views"] == at_30["views"]
    stored = await reload_run(run.id)
    assert [b["id"] for b in stored.branches] == [0, 1]
    assert stored.branch(1)["interventions"] == [{"at": 20.0, "action": "fail", "cell": "cell-z1-0"}]
    assert stored.current_branch == 0
    await owner.disconnect()


async def test_a_moment_of_a_branch_is_rebuilt_after_the_server_restarts() -> None:
    """What a permalink names (run, branch, time) is enough to rebuild the exact moment."""
    owner, run = await started("diego")
    await owner.send_json_to({"command": "seek", "t": 33})
    await receive_until(owner, lambda m: m["type"] == "snapshot")
    await owner.send_json_to({"command": "seek", "t": 25})
    await receive_until(owner, lambda m: m["type"] == "snapshot")
    await owner.send_json_to({"command": "act", "action": {"action": "crash", "app": "web", "index": 0}})
    await owner.send_json_to({"command": "seek", "t": 31})
    before = (await receive_until(owner, lambda m: m["type"] == "snapshot"))[-1]
    await owner.disconnect()

    await registry.shutdown()
    viewer, _ = await connect(run.id, await new_session())
    await viewer.receive_json_from()
    await viewer.send_json_to({"command": "detach"})
    await viewer.receive_json_from()
    await viewer.send_json_to({"command": "branch", "id": before["branch"]})
    await receive_until(viewer, lambda m: m["type"] == "snapshot")
    await viewer.send_json_to({"command": "seek", "t": 31})
    again = (await receive_until(viewer, lambda m: m["type"] == "snapshot"))[-1]
    assert again["views"] == before["views"]
    await viewer.disconnect()


async def test_switching_to_an_unknown_branch_is_refused() -> None:
    owner, _ = await started("diego")
    await owner.send_json_to({"command": "branch", "id": 9})
    error = await owner.receive_json_from()
    assert error["type"] == "error"
    assert "this run has no branch 9" in error["error"]
    await owner.disconnect()
