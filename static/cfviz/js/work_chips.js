/**
 * Containers and queued work as chips: one per instance (`web/0`) and per task (`STG web`),
 * keyed so a chip keeps its DOM node as it moves from the placement queue into a cell, and
 * labelled with its state word as well as coloured by it. The extra records Diego keeps for an
 * index being replaced (`web/0 (evacuating)`, `web/0 (suspect)`) are drawn apart, named by
 * that word; a terminating pod and a container on a failed worker look it.
 */

import { fitText, instanceDetail, shortDetail, taskLabel, taskState } from "./format.js";
import { setAttrs, setText, svgEl } from "./svg.js";

/**
 * @typedef {{key: string, kind: "instance"|"task"}} WorkItem
 * @typedef {{x: number, y: number, w: number, h: number}} Slot
 */

/** "web/0 (evacuating)" → ["web/0", "evacuating"]; an ordinary instance has no presence word. */
export function splitPresence(key) {
  const match = /^(.*) \((\w+)\)$/.exec(key);
  return match ? [match[1], match[2]] : [key, ""];
}

/** The key of the decision that placed a piece of work (protocol.md §1 `work`). */
export function decisionKey(item) {
  return item.kind === "task" ? `task:${item.key}` : item.key;
}

export class WorkChips {
  /**
   * @param {SVGGElement} layer
   * @param {(item: WorkItem) => void} onSelect
   */
  constructor(layer, onSelect) {
    this.layer = layer;
    this.onSelect = onSelect;
    /** @type {Map<string, {g: SVGGElement, bg: SVGRectElement, keyText: SVGTextElement, stateSpan: SVGTSpanElement, detail: SVGTextElement, title: SVGTitleElement, item: WorkItem}>} */
    this.chips = new Map();
    this.selected = null;
    this.layer.addEventListener("click", (event) => this.activate(event));
    this.layer.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this.activate(event);
      }
    });
  }

  activate(event) {
    const g = event.target.closest("[data-work]");
    const chip = g && this.chips.get(g.dataset.work);
    if (chip) this.onSelect(chip.item);
  }

  /**
   * Draw every placed or queued piece of work that has a slot; remove the rest.
   * @param {object} view
   * @param {Map<string, Slot>} slots work id ("instance:web/0") to where it goes
   */
  render(view, slots) {
    for (const [id, chip] of this.chips) {
      if (!slots.has(id)) {
        chip.g.remove();
        this.chips.delete(id);
      }
    }
    const failed = new Set((view.cells || []).filter((c) => c.state === "failed").map((c) => c.name));
    for (const [id, slot] of slots) {
      const [kind, ...rest] = id.split(":");
      const key = rest.join(":");
      const data = kind === "task" ? view.tasks[key] : view.instances[key];
      if (!data) continue;
      let chip = this.chips.get(id);
      if (!chip) {
        chip = this.create(id, { key, kind });
        this.chips.set(id, chip);
      }
      this.update(chip, data, slot, failed.has(data.cell));
    }
  }

  create(id, item) {
    const g = svgEl("g", { class: "work", "data-work": id, role: "button", tabindex: 0 });
    g.setAttribute(item.kind === "task" ? "data-task" : "data-instance", item.key);
    const title = svgEl("title", {}, g);
    const bg = svgEl("rect", { class: "work-bg", rx: 6 }, g);
    const keyText = svgEl("text", { class: "work-key" }, g);
    const label = svgEl("tspan", {}, keyText);
    label.textContent = item.kind === "task" ? item.key : splitPresence(item.key)[0];
    const stateSpan = svgEl("tspan", { class: "work-state" }, keyText);
    const detail = svgEl("text", { class: "work-detail" }, g);
    this.layer.appendChild(g);
    return { g, bg, keyText, label, stateSpan, detail, title, item };
  }

  /**
   * @param {object} chip
   * @param {object} data the instance's or task's latest state
   * @param {Slot} slot
   * @param {boolean} [deadWorker] its cell or node has failed: it does not answer, whatever it says
   */
  update(chip, data, slot, deadWorker = false) {
    const { item, g } = chip;
    const isTask = item.kind === "task";
    const state = isTask ? taskState(data) : data.state;
    // An extra record of an index is named by its presence: "web/0" "evacuating".
    const [base, presenceWord] = isTask ? [item.key, ""] : splitPresence(item.key);
    const presence = data.presence && data.presence !== "ordinary" ? data.presence : presenceWord;
    const name = isTask ? taskLabel(item.key, data) : base;
    const shownState = presence || state;
    const detail = isTask ? (data.failed ? data.failure_reason || data.detail : data.detail) || "" : instanceDetail(data);
    const terminating = /Terminating/.test(String(data.detail ?? ""));
    const where = data.cell ? `on ${data.cell}${deadWorker ? " (failed)" : ""}` : "not placed yet";

    // Sizes follow the slot: cells shrink as there are more of them.
    const font = Math.max(8.5, Math.min(12, slot.h * 0.34));
    const pad = Math.max(4, slot.h * 0.2);
    setAttrs(chip.bg, { width: slot.w.toFixed(1), height: slot.h.toFixed(1) });
    setAttrs(chip.keyText, { x: pad, y: (slot.h * 0.44).toFixed(1), "font-size": font.toFixed(1) });
    setAttrs(chip.detail, { x: pad, y: (slot.h * 0.84).toFixed(1), "font-size": (font * 0.88).toFixed(1) });
    const room = slot.w - 2 * pad;
    // The name is monospace (0.6 em a glyph); the state word is a smaller bold sans.
    const shownName = fitText(name, room * 0.55, font, 0.6);
    const stateFont = font * 0.86;
    setText(chip.label, shownName);
    setAttrs(chip.stateSpan, { "font-size": stateFont.toFixed(1) });
    setText(chip.stateSpan, ` ${fitText(shownState, room - (shownName.length + 0.3) * font * 0.6, stateFont, 0.64)}`);
    // A container its dead worker still reports as running does not answer; say that instead.
    // An extra record says why it is there ("routed until its replacement runs"), not its address.
    const reason = presence ? shortDetail(data.detail) : shortDetail(detail);
    const line = deadWorker && !presence && state === "RUNNING" ? "no answer: its worker failed" : reason;
    setText(chip.detail, fitText(line, room, font * 0.88));
    // On Eirini an instance is a StatefulSet pod (a task a Job's pod): say which, and its rootfs.
    const who = data.pod ? `${item.key} (pod ${data.pod})` : item.key;
    const rootfs = data.rootfs ? ` Rootfs ${data.rootfs}.` : "";
    const dead = deadWorker ? " Its worker has failed: it does not answer." : "";
    const extra = presence === "evacuating"
      ? " Diego keeps this record, still routed, until the replacement runs."
      : presence === "suspect" ? " Diego keeps this record while its cell is missing, until a replacement runs." : "";
    setText(chip.title, `${who}: ${state}${detail ? ` · ${detail}` : ""} (${where}).${rootfs}${dead}${extra} Click for its placement decision.`);

    setAttrs(g, {
      "data-state": state,
      "data-presence": isTask ? "" : presence || "ordinary",
      "data-cell": data.cell || "",
      "data-pod": data.pod || "",
      "data-rootfs": data.rootfs || "",
      "aria-label": `${who} ${state}${detail ? `, ${detail}` : ""}, ${where}.${rootfs}${dead} Show its placement decision.`,
    });
    const selected = this.selected === decisionKey(item);
    const marks = [
      presence ? ` presence--${presence}` : "", terminating ? " is-terminating" : "", deadWorker ? " on-failed-worker" : "",
      selected ? " is-selected" : "",
    ].join("");
    setAttrs(g, {
      class: `work ${isTask ? "task" : "instance"} state--${state}${marks}`,
      "aria-pressed": selected ? "true" : "false",
    });
    // CSSOM, not a style attribute, so a strict CSP (style-src 'self') still allows it.
    const transform = `translate(${slot.x.toFixed(1)}px, ${slot.y.toFixed(1)}px)`;
    if (g.style.transform !== transform) g.style.transform = transform;
  }

  /** Mark the chip whose decision is open (null for none). */
  select(key) {
    this.selected = key;
    for (const chip of this.chips.values()) {
      const on = decisionKey(chip.item) === key;
      chip.g.classList.toggle("is-selected", on);
      chip.g.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }
}
