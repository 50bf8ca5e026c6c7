/**
 * "Why this cell?": the latest placement decision for the clicked instance or task, in words
 * (zone balancing, lowest score, a random tie-break) and as a table of every candidate cell
 * with its verdict and score terms, the winner marked by text as well as colour.
 */

import { formatClock, formatScore } from "./format.js";
import { htmlEl } from "./svg.js";

const TERMS = ["resource", "starting", "locality", "binpack"];
const TERM_HELP = {
  resource: "mean memory, disk and container use of the cell after placing the work",
  starting: "containers the cell is still starting × the starting-container weight",
  locality: "1000 for each instance of the same app (or task) already on the cell",
  binpack: "cell index × the bin-pack weight (0 by default)",
};

export class DecisionPanel {
  /**
   * @param {HTMLElement} root the panel's container
   * @param {{onClose: () => void}} options
   */
  constructor(root, { onClose }) {
    this.root = root;
    this.body = root.querySelector("[data-decision-body]");
    this.hint = root.querySelector("[data-decision-hint]");
    this.onClose = onClose;
    this.key = null;
    this.label = null;
    this.shown = undefined;
  }

  /**
   * Open the panel on a piece of work.
   * @param {string} key decision key: "web/0" or "task:staging-web"
   * @param {string} label how the work reads on the diagram
   * @param {object} view
   */
  show(key, label, view) {
    this.key = key;
    this.label = label;
    this.shown = undefined;
    this.refresh(view);
    this.root.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }

  /** Redraw if the open work's decision changed (a live decision arrives, or a snapshot). */
  refresh(view) {
    if (!this.key) return;
    const decision = view.decisions?.[this.key] ?? null;
    if (decision === this.shown) return;
    this.shown = decision;
    this.hint.hidden = true;
    this.body.replaceChildren();
    this.body.dataset.work = this.key;

    const header = htmlEl("div", "decision-header", undefined, this.body);
    const heading = htmlEl("h3", "decision-heading", undefined, header);
    heading.id = "decision-heading";
    const close = htmlEl("button", "button button--quiet", "Close", header);
    close.type = "button";
    close.addEventListener("click", () => this.close());

    if (!decision) {
      heading.textContent = this.label;
      htmlEl("p", "muted", `No placement decision for ${this.label} yet. It appears here as soon as the auctioneer places it.`, this.body);
      return;
    }
    heading.textContent = decision.winner ? `${this.label} → ${decision.winner}` : `${this.label}: not placed`;
    this.body.dataset.winner = decision.winner ?? "";
    htmlEl("p", "decision-meta", describeWork(decision), this.body);
    if (decision.error) {
      const error = htmlEl("p", "decision-error", undefined, this.body);
      error.setAttribute("role", "status");
      htmlEl("strong", "", "Placement failed: ", error);
      error.append(decision.error);
    }
    const reasons = htmlEl("ul", "decision-reasons", undefined, this.body);
    for (const reason of explain(decision)) htmlEl("li", "", reason, reasons);
    this.body.append(candidateTable(decision));
  }

  close() {
    this.key = null;
    this.shown = undefined;
    this.body.replaceChildren();
    delete this.body.dataset.work;
    this.hint.hidden = false;
    this.onClose();
  }
}

function describeWork(d) {
  const what = d.work_type === "task" ? "Task" : "App instance (LRP)";
  const parts = [`${what} · auction round ${d.round ?? "?"} at ${formatClock(d.t)}`,
    `needs ${d.memory_mb} MB memory, ${d.disk_mb} MB disk, stack ${d.stack}`];
  if (d.placement_tags?.length) parts.push(`placement tags ${d.placement_tags.join(", ")}`);
  return parts.join(" · ");
}

/** The reasons the winner won, in the order the auctioneer applies them (diego.md §1.4–1.6). */
export function explain(d) {
  const reasons = [];
  const candidates = d.candidates || [];
  const scored = candidates.filter((c) => c.verdict === "ok");
  const skipped = candidates.filter((c) => c.verdict === "zone not considered");
  const ruledOut = candidates.filter((c) => c.verdict !== "ok" && c.verdict !== "zone not considered");
  const parts = [`${scored.length} scored`];
  if (skipped.length) parts.push(`${skipped.length} skipped by zone balancing`);
  if (ruledOut.length) parts.push(`${ruledOut.length} ruled out (${ruledOut.map((c) => `${c.cell}: ${c.verdict}`).join(", ")})`);
  reasons.push(`${candidates.length} ${candidates.length === 1 ? "cell" : "cells"} took part: ${parts.join(", ")}.`);

  if (d.work_type !== "task" && d.zone_counts && Object.keys(d.zone_counts).length) {
    const counts = Object.entries(d.zone_counts).map(([zone, n]) => `${zone}: ${n}`).join(", ");
    const considered = (d.zones_considered || []).join(", ") || "none";
    reasons.push(`Zone balancing comes first: instances of ${d.app} per zone were ${counts}, so only zones with the fewest were scored (${considered}).`);
  } else if (d.work_type === "task") {
    reasons.push("Tasks get no zone balancing: every zone's cells were scored together.");
  }

  const crowded = scored.filter((c) => (c.terms?.locality ?? 0) > 0);
  if (crowded.length) {
    const what = d.work_type === "task" ? "a task" : `an instance of ${d.app}`;
    reasons.push(`${crowded.map((c) => c.cell).join(", ")} already ${crowded.length === 1 ? "runs" : "run"} ${what}: +1000 each (locality), so a cell without one wins whenever it fits.`);
  }

  if (d.winner) {
    const win = candidates.find((c) => c.cell === d.winner);
    if (win && win.score !== null && win.score !== undefined) {
      reasons.push(`Lowest score wins: ${d.winner} scored ${formatScore(win.score)} (score = resource + starting + locality + binpack; lower is better).`);
    }
    if (d.tied > 1) {
      reasons.push(`${d.tied} cells tied on that score; the auctioneer took one at random (the run's seeded generator).`);
    }
  }
  return reasons;
}

function candidateTable(d) {
  // The table can be wider than the side panel: it scrolls sideways rather than squeeze.
  const wrapper = htmlEl("div", "table-scroll");
  const table = htmlEl("table", "", undefined, wrapper);
  table.id = "decision-table";
  table.className = "decision-table";
  const caption = htmlEl("caption", "", "Every cell the auctioneer looked at, lowest score first", table);
  caption.className = "visually-hidden";
  const head = htmlEl("tr", "", undefined, htmlEl("thead", "", undefined, table));
  for (const name of ["Cell", "Zone", "Verdict", ...TERMS, "Score"]) {
    const th = htmlEl("th", TERMS.includes(name) || name === "Score" ? "num" : "", name, head);
    th.scope = "col";
    if (TERM_HELP[name]) th.title = TERM_HELP[name];
  }
  const body = htmlEl("tbody", "", undefined, table);
  const scored = (c) => (c.score === null || c.score === undefined ? Infinity : c.score);
  const rows = [...(d.candidates || [])].sort((a, b) => scored(a) - scored(b));
  for (const c of rows) {
    const winner = c.cell === d.winner;
    const tr = htmlEl("tr", winner ? "winner" : c.verdict === "ok" ? "" : "filtered", undefined, body);
    tr.dataset.cell = c.cell;
    tr.dataset.winner = winner ? "true" : "false";
    const cell = htmlEl("th", "", c.cell, tr);
    cell.scope = "row";
    if (winner) htmlEl("span", "winner-mark", " ✓ winner", cell);
    htmlEl("td", "", c.zone ?? "", tr);
    htmlEl("td", "verdict", c.verdict === "ok" ? "fits" : c.verdict, tr);
    for (const term of TERMS) htmlEl("td", "num", formatScore(c.terms?.[term]), tr);
    htmlEl("td", "num score", formatScore(c.score), tr);
    // The reason gets a row of its own so the numbers stay in narrow columns.
    if (c.reason) {
      const why = htmlEl("tr", `reason-row ${tr.className}`, undefined, body);
      why.dataset.reasonFor = c.cell;
      const td = htmlEl("td", "verdict-reason", c.reason, why);
      td.colSpan = 3 + TERMS.length + 1;
    }
  }
  return wrapper;
}
