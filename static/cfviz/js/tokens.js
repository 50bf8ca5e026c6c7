/**
 * Message tokens: a dot with a short label flying from the sender's box to the receiver's for
 * each `message` record, and a faint dot to Loggregator for each `log` record. One
 * requestAnimationFrame loop runs only while tokens are in flight, and a token's nodes are
 * removed when it lands or is dropped, so a long-running screen does not grow the DOM.
 */

import { isReply, tokenLabel } from "./format.js";
import { svgEl } from "./svg.js";

/** Wall-clock bounds of one flight, ms: long enough to follow, short enough to keep up. */
export const MIN_FLIGHT_MS = 350;
export const MAX_FLIGHT_MS = 900;
/** Flights in the air at once; past this the oldest are dropped. */
export const MAX_TOKENS = 60;
/** Labelled flights at once: past this, new tokens fly without a label, so text stays legible. */
const MAX_LABELS = 10;

/**
 * How long a token flies on screen. Real message times are milliseconds, far too quick to see,
 * so the flight is the message's own duration at the playback speed, but never shorter than
 * what the speed allows to follow (shorter as playback gets faster) and within the bounds.
 * @param {number} durationS simulated seconds the message travels
 * @param {number} speed playback speed (simulated seconds per wall second)
 */
export function flightMs(durationS, speed) {
  const s = Math.max(0.1, speed || 1);
  const own = ((durationS || 0) * 1000) / s;
  const followable = 700 / Math.sqrt(s);
  return Math.min(MAX_FLIGHT_MS, Math.max(MIN_FLIGHT_MS, own, followable));
}

const easeInOut = (p) => (p < 0.5 ? 2 * p * p : 1 - ((-2 * p + 2) ** 2) / 2);

export class Tokens {
  /**
   * @param {SVGGElement} layer
   * @param {{anchor: (id: string) => ({x: number, y: number}|undefined), flash: (id: string) => void}} diagram
   */
  constructor(layer, diagram) {
    this.layer = layer;
    this.diagram = diagram;
    this.inFlight = [];
    this.frame = 0;
    this.reducedMotion = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
    this.tick = this.tick.bind(this);
  }

  /** A token for a `message` record. */
  message(record, speed) {
    this.diagram.flash(record.from);
    const labelled = this.inFlight.filter((t) => t.labelled).length;
    this.launch(record.from, record.to, flightMs(record.duration, speed), {
      // Replies fly as rings: requests carry the story, replies only close it.
      className: isReply(record.label) ? "token token--reply" : "token",
      label: labelled < MAX_LABELS ? tokenLabel(record.label) : "",
      onLand: () => this.diagram.flash(record.to),
    });
  }

  /** A faint token for a `log` record, from the component that wrote it to Loggregator. */
  log(record, speed) {
    if (!record.component) return;
    this.launch(record.component, "loggregator", flightMs(0, speed), { className: "token token--log", label: "", radius: 4.5 });
  }

  launch(fromId, toId, durationMs, { className, label, radius = 6.5, onLand = undefined }) {
    const from = this.diagram.anchor(fromId);
    const to = this.diagram.anchor(toId);
    if (!from || !to || this.reducedMotion) {
      onLand?.();
      return;
    }
    const g = svgEl("g", { class: className, "aria-hidden": "true" }, this.layer);
    svgEl("circle", { r: radius }, g);
    if (label) svgEl("text", { x: 11, y: 4 }, g).textContent = label;
    // Bow the path sideways so a request and its reply do not run over each other.
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const bend = Math.min(60, Math.hypot(dx, dy) * 0.12);
    const len = Math.hypot(dx, dy) || 1;
    const control = { x: (from.x + to.x) / 2 - (dy / len) * bend, y: (from.y + to.y) / 2 + (dx / len) * bend };
    this.inFlight.push({ g, from, to, control, start: performance.now(), durationMs, onLand, labelled: Boolean(label) });
    while (this.inFlight.length > MAX_TOKENS) this.inFlight.shift().g.remove();
    this.place(this.inFlight[this.inFlight.length - 1], 0);
    if (!this.frame) this.frame = requestAnimationFrame(this.tick);
  }

  place(token, progress) {
    const p = easeInOut(progress);
    const q = 1 - p;
    const x = q * q * token.from.x + 2 * q * p * token.control.x + p * p * token.to.x;
    const y = q * q * token.from.y + 2 * q * p * token.control.y + p * p * token.to.y;
    token.g.setAttribute("transform", `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
  }

  tick(now) {
    this.frame = 0;
    const still = [];
    for (const token of this.inFlight) {
      const progress = (now - token.start) / token.durationMs;
      if (progress >= 1) {
        token.g.remove();
        token.onLand?.();
      } else {
        this.place(token, Math.max(0, progress));
        still.push(token);
      }
    }
    this.inFlight = still;
    if (still.length) this.frame = requestAnimationFrame(this.tick);
  }

  /** Drop every token, e.g. when a snapshot replaces the picture. */
  clear() {
    for (const token of this.inFlight) token.g.remove();
    this.inFlight = [];
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  get count() {
    return this.inFlight.length;
  }
}
