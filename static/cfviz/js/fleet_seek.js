/**
 * Moving a fleet run in time: a slider to seek anywhere up to the furthest point known (the
 * run's end if the snapshot says it, else the furthest frame seen; the past of a fleet run is
 * free to revisit, docs/fleet.md §2) and steps of one simulated second either way.
 */

import { formatClock } from "./format.js";

export class FleetSeek {
  /**
   * @param {ParentNode} root where #fleet-seek, #fleet-seek-value, #fleet-seek-end and the step buttons are
   * @param {(command: object) => boolean} send
   */
  constructor(root, send) {
    this.slider = root.querySelector("#fleet-seek");
    this.value = root.querySelector("#fleet-seek-value");
    this.endLabel = root.querySelector("#fleet-seek-end");
    this.back = root.querySelector("#btn-step-back");
    this.forward = root.querySelector("#btn-step-forward");
    this.end = 0;
    this.t = 0;
    this.canControl = false;
    this.scrubbing = false;
    this.slider.addEventListener("input", () => {
      this.scrubbing = true;
      this.value.textContent = formatClock(Number(this.slider.value));
    });
    this.slider.addEventListener("change", () => {
      this.scrubbing = false;
      send({ command: "seek", t: Number(this.slider.value) });
    });
    this.back.addEventListener("click", () => send({ command: "step", direction: "back" }));
    this.forward.addEventListener("click", () => send({ command: "step", direction: "forward" }));
  }

  /**
   * @param {{t?: number, end?: number|null, canControl?: boolean}} state
   */
  update({ t, end, canControl }) {
    if (canControl !== undefined) this.canControl = canControl;
    if (Number.isFinite(t)) this.t = t;
    this.end = Math.max(this.end, Number.isFinite(end) ? end : 0, this.t);
    const max = Math.max(1, Math.ceil(this.end));
    if (this.slider.max !== String(max)) this.slider.max = String(max);
    if (!this.scrubbing) {
      this.slider.value = String(this.t);
      this.value.textContent = formatClock(this.t);
    }
    this.endLabel.textContent = formatClock(this.end);
    this.slider.disabled = !this.canControl;
    this.back.disabled = !this.canControl || this.t <= 0;
    this.forward.disabled = !this.canControl;
  }

  disable() {
    this.canControl = false;
    for (const control of [this.slider, this.back, this.forward]) control.disabled = true;
  }
}
