/**
 * Live operations on the run (protocol.md §3, the `act` command): roll out a rootfs from the
 * controls bar, evacuate (drain) or fail a cell (node) from its box on the diagram, scale, crash
 * or stop an app from the apps panel. Only the run's controller may act: everyone else sees the
 * same controls disabled, beside the banner that says why. On a run of both platforms the server
 * carries each action out on both, at the same simulated moment, and the controls say so.
 */

import { platformInfo } from "./platforms.js";
import { htmlEl } from "./svg.js";
import { WorkerMenu } from "./worker_menu.js";

/** Scaling beyond this is refused here: a bigger figure only slows the simulation down. */
export const MAX_SCALE = 100;

/** The next version after one that has been rolled out: "cflinuxfs4 1.99.0" → "cflinuxfs4 1.100.0". */
export function nextVersion(version) {
  const match = /^(.*?)(\d+)\.(\d+)\.(\d+)$/.exec(String(version ?? "").trim());
  if (!match) return "cflinuxfs4 1.99.0";
  return `${match[1]}${match[2]}.${Number(match[3]) + 1}.0`;
}

export class LiveActions {
  /**
   * @param {{send: (command: object) => boolean, notify: (text: string, kind?: string) => void,
   *   root?: Document}} options
   *   send: hands a command to the socket, false if it could not; notify: a toast
   */
  constructor({ send, notify, root = document }) {
    this.send = send;
    this.notify = notify;
    this.canControl = false;
    this.platforms = [];
    /** @type {Set<HTMLElement>} every control that acts, to enable and disable together */
    this.controls = new Set();
    /** @type {Map<HTMLElement, () => void>} controls whose state also depends on the view */
    this.refreshers = new Map();
    this.menu = new WorkerMenu(root.getElementById("worker-menu"), this);
    this.bindRootfs(root.getElementById("act-rootfs"));
    this.scope = root.getElementById("act-scope");
  }

  /** @param {string[]} platforms */
  setPlatforms(platforms) {
    this.platforms = [...platforms];
    if (this.scope) this.scope.textContent = this.scopeWords();
  }

  /** "on Diego and Eirini on Kubernetes, at the same simulated moment" or "on Diego". */
  scopeWords() {
    const names = this.platforms.map((p) => platformInfo(p).name);
    return names.length > 1 ? `Acts on ${names.join(" and ")} at the same simulated moment.` : "";
  }

  get both() {
    return this.platforms.length > 1;
  }

  /** @param {boolean} allowed whether this viewer controls the run */
  setCanControl(allowed) {
    this.canControl = allowed;
    for (const control of this.controls) {
      if (!control.isConnected) this.controls.delete(control);
      else control.disabled = !allowed;
    }
    for (const [root, refresh] of this.refreshers) {
      if (!root.isConnected) this.refreshers.delete(root);
      else refresh();
    }
    this.menu.sync();
  }

  /** Enable or disable a control with the others; returns it. */
  register(control) {
    this.controls.add(control);
    control.disabled = !this.canControl;
    return control;
  }

  /**
   * Send an action to the run; a refusal comes back as an error frame (a toast).
   * @param {object} action the action's fields: {action: "fail", cell: "cell-z1-0"}
   * @param {string} words what it does, for the notice
   */
  act(action, words) {
    if (!this.canControl) return false;
    if (!this.send({ command: "act", action })) return false;
    const where = this.both ? ` on ${this.platforms.map((p) => platformInfo(p).short).join(" and ")}` : "";
    this.notify(`Asked for: ${words}${where}.`, "info");
    return true;
  }

  /** The rootfs rollout in the controls bar: a version and how many cells at a time. */
  bindRootfs(form) {
    if (!form) return;
    this.rootfsForm = form;
    const version = form.querySelector("[name=version]");
    const inFlight = form.querySelector("[name=max_in_flight]");
    for (const control of form.querySelectorAll("input, button")) this.register(control);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const value = version.value.trim();
      const action = { action: "rootfs", version: value, max_in_flight: Number(inFlight.value) || 1 };
      if (this.act(action, `roll out rootfs ${value}`)) version.dataset.sent = value;
    });
  }

  /** Suggest the next version once the one in the field has been rolled out. */
  syncRootfs(latest) {
    const version = this.rootfsForm?.querySelector("[name=version]");
    if (!version || !latest || document.activeElement === version) return;
    if (version.value.trim() === latest) version.value = nextVersion(latest);
  }

  /** Open the actions of a cell or node, next to its box. */
  openWorker(name, node, platform, view) {
    this.menu.open(name, node, platform, view);
  }

  /**
   * The controls of one app in the apps panel: scale to a number, crash an instance, stop it.
   * @param {string} app
   * @returns {{root: HTMLElement, update: (app: object) => void}}
   */
  appControls(app) {
    const root = htmlEl("div", "app-actions");
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", `Act on ${app}`);
    const id = `${app}-${Math.random().toString(36).slice(2, 7)}`;

    const scale = htmlEl("form", "act-form", undefined, root);
    scale.dataset.act = "scale";
    const scaleLabel = htmlEl("label", "act-label", "Scale to", scale);
    scaleLabel.htmlFor = `scale-${id}`;
    const count = this.register(htmlEl("input", "act-number", undefined, scale));
    Object.assign(count, { type: "number", id: `scale-${id}`, name: "instances", min: "0", max: String(MAX_SCALE), step: "1", required: true });
    count.addEventListener("input", () => { count.dataset.touched = "true"; });
    this.register(htmlEl("button", "button button--small", "Scale", scale)).type = "submit";
    scale.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!scale.reportValidity()) return;
      const instances = Number(count.value);
      if (this.act({ action: "scale", app, instances }, `cf scale ${app} -i ${instances}`)) delete count.dataset.touched;
    });

    const crash = htmlEl("form", "act-form", undefined, root);
    crash.dataset.act = "crash";
    const crashLabel = htmlEl("label", "act-label", "Crash instance", crash);
    crashLabel.htmlFor = `crash-${id}`;
    const index = htmlEl("select", "act-select", undefined, crash);
    Object.assign(index, { id: `crash-${id}`, name: "index" });
    const crashButton = htmlEl("button", "button button--small", "Crash", crash);
    crashButton.type = "submit";
    crash.addEventListener("submit", (event) => {
      event.preventDefault();
      if (index.value === "") return;
      this.act({ action: "crash", app, index: Number(index.value) }, `crash ${app}/${index.value}`);
    });

    const stop = this.register(htmlEl("button", "button button--small", "Stop", root));
    stop.type = "button";
    stop.dataset.act = "stop";
    stop.setAttribute("aria-label", `Stop ${app}`);
    stop.addEventListener("click", () => this.act({ action: "stop", app }, `cf stop ${app}`));
    if (this.both) htmlEl("p", "act-note", "Acts on both platforms.", root);

    let last = {};
    const update = (state) => {
      last = state;
      const desired = Math.max(0, Number(state.desired ?? 0));
      if (!count.dataset.touched && document.activeElement !== count) count.value = String(desired);
      // One option per index the app wants; the choice survives a redraw.
      const wanted = Array.from({ length: desired }, (_, i) => String(i));
      const have = [...index.options].map((o) => o.value);
      if (have.join() !== wanted.join()) {
        const chosen = index.value;
        index.replaceChildren(...wanted.map((v) => new Option(`${app}/${v}`, v)));
        if (wanted.includes(chosen)) index.value = chosen;
      }
      const none = desired === 0;
      index.disabled = !this.canControl || none;
      crashButton.disabled = !this.canControl || none;
    };
    this.refreshers.set(root, () => update(last));
    return { root, update };
  }
}
