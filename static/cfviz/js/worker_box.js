/**
 * What Diego cells and Kubernetes nodes have in common on the diagram: a framed box with the
 * worker's name, its agents as small boxes saying what they are doing, memory / disk / slot bars
 * with numbers, and the area its containers are drawn in (by work_chips.js, in a layer above, so
 * they can move between workers and the queue). cell_box.js and node_box.js add their parts.
 * A worker in trouble (evacuating, restarting, failed, cordoned) says so in a badge in its
 * header and takes that state's style; a failed one is crossed out. The box is a button: the
 * run's controller acts on the worker from it (live_actions.js).
 */

import { fitText } from "./format.js";
import { setAttrs, setText, svgEl } from "./svg.js";

/** A bar this full gets the warning style (and its text already says the numbers). */
const NEARLY_FULL = 0.8;
/** Bold capitals in the state badge run wider than the 0.56 em fitText assumes. */
const BADGE_GLYPH_EM = 0.7;

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
    this.tooltip = tooltip;
    this.g = svgEl("g", {
      class: "cell", "data-cell-box": name, "data-state": "ok", role: "button", tabindex: 0, "aria-haspopup": "dialog",
    }, parent);
    this.title = svgEl("title", {}, this.g);
    this.title.textContent = tooltip;
    svgEl("rect", { class: "cell-frame", x: geom.x, y: geom.y, width: geom.w, height: geom.h, rx: 10 }, this.g);
    // A failed worker is crossed out, under its containers (which are drawn in a layer above).
    const inset = 6;
    svgEl("path", {
      class: "cell-dead",
      d: `M${geom.x + inset},${geom.y + inset} L${geom.x + geom.w - inset},${geom.y + geom.h - inset} `
        + `M${geom.x + geom.w - inset},${geom.y + inset} L${geom.x + inset},${geom.y + geom.h - inset}`,
    }, this.g);
    this.nameText = svgEl("text", {
      class: "cell-name", x: geom.header.x, y: geom.header.y + geom.header.h * 0.68, "font-size": this.font.title,
    }, this.g);
    this.nameText.textContent = fitText(name, geom.w * 0.62, this.font.title);
    this.badge = svgEl("rect", { class: "cell-badge", rx: 4, height: this.font.small * 1.5, width: 0 }, this.g);
    this.stateText = svgEl("text", {
      class: "cell-state", x: geom.x + geom.w - (geom.header.x - geom.x), y: geom.header.y + geom.header.h * 0.68,
      "text-anchor": "end", "font-size": this.font.small,
    }, this.g);
    this.shownState = "ok";
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

  /**
   * The header's right side: trouble (an evacuating, failed or cordoned worker) as a badge,
   * else a note; the worker's style follows its state.
   * @param {object} cell the view's cell
   * @param {string} note
   * @param {string} [trouble] overrides the state word (a NotReady node)
   * @param {{isNew?: boolean}} [options] isNew: the note is a rootfs just rolled out
   */
  showHeaderNote(cell, note, trouble = undefined, { isNew = false } = {}) {
    const state = cell.state || "ok";
    const word = trouble ?? (state !== "ok" ? state : "");
    // The note gets what the name leaves of the header (names are monospace, 0.6 em a glyph).
    const room = this.geom.w - 2 * (this.geom.header.x - this.geom.x) - this.name.length * this.font.title * 0.6 - 12;
    const text = word ? fitText(word, this.geom.w * 0.45, this.font.small, BADGE_GLYPH_EM) : fitText(note, Math.max(room, this.geom.w * 0.3), this.font.small);
    if (this.stateText.textContent !== text || this.shownState !== state) {
      setText(this.stateText, text);
      this.stateText.classList.toggle("is-trouble", Boolean(word));
      this.stateText.classList.toggle("is-new", !word && isNew);
      // The badge behind the word, measured once the text is laid out.
      const width = word ? this.stateText.getComputedTextLength?.() || text.length * this.font.small * BADGE_GLYPH_EM : 0;
      const padX = 5;
      const right = Number(this.stateText.getAttribute("x"));
      const baseline = Number(this.stateText.getAttribute("y"));
      setAttrs(this.badge, {
        x: (right - width - padX).toFixed(1), y: (baseline - this.font.small * 1.08).toFixed(1), width: word ? (width + 2 * padX).toFixed(1) : 0,
      });
    }
    if (this.shownState !== state) {
      this.shownState = state;
      this.g.dataset.state = state;
    }
  }

  /**
   * The worker's tooltip and accessible name: what it is, its state and what the reader may do.
   * @param {string[]} facts e.g. "rootfs cflinuxfs4 1.99.0", "Ready: Unknown"
   */
  describe(cell, facts) {
    const state = cell.state || "ok";
    const known = facts.filter(Boolean);
    setText(this.title, [this.tooltip, `State: ${state}`, ...known].join("\n"));
    setAttrs(this.g, { "aria-label": `${this.name}: ${[state, ...known].join(", ")}. Open its actions.` });
  }

  /** What an agent is doing, on the second line of its box; a failed worker's agents are down. */
  showDoing(id, doing) {
    const part = this.parts[id];
    const text = this.shownState === "failed" ? "down (its machine failed)" : doing;
    if (part) setText(part.state, fitText(text, part.width, this.font.small * 0.92));
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

  /**
   * The right side of the work area's label: containers not drawn for lack of room, else a note
   * (the rootfs the worker's containers run on).
   * @param {number} hidden
   * @param {{text: string, isNew?: boolean}} [note]
   */
  showOverflow(hidden, note = undefined) {
    const text = hidden > 0 ? `+${hidden} more` : note?.text ?? "";
    setText(this.overflowText, fitText(text, this.geom.area.w * 0.5, this.font.small));
    this.overflowText.classList.toggle("is-rootfs", hidden <= 0 && Boolean(note?.text));
    this.overflowText.classList.toggle("is-new", hidden <= 0 && Boolean(note?.isNew));
  }

  remove() {
    this.g.remove();
  }
}
