/**
 * The fleet view of one platform: every cell (or node) a tile on a canvas, in a block per zone,
 * coloured by memory, disk or instances, with starting containers marked. Hover for a tile's
 * figures, click for its apps; filter by name (client side) or find an app's nodes (asked of
 * the server); zoom with the wheel or the buttons and drag to pan.
 *
 * Frames come up to ten times a second and pointer moves far more often, so nothing draws
 * directly: changes mark the view dirty and it draws once on the next animation frame. Each
 * draw leaves a "fleet-draw" performance measure (detail: platform, seq), for tests.
 */

import { formatCount } from "./fleet_format.js";
import { paint, readColours } from "./fleet_paint.js";
import { FleetSearch } from "./fleet_search.js";
import { METRICS, RAMP_STEPS, bucketize, layoutTiles, neighbour, tileAt, zoneGroups } from "./fleet_tiles.js";
import { FleetTooltip } from "./fleet_tooltip.js";
import { FleetZoom } from "./fleet_zoom.js";
import { htmlEl } from "./svg.js";

/** Tallest the canvas grows before tiles shrink instead, CSS pixels. */
const MAX_HEIGHT_PX = 520;
/** Draw durations kept for drawStats(). */
const DRAW_HISTORY = 600;
/** Performance entries are cleared this often, so a long run does not fill memory with them. */
const CLEAR_ENTRIES_EVERY = 10000;
let drawsOnPage = 0;

export class FleetView {
  /**
   * @param {HTMLElement} root an empty element to build the view in
   * @param {{platform: string, worker?: [string, string], explains?: boolean,
   *   ask?: (what: {node: string} | {app: string, why?: number}) => boolean}} options
   *   ask: ask the server which apps are on a node or where an app is (`fleet_query`), or why
   *   an instance was placed where it is; false if it could not be asked. explains: the server
   *   answers "why" for this platform
   */
  constructor(root, { platform, worker = ["cell", "cells"], ask = () => false, explains = false }) {
    this.root = root;
    this.platform = platform;
    this.worker = worker;
    this.ask = ask;
    this.explains = explains;
    this.layout = { nodes: [], zones: [], capacity: {} };
    this.groups = zoneGroups(this.layout);
    this.tiles = null;
    /** @type {import("./fleet_frame.js").FleetFrame | null} */
    this.frame = null;
    this.metric = "memory";
    this.buckets = new Uint8Array(0);
    this.bucketsStale = true;
    this.hover = -1;
    this.pinned = -1;
    this.dirty = false;
    this.scheduled = false;
    this.cssWidth = 0;
    this.dpr = 0;
    this.durations = new Float64Array(DRAW_HISTORY);
    this.draws = 0;
    this.drawn = { seq: null, t: null };
    /** Read from the CSS on the first draw: before the view is in the document there is none. */
    this.colours = null;
    this.build();
  }

  build() {
    this.root.classList.add("fleet-view");
    this.root.dataset.platform = this.platform;
    const bar = htmlEl("div", "fleet-toolbar", undefined, this.root);
    const metricLabel = htmlEl("label", "fleet-metric", "Colour by ", bar);
    this.metricSelect = htmlEl("select", "", undefined, metricLabel);
    for (const [key, spec] of Object.entries(METRICS)) this.metricSelect.append(new Option(spec.short, key));
    this.metricSelect.addEventListener("change", () => this.setMetric(this.metricSelect.value));
    this.search = new FleetSearch(bar, { worker: this.worker, ask: this.ask, changed: () => this.invalidate() });
    this.zoomButtons = htmlEl("div", "fleet-zoom-buttons", undefined, bar);

    this.wrap = htmlEl("div", "fleet-canvas-wrap", undefined, this.root);
    this.canvas = htmlEl("canvas", "fleet-canvas", undefined, this.wrap);
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "img");
    this.ctx = this.canvas.getContext("2d", { alpha: true });
    this.tooltip = new FleetTooltip(this.wrap, this.worker);
    this.zoom = new FleetZoom(this.canvas, this.zoomButtons, () => this.invalidate());
    this.legend = htmlEl("div", "fleet-legend", undefined, this.root);
    this.listen();
    new ResizeObserver(() => this.resize()).observe(this.wrap);
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
      this.colours = null;
      this.invalidate();
    });
  }

  listen() {
    const canvas = this.canvas;
    canvas.addEventListener("pointermove", (event) => {
      if (this.zoom.dragging) return;
      this.setHover(this.nodeAt(event.offsetX, event.offsetY));
    });
    canvas.addEventListener("pointerleave", () => this.setHover(-1));
    canvas.addEventListener("click", (event) => {
      if (this.zoom.dragged) return;
      this.pin(this.nodeAt(event.offsetX, event.offsetY));
    });
    canvas.addEventListener("keydown", (event) => {
      const direction = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down" }[event.key];
      if (direction && this.tiles && this.layout.nodes.length) {
        event.preventDefault();
        const from = this.pinned >= 0 ? this.pinned : this.hover;
        const to = from < 0 ? this.tiles.blocks[0].nodes[0] : neighbour(this.tiles, from, direction);
        if (this.pinned >= 0) this.pinned = -1;
        this.setHover(to);
      } else if (event.key === "Enter" && this.hover >= 0) {
        event.preventDefault();
        this.pin(this.hover);
      } else if (event.key === "Escape") {
        this.pin(-1);
      }
    });
    canvas.addEventListener("blur", () => {
      if (this.pinned < 0) this.setHover(-1);
    });
  }

  /** The node under a point of the canvas (CSS pixels), or -1. */
  nodeAt(x, y) {
    if (!this.tiles) return -1;
    const world = this.zoom.toWorld(x, y);
    return tileAt(this.tiles, world.x, world.y);
  }

  /**
   * @param {{nodes: string[], zones: string[], capacity: Object<string, number[]>}} layout the snapshot's
   *   `fleet_layout[platform]`
   */
  setLayout(layout) {
    this.layout = { nodes: layout?.nodes ?? [], zones: layout?.zones ?? [], capacity: layout?.capacity ?? {} };
    this.groups = zoneGroups(this.layout);
    this.buckets = new Uint8Array(this.layout.nodes.length);
    this.pin(-1);
    this.tiles = null;
    this.cssWidth = 0;
    this.search.setNames(this.layout.nodes);
    this.resize();
  }

  /** @param {import("./fleet_frame.js").FleetFrame} frame */
  setFrame(frame) {
    this.frame = frame;
    this.bucketsStale = true;
    this.invalidate();
  }

  /** @param {keyof METRICS} metric */
  setMetric(metric) {
    if (!METRICS[metric]) return;
    this.metric = metric;
    this.metricSelect.value = metric;
    this.bucketsStale = true;
    this.legendFor = null;
    this.invalidate();
  }

  /** The server's answer to an app search. */
  showAppNodes(app, nodes, instances = undefined) {
    this.search.found(app, nodes, instances);
  }

  /** The server's answer to a click: the apps on a node. */
  showNodeApps(node, apps, total = undefined) {
    if (this.pinned < 0 || this.layout.nodes[this.pinned] !== node) return;
    const why = this.explains ? (app, index) => this.ask({ app, why: index }) : undefined;
    this.tooltip.showApps(node, apps, total, why);
  }

  /**
   * The server refused a query of this view's ("no app named …"): say so where it was asked.
   * @returns {boolean} whether the view was waiting for it
   */
  queryFailed(query, error) {
    if (query.app !== undefined) return this.search.refused(query.app, error);
    if (query.node !== undefined && this.pinned >= 0 && this.layout.nodes[this.pinned] === query.node) {
      this.tooltip.failedApps(error);
      return true;
    }
    return false;
  }

  setHover(node) {
    if (this.pinned >= 0 || node === this.hover) return;
    this.hover = node;
    this.showTooltip();
    this.invalidate();
  }

  /** Keep a node's tooltip open and ask which apps are on it; -1 closes it. */
  pin(node) {
    this.pinned = node;
    this.hover = -1;
    if (node >= 0) {
      this.hover = node;
      const name = this.layout.nodes[node];
      if (this.ask({ node: name })) this.tooltip.loadingApps(name);
      else this.tooltip.clearApps();
    }
    this.showTooltip();
    this.invalidate();
  }

  showTooltip() {
    const node = this.pinned >= 0 ? this.pinned : this.hover;
    if (node < 0 || !this.tiles) {
      this.tooltip.hide();
      return;
    }
    const arrays = this.frame?.arrays ?? {};
    const capacity = this.layout.capacity;
    this.tooltip.show({
      name: this.layout.nodes[node],
      zone: this.groups.zones[this.groups.zoneOf[node]],
      running: arrays.running?.[node] ?? 0,
      starting: arrays.starting?.[node] ?? 0,
      memory: arrays.memory_mb?.[node] ?? 0,
      disk: arrays.disk_mb?.[node] ?? 0,
      capacity: { memory_mb: capacity.memory_mb?.[node], disk_mb: capacity.disk_mb?.[node], containers: capacity.containers?.[node] },
    }, this.pinned >= 0);
    const size = this.tiles.size;
    const at = this.zoom.toScreen(this.tiles.tileX[node] + size, this.tiles.tileY[node] + size);
    this.tooltip.place(at.x, at.y);
  }

  /** Lay the tiles out for the canvas's width (and the screen's pixel density). */
  resize() {
    const width = Math.floor(this.wrap.clientWidth);
    const dpr = window.devicePixelRatio || 1;
    if (!width) return;
    if (width !== this.cssWidth || !this.tiles) {
      this.cssWidth = width;
      this.tiles = layoutTiles(this.groups, width, MAX_HEIGHT_PX);
      this.canvas.style.height = `${Math.ceil(this.tiles.height)}px`;
      this.zoom.setSize(width, Math.ceil(this.tiles.height));
      this.canvas.setAttribute("aria-label", this.describe());
      this.dpr = 0;
    }
    if (dpr !== this.dpr) {
      this.dpr = dpr;
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(Math.ceil(this.tiles.height) * dpr);
    }
    this.invalidate();
  }

  describe() {
    const zones = this.groups.zones.length;
    return `${formatCount(this.layout.nodes.length)} ${this.worker[1]} in ${zones} ${zones === 1 ? "zone" : "zones"}, `
      + `one tile each, coloured by ${METRICS[this.metric].short}`;
  }

  /** Something changed: draw on the next animation frame (once, however many changes). */
  invalidate() {
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      if (this.dirty) this.draw();
    });
  }

  draw() {
    this.dirty = false;
    if (!this.tiles || !this.cssWidth) return;
    if ((window.devicePixelRatio || 1) !== this.dpr) this.resize();
    const start = performance.now();
    performance.mark("fleet-draw-start");
    if (this.bucketsStale && this.frame) {
      bucketize(this.metric, this.frame.arrays, this.layout.capacity, this.buckets);
      this.bucketsStale = false;
    }
    if (!this.colours) this.colours = readColours(this.root);
    paint(this.ctx, {
      tiles: this.tiles, colours: this.colours, buckets: this.buckets, starting: this.frame?.arrays.starting,
      search: this.search, focus: this.pinned >= 0 ? this.pinned : this.hover, worker: this.worker, dpr: this.dpr,
      transform: this.zoom.transform(),
    });
    if (this.hover >= 0 || this.pinned >= 0) this.showTooltip();
    if (this.legendFor !== this.metric) this.drawLegend();
    const end = performance.now();
    performance.mark("fleet-draw-end");
    const header = this.frame?.header;
    this.drawn = { seq: header?.seq ?? null, t: header?.t ?? null };
    performance.measure("fleet-draw", { start, end, detail: { platform: this.platform, seq: this.drawn.seq, t: this.drawn.t } });
    this.durations[this.draws % DRAW_HISTORY] = end - start;
    this.draws += 1;
    drawsOnPage += 1;
    if (drawsOnPage % CLEAR_ENTRIES_EVERY === 0) {
      performance.clearMarks("fleet-draw-start");
      performance.clearMarks("fleet-draw-end");
      performance.clearMeasures("fleet-draw");
    }
  }

  drawLegend() {
    this.legendFor = this.metric;
    const spec = METRICS[this.metric];
    this.legend.replaceChildren();
    htmlEl("span", "fleet-legend-title", spec.label.replace("{worker}", this.worker[0]), this.legend);
    const ramp = htmlEl("span", "fleet-legend-ramp", undefined, this.legend);
    htmlEl("span", "fleet-legend-end", "0%", ramp);
    for (let i = 1; i <= RAMP_STEPS; i++) htmlEl("span", `fleet-swatch fleet-swatch--${i}`, undefined, ramp);
    htmlEl("span", "fleet-legend-end", "100%", ramp);
    const item = (className, text) => {
      const li = htmlEl("span", "fleet-legend-item", undefined, this.legend);
      htmlEl("span", `fleet-swatch ${className}`, undefined, li);
      li.append(text);
    };
    item("fleet-swatch--0", spec.capacity === "containers" ? "no instances" : "nothing used");
    item("fleet-swatch--starting", "corner: containers starting");
    item("fleet-swatch--highlight", "outlined: the app searched for");
    this.canvas.setAttribute("aria-label", this.describe());
  }

  /**
   * Where a node's tile is in the viewport (CSS pixels), for tests and tours; null if unknown.
   * @param {string|number} node a name or an index
   */
  tileCentre(node) {
    const i = typeof node === "number" ? node : this.layout.nodes.indexOf(node);
    if (!this.tiles || i < 0 || i >= this.layout.nodes.length) return null;
    const half = this.tiles.size / 2;
    const at = this.zoom.toScreen(this.tiles.tileX[i] + half, this.tiles.tileY[i] + half);
    const box = this.canvas.getBoundingClientRect();
    return { x: box.left + at.x, y: box.top + at.y };
  }

  /** How drawing has gone: draws so far, the frame last drawn, and draw times in ms. */
  stats() {
    const n = Math.min(this.draws, DRAW_HISTORY);
    const times = Array.from(this.durations.subarray(0, n)).sort((a, b) => a - b);
    const at = (q) => (n ? times[Math.min(n - 1, Math.floor(q * n))] : null);
    return {
      draws: this.draws, seq: this.drawn.seq, t: this.drawn.t, tiles: this.layout.nodes.length,
      zones: this.groups.zones.length, tileSize: this.tiles?.size ?? null, zoom: this.zoom.scale,
      p50Ms: at(0.5), p95Ms: at(0.95), maxMs: n ? times[n - 1] : null,
    };
  }
}
