/**
 * Playback controls and the run's clock: Play, Pause, speed, Restart, the simulated time and
 * status. Viewers who are not the run's owner (or staff) see the controls disabled and a
 * banner saying why; the server would refuse their commands anyway.
 */

import { formatClock, formatSpeed } from "./format.js";

export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

export class Controls {
  /**
   * @param {HTMLElement} root the page, to find the controls in
   * @param {(command: object) => void} send
   */
  constructor(root, send) {
    this.play = root.querySelector("#btn-play");
    this.pause = root.querySelector("#btn-pause");
    this.restart = root.querySelector("#btn-restart");
    this.speed = root.querySelector("#speed");
    this.clock = root.querySelector("#clock-time");
    this.status = root.querySelector("#run-status");
    this.speedLabel = root.querySelector("#speed-now");
    this.banner = root.querySelector("#watch-banner");
    this.canControl = false;
    this.current = "paused";

    if (!this.speed.options.length) {
      for (const s of SPEEDS) this.speed.append(new Option(formatSpeed(s), String(s)));
    }
    this.play.addEventListener("click", () => send({ command: "play" }));
    this.pause.addEventListener("click", () => send({ command: "pause" }));
    this.restart.addEventListener("click", () => send({ command: "restart" }));
    this.speed.addEventListener("change", () => send({ command: "speed", value: Number(this.speed.value) }));
    // Space toggles playback, as in most players, unless a control or the log has focus.
    document.addEventListener("keydown", (event) => {
      if (event.key !== " " || !this.canControl || event.target.closest?.("button, select, input, textarea, [role=button], [tabindex]")) return;
      event.preventDefault();
      send({ command: this.current === "playing" ? "pause" : "play" });
    });
  }

  /** @param {boolean} allowed whether this viewer may control the run */
  setCanControl(allowed) {
    this.canControl = allowed;
    this.banner.hidden = allowed;
    document.body.dataset.canControl = allowed ? "true" : "false";
    this.sync();
  }

  /**
   * @param {{status?: string, speed?: number, t?: number}} msg the fields of a snapshot or frame
   */
  update({ status, speed, t }) {
    if (status) {
      this.current = status;
      this.status.textContent = status;
      this.status.dataset.status = status;
    }
    if (speed !== undefined && speed !== null) {
      const nearest = SPEEDS.reduce((best, s) => (Math.abs(s - speed) < Math.abs(best - speed) ? s : best), SPEEDS[0]);
      if (document.activeElement !== this.speed) this.speed.value = String(nearest);
      this.speedLabel.textContent = formatSpeed(speed);
    }
    if (t !== undefined && t !== null) this.clock.textContent = formatClock(t);
    this.sync();
  }

  /** Enable what makes sense for this viewer and status. */
  sync() {
    const off = !this.canControl;
    // Play on a finished run replays it from the start, so it stays available.
    this.play.disabled = off || this.current === "playing";
    this.pause.disabled = off || this.current !== "playing";
    this.restart.disabled = off;
    this.speed.disabled = off;
  }

  /** Everything off, e.g. once the run turns out not to exist. */
  disableAll() {
    this.canControl = false;
    for (const control of [this.play, this.pause, this.restart, this.speed]) control.disabled = true;
  }
}
