/**
 * Entry point of the run page: connects the websocket to the view, and the view to the
 * diagram, tokens, panels and controls. Records are applied as frames arrive; drawing
 * happens at most once per animation frame.
 */

import { Controls } from "./controls.js";
import { DecisionPanel } from "./decision_panel.js";
import { Diagram } from "./diagram.js";
import { taskLabel } from "./format.js";
import { LogPane } from "./log_pane.js";
import { RunSocket } from "./socket.js";
import { AppSummary } from "./summary.js";
import { showToast } from "./toast.js";
import { Tokens } from "./tokens.js";
import { applyRecord, emptyView } from "./view_state.js";
import { decisionKey } from "./work_chips.js";

const config = JSON.parse(document.getElementById("run-config").textContent);
const svg = document.getElementById("diagram");
const toasts = document.getElementById("toasts");
const connection = document.getElementById("connection");

const state = { view: emptyView(), lastFrameSeq: null, speed: 1, drawPending: false };

// For tests and the curious: the latest frame applied and the picture it gives.
window.cfviz = {
  get lastFrameSeq() { return state.lastFrameSeq; },
  get view() { return state.view; },
};

const diagram = new Diagram(svg, { onSelect: openDecision });
const tokens = new Tokens(diagram.layers.tokens, diagram);
const decisions = new DecisionPanel(document.getElementById("decision-panel"), {
  onClose: () => diagram.select(null),
});
const logs = new LogPane(document.getElementById("log-lines"), document.getElementById("log-app"));
const summary = new AppSummary(document.getElementById("app-summary"));
const recent = document.getElementById("recent-messages");

const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${config.ws_path}`;
const socket = new RunSocket(wsUrl, {
  onSnapshot: applySnapshot,
  onFrame: applyFrame,
  onError: (msg) => showToast(toasts, msg.error || "The server refused that command."),
  onConnection: showConnection,
});
const controls = new Controls(document, (command) => {
  if (!socket.send(command)) showToast(toasts, "Not connected: the command was not sent.");
});

function openDecision(item) {
  const key = decisionKey(item);
  const label = item.kind === "task" ? taskLabel(item.key, state.view.tasks[item.key] || {}) : item.key;
  diagram.select(key);
  decisions.show(key, label, state.view);
}

function applySnapshot(msg) {
  state.view = msg.view;
  state.lastFrameSeq = msg.seq;
  tokens.clear();
  recent.replaceChildren();
  controls.setCanControl(Boolean(msg.can_control));
  state.speed = msg.speed ?? state.speed;
  controls.update(msg);
  logs.reset(state.view.logs || [], state.view.apps);
  scheduleDraw();
}

function applyFrame(msg) {
  state.lastFrameSeq = msg.seq;
  state.speed = msg.speed ?? state.speed;
  const newLogs = [];
  for (const record of msg.records || []) {
    applyRecord(state.view, record);
    if (record.kind === "message") {
      tokens.message(record, state.speed);
      noteMessage(record);
    } else if (record.kind === "log") {
      tokens.log(record, state.speed);
      newLogs.push(record);
    }
  }
  controls.update(msg);
  logs.syncApps(state.view.apps);
  logs.append(newLogs);
  scheduleDraw();
}

/** The last few messages as text, so what the tokens show can also be read. */
function noteMessage(record) {
  const li = document.createElement("li");
  li.textContent = `${record.from} → ${record.to}: ${record.label}`;
  recent.prepend(li);
  while (recent.childElementCount > 4) recent.lastElementChild.remove();
}

function scheduleDraw() {
  if (state.drawPending) return;
  state.drawPending = true;
  requestAnimationFrame(draw);
}

function draw() {
  state.drawPending = false;
  const view = state.view;
  diagram.render(view);
  summary.render(view);
  decisions.refresh(view);
  svg.dataset.seq = String(state.lastFrameSeq ?? -1);
  svg.dataset.t = String(view.t ?? 0);
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

// Draw the empty frame at once so the page never shows a blank box while connecting.
scheduleDraw();
socket.connect();
