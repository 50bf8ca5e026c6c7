/**
 * One cell drawn as a box: its name, the rep and executor with what they are doing, memory /
 * disk / container bars with numbers, and the Garden area its containers are drawn in
 * (by work_chips.js, in a layer above, so they can move between cells and the queue).
 */

import { fitText } from "./format.js";
import { setAttrs, setText, svgEl } from "./svg.js";

const BARS = [
  { key: "memory", label: "mem" },
  { key: "disk", label: "disk" },
  { key: "containers", label: "containers" },
];
/** A bar this full gets the warning style (and its text already says the numbers). */
const NEARLY_FULL = 0.8;

export class CellBox {
  /**
   * @param {SVGGElement} parent
   * @param {string} name
   * @param {ReturnType<import("./layout.js").computeLayout>["cells"][string]} geom
   */
  constructor(parent, name, geom) {
    this.name = name;
    this.geom = geom;
    const s = geom.s;
    this.font = { title: Math.max(11, 15 * s), small: Math.max(9, 12 * s) };
    this.g = svgEl("g", { class: "cell", "data-cell-box": name }, parent);
    svgEl("title", {}, this.g).textContent = `Cell ${name}: a Diego worker VM (rep, executor, Garden)`;
    svgEl("rect", { class: "cell-frame", x: geom.x, y: geom.y, width: geom.w, height: geom.h, rx: 10 }, this.g);
    this.nameText = svgEl("text", {
      class: "cell-name", x: geom.header.x, y: geom.header.y + geom.header.h * 0.68, "font-size": this.font.title,
    }, this.g);
    this.nameText.textContent = fitText(name, geom.w * 0.62, this.font.title);
    this.stateText = svgEl("text", {
      class: "cell-state", x: geom.x + geom.w - (geom.header.x - geom.x), y: geom.header.y + geom.header.h * 0.68,
      "text-anchor": "end", "font-size": this.font.small,
    }, this.g);

    this.parts = {
      [`rep@${name}`]: this.subcomponent("rep", geom.rep, "rep: bids in auctions, runs work"),
      [`executor@${name}`]: this.subcomponent("executor", geom.executor, "executor: runs each container's steps"),
    };
    this.bars = BARS.map((bar, i) => this.bar(bar, i));
    this.parts[`garden@${name}`] = this.garden(geom.garden);
  }

  subcomponent(label, box, role) {
    const g = svgEl("g", { class: "subcomponent", "data-component": `${label}@${this.name}` }, this.g);
    svgEl("title", {}, g).textContent = role;
    svgEl("rect", { class: "sub-box", x: box.x, y: box.y, width: box.w, height: box.h, rx: 6 }, g);
    const pad = 7 * this.geom.s;
    const title = svgEl("text", { class: "sub-title", x: box.x + pad, y: box.y + box.h * 0.42, "font-size": this.font.small }, g);
    title.textContent = label;
    const state = svgEl("text", { class: "sub-state", x: box.x + pad, y: box.y + box.h * 0.82, "font-size": this.font.small * 0.92 }, g);
    return { g, box, state, width: box.w - 2 * pad };
  }

  /** A line of text with a thin bar under it: the numbers get the full width to be read. */
  bar(spec, i) {
    const { x, y, w, rowH } = this.geom.bars;
    const g = svgEl("g", { class: "bar", "data-bar": spec.key }, this.g);
    const top = y + i * rowH;
    const text = svgEl("text", { class: "bar-text", x, y: top + rowH * 0.58, "font-size": this.font.small }, g);
    const barH = Math.max(2.5, rowH * 0.16);
    const barY = top + rowH * 0.7;
    svgEl("rect", { class: "bar-track", x, y: barY, width: w, height: barH, rx: barH / 2 }, g);
    const fill = svgEl("rect", { class: "bar-fill", x, y: barY, width: 0, height: barH, rx: barH / 2 }, g);
    return { spec, g, text, fill, trackW: w, textW: w };
  }

  garden(box) {
    const g = svgEl("g", { class: "garden", "data-component": `garden@${this.name}` }, this.g);
    svgEl("title", {}, g).textContent = "Garden: the container runtime; the cell's containers are drawn here";
    svgEl("rect", { class: "garden-box", x: box.x, y: box.y, width: box.w, height: box.h, rx: 7 }, g);
    const pad = 7 * this.geom.s;
    const state = svgEl("text", { class: "garden-label", x: box.x + pad, y: box.y + box.labelH * 0.72, "font-size": this.font.small }, g);
    this.overflowText = svgEl("text", {
      class: "garden-more", x: box.x + box.w - pad, y: box.y + box.labelH * 0.72, "text-anchor": "end", "font-size": this.font.small,
    }, g);
    return { g, box, state, width: box.w * 0.7 };
  }

  /**
   * @param {object} cell the view's cell
   * @param {Object<string, string>} components what each component is doing
   * @param {number} hidden containers not drawn for lack of room
   */
  update(cell, components, hidden) {
    // The header's right side: trouble first, else the placement tags that filter work here.
    const tags = cell.placement_tags?.length ? `tags: ${cell.placement_tags.join(", ")}` : "";
    const trouble = cell.state && cell.state !== "ok" ? cell.state : "";
    setText(this.stateText, fitText(trouble || tags, this.geom.w * 0.4, this.font.small));
    this.stateText.classList.toggle("is-trouble", Boolean(trouble));
    for (const [id, part] of Object.entries(this.parts)) {
      const doing = components[id] ?? "idle";
      if (id.startsWith("garden@")) setText(part.state, fitText(`Garden · ${doing}`, part.width, this.font.small));
      else setText(part.state, fitText(doing, part.width, this.font.small * 0.92));
    }
    const values = {
      memory: [cell.memory_used ?? 0, cell.memory_mb ?? 0, "MB"],
      disk: [cell.disk_used ?? 0, cell.disk_mb ?? 0, "MB"],
      containers: [cell.containers_used ?? 0, cell.max_containers ?? 0, ""],
    };
    for (const bar of this.bars) {
      const [used, total, unit] = values[bar.spec.key];
      let label = `${bar.spec.label} ${used}/${total}${unit ? ` ${unit}` : ""}`;
      if (bar.spec.key === "containers" && cell.starting) label += ` · ${cell.starting} starting`;
      setText(bar.text, fitText(label, bar.textW, this.font.small));
      const fraction = total > 0 ? Math.min(1, used / total) : 0;
      // A sliver for any use at all, so one small container still shows on a big cell.
      const width = used > 0 ? Math.max(3, fraction * bar.trackW) : 0;
      setAttrs(bar.fill, { width: width.toFixed(1) });
      bar.g.classList.toggle("is-full", fraction >= NEARLY_FULL);
    }
    setText(this.overflowText, hidden > 0 ? `+${hidden} more` : "");
  }

  remove() {
    this.g.remove();
  }
}
