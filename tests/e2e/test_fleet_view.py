"""The fleet run page in Chromium: binary frames decoded, 1,000 cells drawn by zone, hover, search, zoom, controls, draw rate.

Until the server speaks docs/fleet.md, the page is the real template and modules served by the
live server, and the websocket is played by the test (Playwright's ``route_web_socket``), with
frames built here with struct and numpy exactly as docs/fleet.md §3 lays them out.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.template.loader import render_to_string
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.e2e.helpers import play_fast, start_scenario

# The page's Content-Security-Policy, as cfviz's settings send it: no inline script, no eval.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'"
)
CELLS = 1000
ZONES = ("z1", "z2", "z3")
MEMORY_MB = 32768
DISK_MB = 65536
CONTAINERS = 250
DTYPES = {np.dtype("<u2"): "u16", np.dtype("<u4"): "u32", np.dtype("<i4"): "i32", np.dtype("<f8"): "f64"}
# A changing frame for every animation frame, for this long, for the draw-rate measurement.
MEASURE_S = 2.0


def fleet_frame(header: dict[str, Any], arrays: dict[str, np.ndarray], version: int = 1) -> bytes:
    """A binary frame per docs/fleet.md §3: magic, version, header length, padded JSON, padded arrays."""
    nodes = len(next(iter(arrays.values())))
    header = {
        **header,
        "nodes": nodes,
        "arrays": [
            {"name": name, "dtype": DTYPES[array.dtype.newbyteorder("<")]} for name, array in arrays.items()
        ],
    }
    text = json.dumps(header).encode()
    text += b" " * (-(8 + len(text)) % 4)
    body = [b"CFVF", struct.pack("<HH", version, len(text)), text]
    for array in arrays.values():
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        body.append(data + b"\0" * (-len(data) % 4))
    return b"".join(body)


def cell_names(prefix: str = "cell") -> list[str]:
    return [f"{prefix}-{i}" for i in range(CELLS)]


def zone_of(i: int) -> str:
    # Interleaved in node order, so drawing them grouped is the page's doing.
    return ZONES[i % len(ZONES)]


def fleet_layout(prefix: str = "cell") -> dict[str, Any]:
    return {
        "nodes": cell_names(prefix),
        "zones": [zone_of(i) for i in range(CELLS)],
        "capacity": {
            "memory_mb": [MEMORY_MB] * CELLS,
            "disk_mb": [DISK_MB] * CELLS,
            "containers": [CONTAINERS] * CELLS,
        },
    }


def fleet_arrays(k: int) -> dict[str, np.ndarray]:
    """Frame k's per-cell figures: everything moves from one frame to the next."""
    i = np.arange(CELLS)
    running = ((i * 7 + k) % 200).astype("<u2")
    starting = ((i + k) % 5 == 0).astype("<u2") * 3
    return {
        "running": running,
        "starting": starting,
        "memory_mb": ((running + starting) * 128).astype("<u4"),
        "disk_mb": ((running + starting) * 256).astype("<u4"),
    }


def frame_header(seq: int, platform: str = "diego", **extra: Any) -> dict[str, Any]:
    return {
        "type": "fleet_frame",
        "seq": seq,
        "platform": platform,
        "t": seq * 0.5,
        "speed": 10.0,
        "playing": True,
        "totals": {
            "desired": 250000,
            "placed": 200312,
            "running": 180004,
            "staging": 312,
            "failed_placements": 0,
            "apps_running": 150211,
            "apps": 200000,
        },
        "rates": {"placements_per_s": 812.0, "rounds_per_s": 9.5, "starts_per_s": 790.0},
        "queues": {"auctioneer": 1200, "staging": 40, "downloads": 3100, "registry": 0},
        "place_s": {"p50": 0.21, "p95": 0.64},
        "balance": {"min": 170, "max": 214, "mean": 200.3, "stdev": 6.1},
        "finished_at": None,
        **extra,
    }


def snapshot(
    platforms: list[str], *, can_control: bool = True, prefixes: dict[str, str] | None = None
) -> dict[str, Any]:
    prefixes = prefixes or {}
    return {
        "type": "snapshot",
        "fleet": True,
        "seq": 0,
        "t": 0.0,
        "status": "paused",
        "speed": 10.0,
        "end_time": 3600.0,
        "can_control": can_control,
        "platforms": platforms,
        "fleet_layout": {p: fleet_layout(prefixes.get(p, "cell")) for p in platforms},
    }


class FakeFleetSocket:
    """The run's websocket, played by the test: the snapshot on connect, frames when told, answers to queries."""

    def __init__(self, page: Page, first: dict[str, Any]) -> None:
        self.first = first
        self.received: list[dict[str, Any]] = []
        self.ws: WebSocketRoute | None = None
        self.answer: Callable[[dict[str, Any]], dict[str, Any] | None] = lambda msg: None
        page.route_web_socket(re.compile(r".*/ws/runs/.*"), self.connected)

    def connected(self, ws: WebSocketRoute) -> None:
        self.ws = ws
        ws.on_message(self.message)
        ws.send(json.dumps(self.first))

    def message(self, message: str | bytes) -> None:
        msg = json.loads(message)
        self.received.append(msg)
        reply = self.answer(msg)
        if reply is not None and self.ws is not None:
            self.ws.send(json.dumps(reply))

    def send(self, data: bytes | dict[str, Any]) -> None:
        assert self.ws is not None, "the page has not connected"
        self.ws.send(data if isinstance(data, bytes) else json.dumps(data))


@pytest.fixture
def open_fleet_page(live_asgi_url: str) -> Iterator[Callable[..., FakeFleetSocket]]:
    """Open the fleet run page (the real template, served as the server would) on a played websocket."""

    def open_page(page: Page, platforms: list[str], **snapshot_args: Any) -> FakeFleetSocket:
        run_id = str(uuid.uuid4())
        config = {
            "run_id": run_id,
            "ws_path": f"/ws/runs/{run_id}/",
            "scenario_name": "Diego at scale",
            "platforms": platforms,
            "moment": None,
        }
        html = render_to_string("cfviz/fleet_run.html", {"run_config": config})
        url = f"{live_asgi_url}/runs/{run_id}/"
        page.route(
            url,
            lambda route: route.fulfill(
                status=200,
                body=html,
                headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP},
            ),
        )
        socket = FakeFleetSocket(page, snapshot(platforms, **snapshot_args))
        page.goto(url)
        expect(page.locator("#connection")).to_have_text("live")
        return socket

    yield open_page


def wait_drawn(page: Page, platform: str, seq: int) -> None:
    page.wait_for_function(
        "([platform, seq]) => window.cfviz?.fleet?.drawStats()[platform]?.seq === seq", arg=[platform, seq]
    )


def wait_draws_after(page: Page, platform: str, draws: int) -> None:
    """Until the view has drawn again since it had drawn `draws` times."""
    page.wait_for_function(
        "([platform, n]) => window.cfviz.fleet.drawStats()[platform].draws > n", arg=[platform, draws]
    )


def tile(page: Page, platform: str, node: str) -> dict[str, float]:
    centre = page.evaluate("([p, n]) => window.cfviz.fleet.tileCentre(p, n)", [platform, node])
    assert centre is not None, f"{node} has no tile"
    return centre


PIXEL_AT = """([platform, x, y]) => {
  const canvas = document.querySelector(`.fleet-view[data-platform='${platform}'] canvas`);
  const box = canvas.getBoundingClientRect();
  const scale = canvas.width / box.width;
  const data = canvas.getContext("2d").getImageData(Math.floor((x - box.left) * scale), Math.floor((y - box.top) * scale), 1, 1).data;
  return [data[0], data[1], data[2], data[3]];
}"""

RAMP_COLOUR = """(bucket) => getComputedStyle(document.documentElement).getPropertyValue(`--fleet-ramp-${bucket}`).trim()"""


def pixel(page: Page, platform: str, node: str) -> list[int]:
    at = tile(page, platform, node)
    return page.evaluate(PIXEL_AT, [platform, at["x"], at["y"]])


def ramp_rgb(page: Page, bucket: int) -> list[int]:
    colour = page.evaluate(RAMP_COLOUR, bucket)
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", colour), colour
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


def bucket_of(used: float, capacity: float) -> int:
    return 0 if used <= 0 else 1 + min(8, int(used / capacity * 9))


# -- the decoder ----------------------------------------------------------------------------

DECODE = """async (frames) => {
  const { decodeFrame } = await import("/static/cfviz/js/fleet_frame.js");
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  return frames.map((b64) => {
    try {
      const { header, arrays } = decodeFrame(bytes(b64));
      return { header, arrays: Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, [v.constructor.name, Array.from(v)]])) };
    } catch (error) {
      return { error: `${error.name}: ${error.message}` };
    }
  });
}"""


def decode(page: Page, frames: list[bytes]) -> list[dict[str, Any]]:
    return page.evaluate(DECODE, [base64.b64encode(f).decode() for f in frames])


def test_a_frame_decodes_into_its_header_and_typed_arrays(live_asgi_url: str, page: Page) -> None:
    """Odd-length arrays are padded to 4 bytes, each dtype comes back as its typed array, f64 too."""
    page.goto(f"{live_asgi_url}/")
    arrays = {
        "running": np.array([1, 2, 65535], "<u2"),
        "memory_mb": np.array([0, 4096, 4294967295], "<u4"),
        "delta": np.array([-1, 0, 7], "<i4"),
        "load": np.array([0.5, 1.25, -3.0], "<f8"),
    }
    [result] = decode(page, [fleet_frame(frame_header(17), arrays)])

    assert result["header"]["seq"] == 17
    assert result["header"]["nodes"] == 3
    assert result["header"]["totals"]["desired"] == 250000
    assert result["arrays"] == {
        "running": ["Uint16Array", [1, 2, 65535]],
        "memory_mb": ["Uint32Array", [0, 4096, 4294967295]],
        "delta": ["Int32Array", [-1, 0, 7]],
        "load": ["Float64Array", [0.5, 1.25, -3.0]],
    }


def test_a_malformed_frame_is_refused_with_a_reason(live_asgi_url: str, page: Page) -> None:
    page.goto(f"{live_asgi_url}/")
    good = fleet_frame(frame_header(1), fleet_arrays(0))
    header_length = struct.unpack_from("<H", good, 6)[0]
    results = decode(
        page,
        [
            b"CFV",
            b"XXXX" + good[4:],
            good[:4] + struct.pack("<H", 2) + good[6:],
            good[:6] + struct.pack("<H", 60000) + good[8:],
            good[:6] + struct.pack("<H", header_length - 1) + good[8:],
            good[:-4],
            good + b"\0\0\0\0",
            b"CFVF" + struct.pack("<HH", 1, 4) + b"[1] ",
        ],
    )

    assert [r["error"] for r in results] == [
        "FleetFrameError: frame too short: 3 bytes (at least 8)",
        'FleetFrameError: not a fleet frame: starts "XXXX", not "CFVF"',
        "FleetFrameError: fleet frame format version 2 is not supported (this page reads 1)",
        f"FleetFrameError: header length 60000 runs past the frame's {len(good)} bytes",
        f"FleetFrameError: header length {header_length - 1} leaves the arrays unaligned (8 + H must be a multiple of 4)",
        f"FleetFrameError: frame is {len(good) - 4} bytes, but its header's 4 arrays of 1000 nodes make {len(good)}",
        f"FleetFrameError: frame is {len(good) + 4} bytes, but its header's 4 arrays of 1000 nodes make {len(good)}",
        "FleetFrameError: frame header is not a JSON object",
    ]


# -- the page -------------------------------------------------------------------------------


def test_a_thousand_cells_are_drawn_by_zone_in_the_latest_frame_s_colours(
    open_fleet_page: Callable[..., FakeFleetSocket], page: Page
) -> None:
    socket = open_fleet_page(page, ["diego"])
    for k in (1, 2):
        socket.send(fleet_frame(frame_header(k), fleet_arrays(k)))
    wait_drawn(page, "diego", 2)

    stats = page.evaluate("() => window.cfviz.fleet.drawStats()")["diego"]
    assert stats["tiles"] == CELLS
    assert stats["zones"] == len(ZONES)
    assert page.evaluate("() => window.cfviz.fleet.frames.diego.seq") == 2
    assert page.evaluate("() => window.cfviz.fleet.lastSeq") == 2
    expect(page.locator("[data-part='fleet'] .platform-summary")).to_have_text(
        "1,000 cells in 3 zones, one tile each"
    )

    # Each zone is a block of its own: its tiles sit side by side, apart from the other zones'.
    spans = {}
    for zone in ZONES:
        xs = [tile(page, "diego", f"cell-{i}")["x"] for i in range(CELLS) if zone_of(i) == zone][:40]
        spans[zone] = (min(xs), max(xs))
    assert spans["z1"][1] < spans["z2"][0] and spans["z2"][1] < spans["z3"][0]

    # The colour of a tile is its memory bucket in frame 2 (not frame 1).
    arrays = fleet_arrays(2)
    for i in (0, 1, 17, 500, 999):
        expected = ramp_rgb(page, bucket_of(float(arrays["memory_mb"][i]), MEMORY_MB))
        got = pixel(page, "diego", f"cell-{i}")
        assert max(abs(a - b) for a, b in zip(got[:3], expected, strict=True)) <= 2, (i, got, expected)

    # Colour by instances instead: the legend says so, and the tiles change.
    draws = page.evaluate("() => window.cfviz.fleet.drawStats().diego.draws")
    page.locator(".fleet-metric select").select_option("instances")
    expect(page.locator(".fleet-legend-title")).to_have_text(
        "Instances (running and starting), of each cell's container slots"
    )
    used = int(arrays["running"][17]) + int(arrays["starting"][17])
    expected = ramp_rgb(page, bucket_of(used, CONTAINERS))
    wait_draws_after(page, "diego", draws)
    got = pixel(page, "diego", "cell-17")
    assert max(abs(a - b) for a, b in zip(got[:3], expected, strict=True)) <= 2


def test_hovering_a_tile_tells_its_figures_and_clicking_asks_for_its_apps(
    open_fleet_page: Callable[..., FakeFleetSocket], page: Page
) -> None:
    socket = open_fleet_page(page, ["diego"])
    # As cfviz/fleet_runtime.py answers: the platform, and the apps as objects.
    socket.answer = lambda msg: (
        {
            "type": "fleet_answer",
            "platform": msg["platform"],
            "t": 2.5,
            "node": msg["node"],
            "apps": [{"app": "web-0", "instances": 2}, {"app": "mix-3-2", "instances": 4}],
            "total_apps": 2,
        }
        if msg.get("command") == "fleet_query"
        else None
    )
    socket.send(fleet_frame(frame_header(5), fleet_arrays(5)))
    wait_drawn(page, "diego", 5)
    arrays = fleet_arrays(5)
    running, starting = int(arrays["running"][17]), int(arrays["starting"][17])
    memory = int(arrays["memory_mb"][17])

    at = tile(page, "diego", "cell-17")
    page.mouse.move(at["x"], at["y"])
    tooltip = page.locator(".fleet-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip.locator(".fleet-tooltip-title")).to_have_text("cell-17")
    expect(tooltip.locator("[data-fact='zone']")).to_have_text(zone_of(17))
    expect(tooltip.locator("[data-fact='instances']")).to_have_text(
        f"{running + starting} of 250 slots: {running} running, {starting} starting"
    )
    expect(tooltip.locator("[data-fact='memory']")).to_have_text(
        f"{memory / 1024:.1f} of 32.0 GiB ({round(100 * memory / MEMORY_MB)}%)"
    )

    page.mouse.click(at["x"], at["y"])
    expect(tooltip.locator(".fleet-tooltip-app-list li")).to_have_text(["mix-3-2 ×4", "web-0 ×2"])
    assert {"command": "fleet_query", "platform": "diego", "node": "cell-17"} in socket.received
    # Pinned: it stays while the pointer moves on, and Escape closes it.
    page.mouse.move(at["x"] + 300, at["y"] + 200)
    expect(tooltip).to_have_attribute("data-pinned", "true")
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()

    # From the keyboard: arrows walk the tiles of a zone in order, Enter asks for the apps.
    page.locator(".fleet-canvas").focus()
    page.keyboard.press("ArrowRight")
    expect(tooltip.locator(".fleet-tooltip-title")).to_have_text("cell-0")
    page.keyboard.press("ArrowRight")
    expect(tooltip.locator(".fleet-tooltip-title")).to_have_text("cell-3")  # the next cell of zone z1
    page.keyboard.press("Enter")
    expect(tooltip).to_have_attribute("data-pinned", "true")
    expect(tooltip.locator(".fleet-tooltip-apps-heading")).to_have_text("2 apps on it")
    assert socket.received[-1] == {"command": "fleet_query", "platform": "diego", "node": "cell-3"}


def fake_decision(app: str, index: int, winner: str) -> dict[str, Any]:
    """A decision as cfviz/fleet_runtime.py answers "why": three cells, the winner lowest."""

    def candidate(cell: str, score: float) -> dict[str, Any]:
        terms = {"resource": score - 0.25, "starting": 0.25, "locality": 0.0, "binpack": 0.0}
        return {"cell": cell, "zone": "z1", "verdict": "ok", "reason": "", "terms": terms, "score": score}

    return {
        "t": 12.5,
        "work": f"{app}/{index}",
        "work_type": "lrp",
        "app": app,
        "index": index,
        "round": 42,
        "winner": winner,
        "error": None,
        "memory_mb": 128,
        "disk_mb": 128,
        "stack": "cflinuxfs4",
        "placement_tags": [],
        "weights": {"starting_container_weight": 0.25, "bin_pack_first_fit_weight": 0.0},
        "zone_counts": {"z1": 0, "z2": 1, "z3": 1},
        "zones_considered": ["z1"],
        "tied": 1,
        "candidates": [candidate("cell-3", 0.61), candidate(winner, 0.42), candidate("cell-6", 0.5)],
        "consistent": True,
    }


def test_why_here_beside_an_app_of_a_clicked_cell_opens_its_placement_decision(
    open_fleet_page: Callable[..., FakeFleetSocket], page: Page
) -> None:
    socket = open_fleet_page(page, ["diego", "eirini"], prefixes={"eirini": "node"})

    def answer(msg: dict[str, Any]) -> dict[str, Any] | None:
        if msg.get("command") != "fleet_query":
            return None
        if "why" in msg:
            decision = fake_decision(msg["app"], msg["why"], "cell-17")
            return {"type": "fleet_decision", "platform": msg["platform"], "t": 12.5, "decision": decision}
        apps = [{"app": "web-0", "instances": 2, "index": 1}, {"app": "mix-3-2", "instances": 4, "index": 0}]
        return {
            "type": "fleet_answer",
            "platform": msg["platform"],
            "t": 12.5,
            "node": msg["node"],
            "apps": apps,
        }

    socket.answer = answer
    for platform in ("diego", "eirini"):
        socket.send(fleet_frame(frame_header(5, platform), fleet_arrays(5)))
        wait_drawn(page, platform, 5)
    panel = page.locator("section[data-part='decision'][data-platform='diego']")
    expect(panel).to_be_hidden()
    # Kubernetes' nodes are explained too, in a panel of their own, in its words.
    eirini_panel = page.locator("section[data-part='decision'][data-platform='eirini']")
    expect(eirini_panel.locator("[data-slot='decision-title']")).to_have_text("Why this node?")
    at = tile(page, "eirini", "node-17")
    page.mouse.click(at["x"], at["y"])
    eirini_tooltip = page.locator(".fleet-view[data-platform='eirini'] .fleet-tooltip")
    expect(eirini_tooltip.locator(".fleet-why")).to_have_count(2)
    page.keyboard.press("Escape")

    at = tile(page, "diego", "cell-17")
    page.mouse.click(at["x"], at["y"])
    tooltip = page.locator(".fleet-view[data-platform='diego'] .fleet-tooltip")
    why = tooltip.locator("li[data-app='web-0'] .fleet-why")
    expect(why).to_have_text("why here?")
    why.click()

    assert {"command": "fleet_query", "platform": "diego", "app": "web-0", "why": 1} in socket.received
    expect(panel).to_be_visible()
    expect(panel.locator("#decision-heading-diego")).to_have_text("web-0/1 → cell-17")
    rows = panel.locator("table.decision-table tbody tr[data-cell]")
    expect(rows).to_have_count(3)
    # Lowest score first, the winner marked.
    expect(rows.first).to_have_attribute("data-cell", "cell-17")
    expect(rows.first).to_have_attribute("data-winner", "true")
    expect(panel.locator(".decision-reasons")).to_contain_text("Lowest score wins: cell-17")
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()


def test_a_refused_why_is_said_in_a_toast(
    open_fleet_page: Callable[..., FakeFleetSocket], page: Page
) -> None:
    socket = open_fleet_page(page, ["diego"])

    def answer(msg: dict[str, Any]) -> dict[str, Any] | None:
        if msg.get("command") != "fleet_query":
            return None
        if "why" in msg:
            return {"type": "error", "error": "web-0/1 is not placed at 2.5 s (the playhead)", "command": msg}
        apps = [{"app": "web-0", "instances": 1, "index": 1}]
        return {"type": "fleet_answer", "platform": "diego", "t": 2.5, "node": msg["node"], "apps": apps}

    socket.answer = answer
    socket.send(fleet_frame(frame_header(5), fleet_arrays(5)))
    wait_drawn(page, "diego", 5)
    at = tile(page, "diego", "cell-4")
    page.mouse.click(at["x"], at["y"])
    page.locator(".fleet-tooltip li[data-app='web-0'] .fleet-why").click()

    expect(page.locator("#toasts")).to_contain_text(
        "Why web-0/1? web-0/1 is not placed at 2.5 s (the playhead)"
    )
    expect(page.locator("section[data-part='decision']")).to_be_hidden()


def test_a_name_filter_dims_the_other_tiles_and_an_app_search_outlines_its_cells(
    open_fleet_page: Callable[..., FakeFleetSocket], page: Page
) -> None:
    socket = open_fleet_page(page, ["diego"])

    # As docs/fleet.md §3 first had it: `nodes_of`, as (node, instances) pairs; an unknown app is an error.
    def answer(msg: dict[str, Any]) -> dict[str, Any] | None:
        if msg.get("command") != "fleet_query":
            return None
        if msg["app"] != "mix-3-2":
            return {"type": "error", "error": f"no app named {msg['app']!r}", "command": msg}
        return {"type": "fleet_answer", "app": msg["app"], "nodes_of": [["cell-5", 3], ["cell-900", 1]]}

    socket.answer = answer
    socket.send(fleet_frame(frame_header(3), fleet_arrays(3)))
    wait_drawn(page, "diego", 3)
    before = {name: pixel(page, "diego", name) for name in ("cell-1", "cell-150", "cell-2", "cell-999")}

    draws = page.evaluate("() => window.cfviz.fleet.drawStats().diego.draws")
    page.locator(".fleet-search input").fill("cell-1")
    # cell-1, cell-10…19 and cell-100…199.
    expect(page.locator(".fleet-search-status")).to_have_text("111 of 1,000 cells match")
    wait_draws_after(page, "diego", draws)
    assert pixel(page, "diego", "cell-1") == before["cell-1"]
    assert pixel(page, "diego", "cell-150") == before["cell-150"]
    for name in ("cell-2", "cell-999"):
        dimmed = pixel(page, "diego", name)
        assert dimmed != before[name], f"{name} is not dimmed"

    page.locator(".fleet-search select").select_option("app")
    page.locator(".fleet-search input").fill("mix-3-2")
    draws = page.evaluate("() => window.cfviz.fleet.drawStats().diego.draws")
    page.locator(".fleet-search input").press("Enter")
    expect(page.locator(".fleet-search-status")).to_have_text("mix-3-2: 4 instances on 2 cells")
    assert {"command": "fleet_query", "platform": "diego", "app": "mix-3-2"} in socket.received
    wait_draws_after(page, "diego", draws)
    assert pixel(page, "diego", "cell-1") != before["cell-1"], "a cell without the app is not dimmed"

    draws = page.evaluate("() => window.cfviz.fleet.drawStats().diego.draws")
    page.get_by_role("button", name="Clear").click()
    expect(page.locator(".fleet-search-status")).to_have_text("")
    wait_draws_after(page, "diego", draws)
    assert pixel(page, "diego", "cell-2") == before["cell-2"]

    # An app the run does not have: the server's refusal is said beside the box, not in a toast.
    page.locator(".fleet-search input").fill("nope")
    page.locator(".fleet-search input").press("Enter")
    expect(page.locator(".fleet-search-status")).to_have_text("no app named 'nope'")
    expect(page.locator(".toast")).to_have_count(0)


def test_zooming_spreads_the_tiles_and_a_drag_pans_them(
    open_fleet_page: Callable[..., FakeFleetSocket], page: Page
) -> None:
    socket = open_fleet_page(page, ["diego"])
    socket.send(fleet_frame(frame_header(1), fleet_arrays(1)))
    wait_drawn(page, "diego", 1)
    canvas = page.locator(".fleet-canvas")
    canvas.scroll_into_view_if_needed()
    # Two neighbours in the middle of the middle zone, so they stay on the canvas when zoomed.
    middle, next_to_it = "cell-499", "cell-502"
    a0, b0 = tile(page, "diego", middle), tile(page, "diego", next_to_it)
    pitch = b0["x"] - a0["x"]
    assert pitch > 0

    page.get_by_role("button", name="Zoom in").click()
    expect(canvas).to_have_attribute("data-zoom", "1.50")
    a1, b1 = tile(page, "diego", middle), tile(page, "diego", next_to_it)
    assert b1["x"] - a1["x"] == pytest.approx(pitch * 1.5, abs=0.5)

    # The wheel zooms about the pointer: the tile under it stays under it.
    page.mouse.move(a1["x"], a1["y"])
    page.mouse.wheel(0, -300)
    page.wait_for_function("(z) => Number(document.querySelector('.fleet-canvas').dataset.zoom) > z", arg=1.5)
    a2 = tile(page, "diego", middle)
    assert a2["x"] == pytest.approx(a1["x"], abs=1) and a2["y"] == pytest.approx(a1["y"], abs=1)

    # A drag pans, and the hovered tile is still found where it is drawn.
    page.mouse.down()
    page.mouse.move(a2["x"] + 40, a2["y"] + 30, steps=5)
    page.mouse.up()
    a3 = tile(page, "diego", middle)
    assert a3["x"] == pytest.approx(a2["x"] + 40, abs=1) and a3["y"] == pytest.approx(a2["y"] + 30, abs=1)
    # The release ended a drag, not a click: nothing is pinned or asked about.
    expect(page.locator(".fleet-tooltip")).to_have_attribute("data-pinned", "false")
    assert not any(msg.get("command") == "fleet_query" for msg in socket.received)
    page.mouse.move(a3["x"], a3["y"] + 1)
    expect(page.locator(".fleet-tooltip-title")).to_have_text(middle)

    page.get_by_role("button", name="Reset zoom").click()
    expect(canvas).to_have_attribute("data-zoom", "1.00")
    assert tile(page, "diego", middle) == a0


def test_the_canvas_is_drawn_at_the_screen_s_pixel_density(
    open_fleet_page: Callable[..., FakeFleetSocket], browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    try:
        socket = open_fleet_page(page, ["diego"])
        socket.send(fleet_frame(frame_header(1), fleet_arrays(1)))
        wait_drawn(page, "diego", 1)
        size = page.evaluate(
            "() => { const c = document.querySelector('.fleet-canvas'); return [c.width, c.clientWidth, c.height, c.clientHeight]; }"
        )
        assert size[0] == 2 * size[1] and size[2] == 2 * size[3]
        arrays = fleet_arrays(1)
        expected = ramp_rgb(page, bucket_of(float(arrays["memory_mb"][42]), MEMORY_MB))
        got = pixel(page, "diego", "cell-42")
        assert max(abs(a - b) for a, b in zip(got[:3], expected, strict=True)) <= 2
    finally:
        context.close()


def test_the_controls_send_the_run_s_commands_and_are_off_for_a_watcher(
    open_fleet_page: Callable[..., FakeFleetSocket], page: Page, browser: Browser
) -> None:
    socket = open_fleet_page(page, ["diego"])
    socket.send(fleet_frame(frame_header(4, playing=False), fleet_arrays(4)))
    wait_drawn(page, "diego", 4)
    expect(page.locator("#clock-time")).to_have_text("00:02.0")
    expect(page.locator("#run-status")).to_have_text("paused")

    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_label("Speed").select_option("100")
    page.locator("#btn-step-forward").click()
    page.get_by_role("button", name="Restart").click()
    page.locator("#fleet-seek").fill("1800")
    expect(page.locator("#fleet-seek-end")).to_have_text("1:00:00.0")
    deadline = time.monotonic() + 5
    while len(socket.received) < 5 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert socket.received == [
        {"command": "play"},
        {"command": "speed", "value": 100},
        {"command": "step", "direction": "forward"},
        {"command": "restart"},
        {"command": "seek", "t": 1800},
    ]

    watcher = browser.new_page()
    try:
        open_fleet_page(watcher, ["diego"], can_control=False)
        expect(watcher.locator("#watch-banner")).to_be_visible()
        for name in (
            "btn-play",
            "btn-pause",
            "btn-restart",
            "btn-step-back",
            "btn-step-forward",
            "speed",
            "fleet-seek",
        ):
            expect(watcher.locator(f"#{name}")).to_be_disabled()
    finally:
        watcher.close()


def test_a_comparison_run_shows_both_fleets_their_metrics_side_by_side_and_the_rates(
    open_fleet_page: Callable[..., FakeFleetSocket], page: Page
) -> None:
    socket = open_fleet_page(page, ["diego", "eirini"], prefixes={"eirini": "node"})
    socket.send(fleet_frame(frame_header(1, finished_at=812.5), fleet_arrays(1)))
    eirini = frame_header(
        2,
        "eirini",
        rates={"placements_per_s": 20.0, "rounds_per_s": 20.0, "starts_per_s": 15.5},
        queues={"scheduler": 5000, "staging": 10, "registry": 230},
        finished_at=None,
    )
    socket.send(fleet_frame(eirini, fleet_arrays(2)))
    wait_drawn(page, "diego", 1)
    wait_drawn(page, "eirini", 2)

    expect(page.locator(".fleet-canvas")).to_have_count(2)
    expect(page.locator("#fleet-grid")).to_have_attribute("data-layout", "both")
    metrics = page.locator("#fleet-metrics")
    expect(metrics.locator("thead th")).to_have_text(["", "Diego", "Eirini", "Eirini − Diego"])
    expect(metrics.locator("[data-metric='placements_per_s'] td")).to_have_text(["812.0", "20.0", "−792.0"])
    expect(metrics.locator("[data-metric='queue_scheduler'] td")).to_have_text(["—", "5,000", "—"])
    expect(metrics.locator("[data-metric='finished_at'] td")).to_have_text(["812.5 s", "—", "—"])
    # Figures no frame carries have no row (cfviz's runtime adds a few to docs/fleet.md's).
    expect(metrics.locator("[data-metric='apps_pushed']")).to_have_count(0)
    expect(metrics.locator("[data-metric='headline']")).to_have_text(
        "Time to every instance running: Diego 812.5 s · Eirini not yet (180,004 of 250,000 running). Diego finished first."
    )

    diego_rates = page.locator("svg.fleet-diagram[data-platform='diego']")
    expect(diego_rates.locator("[data-edge='auctioneer>cells'] .fleet-rate-value")).to_have_text("812.0")
    expect(diego_rates.locator("[data-component='auctioneer'] .box-state")).to_have_text("queue 1,200")
    eirini_rates = page.locator("svg.fleet-diagram[data-platform='eirini']")
    expect(eirini_rates.locator("[data-edge='api-server>kube-scheduler'] .fleet-rate-value")).to_have_text(
        "20.0"
    )
    expect(eirini_rates.locator("[data-edge='api-server>kube-scheduler'] .fleet-rate-unit")).to_have_text(
        "cycles/s"
    )
    expect(eirini_rates.locator("[data-component='registry']")).to_have_class(re.compile(r"\bhas-queue\b"))
    for component in (
        "cc",
        "eirini",
        "api-server",
        "kube-scheduler",
        "registry",
        "kubelets",
        "route-collector",
        "gorouter",
    ):
        expect(eirini_rates.locator(f"[data-component='{component}']")).to_have_count(1)

    # Both finished: the headline says by how much.
    socket.send(fleet_frame({**eirini, "seq": 3, "finished_at": 1400.0}, fleet_arrays(3)))
    expect(metrics.locator("[data-metric='headline']")).to_have_text(
        "Time to every instance running: Diego 812.5 s · Eirini 1,400.0 s. Diego 587.5 s sooner than Eirini."
    )


def test_a_run_that_does_not_exist_says_so_and_a_bad_frame_is_reported_once(
    open_fleet_page: Callable[..., FakeFleetSocket], page: Page
) -> None:
    socket = open_fleet_page(page, ["diego"])
    for _ in range(3):
        socket.send(b"XXXX" + fleet_frame(frame_header(1), fleet_arrays(1))[4:])
    expect(page.locator(".toast")).to_have_count(1)
    expect(page.locator(".toast")).to_contain_text('not a fleet frame: starts "XXXX"')
    assert socket.ws is not None
    socket.ws.close(code=4404, reason="no such run")
    expect(page.locator("#connection")).to_have_text("no such run")
    expect(page.locator("#gone-banner")).to_be_visible()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_disabled()


START_COUNTING = """() => {
  const counter = { frames: 0, start: performance.now(), stop: false };
  const tick = () => { if (counter.stop) return; counter.frames += 1; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  performance.clearMeasures("fleet-draw");
  window.__fleetRafCounter = counter;
}"""

STOP_COUNTING = """() => {
  const counter = window.__fleetRafCounter;
  counter.stop = true;
  const seconds = (performance.now() - counter.start) / 1000;
  const measures = performance.getEntriesByName("fleet-draw", "measure");
  return { seconds, rafs: counter.frames, draws: measures.map((m) => [m.duration, m.detail.seq, m.detail.platform]) };
}"""


@pytest.mark.parametrize("platforms", [["diego"], ["diego", "eirini"]], ids=["one-fleet", "two-fleets"])
def test_draw_rate_with_a_thousand_tiles_and_a_new_frame_every_animation_frame(
    open_fleet_page: Callable[..., FakeFleetSocket], page: Page, platforms: list[str]
) -> None:
    """Prints the frame rate and draw times; asserts only that draws happened and used the latest frame."""
    socket = open_fleet_page(page, platforms)
    frames = [
        [fleet_frame(frame_header(k, p), fleet_arrays(k + i)) for i, p in enumerate(platforms)]
        for k in range(1, 400)
    ]
    for frame in frames[0]:
        socket.send(frame)
    for platform in platforms:
        wait_drawn(page, platform, 1)
    # The pointer sits on a tile, so its tooltip is rewritten with every frame too.
    at = tile(page, "diego", "cell-500")
    page.mouse.move(at["x"], at["y"])

    page.evaluate(START_COUNTING)
    sent = 1
    start = time.monotonic()
    while time.monotonic() - start < MEASURE_S and sent < len(frames):
        for frame in frames[sent]:
            socket.send(frame)
        sent += 1
        # One tick per sixtieth of a second, on the clock rather than after each send.
        time.sleep(max(0.0, start + (sent - 1) / 60 - time.monotonic()))
    last_seq = sent
    for platform in platforms:
        wait_drawn(page, platform, last_seq)
    result = page.evaluate(STOP_COUNTING)

    durations = sorted(d for d, _, _ in result["draws"])
    assert durations, "nothing was drawn"
    p50 = durations[len(durations) // 2]
    p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))]
    fps = result["rafs"] / result["seconds"]
    draw_rate = len(durations) / result["seconds"] / len(platforms)
    print(
        f"\nfleet view, {len(platforms)} × {CELLS} tiles: {sent - 1} frames each sent in {result['seconds']:.2f} s; "
        f"animation frames {fps:.1f}/s; draws {draw_rate:.1f}/s per view; "
        f"draw time p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {durations[-1]:.2f} ms"
    )
    assert len(durations) >= 10 * len(platforms)
    for platform in platforms:
        last_draw = [seq for _, seq, p in result["draws"] if p == platform][-1]
        assert last_draw == last_seq
        assert page.evaluate("(p) => window.cfviz.fleet.drawStats()[p].seq", platform) == last_seq


# -- a real fleet run -----------------------------------------------------------------------

SCALE_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "scale-eirini-2500.json"
FLEET_RUNTIME = Path(__file__).resolve().parents[2] / "cfviz" / "fleet_runtime.py"
# Simulating and aggregating happen on the server; a slow CI machine gets plenty of slack.
REAL_RUN_TIMEOUT_MS = 60_000

FRAMES_DRAWN = """([platforms, nodes]) => {
  const stats = window.cfviz?.fleet?.drawStats() ?? {};
  const frames = window.cfviz?.fleet?.frames ?? {};
  return platforms.every((p) => stats[p]?.tiles === nodes && stats[p]?.seq !== null
    && stats[p]?.seq === frames[p]?.seq && frames[p]?.totals?.running > 0);
}"""


@pytest.mark.skipif(
    not (SCALE_SCENARIO.exists() and FLEET_RUNTIME.exists()), reason="no scale scenario or fleet runtime yet"
)
def test_a_real_fleet_run_of_the_scale_scenario_draws_its_frames(live_asgi_url: str, page: Page) -> None:
    """Started from the home page: the server's snapshot and binary frames, drawn for both platforms."""
    spec = json.loads(SCALE_SCENARIO.read_text())
    nodes = len(spec["cells"])
    start_scenario(page, live_asgi_url, SCALE_SCENARIO.stem, platform="both")
    expect(page.locator(".fleet-canvas")).to_have_count(2)
    expect(page.locator("#connection")).to_have_text("live")

    play_fast(page)
    page.wait_for_function(FRAMES_DRAWN, arg=[["diego", "eirini"], nodes], timeout=REAL_RUN_TIMEOUT_MS)

    stats = page.evaluate("() => window.cfviz.fleet.drawStats()")
    assert stats["diego"]["zones"] == len(spec["zones"])
    frames = page.evaluate("() => window.cfviz.fleet.frames")
    assert frames["diego"]["nodes"] == frames["eirini"]["nodes"] == nodes
    expect(page.locator("#fleet-metrics [data-metric='desired'] td").first).not_to_have_text("—")
    # Every queue the server counts has a figure, and bits-service's is on the diagram.
    for cell in page.locator("#fleet-metrics tr[data-metric^='queue_'] td:not(.fleet-diff)").all():
        expect(cell).to_have_text(re.compile(r"^(\d[\d,]*|—)$"))
    registry = page.locator(
        "svg.fleet-diagram[data-platform='eirini'] [data-component='registry'] .box-state"
    )
    expect(registry).to_have_text(re.compile(r"^pulls waiting \d[\d,]*$"))

    # Hover a real node: its figures; click it: the server's apps on it.
    canvas = page.locator(".fleet-view[data-platform='diego'] .fleet-canvas")
    canvas.scroll_into_view_if_needed()
    name = spec["cells"][0]["name"]
    at = tile(page, "diego", name)
    page.mouse.click(at["x"], at["y"])
    tooltip = page.locator(".fleet-view[data-platform='diego'] .fleet-tooltip")
    expect(tooltip.locator(".fleet-tooltip-title")).to_have_text(name)
    expect(tooltip.locator(".fleet-tooltip-apps-heading")).to_have_text(
        re.compile(r"^(\d[\d,]* apps? on it|No apps on it)$"), timeout=REAL_RUN_TIMEOUT_MS
    )
    pause_run(page)

    # Why here? The server rebuilds the cells at that placement and scores them: its decision
    # names this cell the winner. On Kubernetes, kube-scheduler's cycle replayed per item.
    page.keyboard.press("Escape")
    names = [cell["name"] for cell in spec["cells"]]
    for platform in ("diego", "eirini"):
        name = open_why_on_a_busy_tile(page, platform, names)
        panel = page.locator(f"section[data-part='decision'][data-platform='{platform}']")
        heading = panel.locator(f"#decision-heading-{platform}")
        expect(heading).to_have_text(re.compile(rf" → {re.escape(name)}$"))
        winner = panel.locator("table.decision-table tbody tr[data-winner='true']")
        expect(winner).to_have_attribute("data-cell", name)
        page.keyboard.press("Escape")


def open_why_on_a_busy_tile(page: Page, platform: str, names: list[str]) -> str:
    """Click tiles in order until one holds an app, then its first "why here?"; its name."""
    tooltip = page.locator(f".fleet-view[data-platform='{platform}'] .fleet-tooltip")
    for name in names:
        at = tile(page, platform, name)
        page.mouse.click(at["x"], at["y"])
        heading = tooltip.locator(".fleet-tooltip-apps-heading")
        expect(heading).to_have_text(re.compile(r"on it$"), timeout=REAL_RUN_TIMEOUT_MS)
        if heading.inner_text() != "No apps on it":
            tooltip.locator(".fleet-why").first.click()
            return name
        page.keyboard.press("Escape")
    pytest.fail(f"no {platform} tile held an app yet")


def pause_run(page: Page) -> None:
    """Pause the live run before the test ends, so the server is not still writing the run's
    status to the database while the next test empties it (SQLite locks)."""
    pause = page.get_by_role("button", name="Pause", exact=True)
    if pause.is_enabled():
        pause.click()
    expect(page.locator("#run-status")).to_have_text(re.compile("paused|finished"))


RECORD_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "scale-250k.json"
# How long the page counts the server's frames to measure their rate.
FRAME_RATE_WINDOW_MS = 3000

FRAME_COUNT = """(platform) => window.cfviz.fleet.frames[platform]?.seq ?? null"""


def test_the_250k_record_run_streams_aggregated_frames_for_1000_cells_and_they_are_drawn(
    live_asgi_url: str, page: Page
) -> None:
    """Diego's record, live: 1,000 tiles, per-cell frames (never per instance), at most ~10 a second."""
    spec = json.loads(RECORD_SCENARIO.read_text())
    start_scenario(page, live_asgi_url, RECORD_SCENARIO.stem, platform="diego")
    expect(page.locator(".fleet-canvas")).to_have_count(1)
    play_fast(page)
    page.wait_for_function(FRAMES_DRAWN, arg=[["diego"], 1000], timeout=REAL_RUN_TIMEOUT_MS)
    frames = page.evaluate("() => window.cfviz.fleet.frames")
    assert frames["diego"]["nodes"] == len(spec["cells"]) == 1000
    assert frames["diego"]["totals"]["instances"] == 250_000

    first = page.evaluate(FRAME_COUNT, "diego")
    page.wait_for_timeout(FRAME_RATE_WINDOW_MS)
    last = page.evaluate(FRAME_COUNT, "diego")
    rate = (last - first) / (FRAME_RATE_WINDOW_MS / 1000)
    stats = page.evaluate("() => window.cfviz.fleet.drawStats()")
    print(
        f"\n250k record, live: {rate:.1f} frames/s from the server for 1,000 cells; "
        f"t = {frames['diego']['t']:.0f} s simulated, {frames['diego']['totals']['running']:,} running"
    )
    assert 0 < rate <= 12
    assert stats["diego"]["tiles"] == 1000
    pause_run(page)
