"""A finished run keeps its event log, and the same run replays identically after a restart."""

from __future__ import annotations

import pytest

from cfviz.runtime import registry
from tests.web.helpers import connect, new_run, new_session, receive_until, reload_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_scenarios")]


async def test_a_finished_run_is_stored_and_replays_the_same_after_the_server_restarts() -> None:
    session = await new_session()
    run = await new_run(session, platform="both")
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await socket.send_json_to({"command": "speed", "value": 100})
    await socket.send_json_to({"command": "play"})
    await receive_until(socket, lambda m: m.get("status") == "finished", timeout=15)
    await socket.disconnect()
    live = await registry.get(str(run.id))
    assert live is not None
    if live.task is not None:
        await live.task  # the task stores the log once it has finished

    stored = await reload_run(run.id)
    assert stored.status == "finished"
    for platform in ("diego", "eirini"):
        assert stored.summary[platform]["all_running_at"] is not None
        assert sorted(stored.summary[platform]["placements"]) == ["web/0", "web/1", "web/2"]

    await registry.shutdown()  # what a server restart does to the in-memory registry
    again = await registry.get(str(run.id))
    assert again is not None
    again.sims.run()
    assert again.sims.dumps_log() == stored.event_log


async def test_a_run_nobody_watches_is_evicted_after_idling_and_rebuilt_on_demand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Memory is not held for runs nobody watches; the run comes back from the database."""
    import asyncio

    from cfviz import runtime

    monkeypatch.setattr(runtime, "IDLE_EVICTION_S", 0.05)
    session = await new_session()
    run = await new_run(session)
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    first = await registry.get(str(run.id))
    await socket.disconnect()
    await asyncio.sleep(0.2)
    again = await registry.get(str(run.id))
    assert again is not None and again is not first
