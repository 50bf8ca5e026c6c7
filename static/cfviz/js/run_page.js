/**
 * Entry point of the run page: one pane per platform of the run (two side by side for a
 * lockstep run), the comparison strip and the run summary under them, one clock, one set of
 * controls and the live actions. Snapshots replace every platform's view; a frame's
 * `records[platform]` goes to that platform's pane (protocol.md §3). Drawing happens at most
 * once per animation frame.
 */

import { ComparisonStrip } from "./compare.js";
import { showConnectionStatus } from "./connection_status.js";
import { Controls } from "./controls.js";
import { LiveActions } from "./live_actions.js";
import { latestRootfs } from "./operations.js";
import { PlatformPane } from "./platform_pane.js";
import { platformInfo } from "./platforms.js";
import { RunSummary } from "./run_summary.js";
import { RunSocket } from "./socket.js";
import { Narration } from "./narration.js";
import { TimeTravel } from "./time_travel.js";
import { showToast } from "./toast.js";

const config = JSON.parse(document.getElementById("run-config").textContent);
const grid = document.getElementById("run-grid");
const compareSection = document.getElementById("compare");
const template = document.getElementById("platform-pane");
const toasts = document.getElementById("toasts");
const connection = document.getElementById("connection");

const HINTS = {
  diego: "click a container to see why it landed on its cell, a cell to act on it",
  eirini: "click a pod to see why kube-scheduler put it on its node, a node to act on it",
  both: "click a container or pod to see why it landed where it did, a cell or node to act on it",
};

const state = {
  platforms: [],
  /** @type {Map<string, PlatformPane>} */
  panes: new Map(),
  compare: null,
  summary: null,
  lastFrameSeq: null,
  speed: 1,
  status: "paused",
  t: 0,
  drawPending: false,
};

// For tests and the curious: the latest frame applied and the picture it gives.
window.cfviz = {
  get lastFrameSeq() { return state.lastFrameSeq; },
  get platforms() { return [...state.platforms]; },
  get views() { return Object.fromEntries([...state.panes].map(([name, pane]) => [name, pane.view])); },
  get view() { return state.panes.values().next().value?.view; },
};

const socket = new RunSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${config.ws_path}`, {
  onSnapshot: applySnapshot,
  onFrame: applyFrame,
  onError: (msg) => showToast(toasts, msg.error || "The server refused that command."),
  onConnection: showConnection,
});
const send = (command) => {
  const sent = socket.send(command);
  if (!sent) showToast(toasts, "Not connected: the command was not sent.");
  return sent;
};
const controls = new Controls(document, send);
const actions = new LiveActions({ send, notify: (text, kind) => showToast(toasts, text, { kind }) });
const timeTravel = new TimeTravel(document.getElementById("time-travel"), send, (text) => showToast(toasts, text));
const narration = new Narration(document.getElementById("narration"));
// A permalink's moment is opened once, on the first snapshot: detached, on its branch, at its time.
let pendingMoment = config.moment ?? null;

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
      actions,
    }));
  }
  actions.setPlatforms(platforms);
  state.compare = new ComparisonStrip(document.getElementById("compare-body"), platforms);
  state.summary = new RunSummary(document.getElementById("run-summary"), platforms);
  document.getElementById("run-platforms").textContent = platforms.map((p) => platformInfo(p).name).join(" and ")
    + (both ? ", side by side on one clock" : "");
  document.getElementById("controls-hint").textContent = `Space plays and pauses · ${HINTS[both ? "both" : platforms[0]] ?? HINTS.both}`;
  scheduleDraw();
}

function applySnapshot(msg) {
  const platforms = msg.platforms ?? Object.keys(msg.views ?? {});
  if (platforms.length && platforms.join() !== state.platforms.join()) build(platforms);
  for (const [platform, pane] of state.panes) pane.setView(msg.views?.[platform]);
  state.lastFrameSeq = msg.seq;
  controls.setCanControl(Boolean(msg.can_control));
  actions.setCanControl(Boolean(msg.can_control));
  state.speed = msg.speed ?? state.speed;
  noteRun(msg);
  controls.update(msg);
  timeTravel.update(msg);
  narration.update(msg);
  if (pendingMoment) {
    timeTravel.openMoment(pendingMoment, msg.branch ?? 0);
    pendingMoment = null;
  }
  scheduleDraw();
}

/** The run's status and clock, for the summary. */
function noteRun(msg) {
  state.status = msg.status ?? state.status;
  state.t = msg.t ?? state.t;
}

function applyFrame(msg) {
  state.lastFrameSeq = msg.seq;
  state.speed = msg.speed ?? state.speed;
  noteRun(msg);
  for (const [platform, pane] of state.panes) pane.apply(msg.records?.[platform] ?? [], state.speed, msg.t);
  controls.update(msg);
  timeTravel.update(msg);
  narration.update(msg);
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
  const views = window.cfviz.views;
  state.compare?.render(views);
  state.summary?.render(views, {
    status: state.status,
    t: state.t,
    registryPeaks: Object.fromEntries([...state.panes].map(([name, pane]) => [name, pane.registryPeak])),
  });
  actions.syncRootfs(Object.values(views).map(latestRootfs).find(Boolean));
  // An open cell menu follows its box when the diagram is laid out anew.
  actions.menu.place();
}

function showConnection(status) {
  if (!showConnectionStatus(connection, status)) return;
  controls.disableAll();
  actions.setCanControl(false);
}

// Links to the mapping of Diego onto Kubernetes open it (it starts folded).
document.addEventListener("click", (event) => {
  if (event.target.closest?.("[data-open-mapping]")) document.getElementById("mapping").open = true;
});

// Lay out the run's platforms and draw the empty frame at once, so the page never shows a
// blank box while connecting.
build(config.platforms?.length ? config.platforms : ["diego"]);
socket.connect();
