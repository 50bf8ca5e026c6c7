"""The run websocket: snapshot first, ordered frames, controls, and who may use them."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from cfviz import runtime
from simulator.scenario import parse_scenario
from simulator.view import ViewState
from tests.web.helpers import (
    connect,
    frame_records,
    new_run,
    new_session,
    new_staff_user,
    receive_until,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_scenarios")]


async def test_a_viewer_gets_a_snapshot_of_the_run_first() -> None:
    session = await new_session()
    run = await new_run(session)
    socket, connected = await connect(run.id, session)
    assert connected
    snapshot = await socket.receive_json_from()
    assert snapshot["type"] == "snapshot"
    assert snapshot["status"] == "paused"
    assert snapshot["can_control"] is True
    assert snapshot["run"]["scenario_name"] == "cf push: 3 instances on 3 cells in 2 zones"
    assert [c["name"] for c in snapshot["views"]["diego"]["cells"]] == ["cell-z1-0", "cell-z1-1", "cell-z2-0"]
    assert snapshot["views"]["diego"]["instances"] == {}
    await socket.disconnect()


async def test_playing_streams_frames_in_sequence_until_every_instance_runs_and_is_routed() -> None:
    session = await new_session()
    run = await new_run(session)
    socket, _ = await connect(run.id, session)
    snapshot = await socket.receive_json_from()
    view = ViewState(parse_scenario(run.spec))
    view.apply_all(snapshot["views"]["diego"]["logs"])  # harmless: logs only
    await socket.send_json_to({"command": "speed", "value": 100})
    await socket.send_json_to({"command": "play"})
    frames = await receive_until(socket, lambda m: m.get("status") == "finished", timeout=15)
    seqs = [f["seq"] for f in frames if f["type"] == "frame"]
    assert seqs == list(range(snapshot["seq"] + 1, snapshot["seq"] + 1 + len(seqs)))
    records = frame_records(frames)
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    view.apply_all(records)
    assert sorted(view.instances) == ["web/0", "web/1", "web/2"]
    assert {i["state"] for i in view.instances.values()} == {"RUNNING"}
    assert len(view.routes["web.apps.example.com"]["endpoints"]) == 3
    await socket.disconnect()


async def test_a_late_joiner_starts_from_the_same_view_the_frames_built() -> None:
    session = await new_session()
    run = await new_run(session)
    owner, _ = await connect(run.id, session)
    first = await owner.receive_json_from()
    await owner.send_json_to({"command": "speed", "value": 100})
    await owner.send_json_to({"command": "play"})
    frames = await receive_until(owner, lambda m: m.get("status") == "finished", timeout=15)
    view = ViewState(parse_scenario(run.spec))
    view.apply_all(first["views"]["diego"]["logs"])
    for cell in first["views"]["diego"]["cells"]:
        view.cells[cell["name"]].update(cell)
    view.components.update(first["views"]["diego"]["components"])
    view.apply_all(frame_records(frames))

    late, _ = await connect(run.id, await new_session())
    snapshot = await late.receive_json_from()
    assert snapshot["views"]["diego"]["instances"] == view.instances
    assert snapshot["views"]["diego"]["routes"] == view.routes
    assert snapshot["views"]["diego"]["decisions"] == view.decisions
    assert snapshot["status"] == "finished"
    await owner.disconnect()
    await late.disconnect()


async def test_pause_stops_the_clock_for_every_viewer() -> None:
    session = await new_session()
    run = await new_run(session)
    owner, _ = await connect(run.id, session)
    watcher, _ = await connect(run.id, await new_session())
    await owner.receive_json_from()
    await watcher.receive_json_from()
    await owner.send_json_to({"command": "speed", "value": 10})
    await owner.send_json_to({"command": "play"})
    await receive_until(owner, lambda m: m.get("t", 0) > 2)
    await owner.send_json_to({"command": "pause"})
    await receive_until(watcher, lambda m: m.get("status") == "playing")
    paused = await receive_until(watcher, lambda m: m.get("status") == "paused")
    t_paused = paused[-1]["t"]
    assert t_paused > 2
    await watcher.send_json_to({"command": "snapshot"})
    await receive_until(watcher, lambda m: m["type"] == "snapshot", timeout=2)
    await owner.send_json_to({"command": "snapshot"})
    snapshot = await receive_until(owner, lambda m: m["type"] == "snapshot")
    assert snapshot[-1]["t"] == t_paused
    assert snapshot[-1]["status"] == "paused"
    await owner.disconnect()
    await watcher.disconnect()


async def test_speed_changes_reach_every_viewer() -> None:
    session = await new_session()
    run = await new_run(session)
    owner, _ = await connect(run.id, session)
    watcher, _ = await connect(run.id, await new_session())
    await owner.receive_json_from()
    await watcher.receive_json_from()
    await owner.send_json_to({"command": "speed", "value": 2.5})
    frame = await receive_until(watcher, lambda m: m["type"] == "frame")
    assert frame[-1]["speed"] == 2.5
    await owner.disconnect()
    await watcher.disconnect()


async def test_restart_sends_every_viewer_a_fresh_snapshot_at_time_zero() -> None:
    session = await new_session()
    run = await new_run(session)
    owner, _ = await connect(run.id, session)
    watcher, _ = await connect(run.id, await new_session())
    await owner.receive_json_from()
    await watcher.receive_json_from()
    await owner.send_json_to({"command": "speed", "value": 100})
    await owner.send_json_to({"command": "play"})
    await receive_until(watcher, lambda m: m.get("t", 0) > 25)
    await owner.send_json_to({"command": "restart"})
    snapshots = await receive_until(watcher, lambda m: m["type"] == "snapshot")
    fresh = snapshots[-1]
    assert fresh["t"] == 0.0
    assert fresh["status"] == "paused"
    assert fresh["views"]["diego"]["instances"] == {}
    assert fresh["can_control"] is False
    await owner.disconnect()
    await watcher.disconnect()


async def test_a_watcher_cannot_control_the_run_but_may_ask_for_a_snapshot() -> None:
    run = await new_run(await new_session())
    watcher, _ = await connect(run.id, await new_session())
    snapshot = await watcher.receive_json_from()
    assert snapshot["can_control"] is False
    for command in (
        {"command": "play"},
        {"command": "pause"},
        {"command": "restart"},
        {"command": "speed", "value": 2},
    ):
        await watcher.send_json_to(command)
        error = await watcher.receive_json_from()
        assert error["type"] == "error"
        assert "only the person who started this run" in error["error"]
        assert error["command"] == command["command"]
    await watcher.send_json_to({"command": "snapshot"})
    again = await watcher.receive_json_from()
    assert again["type"] == "snapshot"
    assert again["status"] == "paused"
    await watcher.disconnect()


async def test_staff_may_control_a_run_they_did_not_start() -> None:
    run = await new_run(await new_session())
    staff_session = await new_session(await new_staff_user())
    teacher, _ = await connect(run.id, staff_session)
    snapshot = await teacher.receive_json_from()
    assert snapshot["can_control"] is True
    await teacher.send_json_to({"command": "play"})
    frame = await teacher.receive_json_from()
    assert frame["type"] == "frame"
    assert frame["status"] == "playing"
    await teacher.disconnect()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("this is not json", "not JSON"),
        ('["play"]', "must be a JSON object"),
        ('{"cmd": "play"}', 'missing "command"'),
        ('{"command": 7}', '"command" must be a string'),
        ('{"command": "fly"}', "unknown command 'fly'"),
        ('{"command": "speed", "value": "fast"}', 'needs a number "value"'),
        ('{"command": "speed", "value": 5000}', "speed must be from 0.1 to 1000"),
        ('{"command": "speed"}', 'needs a number "value"'),
        ('{"command": "play", "value": 1}', "unexpected field(s) for 'play': value"),
        ('{"command": "play", "pad": "' + "x" * 5000 + '"}', "message too large"),
    ],
)
async def test_bad_input_gets_an_error_naming_the_problem_and_the_run_goes_on(
    raw: str, expected: str
) -> None:
    session = await new_session()
    run = await new_run(session)
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await socket.send_to(text_data=raw)
    error = await socket.receive_json_from()
    assert error["type"] == "error"
    assert expected in error["error"]
    await socket.send_json_to({"command": "play"})
    frame = await socket.receive_json_from()
    assert frame["status"] == "playing"
    await socket.disconnect()


async def test_binary_messages_are_refused_with_an_error() -> None:
    session = await new_session()
    run = await new_run(session)
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await socket.send_to(bytes_data=b"\x00\x01")
    error = await socket.receive_json_from()
    assert error == {
        "type": "error",
        "error": "binary messages are not accepted: send JSON text",
        "command": None,
    }
    await socket.disconnect()


async def test_an_unknown_run_closes_the_socket_with_code_4404() -> None:
    socket, connected = await connect("00000000-0000-4000-8000-000000000000")
    assert connected
    closed = await socket.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4404}


async def test_a_foreign_origin_is_refused_before_the_socket_opens() -> None:
    run = await new_run(await new_session())
    _socket, connected = await connect(run.id, origin=(b"origin", b"http://evil.example.com"))
    assert connected is False


async def test_a_deployment_that_keeps_runs_to_staff_closes_the_socket_for_others(settings: Any) -> None:
    settings.RUNS_PUBLIC = False
    run = await new_run(await new_session())
    socket, connected = await connect(run.id, await new_session())
    assert connected
    assert await socket.receive_output(timeout=2) == {"type": "websocket.close", "code": 4403}
    staff, _ = await connect(run.id, await new_session(await new_staff_user()))
    snapshot = await staff.receive_json_from()
    assert snapshot["type"] == "snapshot"
    await staff.disconnect()


async def test_a_run_simulating_off_the_event_loop_leaves_other_viewers_served_and_pauses_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The advance runs on a worker thread: while it works (here: until the test lets it go),
    another viewer still gets its snapshot, and a pause waits for the advance, then holds."""
    working, release = threading.Event(), threading.Event()
    real_advance = runtime.advance_within

    def slow_advance(timeline: Any, target: float, budget_s: float, slice_s: float) -> tuple[Any, float]:
        working.set()
        assert release.wait(10), "the test never let the advance go"
        return real_advance(timeline, target, budget_s, slice_s)

    monkeypatch.setattr(runtime, "advance_within", slow_advance)
    session = await new_session()
    run = await new_run(session)
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await socket.send_json_to({"command": "play"})
    await receive_until(socket, lambda m: m.get("status") == "playing")
    # The pace task's first advance has begun on its thread.
    assert await asyncio.to_thread(working.wait, 5)

    watcher, connected = await connect(run.id, await new_session())
    assert connected
    snapshot = await watcher.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot" and snapshot["status"] == "playing"
    await socket.send_json_to({"command": "pause"})
    release.set()
    paused = await receive_until(socket, lambda m: m.get("status") == "paused")
    t = paused[-1]["t"]
    await socket.send_json_to({"command": "snapshot"})
    later = await receive_until(socket, lambda m: m.get("type") == "snapshot")
    assert later[-1]["t"] == t, "nothing advanced after the pause"
    await watcher.disconnect()
    await socket.disconnect()
