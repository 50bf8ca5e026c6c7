"""Viewers acting on a live run: fail or evacuate a cell, crash or scale an app; who may; bad input."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from cfviz.runtime import registry
from tests.web.helpers import connect, frame_records, new_run, new_session, receive_until, reload_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_scenarios")]


async def play_to_the_end(socket: WebsocketCommunicator) -> list[dict[str, Any]]:
    await socket.send_json_to({"command": "speed", "value": 100})
    await socket.send_json_to({"command": "play"})
    return await receive_until(socket, lambda m: m.get("status") == "finished", timeout=15)


async def test_the_owner_fails_a_cell_and_the_platform_replaces_its_instance() -> None:
    session = await new_session()
    run = await new_run(session)
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await play_to_the_end(socket)
    # Acting on a finished run resumes it until it is steady again.
    await socket.send_json_to({"command": "act", "action": {"action": "fail", "cell": "cell-z1-0"}})
    frames = await receive_until(socket, lambda m: m.get("status") == "finished", timeout=20)
    records = frame_records(frames)
    action = next(r for r in records if r["kind"] == "state" and r["entity_type"] == "action")
    assert action["entity"] == "fail cell-z1-0"
    assert any(r["entity"] == "web/0 (suspect)" for r in records if r["kind"] == "state")
    converged = next(r for r in records if r["kind"] == "state" and r["entity_type"] == "convergence")
    assert converged["entity"] == "fail cell-z1-0"
    stored = await reload_run(run.id)
    assert stored.branch(0)["interventions"] == [
        {"at": pytest.approx(action["t"]), "action": "fail", "cell": "cell-z1-0"}
    ]
    await socket.disconnect()


async def test_a_run_with_live_actions_replays_them_after_a_restart_of_the_server() -> None:
    session = await new_session()
    run = await new_run(session)
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await play_to_the_end(socket)
    await socket.send_json_to({"command": "act", "action": {"action": "crash", "app": "web", "index": 2}})
    await receive_until(socket, lambda m: m.get("status") == "finished", timeout=20)
    await socket.disconnect()
    live = await registry.get(str(run.id))
    assert live is not None
    if live.task is not None:
        await live.task
    stored = await reload_run(run.id)

    await registry.shutdown()
    again = await registry.get(str(run.id))
    assert again is not None
    again.sims.run()
    assert again.sims.dumps_log() == stored.event_log


async def test_a_watcher_cannot_act_on_the_run() -> None:
    run = await new_run(await new_session())
    watcher, _ = await connect(run.id, await new_session())
    await watcher.receive_json_from()
    await watcher.send_json_to({"command": "act", "action": {"action": "fail", "cell": "cell-z1-0"}})
    error = await watcher.receive_json_from()
    assert error["type"] == "error"
    assert "only the person who started this run" in error["error"]
    await watcher.disconnect()


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ({"action": "fail", "cell": "cell-nine"}, "action.cell: unknown cell 'cell-nine'"),
        ({"action": "crash", "app": "web"}, "action.index: is required"),
        ({"action": "scale", "app": "nope", "instances": 2}, "action.app: unknown app 'nope'"),
        ({"action": "push", "app": "web"}, "unknown action 'push'"),
        ({"action": "evacuate", "cell": "cell-z1-0", "app": "web"}, "a evacuate action takes no app"),
    ],
)
async def test_a_bad_action_gets_an_error_naming_the_problem(action: dict, expected: str) -> None:
    session = await new_session()
    run = await new_run(session)
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await socket.send_json_to({"command": "act", "action": action})
    error = await socket.receive_json_from()
    assert error["type"] == "error"
    assert expected in error["error"]
    stored = await reload_run(run.id)
    assert stored.branch(0)["interventions"] == []
    await socket.disconnect()
