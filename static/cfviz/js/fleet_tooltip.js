/**
 * The fleet view's tooltip: what a hovered cell or node holds (zone, instances, memory and disk
 * of capacity) and, once clicked, the apps on it as the server answers `fleet_query`.
 */

import { formatCount, formatUsed } from "./fleet_format.js";
import { htmlEl, setText } from "./svg.js";

/** Apps listed in a tooltip before the rest are counted as "+N more". */
const MAX_APPS = 12;
const OFFSET_PX = 14;

/**
 * @typedef {{name: string, zone: string, running: number, starting: number, memory: number, disk: number,
 *   capacity: {memory_mb?: number, disk_mb?: number, containers?: number}}} NodeFacts
 */

export class FleetTooltip {
  /**
   * @param {HTMLElement} wrap the positioned element the tooltip sits in
   * @param {[string, string]} worker the platform's words for a worker ("cell", "cells")
   */
  constructor(wrap, worker) {
    this.wrap = wrap;
    this.worker = worker;
    this.el = htmlEl("div", "fleet-tooltip", undefined, wrap);
    this.el.setAttribute("role", "tooltip");
    this.el.hidden = true;
    this.title = htmlEl("p", "fleet-tooltip-title", "", this.el);
    this.facts = htmlEl("dl", "fleet-tooltip-facts", undefined, this.el);
    this.rows = {};
    for (const [key, label] of [["zone", "zone"], ["instances", "instances"], ["memory", "memory"], ["disk", "disk"]]) {
      htmlEl("dt", "", label, this.facts);
      this.rows[key] = htmlEl("dd", "", "", this.facts);
      this.rows[key].dataset.fact = key;
    }
    this.apps = htmlEl("div", "fleet-tooltip-apps", undefined, this.el);
    this.hint = htmlEl("p", "fleet-tooltip-hint", "", this.el);
    /** Node whose apps are shown (or asked for); null when none. */
    this.appsFor = null;
  }

  /** @param {NodeFacts} facts */
  show(facts, pinned) {
    this.el.hidden = false;
    this.el.dataset.node = facts.name;
    this.el.dataset.pinned = pinned ? "true" : "false";
    setText(this.title, facts.name);
    setText(this.rows.zone, facts.zone);
    const slots = facts.capacity.containers ? ` of ${formatCount(facts.capacity.containers)} slots` : "";
    setText(this.rows.instances, `${formatCount(facts.running + facts.starting)}${slots}: ${formatCount(facts.running)} running, ${formatCount(facts.starting)} starting`);
    setText(this.rows.memory, formatUsed(facts.memory, facts.capacity.memory_mb));
    setText(this.rows.disk, formatUsed(facts.disk, facts.capacity.disk_mb));
    if (this.appsFor !== facts.name) this.clearApps();
    setText(this.hint, pinned ? "Esc or click elsewhere to close" : `Click for the apps on this ${this.worker[0]}`);
  }

  hide() {
    this.el.hidden = true;
    this.el.dataset.pinned = "false";
  }

  clearApps() {
    this.appsFor = null;
    this.apps.replaceChildren();
  }

  /** The apps of `node` are on their way. */
  loadingApps(node) {
    this.appsFor = node;
    this.apps.replaceChildren(htmlEl("p", "fleet-tooltip-loading", "Asking for the apps on it…"));
  }

  /**
   * @param {string} node
   * @param {[string, number, number?][]} apps (app, instances, lowest instance index) on the node now
   * @param {number} [total] how many apps there are, when the list is cut short
   * @param {(app: string, index: number) => void} [why] asks why an instance was placed here;
   *   each app gets a "why here?" button when given
   */
  showApps(node, apps, total = undefined, why = undefined) {
    this.appsFor = node;
    this.apps.replaceChildren();
    const sorted = [...apps].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
    const count = Math.max(sorted.length, Number.isFinite(total) ? total : 0);
    htmlEl("p", "fleet-tooltip-apps-heading", count ? `${formatCount(count)} ${count === 1 ? "app" : "apps"} on it` : "No apps on it", this.apps);
    const list = htmlEl("ul", "fleet-tooltip-app-list", undefined, this.apps);
    for (const [app, instances, index] of sorted.slice(0, MAX_APPS)) {
      const item = htmlEl("li", "", undefined, list);
      htmlEl("code", "", app, item);
      item.append(` ×${formatCount(instances)}`);
      item.dataset.app = app;
      if (why && Number.isInteger(index)) {
        const button = htmlEl("button", "fleet-why", "why here?", item);
        button.type = "button";
        button.title = `Why ${app}/${index} was placed on ${node}: every ${this.worker[0]}'s score`;
        button.addEventListener("click", () => why(app, index));
      }
    }
    if (count > MAX_APPS) htmlEl("li", "muted", `+${formatCount(count - MAX_APPS)} more`, list);
  }

  /** The server could not say which apps are on it. */
  failedApps(error) {
    this.apps.replaceChildren(htmlEl("p", "fleet-tooltip-loading", error));
  }

  /** Put the tooltip beside a point of the wrap, flipped to stay inside it. */
  place(x, y) {
    const wrapW = this.wrap.clientWidth;
    const wrapH = this.wrap.clientHeight;
    const w = this.el.offsetWidth;
    const h = this.el.offsetHeight;
    const left = x + OFFSET_PX + w > wrapW ? Math.max(0, x - OFFSET_PX - w) : x + OFFSET_PX;
    const top = y + OFFSET_PX + h > wrapH ? Math.max(0, Math.min(y + OFFSET_PX, wrapH) - h) : y + OFFSET_PX;
    // CSSOM, not style attributes: the page's CSP allows the one, not the other.
    this.el.style.left = `${Math.round(left)}px`;
    this.el.style.top = `${Math.round(top)}px`;
  }
}
