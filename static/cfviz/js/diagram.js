/**
 * The animated component diagram: platform component boxes, cells grouped by zone, the queue
 * of unplaced work, and the container chips. Rebuilds its static frame only when the layout
 * changes (cells added, a cell grows a row of containers) and otherwise updates text in place.
 */

import { CellBox } from "./cell_box.js";
import { fitText } from "./format.js";
import { COMPONENTS, computeLayout, queueWork, workSlot } from "./layout.js";
import { setAttrs, setText, svgEl } from "./svg.js";
import { WorkChips } from "./work_chips.js";

/** Static connectors: who talks to whom on the main path of a push (talk.md §5). */
const LINKS = [
  ["cf", "cc"], ["cf", "uaa"], ["cc", "bbs"], ["bbs", "bbs-db"], ["bbs", "auctioneer"],
  ["cc", "blobstore"], ["route-emitter", "nats"], ["nats", "gorouter"],
];
/** How long a box stays highlighted after a message leaves or reaches it, ms. */
const FLASH_MS = 450;

export class Diagram {
  /**
   * @param {SVGSVGElement} svg
   * @param {{onSelect: (item: {key: string, kind: string}) => void}} options
   */
  constructor(svg, { onSelect }) {
    this.svg = svg;
    this.layers = {};
    for (const name of ["bands", "links", "components", "cells", "work", "tokens"]) {
      this.layers[name] = svgEl("g", { class: `layer-${name}` }, svg);
    }
    this.defineMarkers();
    /** @type {Map<string, {g: SVGGElement, state: SVGTextElement, width: number, font: number}>} */
    this.boxes = new Map();
    /** @type {Map<string, CellBox>} */
    this.cellBoxes = new Map();
    /** Centre of every component, platform-wide and per cell, for the tokens. */
    this.anchors = new Map();
    this.flashTimers = new Map();
    this.signature = null;
    this.chips = new WorkChips(this.layers.work, onSelect);
    this.queue = null;
  }

  defineMarkers() {
    const defs = svgEl("defs", {}, this.svg);
    const marker = svgEl("marker", {
      id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
    }, defs);
    svgEl("path", { d: "M0,0 L10,5 L0,10 z", class: "link-arrow" }, marker);
  }

  /** Draw the view. Cheap enough to call on every animation frame that has new records. */
  render(view) {
    const layout = computeLayout(view);
    if (layout.signature !== this.signature) {
      this.rebuild(layout);
      this.signature = layout.signature;
    }
    for (const [id, box] of this.boxes) this.showDoing(box, view.components?.[id] ?? "idle");

    const { byCell, queue } = layout.work;
    const slots = new Map();
    const cellsByName = new Map((view.cells || []).map((c) => [c.name, c]));
    for (const [name, box] of this.cellBoxes) {
      const items = byCell.get(name) || [];
      const work = box.geom.work;
      items.slice(0, work.capacity).forEach((item, n) => slots.set(`${item.kind}:${item.key}`, workSlot(work, n)));
      box.update(cellsByName.get(name) || {}, view.components || {}, Math.max(0, items.length - work.capacity));
    }
    // Work on a cell the layout does not know (yet) waits in the queue rather than vanishing.
    const waiting = [...queue];
    for (const [cell, items] of byCell) if (!this.cellBoxes.has(cell)) waiting.push(...items);
    const qWork = queueWork(layout.queue);
    waiting.slice(0, qWork.capacity).forEach((item, n) => slots.set(`${item.kind}:${item.key}`, workSlot(qWork, n)));
    this.renderQueue(waiting);
    this.chips.render(view, slots);
  }

  rebuild(layout) {
    setAttrs(this.svg, { viewBox: `0 0 ${layout.width} ${layout.height}` });
    this.layers.bands.replaceChildren();
    this.layers.links.replaceChildren();
    for (const band of layout.bands) {
      svgEl("text", { class: "band-label", x: band.x, y: band.y }, this.layers.bands).textContent = band.label;
    }
    for (const zone of layout.zones) {
      svgEl("rect", { class: "zone", x: zone.x, y: zone.y, width: zone.w, height: zone.h, rx: 12 }, this.layers.bands);
      const label = svgEl("text", { class: "zone-label", x: zone.x + 12, y: zone.y + 17 }, this.layers.bands);
      label.textContent = `Zone ${zone.zone} · ${zone.count} ${zone.count === 1 ? "cell" : "cells"}`;
    }

    this.anchors.clear();
    for (const [id, geom] of Object.entries(layout.components)) {
      this.placeComponent(id, geom);
      this.anchors.set(id, { x: geom.x + geom.w / 2, y: geom.y + geom.h / 2 });
    }
    for (const [a, b] of LINKS) this.drawLink(layout.components[a], layout.components[b]);
    this.placeQueue(layout.queue);

    // Pending flash timers may still point at removed cell parts; clearing a class on a
    // detached node is harmless, and platform boxes survive a rebuild, so the timers stay.
    for (const box of this.cellBoxes.values()) box.remove();
    this.cellBoxes.clear();
    for (const [name, geom] of Object.entries(layout.cells)) {
      const box = new CellBox(this.layers.cells, name, geom);
      this.cellBoxes.set(name, box);
      for (const [id, part] of Object.entries(box.parts)) {
        this.anchors.set(id, { x: part.box.x + part.box.w / 2, y: part.box.y + (part.box.labelH ?? part.box.h) / 2 });
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
    let box = this.boxes.get(id);
    if (!box) {
      const info = COMPONENTS[id] || { title: id, role: "" };
      const g = svgEl("g", { class: `component component--${id}`, "data-component": id }, this.layers.components);
      svgEl("title", {}, g).textContent = `${info.title}: ${info.role}`;
      const rect = svgEl("rect", { class: "box", rx: 9 }, g);
      const title = svgEl("text", { class: "box-title" }, g);
      title.textContent = info.title;
      const role = svgEl("text", { class: "box-role" }, g);
      role.textContent = info.role;
      const state = svgEl("text", { class: "box-state" }, g);
      box = { g, rect, title, role, state, roleText: info.role, roomy: false, width: 0, font: 13 };
      this.boxes.set(id, box);
    }
    const pad = 12;
    setAttrs(box.rect, { x: geom.x, y: geom.y, width: geom.w, height: geom.h });
    setAttrs(box.title, { x: geom.x + pad, y: geom.y + 22 });
    // The role line only where the box has room for three lines.
    const roomy = geom.h >= 60;
    setAttrs(box.role, { x: geom.x + pad, y: geom.y + 39, visibility: roomy ? "visible" : "hidden" });
    setAttrs(box.state, { x: geom.x + pad, y: geom.y + geom.h - 9 });
    box.roleText = COMPONENTS[id]?.role ?? "";
    box.roomy = roomy;
    box.width = geom.w - 2 * pad;
    box.font = 12.5;
  }

  placeQueue(geom) {
    if (!this.queue) {
      const g = svgEl("g", { class: "queue", "data-queue": "" }, this.layers.components);
      svgEl("title", {}, g).textContent = "Work the auctioneer has not placed on a cell yet (UNCLAIMED instances, PENDING tasks)";
      const rect = svgEl("rect", { class: "queue-box", rx: 9 }, g);
      const heading = svgEl("text", { class: "queue-heading" }, g);
      const empty = svgEl("text", { class: "queue-empty" }, g);
      this.queue = { g, rect, heading, empty };
    }
    setAttrs(this.queue.rect, { x: geom.x, y: geom.y, width: geom.w, height: geom.h });
    setAttrs(this.queue.heading, { x: geom.x + 10, y: geom.y + 17 });
    setAttrs(this.queue.empty, { x: geom.x + 10, y: geom.y + 44 });
  }

  renderQueue(waiting) {
    setText(this.queue.heading, waiting.length ? `Not yet placed (${waiting.length})` : "Not yet placed");
    setText(this.queue.empty, waiting.length ? "" : "nothing waiting");
    this.queue.g.classList.toggle("has-work", waiting.length > 0);
  }

  drawLink(a, b) {
    if (!a || !b) return;
    // From the edge of one box to the edge of the other, along the line joining their centres.
    const ca = { x: a.x + a.w / 2, y: a.y + a.h / 2 };
    const cb = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
    const clip = (c, box, toward) => {
      const dx = toward.x - c.x;
      const dy = toward.y - c.y;
      const k = Math.min(Math.abs((box.w / 2) / (dx || 1e-9)), Math.abs((box.h / 2) / (dy || 1e-9)));
      return { x: c.x + dx * k, y: c.y + dy * k };
    };
    const p = clip(ca, a, cb);
    const q = clip(cb, b, ca);
    svgEl("line", { class: "link", x1: p.x, y1: p.y, x2: q.x, y2: q.y, "marker-end": "url(#arrow)" }, this.layers.links);
  }

  /** @returns {{x: number, y: number} | undefined} where a component's messages start and end */
  anchor(componentId) {
    return this.anchors.get(componentId);
  }

  /** Highlight a component briefly as a message leaves or reaches it. */
  flash(componentId) {
    const node = this.layers.components.querySelector(`[data-component="${CSS.escape(componentId)}"]`)
      || this.layers.cells.querySelector(`[data-component="${CSS.escape(componentId)}"]`);
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
