"""The browser's own logic, run in Chromium against the real modules: the view fold, the socket's resync, the operations' figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from simulator.scenario import load_scenario_json
from simulator.simulation import Simulation
from simulator.view import ViewState

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
CF_PUSH_FILE = SCENARIOS / "cf-push.json"
# The push, and the operations after it: crashes, evacuations and drains, a dead cell, a rollout.
FOLDED_SCENARIOS = ["cf-push", "rootfs-rollout", "evacuate-vs-drain", "cell-dies", "crashing-app"]

FOLD_IN_THE_BROWSER = """async ([view, records]) => {
  const { applyRecords } = await import("/static/cfviz/js/view_state.js");
  applyRecords(view, records);
  return view;
}"""

# A socket fed by hand: what it hands on, and what it asks the server for.
SOCKET_SCRIPT = """async (messages) => {
  const { RunSocket } = await import("/static/cfviz/js/socket.js");
  const applied = [];
  const socket = new RunSocket("ws://unused.invalid/", {
    onSnapshot: (m) => applied.push(`snapshot ${m.seq}`),
    onFrame: (m) => applied.push(`frame ${m.seq}`),
    onError: (m) => applied.push(`error ${m.error}`),
    onConnection: () => {},
  });
  const sent = [];
  socket.send = (command) => { sent.push(command); return true; };
  for (const message of messages) socket.receive(JSON.stringify(message));
  return { applied, sent };
}"""


def frame(seq: int) -> dict[str, Any]:
    return {
        "type": "frame",
        "seq": seq,
        "t": seq / 10,
        "status": "playing",
        "speed": 1,
        "records": {"diego": [], "eirini": []},
    }


def snapshot(seq: int) -> dict[str, Any]:
    return {
        "type": "snapshot",
        "seq": seq,
        "t": 0,
        "status": "playing",
        "speed": 1,
        "platforms": ["diego", "eirini"],
        "views": {"diego": {}, "eirini": {}},
        "can_control": True,
    }


@pytest.mark.parametrize("platform", ["diego", "eirini"])
@pytest.mark.parametrize("slug", FOLDED_SCENARIOS)
def test_the_browser_folds_records_into_the_same_view_as_the_server(
    live_asgi_url: str, page: Page, platform: str, slug: str
) -> None:
    scenario = load_scenario_json((SCENARIOS / f"{slug}.json").read_text())
    simulation = Simulation(scenario, platform=platform)
    simulation.run()
    records = simulation.records  # the whole log, the platform's opening records included
    server_view = ViewState(scenario, platform, simulation.platform.notes)
    start = server_view.to_dict()
    server_view.apply_all(records)
    end = server_view.to_dict()
    # The comparison strip's figures are folded too, and this log moves them.
    if slug == "cf-push":
        assert end["series"][-1][1:] == [3, 3, 3]
    assert end["headline"]["first_routable_at"] is not None
    assert end["headline"]["all_running_at"] is not None

    page.goto(f"{live_asgi_url}/")
    browser_view = page.evaluate(FOLD_IN_THE_BROWSER, [start, records])

    assert browser_view == end


def test_the_browser_folds_a_snapshot_in_mid_run_as_the_server_would(live_asgi_url: str, page: Page) -> None:
    """A late joiner's snapshot, then the rest of the log: the same picture as the server's."""
    scenario = load_scenario_json(CF_PUSH_FILE.read_text())
    simulation = Simulation(scenario, platform="eirini")
    simulation.run()
    records = simulation.records
    half = len(records) // 2
    server_view = ViewState(scenario, "eirini", simulation.platform.notes)
    server_view.apply_all(records[:half])
    snapshot_view = server_view.to_dict()
    server_view.apply_all(records[half:])

    page.goto(f"{live_asgi_url}/")
    browser_view = page.evaluate(FOLD_IN_THE_BROWSER, [snapshot_view, records[half:]])

    assert browser_view == server_view.to_dict()


def test_a_gap_in_frames_asks_for_a_snapshot_and_skips_frames_until_it_comes(
    live_asgi_url: str, page: Page
) -> None:
    page.goto(f"{live_asgi_url}/")
    messages = [
        frame(3),  # before the first snapshot: stale
        snapshot(5),
        frame(5),  # already in the snapshot
        frame(6),
        frame(8),  # 7 went missing
        frame(9),  # ignored while the snapshot is on its way
        snapshot(9),
        frame(9),
        frame(10),
        {"type": "error", "error": "you are watching", "command": "play"},
        {**frame(11), "resync": True},  # too many records to animate: the server says take a snapshot
        frame(12),
    ]
    result = page.evaluate(SOCKET_SCRIPT, messages)

    assert result["applied"] == [
        "snapshot 5",
        "frame 6",
        "snapshot 9",
        "frame 10",
        "error you are watching",
        "frame 11",
    ]
    assert result["sent"] == [{"command": "snapshot"}, {"command": "snapshot"}]


OPERATIONS_SCRIPT = """async (view) => {
  const ops = await import("/static/cfviz/js/operations.js");
  return {
    availability: ops.availability(view),
    rows: ops.actionRows(view).map(({ words, short, initial, converged }) => ({ words, short, initial, converged })),
    operators: ops.actingOperators(view, ["bosh"]),
  };
}"""


def test_the_figures_run_on_to_the_present_and_actions_are_read_in_words(
    live_asgi_url: str, page: Page
) -> None:
    """An open outage counts up to now; pushes made together are one row; BOSH shows only once it has acted."""
    view = {
        "t": 200.0,
        "outages": [["solo", 100.0, 130.0], ["pair", 180.0, None]],
        "metrics": {
            "unavailable_s": 30.0,
            "longest_outage_s": 30.0,
            "below_desired_s": 40.0,
            "below_desired_now": 2,
            "below_desired_since": 180.0,
            "convergence": [
                {"action": "cf push solo", "at": 1.0, "converged_at": 30.0, "converge_s": 29.0},
                {"action": "cf push pair", "at": 1.0, "converged_at": 35.0, "converge_s": 34.0},
            ],
        },
        "actions": [
            {"t": 1.0, "words": "cf push solo", "action": "push", "state": "push", "app": "solo"},
            {"t": 1.0, "words": "cf push pair", "action": "push", "state": "push", "app": "pair"},
            {"t": 90.0, "words": "fail cell-z1-0", "action": "fail", "state": "fail", "cell": "cell-z1-0"},
        ],
        "components": {"bosh": "idle"},
    }
    page.goto(f"{live_asgi_url}/")
    result = page.evaluate(OPERATIONS_SCRIPT, view)

    assert result["availability"] == {
        "unavailable_s": 50.0,
        "below_desired_s": 80.0,
        "longest_outage_s": 30.0,
        "longest_app": "solo",
        "outages": 2,
        "open": 1,
    }
    assert result["rows"] == [
        {
            "words": "cf push solo, pair",
            "short": "push solo, pair",
            "initial": True,
            "converged": {"converged_at": 35.0, "converge_s": 34.0},
        },
        {"words": "fail cell-z1-0", "short": "fail cell-z1-0", "initial": False, "converged": None},
    ]
    # Diego lists BOSH as idle from the start: it is drawn once it drains or updates a cell.
    assert result["operators"] == []
    view["actions"].append(
        {"t": 150.0, "action": "rootfs", "state": "rootfs", "version": "cflinuxfs4 1.99.0"}
    )
    assert page.evaluate(OPERATIONS_SCRIPT, view)["operators"] == ["bosh"]
