/**
 * bits-service, the registry every node pulls app images from, drawn so that a queue forming
 * in front of it is obvious: a slot per request it serves at once (filled while busy) and a bar
 * that grows by one block per request waiting, with the numbers in words beside them. This is
 * the staging and start-up bottleneck the talk describes (talk.md §8).
 */

import { fitText } from "./format.js";
import { setAttrs, setText, svgEl } from "./svg.js";

/** The simulator's status text: "2/4 busy, 5 waiting". */
const STATUS = /(\d+)\s*\/\s*(\d+)\s*busy\D+(\d+)\s*waiting/;
const GAUGE_W = 350;
const SLOT = 16;
const BLOCK_W = 7;
const BLOCK_GAP = 2;
/** Room for slot squares; more than this many slots are summed up in the text alone. */
const MAX_SLOTS = 12;

/**
 * @param {string} status
 * @returns {{busy: number, capacity: number, waiting: number} | null}
 */
export function parseRegistryStatus(status) {
  const match = STATUS.exec(String(status ?? ""));
  return match ? { busy: Number(match[1]), capacity: Number(match[2]), waiting: Number(match[3]) } : null;
}

export class RegistryGauge {
  /**
   * @param {SVGGElement} layer
   * @param {string} id component id
   * @param {{title: string, role: string}} info
   */
  constructor(layer, id, info) {
    this.g = svgEl("g", { class: `component component--${id} registry`, "data-component": id }, layer);
    svgEl("title", {}, this.g).textContent = `${info.title}: ${info.role}. Every pod start pulls an image manifest from it; new nodes pull the rootfs layer too.`;
    this.rect = svgEl("rect", { class: "box", rx: 9 }, this.g);
    this.title = svgEl("text", { class: "box-title" }, this.g);
    this.title.textContent = info.title;
    this.role = svgEl("text", { class: "box-role" }, this.g);
    this.roleText = info.role;
    this.state = svgEl("text", { class: "box-state" }, this.g);
    this.servingLabel = svgEl("text", { class: "gauge-label", "text-anchor": "end" }, this.g);
    this.servingLabel.textContent = "serving";
    this.waitingLabel = svgEl("text", { class: "gauge-label", "text-anchor": "end" }, this.g);
    this.waitingLabel.textContent = "waiting";
    this.slots = svgEl("g", { class: "gauge-slots" }, this.g);
    this.queue = svgEl("g", { class: "gauge-queue" }, this.g);
    this.queueTrack = svgEl("rect", { class: "gauge-track", rx: 3 }, this.queue);
    this.queueBlocks = svgEl("g", {}, this.queue);
    this.servingText = svgEl("text", { class: "gauge-count" }, this.g);
    this.waitingText = svgEl("text", { class: "gauge-count gauge-count--waiting" }, this.g);
    this.shown = null;
  }

  place(geom) {
    this.geom = geom;
    const pad = 12;
    setAttrs(this.rect, { x: geom.x, y: geom.y, width: geom.w, height: geom.h });
    setAttrs(this.title, { x: geom.x + pad, y: geom.y + 22 });
    setAttrs(this.role, { x: geom.x + pad, y: geom.y + 39 });
    setAttrs(this.state, { x: geom.x + pad, y: geom.y + geom.h - 11 });
    const textW = geom.w - GAUGE_W - 3 * pad;
    this.role.textContent = fitText(this.roleText, textW, 11);
    this.textW = textW;
    // The gauge: two rows at the right, labels right-aligned before them.
    const left = geom.x + geom.w - GAUGE_W;
    this.gaugeX = left + 62;
    this.row1 = geom.y + 14;
    this.row2 = geom.y + 42;
    setAttrs(this.servingLabel, { x: this.gaugeX - 8, y: this.row1 + SLOT * 0.78 });
    setAttrs(this.waitingLabel, { x: this.gaugeX - 8, y: this.row2 + SLOT * 0.78 });
    this.queueW = geom.x + geom.w - pad - this.gaugeX - 96;
    setAttrs(this.queueTrack, { x: this.gaugeX, y: this.row2, width: this.queueW, height: SLOT });
    this.shown = null;
  }

  /** @param {string} status what the simulator says the registry is doing */
  update(status) {
    const text = status || "idle";
    setText(this.state, fitText(text, this.textW, 12.5));
    if (text === this.shown) return;
    this.shown = text;
    const figures = parseRegistryStatus(text);
    this.g.classList.toggle("is-busy", Boolean(figures?.busy));
    this.g.classList.toggle("is-queueing", Boolean(figures?.waiting));
    this.g.dataset.busy = String(figures?.busy ?? 0);
    this.g.dataset.waiting = String(figures?.waiting ?? 0);
    this.drawSlots(figures);
    this.drawQueue(figures);
  }

  drawSlots(figures) {
    this.slots.replaceChildren();
    if (!figures) {
      setText(this.servingText, "");
      return;
    }
    const shown = Math.min(figures.capacity, MAX_SLOTS);
    for (let i = 0; i < shown; i += 1) {
      svgEl("rect", {
        class: i < figures.busy ? "gauge-slot is-on" : "gauge-slot",
        x: this.gaugeX + i * (SLOT + 4), y: this.row1, width: SLOT, height: SLOT, rx: 3,
      }, this.slots);
    }
    setAttrs(this.servingText, { x: this.gaugeX + shown * (SLOT + 4) + 6, y: this.row1 + SLOT * 0.8 });
    setText(this.servingText, `${figures.busy} of ${figures.capacity} busy`);
  }

  drawQueue(figures) {
    this.queueBlocks.replaceChildren();
    const waiting = figures?.waiting ?? 0;
    const room = Math.floor((this.queueW + BLOCK_GAP) / (BLOCK_W + BLOCK_GAP));
    for (let i = 0; i < Math.min(waiting, room); i += 1) {
      svgEl("rect", {
        class: "gauge-block", x: this.gaugeX + i * (BLOCK_W + BLOCK_GAP), y: this.row2 + 2, width: BLOCK_W, height: SLOT - 4, rx: 1.5,
      }, this.queueBlocks);
    }
    setAttrs(this.waitingText, { x: this.gaugeX + this.queueW + 8, y: this.row2 + SLOT * 0.8 });
    const more = waiting > room ? ` (+${waiting - room})` : "";
    setText(this.waitingText, figures ? `${waiting} waiting${more}` : "no requests yet");
  }
}
