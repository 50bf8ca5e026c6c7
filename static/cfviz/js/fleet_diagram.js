/**
 * The component diagram in rates mode, for fleet runs: too many messages to draw one by one,
 * so each edge says how fast work flows along it (placements/s, rounds or cycles/s, starts/s)
 * and each component how much waits in its queue. Same component names and box styles as the
 * detailed diagram (diagram.css); the workers are one aggregate box.
 */

import { COMPONENTS as DIEGO } from "./diego_layout.js";
import { COMPONENTS as EIRINI } from "./eirini_layout.js";
import { formatCount, formatDecimal } from "./fleet_format.js";
import { fitText } from "./format.js";
import { setAttrs, setText, svgEl } from "./svg.js";

const BOX_W = 200;
const BOX_H = 82;
const GAP_X = 100;
const GAP_Y = 64;
const MARGIN = 10;
/** Room for text inside a box, past its padding. */
const TEXT_W = BOX_W - 20;

const rate = (key) => (h) => h.rates?.[key];
const queue = (key) => (h) => h.queues?.[key];
/** bits-service's queue: `registry` in docs/fleet.md, `image pulls` as cfviz's runtime counts it. */
const registryQueue = (h) => h.queues?.registry ?? h.queues?.["image pulls"];

/**
 * Per platform: boxes at [column, row] with their status lines (and the queue that marks them
 * busy), and the edges with what flows along them.
 * @typedef {{id: string, at: [number, number], info: {title: string, role: string},
 *   lines: ((h: object, nodes: number) => string)[], queue?: (h: object) => number|undefined}} FleetBox
 * @typedef {{from: string, to: string, unit: string, value?: (h: object) => number|undefined,
 *   count?: boolean}} FleetEdge
 * @type {Object<string, {columns: number, boxes: FleetBox[], edges: FleetEdge[]}>}
 */
export const FLEET_DIAGRAMS = {
  diego: {
    columns: 3,
    boxes: [
      { id: "cc", at: [0, 0], info: DIEGO.cc, lines: [(h) => `staging ${formatCount(h.queues?.staging ?? h.totals?.staging)}`], queue: queue("staging") },
      { id: "bbs", at: [1, 0], info: DIEGO.bbs, lines: [(h) => `${formatCount(h.totals?.placed)} of ${formatCount(h.totals?.desired)} placed`] },
      { id: "auctioneer", at: [2, 0], info: DIEGO.auctioneer, lines: [(h) => `queue ${formatCount(h.queues?.auctioneer)}`], queue: queue("auctioneer") },
      {
        id: "cells", at: [2, 1], info: { title: "cells: rep, Garden", role: "download, start, health-check" },
        lines: [(h, n) => `${formatCount(n)} cells · ${formatCount(h.totals?.running)} running`, (h) => `downloads waiting ${formatCount(h.queues?.downloads)}`],
        queue: queue("downloads"),
      },
      { id: "route-emitter", at: [1, 1], info: DIEGO["route-emitter"], lines: [(h) => `${formatCount(h.totals?.running)} instances routed`] },
      { id: "gorouter", at: [0, 1], info: DIEGO.gorouter, lines: [(h) => `${formatCount(h.totals?.apps_running)} apps routable`] },
    ],
    edges: [
      { from: "cc", to: "bbs", value: (h) => h.totals?.desired, unit: "desired", count: true },
      { from: "bbs", to: "auctioneer", value: rate("rounds_per_s"), unit: "rounds/s" },
      { from: "auctioneer", to: "cells", value: rate("placements_per_s"), unit: "placements/s" },
      { from: "cells", to: "route-emitter", value: rate("starts_per_s"), unit: "starts/s" },
      { from: "route-emitter", to: "gorouter", unit: "routes (NATS)" },
    ],
  },
  eirini: {
    columns: 3,
    boxes: [
      { id: "cc", at: [0, 0], info: EIRINI.cc, lines: [(h) => `staging ${formatCount(h.queues?.staging ?? h.totals?.staging)}`], queue: queue("staging") },
      { id: "eirini", at: [1, 0], info: EIRINI.eirini, lines: [(h) => `${formatCount(h.totals?.apps)} StatefulSets`] },
      { id: "api-server", at: [2, 0], info: EIRINI["api-server"], lines: [(h) => `${formatCount(h.totals?.placed)} of ${formatCount(h.totals?.desired)} pods bound`] },
      { id: "kube-scheduler", at: [2, 1], info: EIRINI["kube-scheduler"], lines: [(h) => `queue ${formatCount(h.queues?.scheduler)}`], queue: queue("scheduler") },
      { id: "registry", at: [0, 1], info: { title: "registry (bits-service)", role: "serves app images to kubelets" }, lines: [(h) => `pulls waiting ${formatCount(registryQueue(h))}`], queue: registryQueue },
      {
        id: "kubelets", at: [1, 1], info: { title: "kubelets", role: "pull, start, readiness" },
        lines: [(h, n) => `${formatCount(n)} nodes · ${formatCount(h.totals?.running)} Ready`],
      },
      { id: "route-collector", at: [1, 2], info: EIRINI["route-collector"], lines: [(h) => `${formatCount(h.totals?.running)} pods routed`] },
      { id: "gorouter", at: [0, 2], info: EIRINI.gorouter, lines: [(h) => `${formatCount(h.totals?.apps_running)} apps routable`] },
    ],
    edges: [
      { from: "cc", to: "eirini", value: (h) => h.totals?.desired, unit: "desired", count: true },
      { from: "eirini", to: "api-server", unit: "StatefulSets" },
      { from: "api-server", to: "kube-scheduler", value: rate("rounds_per_s"), unit: "cycles/s" },
      { from: "kube-scheduler", to: "kubelets", value: rate("placements_per_s"), unit: "binds/s" },
      { from: "registry", to: "kubelets", unit: "image pulls" },
      { from: "kubelets", to: "route-collector", value: rate("starts_per_s"), unit: "starts/s" },
      { from: "route-collector", to: "gorouter", unit: "routes (NATS)" },
    ],
  },
};

const boxX = (col) => MARGIN + col * (BOX_W + GAP_X);
const boxY = (row) => MARGIN + row * (BOX_H + GAP_Y);

export class FleetDiagram {
  /**
   * @param {SVGSVGElement} svg
   * @param {string} platform
   */
  constructor(svg, platform) {
    this.svg = svg;
    this.spec = FLEET_DIAGRAMS[platform] ?? FLEET_DIAGRAMS.diego;
    const rows = Math.max(...this.spec.boxes.map((b) => b.at[1])) + 1;
    const width = 2 * MARGIN + this.spec.columns * BOX_W + (this.spec.columns - 1) * GAP_X;
    const height = 2 * MARGIN + rows * BOX_H + (rows - 1) * GAP_Y;
    setAttrs(svg, { viewBox: `0 0 ${width} ${height}`, "data-platform": platform, role: "group" });
    svg.setAttribute("aria-label", `${platform} components with the rates between them and their queues`);
    const markerId = `fleet-arrow-${platform}-${Math.random().toString(36).slice(2, 8)}`;
    const marker = svgEl("marker", {
      id: markerId, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
    }, svgEl("defs", {}, svg));
    svgEl("path", { d: "M0,0 L10,5 L0,10 z", class: "link-arrow" }, marker);
    const linkLayer = svgEl("g", { class: "layer-links" }, svg);
    const boxLayer = svgEl("g", { class: "layer-components" }, svg);
    const labelLayer = svgEl("g", { class: "layer-rates" }, svg);

    this.boxes = new Map();
    const geometry = new Map();
    for (const spec of this.spec.boxes) {
      const geom = { x: boxX(spec.at[0]), y: boxY(spec.at[1]), w: BOX_W, h: BOX_H };
      geometry.set(spec.id, geom);
      this.boxes.set(spec.id, { spec, ...drawBox(boxLayer, spec, geom) });
    }
    this.edges = this.spec.edges.map((edge) => ({
      edge, ...drawEdge(linkLayer, labelLayer, geometry.get(edge.from), geometry.get(edge.to), markerId, edge),
    }));
  }

  /**
   * @param {object} header the platform's latest frame header
   * @param {number} nodes how many cells or nodes it has
   */
  update(header, nodes) {
    if (!header) return;
    for (const { spec, g, lines } of this.boxes.values()) {
      spec.lines.forEach((line, i) => setText(lines[i], fitText(line(header, nodes), TEXT_W, 12.5)));
      const waiting = spec.queue?.(header) ?? 0;
      g.classList.toggle("has-queue", waiting > 0);
    }
    for (const { edge, g, label, value } of this.edges) {
      if (!edge.value) continue;
      const v = edge.value(header);
      setText(value, edge.count ? formatCount(v) : formatDecimal(v));
      // The edge and its label say alike whether anything flows.
      g.classList.toggle("is-flowing", Number(v) > 0);
      label.classList.toggle("is-flowing", Number(v) > 0);
    }
  }
}

function drawBox(layer, spec, geom) {
  const info = spec.info ?? { title: spec.id, role: "" };
  const g = svgEl("g", { class: `component component--${spec.id} fleet-box`, "data-component": spec.id }, layer);
  svgEl("title", {}, g).textContent = `${info.title}: ${info.role}`;
  svgEl("rect", { class: "box", x: geom.x, y: geom.y, width: geom.w, height: geom.h, rx: 9 }, g);
  svgEl("text", { class: "box-title", x: geom.x + 12, y: geom.y + 21 }, g).textContent = info.title;
  svgEl("text", { class: "box-role", x: geom.x + 12, y: geom.y + 37 }, g).textContent = fitText(info.role, TEXT_W, 11);
  const lines = spec.lines.map((_, i) => {
    const text = svgEl("text", { class: "box-state", x: geom.x + 12, y: geom.y + 56 + i * 16 }, g);
    text.dataset.line = String(i);
    return text;
  });
  return { g, lines };
}

/** A connector from box edge to box edge, with a two-line label (value, unit) at its middle. */
function drawEdge(linkLayer, labelLayer, a, b, markerId, edge) {
  const ca = { x: a.x + a.w / 2, y: a.y + a.h / 2 };
  const cb = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
  const p = clip(ca, cb, a);
  const q = clip(cb, ca, b);
  const g = svgEl("g", { class: "fleet-edge", "data-edge": `${edge.from}>${edge.to}` }, linkLayer);
  svgEl("line", { class: "link", x1: p.x, y1: p.y, x2: q.x, y2: q.y, "marker-end": `url(#${markerId})` }, g);
  const mx = (p.x + q.x) / 2;
  const my = (p.y + q.y) / 2;
  const label = svgEl("g", { class: "fleet-rate", "data-edge": `${edge.from}>${edge.to}` }, labelLayer);
  svgEl("rect", { class: "fleet-rate-bg", x: mx - 46, y: my - (edge.value ? 17 : 9), width: 92, height: edge.value ? 34 : 18, rx: 6 }, label);
  const value = edge.value ? svgEl("text", { class: "fleet-rate-value", x: mx, y: my - 3, "text-anchor": "middle" }, label) : null;
  if (value) value.textContent = "—";
  svgEl("text", { class: "fleet-rate-unit", x: mx, y: my + (edge.value ? 12 : 4), "text-anchor": "middle" }, label).textContent = edge.unit;
  return { g, label, value };
}

/** Where the line from a box's centre towards a point leaves the box. */
function clip(centre, toward, box) {
  const dx = toward.x - centre.x;
  const dy = toward.y - centre.y;
  const k = Math.min(Math.abs(box.w / 2 / (dx || 1e-9)), Math.abs(box.h / 2 / (dy || 1e-9)));
  return { x: centre.x + dx * k, y: centre.y + dy * k };
}
