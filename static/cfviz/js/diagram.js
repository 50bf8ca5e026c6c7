/**
 * The animated component diagram of one platform: component boxes, workers (Diego cells or
 * Kubernetes nodes) grouped by zone, the queue of unplaced work, and the container chips. What
 * differs between platforms comes in as a diagram spec (platforms.js); the drawing is shared.
 * Rebuilds its static frame only when the layout changes (workers added, a worker grows a row
 * of containers) and otherwise updates text in place.
 */

import { fitText } from "./format.js";
import { queueWork, workSlot } from "./layout.js";
import { setAttrs, setText, svgEl } from "./svg.js";
import { WorkChips } from "./work_chips.js";

/** How long a box stays highlighted after a message leaves or reaches it, ms. */
const FLASH_MS = 450;
const TITLE_FONT = 15;
/** Line height of the queue's count lines (kube-scheduler's active / backoff / unschedulable). */
const QUEUE_LINE_H = 15;

export class Diagram {
  /**
   * @param {SVGSVGElement} svg
   * @param {import("./platforms.js").PlatformInfo["diagram"]} spec
   * @param {{onSelect: (item: {key: string, kind: string}) => void,
   *   onWorker?: (name: string, node: SVGGElement) => void}} options
   *   onWorker: a cell or node box was clicked (or Enter pressed on it), to act on it
   */
  constructor(svg, spec, { onSelect, onWorker = undefined }) {
    this.svg = svg;
    this.spec = spec;
    this.layers = {};
    for (const name of ["bands", "links", "components", "cells", "work", "tokens"]) {
      this.layers[name] = svgEl("g", { class: `layer-${name}` }, svg);
    }
    // Marker ids are document-wide: each diagram needs its own.
    this.markerId = `arrow-${svg.id || Math.random().toString(36).slice(2)}`;
    this.defineMarkers();
    /** @type {Map<string, object>} */
    this.boxes = new Map();
    /** @type {Map<string, import("./worker_box.js").WorkerBox>} */
    this.cellBoxes = new Map();
    /** Centre of every component, platform-wide and per worker, for the tokens. */
    this.anchors = new Map();
    this.flashTimers = new Map();
    this.signature = null;
    this.chips = new WorkChips(this.layers.work, onSelect);
    this.queue = null;
    if (onWorker) this.listenToWorkers(onWorker);
  }

  /** Cells and nodes are buttons: a click, Enter or Space on one (not on its containers) acts on it. */
  listenToWorkers(onWorker) {
    const open = (event) => {
      const g = event.target.closest?.("[data-cell-box]");
      if (g) onWorker(g.dataset.cellBox, g);
    };
    this.layers.cells.addEventListener("click", open);
    this.layers.cells.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      open(event);
    });
  }

  /**
   * Lay the diagram out for the view now, if it changed, so a message from a component that
   * has just appeared (the BOSH director's first drain) has a box to fly from.
   */
  prepare(view) {
    const layout = this.spec.computeLayout(view);
    if (layout.signature !== this.signature) {
      this.rebuild(layout);
      this.signature = layout.signature;
    }
    return layout;
  }

  defineMarkers() {
    const defs = svgEl("defs", {}, this.svg);
    const marker = svgEl("marker", {
      id: this.markerId, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
    }, defs);
    svgEl("path", { d: "M0,0 L10,5 L0,10 z", class: "link-arrow" }, marker);
  }

  /** Draw the view. Cheap enough to call on every animation frame that has new records. */
  render(view) {
    const layout = this.prepare(view);
    for (const [id, box] of this.boxes) {
      const status = view.components?.[id] ?? "idle";
      if (box.update) {
        box.update(status);
        continue;
      }
      // A platform may say a long status in fewer words on the box; the tooltip has it all.
      this.showDoing(box, this.spec.statusText?.[id]?.(status) ?? status);
      setText(box.tip, `${box.info.title}: ${box.info.role}. Now: ${status}`);
    }

    const { byCell, queue } = layout.work;
    const slots = new Map();
    const cellsByName = new Map((view.cells || []).map((c) => [c.name, c]));
    for (const [name, box] of this.cellBoxes) {
      const items = byCell.get(name) || [];
      const work = box.geom.work;
      items.slice(0, work.capacity).forEach((item, n) => slots.set(`${item.kind}:${item.key}`, workSlot(work, n)));
      box.update(cellsByName.get(name) || {}, view, items, Math.max(0, items.length - work.capacity));
    }
    // Work on a worker the layout does not know (yet) waits in the queue rather than vanishing.
    const waiting = [...queue];
    for (const [cell, items] of byCell) if (!this.cellBoxes.has(cell)) waiting.push(...items);
    const qWork = queueWork(layout.queue, this.queueHeadingH());
    waiting.slice(0, qWork.capacity).forEach((item, n) => slots.set(`${item.kind}:${item.key}`, workSlot(qWork, n)));
    this.renderQueue(waiting, view);
    this.chips.render(view, slots);
  }

  rebuild(layout) {
    setAttrs(this.svg, { viewBox: `0 0 ${layout.width} ${layout.height}` });
    this.layers.bands.replaceChildren();
    this.layers.links.replaceChildren();
    for (const band of layout.bands) {
      svgEl("text", { class: "band-label", x: band.x, y: band.y }, this.layers.bands).textContent = band.label;
    }
    const [one, many] = this.spec.worker;
    for (const zone of layout.zones) {
      svgEl("rect", { class: "zone", x: zone.x, y: zone.y, width: zone.w, height: zone.h, rx: 12 }, this.layers.bands);
      const label = svgEl("text", { class: "zone-label", x: zone.x + 12, y: zone.y + 17 }, this.layers.bands);
      label.textContent = `Zone ${zone.zone} · ${zone.count} ${zone.count === 1 ? one : many}`;
    }

    this.anchors.clear();
    // Operator components come and go with the view (a restart forgets they acted).
    for (const [id, box] of this.boxes) {
      if (!layout.components[id]) {
        box.g.remove();
        this.boxes.delete(id);
      }
    }
    for (const [id, geom] of Object.entries(layout.components)) {
      this.placeComponent(id, geom);
      this.anchors.set(id, { x: geom.x + geom.w / 2, y: geom.y + geom.h / 2 });
    }
    for (const [a, b] of this.spec.links) this.drawLink(layout.components[a], layout.components[b]);
    this.placeQueue(layout.queue);

    // Pending flash timers may still point at removed worker parts; clearing a class on a
    // detached node is harmless, and platform boxes survive a rebuild, so the timers stay.
    for (const box of this.cellBoxes.values()) box.remove();
    this.cellBoxes.clear();
    for (const [name, geom] of Object.entries(layout.cells)) {
      const box = new this.spec.WorkerBox(this.layers.cells, name, geom);
      this.cellBoxes.set(name, box);
      for (const [id, part] of Object.entries(box.parts)) {
        this.anchors.set(id, { x: part.box.x + part.box.w / 2, y: part.box.y + part.box.h / 2 });
      }
    }
    this.svg.dataset.cells = String(Object.keys(layout.cells).length);
  }

  /**
   * What a component is doing, on its last line. When that does not fit on one line and the
   * box has a role line, the activity takes both lines: while busy it matters more than the role.
   */
  showDoing(box, doing) {
    const perLine = Math.floor(box.width / (box.font * 0.56));
    let first = "";
    let second = doing;
    if (doing.length > perLine && box.roomy) {
      const cut = doing.lastIndexOf(" ", perLine);
      const at = cut > perLine / 3 ? cut : perLine;
      first = doing.slice(0, at).trimEnd();
      second = doing.slice(at).trimStart();
    }
    box.role.classList.toggle("is-doing", Boolean(first));
    setText(box.role, first || fitText(box.roleText, box.width, 11));
    setText(box.state, fitText(second, box.width, box.font));
  }

  placeComponent(id, geom) {
    const info = this.spec.components[id] || { title: id, role: "" };
    let box = this.boxes.get(id);
    if (!box) {
      const Gauge = this.spec.gauges[id];
      if (Gauge) {
        box = new Gauge(this.layers.components, id, info);
      } else {
        const operator = this.spec.operators?.includes(id) ? " component--operator" : "";
        const g = svgEl("g", { class: `component component--${id}${operator}`, "data-component": id }, this.layers.components);
        const tip = svgEl("title", {}, g);
        tip.textContent = `${info.title}: ${info.role}`;
        const rect = svgEl("rect", { class: "box", rx: 9 }, g);
        const title = svgEl("text", { class: "box-title" }, g);
        title.textContent = info.title;
        const role = svgEl("text", { class: "box-role" }, g);
        role.textContent = info.role;
        const state = svgEl("text", { class: "box-state" }, g);
        box = { g, tip, info, rect, title, role, state, roleText: info.role, roomy: false, width: 0, font: 12.5 };
      }
      this.boxes.set(id, box);
    }
    if (box.place) {
      box.place(geom);
      return;
    }
    const pad = 12;
    setAttrs(box.rect, { x: geom.x, y: geom.y, width: geom.w, height: geom.h });
    // Long names ("controller-manager") get a smaller title rather than running out of the box.
    const titleFont = Math.min(TITLE_FONT, (geom.w - 2 * pad) / (info.title.length * 0.6));
    setAttrs(box.title, { x: geom.x + pad, y: geom.y + 22, "font-size": titleFont.toFixed(1) });
    // The role line only where the box has room for three lines.
    const roomy = geom.h >= 60;
    setAttrs(box.role, { x: geom.x + pad, y: geom.y + 39, visibility: roomy ? "visible" : "hidden" });
    setAttrs(box.state, { x: geom.x + pad, y: geom.y + geom.h - 9 });
    box.roomy = roomy;
    box.width = geom.w - 2 * pad;
  }

  placeQueue(geom) {
    if (!this.queue) {
      const g = svgEl("g", { class: "queue", "data-queue": "" }, this.layers.components);
      svgEl("title", {}, g).textContent = this.spec.queue.tooltip;
      const rect = svgEl("rect", { class: "queue-box", rx: 9 }, g);
      const heading = svgEl("text", { class: "queue-heading" }, g);
      const counts = Array.from({ length: this.spec.queue.countLines ?? 0 }, () => svgEl("text", { class: "queue-counts" }, g));
      const empty = svgEl("text", { class: "queue-empty" }, g);
      this.queue = { g, rect, heading, counts, empty };
    }
    setAttrs(this.queue.rect, { x: geom.x, y: geom.y, width: geom.w, height: geom.h });
    setAttrs(this.queue.heading, { x: geom.x + 10, y: geom.y + 17 });
    this.queue.counts.forEach((line, i) => setAttrs(line, { x: geom.x + 10, y: geom.y + 36 + i * QUEUE_LINE_H }));
    setAttrs(this.queue.empty, { x: geom.x + 10, y: geom.y + this.queueHeadingH() + 18 });
  }

  /** Height of the queue's heading and count lines, above its chips. */
  queueHeadingH() {
    return 24 + (this.spec.queue.countLines ?? 0) * QUEUE_LINE_H;
  }

  /**
   * @param {object[]} waiting work on no worker (the heading counts what has no slot too)
   * @param {object} view
   */
  renderQueue(waiting, view) {
    const { heading, empty, counts } = this.spec.queue;
    setText(this.queue.heading, waiting.length ? `${heading} (${waiting.length})` : heading);
    const lines = counts?.(view) ?? [];
    this.queue.counts.forEach((line, i) => setText(line, lines[i] ?? ""));
    setText(this.queue.empty, waiting.length ? "" : empty);
    this.queue.g.classList.toggle("has-work", waiting.length > 0);
  }

  drawLink(a, b) {
    if (!a || !b) return;
    // From the edge of one box to the edge of the other, along the line joining their centres.
    const ca = { x: a.x + a.w / 2, y: a.y + a.h / 2 };
    const cb = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
    // Boxes one above the other (a wide one under a narrow one) get a vertical line.
    if (a.x < cb.x && cb.x < a.x + a.w && (a.y + a.h <= b.y || b.y + b.h <= a.y)) ca.x = cb.x;
    else if (b.x < ca.x && ca.x < b.x + b.w && (a.y + a.h <= b.y || b.y + b.h <= a.y)) cb.x = ca.x;
    const clip = (c, box, toward) => {
      const dx = toward.x - c.x;
      const dy = toward.y - c.y;
      const k = Math.min(Math.abs((box.w / 2) / (dx || 1e-9)), Math.abs((box.h / 2) / (dy || 1e-9)));
      return { x: c.x + dx * k, y: c.y + dy * k };
    };
    const boxCentre = (box) => ({ x: box.x + box.w / 2, y: box.y + box.h / 2 });
    // Clip against each box as if its centre were on the line (true for the vertical case too).
    const p = clipBox(ca, cb, a, boxCentre(a), clip);
    const q = clipBox(cb, ca, b, boxCentre(b), clip);
    svgEl("line", { class: "link", x1: p.x, y1: p.y, x2: q.x, y2: q.y, "marker-end": `url(#${this.markerId})` }, this.layers.links);
  }

  /** @returns {{x: number, y: number} | undefined} where a component's messages start and end */
  anchor(componentId) {
    return this.anchors.get(componentId);
  }

  /** Highlight a component briefly as a message leaves or reaches it. */
  flash(componentId) {
    const selector = `[data-component="${CSS.escape(componentId)}"]`;
    const node = this.layers.components.querySelector(selector) || this.layers.cells.querySelector(selector);
    if (!node) return;
    node.classList.add("is-active");
    clearTimeout(this.flashTimers.get(componentId));
    this.flashTimers.set(componentId, setTimeout(() => {
      node.classList.remove("is-active");
      this.flashTimers.delete(componentId);
    }, FLASH_MS));
  }

  /** Mark the work whose decision is open. */
  select(decisionKey) {
    this.chips.select(decisionKey);
  }
}

/**
 * Where the line from `from` towards `to` leaves `box`: on the box's edge, whether or not `from`
 * is the box's centre (a vertical link from a wide box starts off its centre).
 */
function clipBox(from, to, box, centre, clip) {
  if (from.x === centre.x && from.y === centre.y) return clip(from, box, to);
  // Off-centre: step along the line until the edge, with the box's half-sizes around `from`.
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const halfH = dy > 0 ? box.y + box.h - from.y : from.y - box.y;
  const halfW = dx > 0 ? box.x + box.w - from.x : from.x - box.x;
  const k = Math.min(Math.abs(halfW / (dx || 1e-9)), Math.abs(halfH / (dy || 1e-9)));
  return { x: from.x + dx * k, y: from.y + dy * k };
}
