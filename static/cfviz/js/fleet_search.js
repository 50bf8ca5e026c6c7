/**
 * The fleet view's search box: by cell or node name, filtered here as one types (the others
 * dimmed), or by app name, asked of the server on Enter (its nodes outlined, the others dimmed).
 */

import { formatCount } from "./fleet_format.js";
import { htmlEl, setText } from "./svg.js";

export class FleetSearch {
  /**
   * @param {HTMLElement} parent the toolbar to put the box in
   * @param {{worker: [string, string], ask: (what: {app: string}) => boolean, changed: () => void}} options
   *   ask: ask the server where an app is; false if it could not be asked
   */
  constructor(parent, { worker, ask, changed }) {
    this.worker = worker;
    this.ask = ask;
    this.changed = changed;
    /** Node names, lower-cased, in layout order. */
    this.names = [];
    /** Per node: 1 if its name matches; null when not filtering by name. */
    this.nameMatch = null;
    /** @type {Map<number, number> | null} node index → instances of the app found */
    this.appNodes = null;
    /** The app asked about and not answered yet. */
    this.pendingApp = null;
    this.build(parent);
  }

  build(parent) {
    const form = htmlEl("form", "fleet-search", undefined, parent);
    form.setAttribute("role", "search");
    this.kind = htmlEl("select", "", undefined, form);
    this.kind.setAttribute("aria-label", "Search by");
    this.kind.append(new Option(`${this.worker[0]} name`, "node"), new Option("app name", "app"));
    this.text = htmlEl("input", "", undefined, form);
    Object.assign(this.text, { type: "search", spellcheck: false, autocomplete: "off" });
    this.text.setAttribute("aria-label", `Find a ${this.worker[0]} or an app`);
    htmlEl("button", "button", "Find", form).type = "submit";
    const clear = htmlEl("button", "button button--quiet", "Clear", form);
    clear.type = "button";
    this.status = htmlEl("span", "fleet-search-status", "", parent);
    this.status.setAttribute("role", "status");
    const placeholder = () => {
      this.text.placeholder = this.kind.value === "app" ? "app name, Enter" : `${this.worker[0]} name filter`;
    };
    placeholder();
    this.kind.addEventListener("change", () => {
      placeholder();
      this.run();
    });
    // Names filter as one types; apps are asked of the server, so only on Enter.
    this.text.addEventListener("input", () => {
      if (this.kind.value === "node") this.run();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    clear.addEventListener("click", () => {
      this.text.value = "";
      this.run();
    });
  }

  /** @param {string[]} names the nodes of a new layout */
  setNames(names) {
    this.names = names.map((name) => String(name).toLowerCase());
    this.nodeIndex = new Map(names.map((name, i) => [name, i]));
    this.run();
  }

  /** Whether anything is left out: the rest of the tiles are dimmed. */
  get active() {
    return Boolean(this.nameMatch || this.appNodes);
  }

  /** Whether node i is among what the search found (true for all when there is no search). */
  matches(i) {
    if (this.nameMatch) return this.nameMatch[i] === 1;
    if (this.appNodes) return this.appNodes.has(i);
    return true;
  }

  /** Filter by name now, or ask the server where the app is. */
  run() {
    const text = this.text.value.trim();
    this.appNodes = null;
    this.nameMatch = null;
    this.pendingApp = null;
    if (!text) {
      setText(this.status, "");
    } else if (this.kind.value === "node") {
      const needle = text.toLowerCase();
      this.nameMatch = Uint8Array.from(this.names, (name) => (name.includes(needle) ? 1 : 0));
      const found = this.nameMatch.reduce((sum, m) => sum + m, 0);
      setText(this.status, `${formatCount(found)} of ${formatCount(this.names.length)} ${this.worker[1]} match`);
    } else {
      this.pendingApp = text;
      setText(this.status, this.ask({ app: text }) ? `Looking for ${text}…` : "Not connected: cannot look for apps");
    }
    this.changed();
  }

  /**
   * The server's answer: where the app's instances are.
   * @param {string} app
   * @param {[string, number][]} nodes (node, instances) pairs
   * @param {number} [instances] the app's instances in all, if the answer says
   */
  found(app, nodes, instances = undefined) {
    if (app !== this.pendingApp) return;
    this.pendingApp = null;
    this.appNodes = new Map();
    let placed = 0;
    for (const [node, count] of nodes) {
      if (this.nodeIndex?.has(node)) this.appNodes.set(this.nodeIndex.get(node), count);
      placed += count;
    }
    const on = this.appNodes.size;
    const of = Number.isFinite(instances) && instances !== placed ? ` (of ${formatCount(instances)})` : "";
    setText(this.status, on
      ? `${app}: ${formatCount(placed)} instances${of} on ${formatCount(on)} ${this.worker[on === 1 ? 0 : 1]}`
      : `${app}: no instances placed`);
    this.changed();
  }

  /** The server refused to look for the app ("no app named …"); false if it was not ours. */
  refused(app, error) {
    if (app !== this.pendingApp) return false;
    this.pendingApp = null;
    setText(this.status, error);
    return true;
  }
}
