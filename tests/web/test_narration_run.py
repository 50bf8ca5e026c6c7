"""Narration in a live run: steps reached are sent to viewers, and a step that waits pauses the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from cfviz.models import Scenario
from tests.web.helpers import connect, new_run, new_session, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

PUSH = json.loads((Path(__file__).resolve().parents[2] / "scenarios" / "cf-push.json").read_text())
STORY = [
    {
        "chapter": "Push",
        "text": "The developer pushes; Cloud Controller stages the app.",
        "at": 5,
        "pause": True,
    },
    {"chapter": "Start", "text": "Every instance runs.", "event": "all-running"},
]


@database_sync_to_async
def told_scenario() -> None:
    Scenario.objects.create(
        slug="told", name="told", spec={**PUSH, "platforms": ["diego"], "narration": STORY}
    )


async def test_a_step_that_waits_pauses_the_run_at_its_time_and_the_run_goes_on_after() -> None:
    await told_scenario()
    session = await new_session()
    run = await new_run(session, slug="told")
    socket, _ = await connect(run.id, session)
    snapshot = await socket.receive_json_from()
    assert [s["text"] for s in snapshot["narration"]["steps"]] == [s["text"] for s in STORY]
    assert snapshot["narration"]["reached"] == 0
    await socket.send_json_to({"command": "speed", "value": 100})
    await socket.send_json_to({"command": "play"})
    paused = (await receive_until(socket, lambda m: m.get("narrated") == 1, timeout=10))[-1]
    assert paused["status"] == "paused"
    assert paused["t"] == 5
    await socket.send_json_to({"command": "play"})
    done = (await receive_until(socket, lambda m: m.get("status") == "finished", timeout=10))[-1]
    assert done["narrated"] == 2
    await socket.disconnect()
