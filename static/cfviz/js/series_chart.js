/**
 * A small SVG line chart of one platform's desired, running and routable instances over
 * simulated time (the view's `series`, protocol.md §2). The values change in steps, so the
 * lines are steps. Charts of a lockstep run share their scales, so the later line is later.
 * Lines differ by dash pattern and width as well as colour, and the legend names them.
 * Behind the lines, a hatched band for every outage (an app with no answering instance); above
 * them, a marker for every action after the initial pushes, with a bar running on to the moment
 * the platform had converged again.
 */

import { formatSeconds } from "./format.js";
import { actionRows, outageList } from "./operations.js";
import { svgEl } from "./svg.js";

const W = 480;
const H = 206;
const PAD = { left: 44, right: 14, top: 40, bottom: 40 };
/** Rows of action labels above the plot, and the glyph width their 11 px text averages. */
const LABEL_ROWS = [PAD.top - 26, PAD.top - 13];
/** The bar from an action to its convergence runs just above the plot. */
const CONVERGE_Y = PAD.top - 8;
const LABEL_GLYPH_PX = 6.1;
/** [series column, class, name] of each line, drawn in this order (the thickest first). */
export const LINES = [
  [2, "running", "running"],
  [3, "routable", "routable (in gorouter)"],
  [1, "desired", "desired"],
];

/** A round step for about `count` ticks over [0, max]. */
export function niceStep(max, count) {
  const raw = Math.max(max, 1e-9) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return Math.max(step, 1);
}

/**
 * The shared scales of every chart on the page.
 * @param {object[]} views
 * @returns {{xMax: number, yMax: number, xStep: number, yStep: number}}
 */
export function sharedDomain(views) {
  let t = 10;
  let y = 1;
  for (const view of views) {
    t = Math.max(t, view.t ?? 0);
    for (const point of view.series || []) y = Math.max(y, point[1], point[2], point[3]);
  }
  const xStep = niceStep(t, 6);
  const yStep = niceStep(y, 4);
  return { xMax: Math.ceil(t / xStep) * xStep, yMax: Math.ceil(y / yStep) * yStep, xStep, yStep };
}

export class SeriesChart {
  /**
   * @param {HTMLElement} parent
   * @param {string} label for screen readers: whose figures these are
   */
  constructor(parent, label, platform = "") {
    this.platform = platform;
    this.svg = svgEl("svg", {
      class: "series-chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label,
      preserveAspectRatio: "xMidYMid meet",
    });
    parent.append(this.svg);
    this.label = label;
    this.key = "";
    // Pattern ids are document-wide: each chart needs its own.
    this.hatchId = `outage-hatch-${platform || "chart"}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /**
   * @param {object} view
   * @param {ReturnType<typeof sharedDomain>} domain
   */
  render(view, domain) {
    const series = view.series || [[0, 0, 0, 0]];
    const end = Math.max(view.t ?? 0, series[series.length - 1][0]);
    const key = JSON.stringify([
      series.length, end.toFixed(1), domain, view.headline, view.outages, view.actions?.length, view.metrics?.convergence?.length,
    ]);
    if (key === this.key) return;
    this.key = key;

    const plotW = W - PAD.left - PAD.right;
    const plotH = H - PAD.top - PAD.bottom;
    const x = (t) => PAD.left + (Math.min(t, domain.xMax) / domain.xMax) * plotW;
    const y = (v) => PAD.top + plotH - (v / domain.yMax) * plotH;
    this.svg.replaceChildren();

    const grid = svgEl("g", { class: "chart-grid" }, this.svg);
    for (let v = 0; v <= domain.yMax + 1e-9; v += domain.yStep) {
      svgEl("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }, grid);
      const tick = svgEl("text", { class: "chart-tick", x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end" }, grid);
      tick.textContent = String(Number(v.toFixed(2)));
    }
    for (let t = 0; t <= domain.xMax + 1e-9; t += domain.xStep) {
      svgEl("line", { class: "chart-xtick", x1: x(t), x2: x(t), y1: PAD.top + plotH, y2: PAD.top + plotH + 4 }, grid);
      const tick = svgEl("text", { class: "chart-tick", x: x(t), y: PAD.top + plotH + 17, "text-anchor": "middle" }, grid);
      tick.textContent = String(Number(t.toFixed(1)));
    }
    svgEl("line", { class: "chart-axis", x1: PAD.left, x2: W - PAD.right, y1: PAD.top + plotH, y2: PAD.top + plotH }, this.svg);
    svgEl("line", { class: "chart-axis", x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: PAD.top + plotH }, this.svg);
    const xLabel = svgEl("text", { class: "chart-label", x: PAD.left + plotW / 2, y: H - 4, "text-anchor": "middle" }, this.svg);
    xLabel.textContent = "simulated time (s)";
    const yLabel = svgEl("text", {
      class: "chart-label", x: 0, y: 0, "text-anchor": "middle", transform: `translate(12 ${PAD.top + plotH / 2}) rotate(-90)`,
    }, this.svg);
    yLabel.textContent = "instances";

    this.drawOutages(view, { x, plotH });

    const allRunning = view.headline?.all_running_at;
    if (allRunning !== null && allRunning !== undefined) {
      const mark = svgEl("g", { class: "chart-mark" }, this.svg);
      svgEl("line", { x1: x(allRunning), x2: x(allRunning), y1: PAD.top, y2: PAD.top + plotH }, mark);
      const right = x(allRunning) > PAD.left + plotW * 0.62;
      const text = svgEl("text", {
        x: x(allRunning) + (right ? -5 : 5), y: PAD.top + 13, "text-anchor": right ? "end" : "start",
      }, mark);
      text.textContent = `all running ${formatSeconds(allRunning)}`;
    }

    for (const [column, name] of LINES) {
      svgEl("path", { class: `chart-line chart-line--${name}`, d: stepPath(series, column, end, x, y) }, this.svg);
    }
    this.drawActions(view, { x, plotH, end });
    svgEl("title", {}, this.svg).textContent = describe(this.label, series, view);
  }

  /** A hatched band per outage, open ones up to the present, named by app on hover and in text. */
  drawOutages(view, { x, plotH }) {
    const layer = svgEl("g", { class: "chart-outages" }, this.svg);
    const pattern = svgEl("pattern", {
      id: this.hatchId, width: 7, height: 7, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)",
    }, svgEl("defs", {}, layer));
    svgEl("line", { class: "chart-outage-stroke", x1: 0, y1: 0, x2: 0, y2: 7 }, pattern);
    for (const outage of outageList(view)) {
      const x1 = x(outage.start);
      const x2 = Math.max(x1 + 2, x(outage.start + outage.length));
      const g = svgEl("g", {
        class: `chart-outage${outage.open ? " is-open" : ""}`,
        "data-outage": "", "data-platform": this.platform, "data-app": outage.app,
        "data-start": outage.start, "data-end": outage.open ? "" : outage.end,
      }, layer);
      svgEl("title", {}, g).textContent = outageWords(outage);
      svgEl("rect", { class: "chart-outage-fill", x: x1, y: PAD.top, width: x2 - x1, height: plotH }, g);
      svgEl("rect", { class: "chart-outage-hatch", x: x1, y: PAD.top, width: x2 - x1, height: plotH, fill: `url(#${this.hatchId})` }, g);
      // The app's name where the band is wide enough to hold it.
      const text = `${outage.app} down`;
      if (x2 - x1 >= text.length * LABEL_GLYPH_PX + 6) {
        svgEl("text", { class: "chart-outage-label", x: (x1 + x2) / 2, y: PAD.top + plotH - 6, "text-anchor": "middle" }, g)
          .textContent = text;
      }
    }
  }

  /** A marker per action after the initial pushes; labels take the first free row above the plot. */
  drawActions(view, { x, plotH, end }) {
    const layer = svgEl("g", { class: "chart-actions" }, this.svg);
    const taken = LABEL_ROWS.map(() => -Infinity);
    for (const row of actionRows(view)) {
      if (row.initial) continue;
      const at = x(row.t);
      const g = svgEl("g", { class: `chart-action chart-action--${row.kind}`, "data-action-marker": row.kind, "data-t": row.t }, layer);
      const converged = row.converged ? `converged again after ${formatSeconds(row.converged.converge_s)}` : "not converged yet";
      svgEl("title", {}, g).textContent = `${row.words} at ${formatSeconds(row.t)}: ${converged}`;
      svgEl("line", { class: "chart-action-line", x1: at, x2: at, y1: CONVERGE_Y, y2: PAD.top + plotH }, g);
      // The time it took to converge, as a bar along the top of the plot (open while it has not).
      const until = x(row.converged ? row.converged.converged_at : end);
      svgEl("rect", {
        class: `chart-converge${row.converged ? "" : " is-open"}`, x: at, y: CONVERGE_Y, width: Math.max(1, until - at), height: 4,
      }, g);
      const label = row.converged ? `${row.short} · ${formatSeconds(row.converged.converge_s)}` : row.short;
      const width = label.length * LABEL_GLYPH_PX;
      const rightAligned = at + 4 + width > W - PAD.right;
      const left = rightAligned ? at - 4 - width : at + 4;
      const free = taken.findIndex((right) => left > right + 6);
      if (free < 0) continue;
      taken[free] = left + width;
      svgEl("text", {
        class: "chart-action-label", x: rightAligned ? at - 4 : at + 4, y: LABEL_ROWS[free], "text-anchor": rightAligned ? "end" : "start",
      }, g).textContent = label;
    }
  }
}

/** "solo down 165.1–199.4 s (34.2 s)", or "solo down since 165.1 s (12.0 s so far)". */
export function outageWords(outage) {
  if (outage.open) return `${outage.app} down since ${outage.start.toFixed(1)} s (${formatSeconds(outage.length)} so far)`;
  return `${outage.app} down ${outage.start.toFixed(1)}–${outage.end.toFixed(1)} s (${formatSeconds(outage.length)})`;
}

/** A step line through the points, held to `end`. */
function stepPath(series, column, end, x, y) {
  let d = `M${x(series[0][0]).toFixed(1)},${y(series[0][column]).toFixed(1)}`;
  for (let i = 1; i < series.length; i += 1) {
    d += ` H${x(series[i][0]).toFixed(1)} V${y(series[i][column]).toFixed(1)}`;
  }
  return `${d} H${x(end).toFixed(1)}`;
}

/** The chart's content in words, for its title. */
function describe(label, series, view) {
  const last = series[series.length - 1];
  const outages = (view.outages ?? []).length;
  const down = outages ? `; ${outages} ${outages === 1 ? "outage" : "outages"}` : "";
  return `${label}: now ${last[1]} desired, ${last[2]} running, ${last[3]} routable${down}`;
}
