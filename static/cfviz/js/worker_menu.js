/**
 * The small dialog that opens on a cell (node) box: evacuate it (drain it, on Kubernetes) or fail
 * it, optionally bringing it back after some seconds. It opens beside the box, takes the focus,
 * and gives it back on Escape, Cancel or a click elsewhere. Watchers see the same choices
 * disabled, with the reason.
 */

import { platformInfo } from "./platforms.js";
import { htmlEl } from "./svg.js";

/** How the evacuation reads per platform (scenarios.md, Timeline: `evacuate`). */
const EVACUATE = {
  diego: {
    label: "Evacuate",
    help: "BOSH drains the cell: the rep evacuates, each instance starts elsewhere before it stops; the cell restarts and rejoins.",
  },
  eirini: {
    label: "Drain",
    help: "kubectl drain: cordon the node, evict its pods (the StatefulSets recreate them elsewhere), restart it, uncordon it.",
  },
};
const FAIL_HELP = "The machine dies without warning; it comes back empty, if you say when.";
const DEFAULT_RECOVER_S = 120;

export class WorkerMenu {
  /**
   * @param {HTMLElement} root the dialog's element (#worker-menu)
   * @param {import("./live_actions.js").LiveActions} actions
   */
  constructor(root, actions) {
    this.root = root;
    this.actions = actions;
    this.anchor = null;
    this.name = null;
    if (!root) return;
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
    document.addEventListener("pointerdown", (event) => {
      if (this.root.hidden) return;
      if (this.root.contains(event.target) || this.anchor?.contains(event.target)) return;
      this.close({ refocus: false });
    });
    window.addEventListener("resize", () => this.place());
  }

  get isOpen() {
    return Boolean(this.root && !this.root.hidden);
  }

  /**
   * @param {string} name the cell's (node's) name
   * @param {Element} anchor its box on the diagram
   * @param {string} platform the diagram it was opened from
   * @param {object} view that platform's view
   */
  open(name, anchor, platform, view) {
    if (!this.root) return;
    if (this.isOpen && this.name === name && this.anchor === anchor) {
      this.close();
      return;
    }
    this.name = name;
    this.anchor = anchor;
    this.platform = platform;
    this.build(name, platform, view);
    this.root.hidden = false;
    anchor.setAttribute("aria-expanded", "true");
    this.place();
    this.sync();
    const first = this.root.querySelector("button:not(:disabled)");
    first?.focus({ preventScroll: true });
    this.root.scrollIntoView?.({ block: "nearest" });
  }

  build(name, platform, view) {
    const root = this.root;
    root.replaceChildren();
    root.dataset.cell = name;
    const platforms = this.actions.platforms.length ? this.actions.platforms : [platform];
    const both = platforms.length > 1;
    const kind = both ? "cell / node" : platform === "eirini" ? "node" : "cell";
    const heading = htmlEl("h2", "act-menu-title", undefined, root);
    heading.id = "worker-menu-title";
    heading.append(`Act on ${kind} `);
    htmlEl("code", "", name, heading);
    root.setAttribute("aria-labelledby", heading.id);
    const cell = (view?.cells || []).find((c) => c.name === name);
    if (cell) htmlEl("p", "act-menu-state", `Now: ${cell.state ?? "ok"}${cell.rootfs ? ` · rootfs ${cell.rootfs}` : ""}`, root);

    // Evacuate (Diego) / Drain (Kubernetes): the same action, each platform's own way.
    const evacuate = htmlEl("div", "act-choice", undefined, root);
    const evacuateLabel = both
      ? `${EVACUATE.diego.label} (Diego) / ${EVACUATE.eirini.label} (Kubernetes)`
      : (EVACUATE[platforms[0]] ?? EVACUATE.diego).label;
    const evacuateButton = htmlEl("button", "button", evacuateLabel, evacuate);
    evacuateButton.type = "button";
    evacuateButton.dataset.act = "evacuate";
    evacuateButton.setAttribute("aria-describedby", "worker-menu-evacuate-help");
    const evacuateHelp = htmlEl("p", "act-help", platforms.map((p) => (EVACUATE[p] ?? EVACUATE.diego).help).join(" "), evacuate);
    evacuateHelp.id = "worker-menu-evacuate-help";
    evacuateButton.addEventListener("click", () => {
      const words = both ? `evacuate / drain ${name}` : `${evacuateLabel.toLowerCase()} ${name}`;
      if (this.actions.act({ action: "evacuate", cell: name }, words)) this.close();
    });

    // Fail, optionally coming back after N seconds.
    const fail = htmlEl("div", "act-choice", undefined, root);
    const failButton = htmlEl("button", "button button--danger", "Fail", fail);
    failButton.type = "button";
    failButton.dataset.act = "fail";
    failButton.setAttribute("aria-describedby", "worker-menu-fail-help");
    const recover = htmlEl("div", "act-recover", undefined, fail);
    const check = htmlEl("input", "", undefined, recover);
    Object.assign(check, { type: "checkbox", id: "worker-menu-recover" });
    const checkLabel = htmlEl("label", "", "come back after", recover);
    checkLabel.htmlFor = check.id;
    const seconds = htmlEl("input", "act-number", undefined, recover);
    Object.assign(seconds, { type: "number", id: "worker-menu-recover-s", min: "1", step: "1", value: String(DEFAULT_RECOVER_S), disabled: true });
    seconds.setAttribute("aria-label", "seconds until it comes back");
    recover.append(" s");
    check.addEventListener("change", () => { seconds.disabled = !check.checked || !this.actions.canControl; });
    const failHelp = htmlEl("p", "act-help", FAIL_HELP, fail);
    failHelp.id = "worker-menu-fail-help";
    failButton.addEventListener("click", () => {
      const action = { action: "fail", cell: name };
      let words = `fail ${name}`;
      if (check.checked) {
        if (!seconds.reportValidity()) return;
        action.recover_after_s = Number(seconds.value);
        words += `, back after ${seconds.value} s`;
      }
      if (this.actions.act(action, words)) this.close();
    });

    if (both) {
      const note = htmlEl("p", "act-note", undefined, root);
      note.textContent = `Acts on both platforms at the same simulated moment: ${platforms.map((p) => `${platformInfo(p).short}'s ${p === "eirini" ? "node" : "cell"} ${name}`).join(" and ")}.`;
    }
    const watching = htmlEl("p", "act-note act-note--watching", "You are watching: only the person who started this run, or staff, can act on it.", root);
    watching.dataset.watching = "";
    const close = htmlEl("button", "button button--quiet", "Cancel", root);
    close.type = "button";
    close.addEventListener("click", () => this.close());
    this.controls = [evacuateButton, failButton, check];
    this.seconds = seconds;
    this.check = check;
  }

  /** Enable the choices for the run's controller only. */
  sync() {
    if (!this.isOpen || !this.controls) return;
    const off = !this.actions.canControl;
    for (const control of this.controls) control.disabled = off;
    this.seconds.disabled = off || !this.check.checked;
    this.root.querySelector("[data-watching]").hidden = !off;
  }

  /** The box the menu belongs to; a relayout of the diagram may have drawn it anew. */
  currentAnchor() {
    if (this.anchor?.isConnected || !this.name) return this.anchor;
    const selector = `svg.diagram[data-platform="${CSS.escape(this.platform ?? "")}"] [data-cell-box="${CSS.escape(this.name)}"]`;
    this.anchor = document.querySelector(selector) ?? this.anchor;
    return this.anchor;
  }

  /** Beside the box: under its header, kept inside the window. */
  place() {
    if (!this.isOpen || !this.currentAnchor()) return;
    const frame = this.anchor.querySelector(".cell-frame") ?? this.anchor;
    const box = frame.getBoundingClientRect();
    const width = this.root.offsetWidth || 320;
    const left = Math.min(Math.max(8, box.left + 12), document.documentElement.clientWidth - width - 8);
    // CSSOM, not a style attribute: the page's CSP allows no inline styles.
    this.root.style.left = `${left + window.scrollX}px`;
    this.root.style.top = `${box.top + window.scrollY + Math.min(40, box.height / 4)}px`;
  }

  close({ refocus = true } = {}) {
    if (!this.isOpen) return;
    this.root.hidden = true;
    this.currentAnchor()?.setAttribute("aria-expanded", "false");
    // The box may have been redrawn meanwhile: give the focus to the one now there.
    if (refocus) this.currentAnchor()?.focus();
    this.anchor = null;
    this.name = null;
  }
}
