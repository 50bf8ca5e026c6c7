/**
 * A Diego auction decision in words (zone balancing, lowest score, a random tie-break) and as
 * a table of every candidate cell with its verdict and score terms (diego.md §1.4–1.6).
 */

import { formatClock, formatScore } from "./format.js";
import { candidateTable } from "./decision_table.js";

const TERMS = ["resource", "starting", "locality", "binpack"];
const TERM_HELP = {
  resource: "mean memory, disk and container use of the cell after placing the work",
  starting: "containers the cell is still starting × the starting-container weight",
  locality: "1000 for each instance of the same app (or task) already on the cell",
  binpack: "cell index × the bin-pack weight (0 by default)",
};

/** The rule in one line, shown beside the heading as the Kubernetes panel shows its own. */
export const RULE = "auctioneer · lowest score wins";

export function describeWork(d) {
  const what = d.work_type === "task" ? "Task" : "App instance (LRP)";
  const parts = [`${what} · auction round ${d.round ?? "?"} at ${formatClock(d.t)}`,
    `needs ${d.memory_mb} MB memory, ${d.disk_mb} MB disk, stack ${d.stack}`];
  if (d.placement_tags?.length) parts.push(`placement tags ${d.placement_tags.join(", ")}`);
  return parts.join(" · ");
}

/** The reasons the winner won, in the order the auctioneer applies them. */
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

/** @param {object} d the decision @param {string} id the table's element id */
export function table(d, id) {
  const scored = (c) => (c.score === null || c.score === undefined ? Infinity : c.score);
  const rows = [...(d.candidates || [])].sort((a, b) => scored(a) - scored(b)).map((c) => ({
    cell: c.cell,
    zone: c.zone,
    verdict: c.verdict === "ok" ? "fits" : c.verdict,
    winner: c.cell === d.winner,
    scored: c.verdict === "ok",
    values: TERMS.map((term) => ({ main: formatScore(c.terms?.[term]) })),
    total: formatScore(c.score),
    reason: c.reason,
  }));
  return candidateTable({
    id,
    caption: "Every cell the auctioneer looked at, lowest score first",
    columns: [
      { label: "Cell" }, { label: "Zone" }, { label: "Verdict" },
      ...TERMS.map((term) => ({ label: term, num: true, title: TERM_HELP[term] })),
      { label: "Score", num: true, title: "resource + starting + locality + binpack: lowest wins" },
    ],
    rows,
  });
}
