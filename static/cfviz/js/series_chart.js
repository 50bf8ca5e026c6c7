/**
 * A small SVG line chart of one platform's desired, running and routable instances over
 * simulated time (the view's `series`, protocol.md §2). The values change in steps, so the
 * lines are steps. Charts of a lockstep run share their scales, so the later line is later.
 * Lines differ by dash pattern and width as well as colour, and the legend names them.
 */

import { formatSeconds } from "./format.js";
import { svgEl } from "./svg.js";

const W = 480;
const H = 190;
const PAD = { left: 44, right: 14, top: 14, bottom: 40 };
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
  constructor(parent, label) {
    this.svg = svgEl("svg", {
      class: "series-chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label,
      preserveAspectRatio: "xMidYMid meet",
    });
    parent.append(this.svg);
    this.label = label;
    this.key = "";
  }

  /**
   * @param {object} view
   * @param {ReturnType<typeof sharedDomain>} domain
   */
  render(view, domain) {
    const series = view.series || [[0, 0, 0, 0]];
    const end = Math.max(view.t ?? 0, series[series.length - 1][0]);
    const key = JSON.stringify([series.length, end.toFixed(1), domain, view.headline]);
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

    const allRunning = view.headline?.all_running_at;
    if (allRunning !== null && allRunning !== undefined) {
      const mark = svgEl("g", { class: "chart-mark" }, this.svg);
      svgEl("line", { x1: x(allRunning), x2: x(allRunning), y1: PAD.top, y2: PAD.top + plotH }, mark);
      const right = x(allRunning) > PAD.left + plotW * 0.62;
      const text = svgEl("text", {
        x: x(allRunning) + (right ? -5 : 5), y: PAD.top + 11, "text-anchor": right ? "end" : "start",
      }, mark);
      text.textContent = `all running ${formatSeconds(allRunning)}`;
    }

    for (const [column, name] of LINES) {
      svgEl("path", { class: `chart-line chart-line--${name}`, d: stepPath(series, column, end, x, y) }, this.svg);
    }
    svgEl("title", {}, this.svg).textContent = describe(this.label, series);
  }
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
function describe(label, series) {
  const last = series[series.length - 1];
  return `${label}: now ${last[1]} desired, ${last[2]} running, ${last[3]} routable`;
}
