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
import { FleetTooltip } from "./fleet_tooltip.js";
import { FleetZoom } from "./fleet_zoom.js";
import { METRICS, RAMP_STEPS, bucketize, layoutTiles, neighbour, tileAt, zoneGroups } from "./fleet_tiles.js";
import { htmlEl, setText } from "./svg.js";

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
   * @param {{platform: string, worker?: [string, string],
   *   query?: (message: object) => boolean}} options
   *   query: send a `fleet_query` to the server; false if it could not be sent
   */
  constructor(root, { platform, worker = ["cell", "cells"], query = () => false }) {
    this.root = root;
    this.platform = platform;
    this.worker = worker;
    this.query = query;
    this.layout = { nodes: [], zones: [], capacity: {} };
    this.groups = zoneGroups(this.layout);
    this.tiles = null;
    /** @type {import("./fleet_frame.js").FleetFrame | null} */
    this.frame = null;
    this.metric = "memory";
    this.buckets = new Uint8Array(0);
    this.bucketsStale = true;
    /** Per node: 1 if it matches the name filter; null when there is no filter. */
    this.nameMatch = null;
    /** @type {Map<number, number> | null} node → instances of the app searched for */
    this.appNodes = null;
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
    this.buildSearch(bar);
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

  buildSearch(bar) {
    const form = htmlEl("form", "fleet-search", undefined, bar);
    form.setAttribute("role", "search");
    this.searchKind = htmlEl("select", "", undefined, form);
    this.searchKind.setAttribute("aria-label", "Search by");
    this.searchKind.append(new Option(`${this.worker[0]} name`, "node"), new Option("app name", "app"));
    this.searchText = htmlEl("input", "", undefined, form);
    Object.assign(this.searchText, { type: "search", spellcheck: false, autocomplete: "off" });
    this.searchText.setAttribute("aria-label", `Find a ${this.worker[0]} or an app`);
    htmlEl("button", "button", "Find", form).type = "submit";
    const clear = htmlEl("button", "button button--quiet", "Clear", form);
    clear.type = "button";
    this.searchStatus = htmlEl("span", "fleet-search-status", "", bar);
    this.searchStatus.setAttribute("role", "status");
    const placeholder = () => {
      this.searchText.placeholder = this.searchKind.value === "app" ? "app name, Enter" : `${this.worker[0]} name filter`;
    };
    placeholder();
    this.searchKind.addEventListener("change", () => {
      placeholder();
      this.search();
    });
    // Names filter as one types; apps are asked of the server, so only on Enter.
    this.searchText.addEventListener("input", () => {
      if (this.searchKind.value === "node") this.search();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.search();
    });
    clear.addEventListener("click", () => {
      this.searchText.value = "";
      this.search();
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
    this.lowerNames = this.layout.nodes.map((name) => String(name).toLowerCase());
    this.hover = -1;
    this.pin(-1);
    this.appNodes = null;
    this.tiles = null;
    this.cssWidth = 0;
    this.search();
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

  /** Filter by name now, or ask the server where the app is. */
  search() {
    const text = this.searchText.value.trim();
    this.appNodes = null;
    this.nameMatch = null;
    this.pendingApp = null;
    if (!text) {
      setText(this.searchStatus, "");
    } else if (this.searchKind.value === "node") {
      const needle = text.toLowerCase();
      this.nameMatch = Uint8Array.from(this.lowerNames ?? [], (name) => (name.includes(needle) ? 1 : 0));
      const matches = this.nameMatch.reduce((sum, m) => sum + m, 0);
      setText(this.searchStatus, `${formatCount(matches)} of ${formatCount(this.nameMatch.length)} ${this.worker[1]} match`);
    } else {
      this.pendingApp = text;
      const sent = this.query({ type: "fleet_query", app: text });
      setText(this.searchStatus, sent ? `Looking for ${text}…` : "Not connected: cannot look for apps");
    }
    this.invalidate();
  }

  /**
   * The server's answer to an app search: where its instances are.
   * @param {string} app
   * @param {[string, number][]} nodes (node, instances) pairs
   * @param {number} [instances] the app's instances in all, if the answer says
   */
  showAppNodes(app, nodes, instances = undefined) {
    if (app !== this.pendingApp) return;
    const index = new Map(this.layout.nodes.map((name, i) => [name, i]));
    this.appNodes = new Map();
    let placed = 0;
    for (const [node, count] of nodes) {
      if (index.has(node)) this.appNodes.set(index.get(node), count);
      placed += count;
    }
    const on = this.appNodes.size;
    const of = Number.isFinite(instances) && instances !== placed ? ` (of ${formatCount(instances)})` : "";
    setText(this.searchStatus, on
      ? `${app}: ${formatCount(placed)} instances${of} on ${formatCount(on)} ${this.worker[on === 1 ? 0 : 1]}`
      : `${app}: no instances placed`);
    this.invalidate();
  }

  /** The server's answer to a click: the apps on a node. */
  showNodeApps(node, apps, total = undefined) {
    if (this.pinned >= 0 && this.layout.nodes[this.pinned] === node) this.tooltip.showApps(node, apps, total);
  }

  /**
   * The server refused a query of this view's ("no app named …"): say so where it was asked.
   * @returns {boolean} whether the view was waiting for it
   */
  queryFailed(query, error) {
    if (query.app !== undefined && query.app === this.pendingApp) {
      this.pendingApp = null;
      setText(this.searchStatus, error);
      this.invalidate();
      return true;
    }
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
      if (this.query({ type: "fleet_query", node: name })) this.tooltip.loadingApps(name);
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

  readColours() {
    const style = getComputedStyle(this.root);
    const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    this.colours = {
      ramp: Array.from({ length: RAMP_STEPS + 1 }, (_, i) => read(`--fleet-ramp-${i}`, `hsl(210 60% ${92 - i * 7}%)`)),
      zone: read("--fleet-zone-bg", "#f8fafc"),
      zoneLine: read("--fleet-zone-line", "#d7dde6"),
      label: read("--fleet-label", "#3d4a5c"),
      starting: read("--fleet-starting", "#b7791f"),
      dim: read("--fleet-dim", "#ffffff"),
      highlight: read("--fleet-highlight", "#d946ef"),
      hover: read("--fleet-hover", "#162031"),
    };
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
    if (!this.colours) this.readColours();
    drawTiles(this.ctx, this, this.zoom.transform(this.dpr));
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

/**
 * Paint the whole view: zone blocks, tiles by colour (one path per colour), starting marks,
 * dimming of what the filter leaves out, outlines of the app's nodes and of the hovered tile.
 */
function drawTiles(ctx, view, [scale, offsetX, offsetY]) {
  const { tiles, colours, buckets } = view;
  const { tileX, tileY, size } = tiles;
  const count = view.layout.nodes.length;
  const dpr = view.dpr;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, view.canvas.width, view.canvas.height);
  ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * offsetX, dpr * offsetY);

  ctx.font = "600 12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.lineWidth = 1;
  for (const block of tiles.blocks) {
    ctx.fillStyle = colours.zone;
    ctx.strokeStyle = colours.zoneLine;
    ctx.beginPath();
    ctx.roundRect(block.x + 0.5, block.y + 0.5, block.w - 1, block.h - 1, 8);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = colours.label;
    const n = block.nodes.length;
    ctx.fillText(`Zone ${block.zone} · ${formatCount(n)} ${view.worker[n === 1 ? 0 : 1]}`, block.x + 8, block.y + 14);
  }

  // One path per colour: 1,000 rects in ten fills rather than a thousand fillStyle changes.
  for (let bucket = 0; bucket <= RAMP_STEPS; bucket++) {
    ctx.beginPath();
    let any = false;
    for (let i = 0; i < count; i++) {
      if (buckets[i] !== bucket) continue;
      ctx.rect(tileX[i], tileY[i], size, size);
      any = true;
    }
    if (any) {
      ctx.fillStyle = colours.ramp[bucket];
      ctx.fill();
    }
  }

  const starting = view.frame?.arrays.starting;
  if (starting) {
    const mark = Math.max(2, size * 0.5);
    ctx.beginPath();
    for (let i = 0; i < count; i++) {
      if (!starting[i]) continue;
      ctx.moveTo(tileX[i], tileY[i]);
      ctx.lineTo(tileX[i] + mark, tileY[i]);
      ctx.lineTo(tileX[i], tileY[i] + mark);
      ctx.closePath();
    }
    ctx.fillStyle = colours.starting;
    ctx.fill();
  }

  const match = view.nameMatch;
  const app = view.appNodes;
  if (match || app) {
    ctx.beginPath();
    for (let i = 0; i < count; i++) {
      if (match ? match[i] : app.has(i)) continue;
      ctx.rect(tileX[i] - 0.5, tileY[i] - 0.5, size + 1, size + 1);
    }
    ctx.globalAlpha = 0.8;
    ctx.fillStyle = colours.dim;
    ctx.fill();
    ctx.globalAlpha = 1;
  }
  if (app?.size) {
    ctx.beginPath();
    for (const i of app.keys()) ctx.rect(tileX[i] - 1, tileY[i] - 1, size + 2, size + 2);
    ctx.lineWidth = Math.max(1.5, size / 8);
    ctx.strokeStyle = colours.highlight;
    ctx.stroke();
  }
  const focus = view.pinned >= 0 ? view.pinned : view.hover;
  if (focus >= 0 && focus < count) {
    ctx.lineWidth = 2 / scale;
    ctx.strokeStyle = colours.hover;
    ctx.strokeRect(tileX[focus] - 1.5, tileY[focus] - 1.5, size + 3, size + 3);
  }
}
