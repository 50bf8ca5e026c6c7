/**
 * Zoom and pan of a canvas: the wheel zooms about the pointer, the buttons about the centre,
 * and a drag pans while zoomed in. The picture always covers the canvas (no panning past its
 * edges), so a screen point maps back to the picture's unzoomed coordinates with one divide.
 */

import { htmlEl } from "./svg.js";

const MAX_SCALE = 16;
const BUTTON_STEP = 1.5;
/** A pointer that moved further than this between press and release dragged, not clicked. */
const CLICK_SLOP_PX = 4;

export class FleetZoom {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {HTMLElement} buttons an element to put the zoom buttons in
   * @param {() => void} changed called whenever the zoom or pan moves
   */
  constructor(canvas, buttons, changed) {
    this.canvas = canvas;
    this.changed = changed;
    this.scale = 1;
    this.x = 0;
    this.y = 0;
    this.width = 0;
    this.height = 0;
    this.dragging = false;
    /** True from a release that ended a drag until the click event after it. */
    this.dragged = false;
    this.buildButtons(buttons);
    this.listen();
  }

  buildButtons(parent) {
    parent.setAttribute("role", "group");
    parent.setAttribute("aria-label", "Zoom");
    const button = (text, label, action) => {
      const b = htmlEl("button", "button fleet-zoom-button", text, parent);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.dataset.zoom = action;
      return b;
    };
    button("−", "Zoom out", "out").addEventListener("click", () => this.zoomAt(1 / BUTTON_STEP, this.width / 2, this.height / 2));
    button("+", "Zoom in", "in").addEventListener("click", () => this.zoomAt(BUTTON_STEP, this.width / 2, this.height / 2));
    button("Reset", "Reset zoom", "reset").addEventListener("click", () => this.reset());
    this.level = htmlEl("span", "fleet-zoom-level", "100%", parent);
    this.level.setAttribute("aria-live", "polite");
  }

  listen() {
    const canvas = this.canvas;
    canvas.addEventListener("wheel", (event) => {
      // Wheeling out of an unzoomed view scrolls the page, as it would anywhere else.
      if (this.scale === 1 && event.deltaY > 0) return;
      event.preventDefault();
      // Trackpads send many small deltas, mouse wheels a few large ones: zoom by the amount.
      const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015));
      this.zoomAt(factor, event.offsetX, event.offsetY);
    }, { passive: false });
    let start = null;
    canvas.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || this.scale === 1) return;
      start = { px: event.clientX, py: event.clientY, x: this.x, y: this.y };
      this.dragged = false;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!start) return;
      const dx = event.clientX - start.px;
      const dy = event.clientY - start.py;
      if (!this.dragging && Math.hypot(dx, dy) < CLICK_SLOP_PX) return;
      if (!this.dragging) {
        this.dragging = true;
        canvas.setPointerCapture(event.pointerId);
        canvas.dataset.panning = "true";
      }
      this.panTo(start.x + dx, start.y + dy);
    });
    const end = () => {
      if (!start) return;
      this.dragged = this.dragging;
      this.dragging = false;
      start = null;
      delete canvas.dataset.panning;
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    // The click that follows a drag's release is the drag's, not a click on a tile.
    canvas.addEventListener("click", () => setTimeout(() => { this.dragged = false; }), true);
  }

  /** The picture's unzoomed size in CSS pixels. */
  setSize(width, height) {
    this.width = width;
    this.height = height;
    this.panTo(this.x, this.y);
  }

  /** Zoom by a factor, keeping the picture's point under (sx, sy) where it is. */
  zoomAt(factor, sx, sy) {
    const scale = Math.min(MAX_SCALE, Math.max(1, this.scale * factor));
    const k = scale / this.scale;
    this.scale = scale;
    this.panTo(sx - (sx - this.x) * k, sy - (sy - this.y) * k);
  }

  reset() {
    this.scale = 1;
    this.panTo(0, 0);
  }

  panTo(x, y) {
    this.x = Math.min(0, Math.max(this.width * (1 - this.scale), x));
    this.y = Math.min(0, Math.max(this.height * (1 - this.scale), y));
    this.canvas.dataset.zoom = this.scale.toFixed(2);
    this.canvas.classList.toggle("is-zoomed", this.scale > 1);
    this.level.textContent = `${Math.round(this.scale * 100)}%`;
    this.changed();
  }

  /** A canvas point (CSS pixels) in the picture's unzoomed coordinates. */
  toWorld(sx, sy) {
    return { x: (sx - this.x) / this.scale, y: (sy - this.y) / this.scale };
  }

  /** A picture point on the canvas (CSS pixels). */
  toScreen(x, y) {
    return { x: x * this.scale + this.x, y: y * this.scale + this.y };
  }

  /** @returns {[number, number, number]} scale and offset, for the canvas's transform */
  transform() {
    return [this.scale, this.x, this.y];
  }
}
