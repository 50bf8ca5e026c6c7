/**
 * Entry point of a fleet run's page (docs/fleet.md): per platform a fleet view of every cell or
 * node and the component diagram in rates, the scale metrics across platforms, and one clock
 * and set of controls. The snapshot brings the layout; every binary frame replaces its
 * platform's picture. The page's text and diagrams update at most once per animation frame;
 * each fleet view draws itself the same way.
 */

import { showConnectionStatus } from "./connection_status.js";
import { Controls } from "./controls.js";
import { DecisionPanel } from "./decision_panel.js";
import { FleetDiagram } from "./fleet_diagram.js";
import { FleetMetrics } from "./fleet_metrics.js";
import { FleetSeek } from "./fleet_seek.js";
import { FleetSocket } from "./fleet_socket.js";
import { FleetView } from "./fleet_view.js";
import { formatCount } from "./fleet_format.js";
import { platformInfo } from "./platforms.js";
import { showToast } from "./toast.js";

const config = JSON.parse(document.getElementById("run-config").textContent);
const grid = document.getElementById("fleet-grid");
const metricsSection = document.getElementById("fleet-metrics");
const template = document.getElementById("fleet-pane");
const toasts = document.getElementById("toasts");
const connection = document.getElementById("connection");

/** Platforms whose placements the server explains in fleet mode (docs/fleet.md §3). */
const EXPLAINED = new Set(["diego", "eirini"]);

/**
 * @typedef {{view: FleetView, diagram: FleetDiagram, sections: HTMLElement[], summary: HTMLElement,
 *   layout: object|null, decision: DecisionPanel|null, decisionSection: HTMLElement|null}} Pane
 */
const state = {
  /** @type {string[]} */
  platforms: [],
  /** @type {Map<string, Pane>} */
  panes: new Map(),
  metrics: null,
  /** Latest frame header per platform. */
  headers: {},
  status: "paused",
  t: 0,
  end: null,
  canControl: false,
  renderPending: false,
  /** Queries sent, by what they ask ("node:cell-17"), with the platforms whose views asked. */
  asked: new Map(),
  /** Bad-frame messages already shown, so a broken stream is said once, not ten times a second. */
  badFrames: new Set(),
};

window.cfviz = {
  fleet: {
    get lastSeq() { return socket.lastSeq; },
    get t() { return state.t; },
    get status() { return state.status; },
    get platforms() { return [...state.platforms]; },
    get frames() { return { ...state.headers }; },
    /** Per platform: draws, the frame last drawn, draw times (p50, p95, max ms). */
    drawStats() { return Object.fromEntries([...state.panes].map(([p, pane]) => [p, pane.view.stats()])); },
    /** Where a node's tile is on screen, for tests that hover or click it. */
    tileCentre(platform, node) { return state.panes.get(platform)?.view.tileCentre(node) ?? null; },
  },
};

const socket = new FleetSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${config.ws_path}`, {
  onSnapshot: applySnapshot,
  onFrame: applyFrame,
  onAnswer: applyAnswer,
  onDecision: applyDecision,
  onError: applyError,
  onBadFrame: (error) => {
    if (state.badFrames.has(error.message)) return;
    state.badFrames.add(error.message);
    showToast(toasts, `A fleet frame could not be read: ${error.message}`);
  },
  onConnection: showConnection,
});
const send = (command) => {
  const sent = socket.send(command);
  if (!sent) showToast(toasts, "Not connected: the command was not sent.");
  return sent;
};
const controls = new Controls(document, send);
const seek = new FleetSeek(document, send);

/** Lay the page out for these platforms: a fleet view and a rates diagram each. */
function build(platforms) {
  for (const pane of state.panes.values()) for (const section of pane.sections) section.remove();
  state.panes.clear();
  state.platforms = [...platforms];
  state.headers = {};
  const both = platforms.length > 1;
  grid.dataset.layout = both ? "both" : "single";
  for (const platform of platforms) state.panes.set(platform, buildPane(platform));
  state.metrics = new FleetMetrics(document.getElementById("fleet-metrics-body"), platforms);
  document.getElementById("run-platforms").textContent = platforms.map((p) => platformInfo(p).name).join(" and ")
    + (both ? ", side by side on one clock" : "");
  scheduleRender();
}

/** @returns {Pane} */
function buildPane(platform) {
  const info = platformInfo(platform);
  const fragment = template.content.cloneNode(true);
  const explains = EXPLAINED.has(platform);
  if (!explains) fragment.querySelector("[data-part='decision']").remove();
  const sections = [...fragment.children];
  for (const section of sections) section.dataset.platform = platform;
  for (const badge of fragment.querySelectorAll("[data-slot='name']")) {
    badge.textContent = info.name;
    badge.classList.add(`platform-badge--${platform}`);
  }
  const view = new FleetView(fragment.querySelector("[data-slot='view']"), {
    platform,
    worker: info.diagram.worker,
    ask: (what) => ask(platform, what),
    explains,
  });
  const decisionSection = fragment.querySelector("[data-part='decision']");
  const title = decisionSection?.querySelector("[data-slot='decision-title']");
  if (title) title.textContent = `Why this ${info.diagram.worker[0]}? `;
  const decision = decisionSection
    ? new DecisionPanel(decisionSection, { suffix: `-${platform}`, onClose: () => { decisionSection.hidden = true; } })
    : null;
  const diagram = new FleetDiagram(fragment.querySelector("[data-slot='diagram']"), platform);
  const summary = fragment.querySelector("[data-slot='summary']");
  grid.insertBefore(fragment, metricsSection);
  // The rates diagrams go under the metrics, so the views sit side by side at the top.
  const rates = sections.find((s) => s.dataset.part === "rates");
  grid.append(rates);
  return { view, diagram, sections, summary, layout: null, decision, decisionSection };
}

/**
 * Ask the server about a node or an app of a platform. A command like the others (the server
 * parses every client message by its "command"), naming the platform: a run of two needs it.
 */
function ask(platform, what) {
  if (!socket.send({ command: "fleet_query", platform, ...what })) return false;
  const key = queryKey(what);
  if (!state.asked.has(key)) state.asked.set(key, new Set());
  state.asked.get(key).add(platform);
  return true;
}

const queryKey = (what) => {
  if (what.why !== undefined) return `why:${what.app}:${what.why}`;
  return what.node !== undefined ? `node:${what.node}` : `app:${what.app}`;
};

function applySnapshot(msg) {
  const platforms = msg.platforms ?? Object.keys(msg.fleet_layout ?? {});
  if (platforms.length && platforms.join() !== state.platforms.join()) build(platforms);
  if (msg.fleet === false) showToast(toasts, "This run is not a fleet run: its page is the detailed one.");
  for (const [platform, pane] of state.panes) {
    const layout = msg.fleet_layout?.[platform];
    if (layout && !sameLayout(pane.layout, layout)) {
      pane.layout = layout;
      pane.view.setLayout(layout);
      const zones = new Set(layout.zones ?? []).size;
      const [one, many] = platformInfo(platform).diagram.worker;
      const n = layout.nodes?.length ?? 0;
      pane.summary.textContent = `${formatCount(n)} ${n === 1 ? one : many} in ${zones} ${zones === 1 ? "zone" : "zones"}, one tile each`;
    }
  }
  state.canControl = Boolean(msg.can_control);
  controls.setCanControl(state.canControl);
  state.status = msg.status ?? state.status;
  state.t = msg.t ?? state.t;
  if (Number.isFinite(msg.end_time)) state.end = msg.end_time;
  controls.update(msg);
  scheduleRender();
}

function sameLayout(a, b) {
  if (!a || a.nodes?.length !== b.nodes?.length) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** @param {import("./fleet_frame.js").FleetFrame} frame */
function applyFrame(frame) {
  const header = frame.header;
  const pane = state.panes.get(header.platform);
  if (!pane) return;
  if (header.nodes !== (pane.layout?.nodes?.length ?? -1)) {
    socket.handlers.onBadFrame(new Error(`${header.platform} frame has ${header.nodes} nodes, the layout ${pane.layout?.nodes?.length ?? 0}`));
    return;
  }
  pane.view.setFrame(frame);
  state.headers[header.platform] = header;
  state.t = header.t ?? state.t;
  state.status = frameStatus(header);
  scheduleRender();
}

/**
 * The run's status, as the frame says it; a frame with only `playing` (docs/fleet.md §3) is
 * finished once it stopped with every platform finished.
 */
function frameStatus(header) {
  if (typeof header.status === "string") return header.status;
  if (header.playing) return "playing";
  const finished = state.platforms.every((p) => state.headers[p]?.finished_at !== null && state.headers[p]?.finished_at !== undefined);
  return finished ? "finished" : "paused";
}

/**
 * `fleet_answer`: the apps on a node, or the nodes of an app, for the view that asked. The
 * answer names its platform; lists come as `apps`/`nodes` (or `apps_on`/`nodes_of`, as
 * docs/fleet.md first had them), of {app|node, instances} objects or [name, count] pairs.
 */
function applyAnswer(msg) {
  const kind = msg.node !== undefined ? "node" : "app";
  const key = queryKey(msg);
  const found = kind === "node" ? (msg.apps ?? msg.apps_on) : (msg.nodes ?? msg.nodes_of);
  const asked = state.asked.get(key);
  state.asked.delete(key);
  for (const [platform, pane] of state.panes) {
    let list = found?.[platform];
    if (Array.isArray(found)) list = (msg.platform ? msg.platform === platform : !asked || asked.has(platform)) ? found : null;
    if (!list) continue;
    const pairs = list.map(pair);
    if (kind === "node") pane.view.showNodeApps(msg.node, pairs, msg.total_apps);
    else pane.view.showAppNodes(msg.app, pairs, msg.instances);
  }
}

/** [name, count, index?] from [name, count] or {app|node|name, instances|count, index}. */
function pair(entry) {
  if (Array.isArray(entry)) return [String(entry[0]), Number(entry[1] ?? 0)];
  return [String(entry.app ?? entry.node ?? entry.name), Number(entry.instances ?? entry.count ?? 0), entry.index];
}

/**
 * `fleet_decision`: why one placement went where it did, shown in the platform's decision
 * panel as on a detailed run's page.
 */
function applyDecision(msg) {
  const pane = state.panes.get(msg.platform);
  const decision = msg.decision;
  if (!pane?.decision || !decision) return;
  state.asked.delete(`why:${decision.app}:${decision.work_type === "task" ? "staging" : decision.index}`);
  const label = decision.work_type === "task" ? `staging of ${decision.app}` : decision.work;
  pane.decisionSection.hidden = false;
  pane.decision.show(decision.work, label, { decisions: { [decision.work]: decision } });
  // The fleet auction and the per-item one check each other here: they must agree.
  if (decision.consistent === false) showToast(toasts, `${label}: the run's choice was not among the best by the per-item scheduler. Please report this run.`);
}

/** An error frame: a refused search is said beside the search box, anything else in a toast. */
function applyError(msg) {
  const command = msg.command;
  if (command?.command === "fleet_query" && command.why !== undefined) {
    state.asked.delete(queryKey(command));
    showToast(toasts, `Why ${command.app}/${command.why}? ${msg.error}`);
    return;
  }
  if (command?.command === "fleet_query" || command?.type === "fleet_query") {
    const pane = state.panes.get(command.platform) ?? state.panes.values().next().value;
    state.asked.delete(queryKey(command));
    if (pane?.view.queryFailed(command, msg.error)) return;
  }
  showToast(toasts, msg.error || "The server refused that command.");
}

function scheduleRender() {
  if (state.renderPending) return;
  state.renderPending = true;
  requestAnimationFrame(render);
}

function render() {
  state.renderPending = false;
  const header = Object.values(state.headers)[0];
  controls.update({ status: state.status, speed: header?.speed, t: state.t });
  seek.update({ t: state.t, end: state.end, canControl: state.canControl });
  const worker = platformInfo(state.platforms[0]).diagram.worker;
  state.metrics?.render(state.headers, state.platforms.length > 1 ? ["cell or node", "cells or nodes"] : worker);
  for (const [platform, pane] of state.panes) pane.diagram.update(state.headers[platform], pane.layout?.nodes?.length ?? 0);
}

function showConnection(status) {
  if (!showConnectionStatus(connection, status)) return;
  state.canControl = false;
  controls.disableAll();
  seek.disable();
}

build(config.platforms?.length ? config.platforms : ["diego"]);
socket.connect();
