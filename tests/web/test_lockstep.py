"""A run of both platforms: two simulations of one scenario and seed, on one clock, in one stream."""

from __future__ import annotations

import pytest

from simulator.comparison import Comparison
from simulator.scenario import parse_scenario
from tests.web.helpers import connect, frame_records, new_run, new_session, receive_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_scenarios")]


async def test_a_run_of_both_platforms_snapshots_one_view_per_platform_over_the_same_cells() -> None:
    session = await new_session()
    run = await new_run(session, platform="both")
    socket, _ = await connect(run.id, session)
    snapshot = await socket.receive_json_from()
    assert snapshot["platforms"] == ["diego", "eirini"]
    diego, eirini = snapshot["views"]["diego"], snapshot["views"]["eirini"]
    assert [c["name"] for c in diego["cells"]] == [c["name"] for c in eirini["cells"]]
    assert diego["notes"] == {}
    assert "stacks" in eirini["notes"] and "placement_tags" in eirini["notes"]
    await socket.disconnect()


async def test_both_platforms_advance_on_one_clock_until_each_runs_every_instance() -> None:
    session = await new_session()
    run = await new_run(session, platform="both")
    socket, _ = await connect(run.id, session)
    await socket.receive_json_from()
    await socket.send_json_to({"command": "speed", "value": 100})
    await socket.send_json_to({"command": "play"})
    frames = await receive_until(socket, lambda m: m.get("status") == "finished", timeout=20)
    for frame in (f for f in frames if f["type"] == "frame"):
        assert set(frame["records"]) == {"diego", "eirini"}
        for records in frame["records"].values():
            assert all(r["t"] <= frame["t"] + 1e-6 for r in records)

    # The streamed records are exactly each platform's own deterministic log.
    expected = Comparison(parse_scenario(run.spec), run.seed)
    expected.run()
    for platform in ("diego", "eirini"):
        streamed = frame_records(frames, platform)
        assert (
            streamed
            == expected.runs[platform].records[len(expected.runs[platform].records) - len(streamed) :]
        )

    late, _ = await connect(run.id, await new_session())
    snapshot = await late.receive_json_from()
    for platform in ("diego", "eirini"):
        view = snapshot["views"][platform]
        assert {i["state"] for i in view["instances"].values()} == {"RUNNING"}
        assert len(view["routes"]["web.apps.example.com"]["endpoints"]) == 3
        assert view["series"][-1][1:] == [3, 3, 3]
    diego, eirini = snapshot["views"]["diego"]["headline"], snapshot["views"]["eirini"]["headline"]
    assert diego["all_running_at"] < eirini["all_running_at"]
    assert diego["first_routable_at"] < eirini["first_routable_at"]
    await socket.disconnect()
    await late.disconnect()
