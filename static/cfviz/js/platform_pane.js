/**
 * Everything the run page shows of one platform: its diagram with message tokens, its notes on
 * Diego concepts it has no counterpart for, the latest messages, the decision panel, apps and
 * routes, and its cf logs. Built from the page's `#platform-pane` template, with element ids
 * suffixed by the platform on a page of two (`decision-table-eirini`) and plain on a page of
 * one (`decision-table`), and `data-platform` on every part.
 */

import { DecisionPanel } from "./decision_panel.js";
import { Diagram } from "./diagram.js";
import { taskLabel } from "./format.js";
import { LogPane } from "./log_pane.js";
import { platformInfo } from "./platforms.js";
import { parseRegistryStatus } from "./registry_gauge.js";
import { AppSummary } from "./summary.js";
import { htmlEl } from "./svg.js";
import { Tokens } from "./tokens.js";
import { applyRecord, emptyView } from "./view_state.js";
import { decisionKey } from "./work_chips.js";

/** Messages listed under the diagram, newest first. */
const RECENT_MESSAGES = 4;
/** How the notes' keys read on screen (protocol.md §2 `notes`). */
const NOTE_NAMES = {
  stacks: "Stacks",
  placement_tags: "Placement tags, isolation segments",
  "kube-proxy": "kube-proxy",
};

export class PlatformPane {
  /**
   * @param {string} platform
   * @param {{template: HTMLTemplateElement, grid: HTMLElement, before: Element, suffix: string,
   *   other?: {name: string, open: (key: string) => void},
   *   actions?: import("./live_actions.js").LiveActions}} options
   *   actions: the run's live actions, offered on cells (nodes) and apps
   */
  constructor(platform, { template, grid, before, suffix, other = undefined, actions = undefined }) {
    this.platform = platform;
    this.info = platformInfo(platform);
    this.view = emptyView(platform);
    this.notesKey = "";
    /**
     * The busiest bits-service seen: most requests served and waiting at once. A snapshot only
     * has the latest status, so this counts from when the page started watching.
     * @type {{busy: number, capacity: number, waiting: number} | null}
     */
    this.registryPeak = null;

    const fragment = template.content.cloneNode(true);
    this.parts = [...fragment.children];
    for (const part of this.parts) part.dataset.platform = platform;
    for (const node of fragment.querySelectorAll("[data-id]")) node.id = `${node.dataset.id}${suffix}`;
    for (const node of fragment.querySelectorAll("[data-labelledby]")) {
      node.setAttribute("aria-labelledby", `${node.dataset.labelledby}${suffix}`);
    }
    for (const node of fragment.querySelectorAll("[data-slot=name]")) {
      node.textContent = this.info.name;
      node.classList.add(`platform-badge--${platform}`);
    }
    const slot = (name) => fragment.querySelector(`[data-slot="${name}"]`);
    slot("summary").textContent = this.info.summary;
    slot("decision-hint").textContent = this.info.decisionHint;
    for (const [state, words] of this.info.legend) {
      const li = htmlEl("li", "", undefined, slot("legend"));
      htmlEl("span", `swatch swatch--${state}`, undefined, li);
      li.append(words);
    }
    this.notes = slot("notes");
    this.notesList = slot("notes-list");

    this.svg = fragment.querySelector("svg.diagram");
    this.svg.dataset.platform = platform;
    this.svg.setAttribute("aria-label", this.info.diagram.label);
    this.diagram = new Diagram(this.svg, this.info.diagram, {
      onSelect: (item) => this.openDecision(item),
      onWorker: actions ? (name, node) => actions.openWorker(name, node, platform, this.view) : undefined,
    });
    this.tokens = new Tokens(this.diagram.layers.tokens, this.diagram);
    this.decisions = new DecisionPanel(fragment.querySelector(".decision-panel"), {
      suffix, other, onClose: () => this.diagram.select(null),
    });
    this.logs = new LogPane(fragment.querySelector(".log-lines"), fragment.querySelector(".log-filter select"));
    this.summary = new AppSummary(fragment.querySelector(".app-summary"), {
      appControls: actions ? (app) => actions.appControls(app) : undefined,
    });
    this.recent = fragment.querySelector(".recent-list");
    grid.insertBefore(fragment, before);
  }

  /** Replace the picture, e.g. from a snapshot. */
  setView(view) {
    // A snapshot from before the last one (a restart) starts the peak afresh.
    if ((view?.t ?? 0) < (this.view.t ?? 0)) this.registryPeak = null;
    this.view = view ?? emptyView(this.platform);
    this.notePeak(this.view.components?.registry);
    this.tokens.clear();
    this.recent.replaceChildren();
    this.logs.reset(this.view.logs || [], this.view.apps);
    this.showNotes(this.view.notes || {});
  }

  /**
   * Fold a frame's records for this platform into the picture, and animate them.
   * @param {object[]} records
   * @param {number} speed
   * @param {number} [clock] the run's simulated time after the frame
   */
  apply(records, speed, clock = undefined) {
    const newLogs = [];
    for (const record of records) {
      applyRecord(this.view, record);
      if (record.kind === "message") {
        // A component that has just started acting needs its box before its first token flies.
        const operators = this.info.diagram.operators ?? [];
        if (operators.includes(record.from) || operators.includes(record.to)) this.diagram.prepare(this.view);
        this.tokens.message(record, speed);
        this.noteMessage(record);
      } else if (record.kind === "log") {
        this.tokens.log(record, speed);
        newLogs.push(record);
      } else if (record.entity_type === "component" && record.entity === "registry") {
        this.notePeak(record.state);
      }
    }
    // One clock for the run: a platform that has settled still shows the time going on, as the
    // server's views do (runtime.py sets each view's `t` to the clock after every frame).
    if (clock !== undefined && clock !== null) this.view.t = Math.max(this.view.t, clock);
    this.logs.syncApps(this.view.apps);
    this.logs.append(newLogs);
  }

  /** @param {number|null} frameSeq the last frame applied, for tests to wait on */
  draw(frameSeq) {
    this.diagram.render(this.view);
    this.summary.render(this.view);
    this.decisions.refresh(this.view);
    this.svg.dataset.seq = String(frameSeq ?? -1);
    this.svg.dataset.t = String(this.view.t ?? 0);
  }

  /** Keep the busiest registry seen (from bits-service's status, "2/4 busy, 5 waiting"). */
  notePeak(status) {
    const figures = parseRegistryStatus(status);
    if (!figures) return;
    const peak = this.registryPeak ?? { busy: 0, capacity: figures.capacity, waiting: 0 };
    this.registryPeak = {
      busy: Math.max(peak.busy, figures.busy), capacity: figures.capacity, waiting: Math.max(peak.waiting, figures.waiting),
    };
  }

  /** Open the decision panel on a chip of this diagram. */
  openDecision(item, { scroll = true } = {}) {
    const key = decisionKey(item);
    const label = item.kind === "task" ? taskLabel(item.key, this.view.tasks[item.key] || {}) : item.key;
    this.diagram.select(key);
    this.decisions.show(key, label, this.view, { scroll });
  }

  /** Open the decision panel on a decision key ("web/0", "task:staging-web"), e.g. from the other platform. */
  openKey(key) {
    const item = key.startsWith("task:") ? { kind: "task", key: key.slice("task:".length) } : { kind: "instance", key };
    this.openDecision(item);
  }

  /** The last few messages as text, so what the tokens show can also be read. */
  noteMessage(record) {
    const li = document.createElement("li");
    li.textContent = `${record.from} → ${record.to}: ${record.label}`;
    this.recent.prepend(li);
    while (this.recent.childElementCount > RECENT_MESSAGES) this.recent.lastElementChild.remove();
  }

  /** The platform's "no equivalent" notes, shown under its diagram. */
  showNotes(notes) {
    const key = JSON.stringify(notes);
    if (key === this.notesKey) return;
    this.notesKey = key;
    this.notesList.replaceChildren();
    const entries = Object.entries(notes);
    this.notes.hidden = entries.length === 0;
    for (const [name, text] of entries) {
      const li = htmlEl("li", "", undefined, this.notesList);
      li.dataset.note = name;
      htmlEl("strong", "", `${NOTE_NAMES[name] ?? name}: `, li);
      li.append(text);
    }
  }

  remove() {
    this.tokens.clear();
    for (const part of this.parts) part.remove();
  }
}
