"""A fleet run on the websocket (docs/fleet.md §3): a snapshot with the layout, then binary frames."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from cfviz.fleet_wire import decode_frame
from cfviz.models import Run
from cfviz.scenario_services import scenario_import
from cfviz.services import run_create
from simulator.scenario import parse_scenario
from tests.web.helpers import connect, new_session

pytestmark = [pytest.mark.django_db(transaction=True)]

FLEET: dict[str, Any] = {
    "name": "small fleet",
    "seed": 3,
    "duration_s": 3600,
    "platforms": ["diego", "eirini"],
    "mode": "fleet",
    "zones": ["z1", "z2"],
    "cells": [{"name": f"cell-{i}", "zone": "z1" if i < 2 else "z2"} for i in range(4)],
    "apps": [{"name": "web", "instances": 2, "memory_mb": 256, "copies": 6}],
    "timeline": [{"at": 0, "action": "push", "app": "web"}],
    "fleet": {"push_concurrency": 3},
}


@database_sync_to_async
def fleet_run(session_key: str, platform: str = "both") -> Run:
    scenario = scenario_import(spec=parse_scenario(FLEET), slug="small-fleet")
    return run_create(scenario=scenario, user=None, session_key=session_key, platform=platform)


async def receive_frames(
    socket: WebsocketCommunicator, count: int, timeout: float = 10
) -> list[dict[str, Any]]:
    """The headers of the next ``count`` binary frames (JSON messages in between are skipped)."""
    headers = []
    while len(headers) < count:
        message = await socket.receive_output(timeout=timeout)
        if message.get("bytes") is not None:
            header, arrays = decode_frame(message["bytes"])
            header["_running_sum"] = int(arrays["running"].sum())
            headers.append(header)
    return headers


async def receive_json(socket: WebsocketCommunicator, kind: str, timeout: float = 10) -> dict[str, Any]:
    """The next JSON message of type ``kind`` (binary frames in between are skipped)."""
    while True:
        message = await socket.receive_output(timeout=timeout)
        if message.get("text") is not None:
            import json

            data = json.loads(message["text"])
            if data.get("type") == kind:
                return data


async def test_a_viewer_gets_the_fleet_layout_and_a_frame_per_platform_at_once() -> None:
    session = await new_session()
    run = await fleet_run(session)
    socket, connected = await connect(run.id, session)
    assert connected
    snapshot = await socket.receive_json_from()
    assert snapshot["type"] == "snapshot"
    assert snapshot["fleet"] is True
    assert snapshot["run"]["instances"] == 12
    assert snapshot["fleet_layout"]["diego"]["nodes"] == ["cell-0", "cell-1", "cell-2", "cell-3"]
    assert snapshot["fleet_layout"]["eirini"]["zones"] == ["z1", "z1", "z2", "z2"]
    frames = await receive_frames(socket, 2)
    assert sorted(f["platform"] for f in frames) == ["diego", "eirini"]
    assert all(f["t"] == 0 and f["nodes"] == 4 for f in frames)
    await socket.disconnect()


async def test_playing_streams_numbered_frames_until_every_instance_runs() -> None:
    session = await new_session()
    run = await fleet_run(session, "diego")
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await receive_frames(socket, 1)
    await socket.send_json_to({"command": "speed", "value": 1000})
    await socket.send_json_to({"command": "play"})
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1]["status"] != "finished":
        seen += await receive_frames(socket, 1, timeout=20)
    seqs = [f["seq"] for f in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert [f["t"] for f in seen] == sorted(f["t"] for f in seen)
    last = seen[-1]
    assert last["totals"]["running"] == last["_running_sum"] == 12
    assert last["finished_at"] is not None
    stored = await database_sync_to_async(Run.objects.get)(id=run.id)
    assert stored.status == "finished"
    assert stored.summary["diego"]["all_running_at"] == pytest.approx(last["finished_at"])
    await socket.disconnect()


async def test_seeking_back_shows_that_moment_again() -> None:
    session = await new_session()
    run = await fleet_run(session, "diego")
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await receive_frames(socket, 1)
    await socket.send_json_to({"command": "seek", "t": 120})
    snapshot = await receive_json(socket, "snapshot")
    assert snapshot["t"] == 120
    at_120 = (await receive_frames(socket, 1))[0]
    await socket.send_json_to({"command": "seek", "t": 30})
    await receive_json(socket, "snapshot")
    at_30 = (await receive_frames(socket, 1))[0]
    assert at_30["t"] == 30
    assert at_30["totals"]["placed"] <= at_120["totals"]["placed"]
    await socket.send_json_to({"command": "seek", "t": 120})
    await receive_json(socket, "snapshot")
    again = (await receive_frames(socket, 1))[0]
    assert {k: v for k, v in again.items() if k != "seq"} == {k: v for k, v in at_120.items() if k != "seq"}
    await socket.disconnect()


async def test_a_query_names_the_apps_on_a_cell_and_the_cells_of_an_app() -> None:
    session = await new_session()
    run = await fleet_run(session, "diego")
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await socket.send_json_to({"command": "seek", "t": 600})
    await receive_json(socket, "snapshot")
    await socket.send_json_to({"command": "fleet_query", "app": "web-3"})
    answer = await receive_json(socket, "fleet_answer")
    assert answer["app"] == "web-3" and answer["platform"] == "diego"
    assert sum(row["instances"] for row in answer["nodes"]) == 2
    node = answer["nodes"][0]["node"]
    await socket.send_json_to({"command": "fleet_query", "node": node})
    on_node = await receive_json(socket, "fleet_answer")
    row = next(row for row in on_node["apps"] if row["app"] == "web-3")
    assert row["instances"] == answer["nodes"][0]["instances"] and row["index"] in (0, 1)
    await socket.send_json_to({"command": "fleet_query", "app": "web-99"})
    error = await receive_json(socket, "error")
    assert error["error"] == "no app named 'web-99'"
    await socket.disconnect()


async def test_what_only_a_detailed_run_can_do_is_refused_by_name() -> None:
    session = await new_session()
    run = await fleet_run(session, "diego")
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await socket.send_json_to({"command": "act", "action": {"action": "fail", "cell": "cell-0"}})
    error = await receive_json(socket, "error")
    assert "'act' needs a detailed run; this is a fleet run" in error["error"]
    await socket.send_json_to({"command": "fleet_query", "node": "cell-9"})
    error = await receive_json(socket, "error")
    assert error["error"] == "no node or cell named 'cell-9'"
    await socket.disconnect()


async def test_a_watcher_cannot_control_a_fleet_run_but_can_ask_about_it() -> None:
    owner = await new_session()
    run = await fleet_run(owner, "diego")
    socket, _ = await connect(run.id, await new_session())
    snapshot = await socket.receive_json_from()
    assert snapshot["can_control"] is False
    await socket.send_json_to({"command": "play"})
    error = await receive_json(socket, "error")
    assert error["error"].startswith("only the person who started this run, or staff, can control it")
    await socket.send_json_to({"command": "fleet_query", "node": "cell-0"})
    answer = await receive_json(socket, "fleet_answer")
    assert answer["node"] == "cell-0"
    await socket.disconnect()


async def test_why_explains_a_placement_with_the_cell_the_run_chose() -> None:
    session = await new_session()
    run = await fleet_run(session, "both")
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await socket.send_json_to({"command": "seek", "t": 600})
    await receive_json(socket, "snapshot")
    await socket.send_json_to({"command": "fleet_query", "platform": "diego", "app": "web-3"})
    cells = {row["node"] for row in (await receive_json(socket, "fleet_answer"))["nodes"]}

    await socket.send_json_to({"command": "fleet_query", "platform": "diego", "app": "web-3", "why": 1})
    answer = await receive_json(socket, "fleet_decision")
    decision = answer["decision"]
    assert decision["work"] == "web-3/1" and decision["consistent"] is True
    assert decision["winner"] in cells
    assert {c["cell"] for c in decision["candidates"]} == {f"cell-{i}" for i in range(4)}
    await socket.send_json_to(
        {"command": "fleet_query", "platform": "diego", "app": "web-3", "why": "staging"}
    )
    staging = (await receive_json(socket, "fleet_decision"))["decision"]
    assert staging["work_type"] == "task" and staging["consistent"] is True

    # On Kubernetes: kube-scheduler's cycle that bound the pod, on the node it is on.
    await socket.send_json_to({"command": "fleet_query", "platform": "eirini", "app": "web-3"})
    nodes = {row["node"] for row in (await receive_json(socket, "fleet_answer"))["nodes"]}
    await socket.send_json_to({"command": "fleet_query", "platform": "eirini", "app": "web-3", "why": 0})
    answer = await receive_json(socket, "fleet_decision")
    assert answer["platform"] == "eirini"
    pod = answer["decision"]
    assert pod["winner"] in nodes and pod["consistent"] is True
    assert {c["cell"] for c in pod["candidates"]} <= {f"cell-{i}" for i in range(4)}
    await socket.disconnect()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"app": "web-3", "why": 2}, "web-3 has 2 instance(s): index 2 is not one of them"),
        ({"app": "web-3", "why": "first"}, '"why" must be an instance index (0, 1, ...) or "staging"'),
        ({"app": "web-3", "why": -1}, '"why" must be an instance index (0, 1, ...) or "staging"'),
        ({"node": "cell-0", "why": 0}, '"why" asks about one of an "app"\'s placements: give the "app"'),
        ({"app": "web-5", "why": 0}, "web-5/0 is not placed at 0.0 s (the playhead)"),
        ({"app": "web-5", "why": "staging"}, "web-5's staging task is not placed at 0.0 s (the playhead)"),
    ],
)
async def test_a_why_that_cannot_be_answered_gets_an_error_naming_the_problem(
    query: dict[str, Any], message: str
) -> None:
    session = await new_session()
    run = await fleet_run(session, "both")
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await socket.send_json_to({"command": "fleet_query", "platform": "diego", **query})
    error = await receive_json(socket, "error")
    assert error["error"] == message
    await socket.disconnect()
