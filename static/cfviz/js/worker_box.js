/**
 * What Diego cells and Kubernetes nodes have in common on the diagram: a framed box with the
 * worker's name, its agents as small boxes saying what they are doing, memory / disk / slot bars
 * with numbers, and the area its containers are drawn in (by work_chips.js, in a layer above, so
 * they can move between workers and the queue). cell_box.js and node_box.js add their parts.
 */

import { fitText } from "./format.js";
import { setAttrs, setText, svgEl } from "./svg.js";

/** A bar this full gets the warning style (and its text already says the numbers). */
const NEARLY_FULL = 0.8;

export class WorkerBox {
  /**
   * @param {SVGGElement} parent
   * @param {string} name
   * @param {object} geom the worker's geometry from layout.js
   * @param {string} tooltip what the worker is, for its title
   */
  constructor(parent, name, geom, tooltip) {
    this.name = name;
    this.geom = geom;
    const s = geom.s;
    this.font = { title: Math.max(11, 15 * s), small: Math.max(9, 12 * s) };
    /** Component id → the part drawn for it, so tokens can find where messages start and end. */
    this.parts = {};
    this.g = svgEl("g", { class: "cell", "data-cell-box": name }, parent);
    svgEl("title", {}, this.g).textContent = tooltip;
    svgEl("rect", { class: "cell-frame", x: geom.x, y: geom.y, width: geom.w, height: geom.h, rx: 10 }, this.g);
    this.nameText = svgEl("text", {
      class: "cell-name", x: geom.header.x, y: geom.header.y + geom.header.h * 0.68, "font-size": this.font.title,
    }, this.g);
    this.nameText.textContent = fitText(name, geom.w * 0.62, this.font.title);
    this.stateText = svgEl("text", {
      class: "cell-state", x: geom.x + geom.w - (geom.header.x - geom.x), y: geom.header.y + geom.header.h * 0.68,
      "text-anchor": "end", "font-size": this.font.small,
    }, this.g);
  }

  /** A small box for one agent on the worker (rep, executor, kubelet, runtime). */
  subcomponent(id, label, box, role) {
    const g = svgEl("g", { class: "subcomponent", "data-component": id }, this.g);
    svgEl("title", {}, g).textContent = role;
    svgEl("rect", { class: "sub-box", x: box.x, y: box.y, width: box.w, height: box.h, rx: 6 }, g);
    const pad = 7 * this.geom.s;
    const title = svgEl("text", { class: "sub-title", x: box.x + pad, y: box.y + box.h * 0.42, "font-size": this.font.small }, g);
    title.textContent = label;
    const state = svgEl("text", { class: "sub-state", x: box.x + pad, y: box.y + box.h * 0.82, "font-size": this.font.small * 0.92 }, g);
    this.parts[id] = { g, box, state, width: box.w - 2 * pad };
    return this.parts[id];
  }

  /**
   * A line of text with a thin bar under it per resource: the numbers get the full width.
   * @param {{key: string, label: string}[]} specs
   */
  addBars(specs) {
    const { x, y, w, rowH } = this.geom.bars;
    this.bars = specs.map((spec, i) => {
      const g = svgEl("g", { class: "bar", "data-bar": spec.key }, this.g);
      const top = y + i * rowH;
      const text = svgEl("text", { class: "bar-text", x, y: top + rowH * 0.58, "font-size": this.font.small }, g);
      const barH = Math.max(2.5, rowH * 0.16);
      const barY = top + rowH * 0.7;
      svgEl("rect", { class: "bar-track", x, y: barY, width: w, height: barH, rx: barH / 2 }, g);
      const fill = svgEl("rect", { class: "bar-fill", x, y: barY, width: 0, height: barH, rx: barH / 2 }, g);
      return { spec, g, text, fill, trackW: w };
    });
  }

  /** The area the worker's containers are drawn in, labelled on its first line. */
  workArea(id, box, tooltip) {
    const g = svgEl("g", { class: "garden", "data-component": id }, this.g);
    svgEl("title", {}, g).textContent = tooltip;
    svgEl("rect", { class: "garden-box", x: box.x, y: box.y, width: box.w, height: box.h, rx: 7 }, g);
    const pad = 7 * this.geom.s;
    const state = svgEl("text", { class: "garden-label", x: box.x + pad, y: box.y + box.labelH * 0.72, "font-size": this.font.small }, g);
    this.overflowText = svgEl("text", {
      class: "garden-more", x: box.x + box.w - pad, y: box.y + box.labelH * 0.72, "text-anchor": "end", "font-size": this.font.small,
    }, g);
    this.parts[id] = { g, box: { ...box, h: box.labelH }, state, width: box.w * 0.7 };
    return this.parts[id];
  }

  /** The header's right side: trouble (a cordoned worker) first, else a note. */
  showHeaderNote(cell, note) {
    const trouble = cell.state && cell.state !== "ok" ? cell.state : "";
    setText(this.stateText, fitText(trouble || note, this.geom.w * 0.4, this.font.small));
    this.stateText.classList.toggle("is-trouble", Boolean(trouble));
  }

  /** What an agent is doing, on the second line of its box. */
  showDoing(id, doing) {
    const part = this.parts[id];
    if (part) setText(part.state, fitText(doing, part.width, this.font.small * 0.92));
  }

  /**
   * @param {Object<string, [number, number, string]>} values bar key → [used, total, unit]
   * @param {Object<string, string>} [suffixes] bar key → text after the numbers
   */
  updateBars(values, suffixes = {}) {
    for (const bar of this.bars) {
      const [used, total, unit] = values[bar.spec.key];
      const label = `${bar.spec.label} ${used}/${total}${unit ? ` ${unit}` : ""}${suffixes[bar.spec.key] ?? ""}`;
      setText(bar.text, fitText(label, bar.trackW, this.font.small));
      const fraction = total > 0 ? Math.min(1, used / total) : 0;
      // A sliver for any use at all, so one small container still shows on a big worker.
      const width = used > 0 ? Math.max(3, fraction * bar.trackW) : 0;
      setAttrs(bar.fill, { width: width.toFixed(1) });
      bar.g.classList.toggle("is-full", fraction >= NEARLY_FULL);
    }
  }

  /** @param {number} hidden containers not drawn for lack of room */
  showOverflow(hidden) {
    setText(this.overflowText, hidden > 0 ? `+${hidden} more` : "");
  }

  remove() {
    this.g.remove();
  }
}
