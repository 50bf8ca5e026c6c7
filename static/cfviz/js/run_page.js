/**
 * Entry point of the run page: one pane per platform of the run (two side by side for a
 * lockstep run), the comparison strip under them, and one clock and one set of controls.
 * Snapshots replace every platform's view; a frame's `records[platform]` goes to that
 * platform's pane (protocol.md §3). Drawing happens at most once per animation frame.
 */

import { ComparisonStrip } from "./compare.js";
import { Controls } from "./controls.js";
import { PlatformPane } from "./platform_pane.js";
import { platformInfo } from "./platforms.js";
import { RunSocket } from "./socket.js";
import { showToast } from "./toast.js";

const config = JSON.parse(document.getElementById("run-config").textContent);
const grid = document.getElementById("run-grid");
const compareSection = document.getElementById("compare");
const template = document.getElementById("platform-pane");
const toasts = document.getElementById("toasts");
const connection = document.getElementById("connection");

const HINTS = {
  diego: "click a container to see why it landed on its cell",
  eirini: "click a pod to see why kube-scheduler put it on its node",
  both: "click a container or pod to see why it landed where it did",
};

const state = {
  platforms: [],
  /** @type {Map<string, PlatformPane>} */
  panes: new Map(),
  compare: null,
  lastFrameSeq: null,
  speed: 1,
  drawPending: false,
};

// For tests and the curious: the latest frame applied and the picture it gives.
window.cfviz = {
  get lastFrameSeq() { return state.lastFrameSeq; },
  get platforms() { return [...state.platforms]; },
  get views() { return Object.fromEntries([...state.panes].map(([name, pane]) => [name, pane.view])); },
  get view() { return state.panes.values().next().value?.view; },
};

/** Lay the page out for these platforms: one pane each, and the strip comparing them. */
function build(platforms) {
  for (const pane of state.panes.values()) pane.remove();
  state.panes.clear();
  state.platforms = [...platforms];
  const both = platforms.length > 1;
  grid.dataset.layout = both ? "both" : "single";
  for (const platform of platforms) {
    const other = platforms.find((p) => p !== platform);
    state.panes.set(platform, new PlatformPane(platform, {
      template,
      grid,
      before: compareSection,
      suffix: both ? `-${platform}` : "",
      other: both && other ? { name: platformInfo(other).name, open: (key) => state.panes.get(other)?.openKey(key) } : undefined,
    }));
  }
  state.compare = new ComparisonStrip(document.getElementById("compare-body"), platforms);
  document.getElementById("run-platforms").textContent = platforms.map((p) => platformInfo(p).name).join(" and ")
    + (both ? ", side by side on one clock" : "");
  document.getElementById("controls-hint").textContent = `Space plays and pauses · ${HINTS[both ? "both" : platforms[0]] ?? HINTS.both}`;
  scheduleDraw();
}

const socket = new RunSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${config.ws_path}`, {
  onSnapshot: applySnapshot,
  onFrame: applyFrame,
  onError: (msg) => showToast(toasts, msg.error || "The server refused that command."),
  onConnection: showConnection,
});
const controls = new Controls(document, (command) => {
  if (!socket.send(command)) showToast(toasts, "Not connected: the command was not sent.");
});

function applySnapshot(msg) {
  const platforms = msg.platforms ?? Object.keys(msg.views ?? {});
  if (platforms.length && platforms.join() !== state.platforms.join()) build(platforms);
  for (const [platform, pane] of state.panes) pane.setView(msg.views?.[platform]);
  state.lastFrameSeq = msg.seq;
  controls.setCanControl(Boolean(msg.can_control));
  state.speed = msg.speed ?? state.speed;
  controls.update(msg);
  scheduleDraw();
}

function applyFrame(msg) {
  state.lastFrameSeq = msg.seq;
  state.speed = msg.speed ?? state.speed;
  for (const [platform, pane] of state.panes) pane.apply(msg.records?.[platform] ?? [], state.speed, msg.t);
  controls.update(msg);
  scheduleDraw();
}

function scheduleDraw() {
  if (state.drawPending) return;
  state.drawPending = true;
  requestAnimationFrame(draw);
}

function draw() {
  state.drawPending = false;
  for (const pane of state.panes.values()) pane.draw(state.lastFrameSeq);
  state.compare?.render(window.cfviz.views);
}

function showConnection(status) {
  const text = {
    connecting: "connecting…",
    open: "live",
    reconnecting: "reconnecting…",
    gone: "no such run",
  }[status];
  connection.textContent = text;
  connection.dataset.connection = status;
  if (status === "gone") {
    controls.disableAll();
    document.getElementById("gone-banner").hidden = false;
  }
}

// Links to the mapping of Diego onto Kubernetes open it (it starts folded).
document.addEventListener("click", (event) => {
  if (event.target.closest?.("[data-open-mapping]")) document.getElementById("mapping").open = true;
});

// Lay out the run's platforms and draw the empty frame at once, so the page never shows a
// blank box while connecting.
build(config.platforms?.length ? config.platforms : ["diego"]);
socket.connect();
