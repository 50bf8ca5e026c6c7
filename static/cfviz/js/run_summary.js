/**
 * The run summary: per platform, side by side, how available the apps stayed (app-seconds
 * unavailable, instance-seconds below desired, the longest outage) and how long each action took
 * to converge. It reads the same view as the strip, carried on to the present while it plays
 * (operations.js), and becomes the final word, drawn more prominently, once the run finishes.
 */

import { formatClock, formatSeconds } from "./format.js";
import { actionRows, availability } from "./operations.js";
import { platformInfo } from "./platforms.js";
import { htmlEl, setText } from "./svg.js";

/** [metric key, row heading, what it means] of the figures table. */
const METRICS = [
  ["unavailable_s", "app-seconds unavailable", "time each app had no answering instance, summed over apps"],
  ["below_desired_s", "instance-seconds below desired", "missing answering instances × seconds, from each app's first full start"],
  ["longest_outage_s", "longest outage", "the longest time one app had no answering instance"],
  ["outages", "outages", "times an app that had been routable had no answering instance"],
];

export class RunSummary {
  /**
   * @param {HTMLElement} section the summary's panel
   * @param {string[]} platforms
   */
  constructor(section, platforms) {
    this.section = section;
    this.platforms = platforms;
    this.body = section.querySelector("[data-summary-body]");
    this.note = section.querySelector("[data-summary-note]");
    this.heading = section.querySelector("[data-summary-heading]");
    this.body.replaceChildren();
    this.verdict = platforms.length > 1 ? htmlEl("p", "summary-verdict", "", this.body) : null;
    if (this.verdict) this.verdict.dataset.summaryVerdict = "";
    this.cells = new Map();
    const columns = htmlEl("div", "summary-columns", undefined, this.body);
    this.figures = this.figuresTable(htmlEl("div", "summary-figures", undefined, columns));
    this.actions = htmlEl("div", "summary-actions", undefined, columns);
    this.actionsKey = "";
  }

  figuresTable(parent) {
    htmlEl("h3", "summary-subheading", "Availability", parent);
    const wrap = htmlEl("div", "table-scroll", undefined, parent);
    const table = htmlEl("table", "summary-table", undefined, wrap);
    table.dataset.summary = "figures";
    const head = htmlEl("tr", "", undefined, htmlEl("thead", "", undefined, table));
    htmlEl("th", "", "", head).scope = "col";
    for (const platform of this.platforms) this.platformHeading(head, platform);
    const body = htmlEl("tbody", "", undefined, table);
    const rows = [...METRICS];
    if (this.platforms.includes("eirini")) {
      rows.push(["registry_peak", "bits-service, busiest", "most requests served and waiting at once, seen since this page opened"]);
    }
    for (const [key, words, help] of rows) {
      const tr = htmlEl("tr", "", undefined, body);
      const th = htmlEl("th", "", undefined, tr);
      th.scope = "row";
      htmlEl("span", "summary-measure", words, th);
      htmlEl("span", "summary-help", help, th);
      for (const platform of this.platforms) {
        const td = htmlEl("td", "summary-value", "—", tr);
        td.dataset.metric = key;
        td.dataset.platform = platform;
        this.cells.set(`${key}:${platform}`, td);
      }
    }
    return table;
  }

  platformHeading(row, platform) {
    const th = htmlEl("th", "", undefined, row);
    th.scope = "col";
    htmlEl("span", `platform-badge platform-badge--${platform}`, platformInfo(platform).name, th);
    return th;
  }

  /**
   * @param {Object<string, object>} views platform → view
   * @param {{status?: string, t?: number, registryPeaks?: Object<string, number|null>}} run
   */
  render(views, { status = "paused", t = 0, registryPeaks = {} } = {}) {
    const finished = status === "finished";
    this.section.dataset.finished = finished ? "true" : "false";
    setText(this.heading, finished ? "Run summary: final" : "Run summary");
    setText(this.note, finished
      ? `The run finished at ${formatClock(t)} of simulated time.`
      : `So far, at ${formatClock(t)}; final once the run finishes.`);
    const figures = {};
    for (const platform of this.platforms) {
      const view = views[platform];
      if (!view) continue;
      const a = availability(view);
      figures[platform] = a;
      this.put("unavailable_s", platform, a.unavailable_s, a.unavailable_s.toFixed(1));
      this.put("below_desired_s", platform, a.below_desired_s, a.below_desired_s.toFixed(1));
      this.put("longest_outage_s", platform, a.longest_outage_s,
        a.longest_outage_s > 0 ? `${formatSeconds(a.longest_outage_s)}${a.longest_app ? ` (${a.longest_app})` : ""}` : "none");
      this.put("outages", platform, a.outages, a.open ? `${a.outages} (${a.open} still down)` : String(a.outages));
      if (this.cells.has(`registry_peak:${platform}`)) {
        const peak = platform === "eirini" ? registryPeaks[platform] : null;
        const text = platform !== "eirini" ? "no registry" : peak ? `${peak.busy}/${peak.capacity} busy, ${peak.waiting} waiting` : "—";
        this.put("registry_peak", platform, peak ? peak.waiting : "", text);
      }
    }
    if (this.verdict) setText(this.verdict, this.compare(figures));
    this.renderActions(views);
  }

  put(key, platform, value, text) {
    const td = this.cells.get(`${key}:${platform}`);
    if (!td) return;
    setText(td, text);
    const raw = typeof value === "number" ? String(Number(value.toFixed(6))) : String(value);
    if (td.dataset.value !== raw) td.dataset.value = raw;
    // Bad is what the text shows as more than nothing ("0.0" of a few microseconds is not).
    td.classList.toggle("is-bad", typeof value === "number" && key !== "registry_peak" && /[1-9]/.test(text));
  }

  /** One sentence comparing the platforms' availability. */
  compare(figures) {
    const present = this.platforms.filter((p) => figures[p]);
    if (present.length < 2) return "";
    const down = present.filter((p) => figures[p].unavailable_s > 0);
    if (!down.length) return "No platform left an app without an answering instance.";
    const parts = present.map((p) => {
      const f = figures[p];
      const name = platformInfo(p).name;
      if (f.unavailable_s <= 0) return `${name}: no outage`;
      return `${name}: apps unavailable for ${f.unavailable_s.toFixed(1)} app-seconds (longest ${formatSeconds(f.longest_outage_s)}${f.longest_app ? `, ${f.longest_app}` : ""})`;
    });
    return `${parts.join("; ")}.`;
  }

  /** Actions and how long each platform took to converge after it ("—" while it has not). */
  renderActions(views) {
    const perPlatform = Object.fromEntries(this.platforms.map((p) => [p, views[p] ? actionRows(views[p]) : []]));
    const key = JSON.stringify(perPlatform);
    if (key === this.actionsKey) return;
    this.actionsKey = key;
    this.actions.replaceChildren();
    // Every platform carries out the same actions at the same moments; list each once.
    const merged = [];
    for (const rows of Object.values(perPlatform)) {
      for (const row of rows) {
        if (!merged.some((m) => m.words === row.words && Math.abs(m.t - row.t) < 1e-6)) merged.push(row);
      }
    }
    merged.sort((a, b) => a.t - b.t);
    htmlEl("h3", "summary-subheading", "Time to converge after each action", this.actions);
    if (!merged.length) {
      htmlEl("p", "muted small", "No actions yet.", this.actions);
      return;
    }
    const wrap = htmlEl("div", "table-scroll", undefined, this.actions);
    const table = htmlEl("table", "summary-table summary-table--actions", undefined, wrap);
    table.dataset.summary = "actions";
    const head = htmlEl("tr", "", undefined, htmlEl("thead", "", undefined, table));
    htmlEl("th", "", "action", head).scope = "col";
    htmlEl("th", "num", "at", head).scope = "col";
    for (const platform of this.platforms) this.platformHeading(head, platform).classList.add("num");
    const body = htmlEl("tbody", "", undefined, table);
    for (const row of merged) {
      const tr = htmlEl("tr", "", undefined, body);
      tr.dataset.action = row.kind;
      htmlEl("th", "summary-action", row.words, tr).scope = "row";
      htmlEl("td", "num", formatSeconds(row.t), tr);
      for (const platform of this.platforms) {
        const own = perPlatform[platform].find((r) => r.words === row.words && Math.abs(r.t - row.t) < 1e-6);
        const td = htmlEl("td", "num summary-converge", own?.converged ? formatSeconds(own.converged.converge_s) : "—", tr);
        td.dataset.convergence = row.words;
        td.dataset.platform = platform;
        td.dataset.value = own?.converged ? String(own.converged.converge_s) : "";
        if (!own?.converged) td.title = "not converged yet";
      }
    }
  }
}
