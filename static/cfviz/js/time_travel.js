/**
 * Time travel on the run page (protocol.md §3): a timeline slider with markers for the
 * scenario's actions and notable moments, steps by event or by message in both directions,
 * pacing by time or one event per beat, exploring on one's own (detach) and coming back
 * (attach), branches, a permalink to the exact moment, and the keyboard shortcuts with their
 * help overlay. It draws into one container and talks to the server only through `send`.
 */

import { formatClock } from "./format.js";

const SHORTCUTS = [
  ["Space", "play / pause"],
  ["→ / ←", "one event forward / back"],
  ["Shift + → / ←", "to the next / previous message"],
  ["Home", "back to the start"],
  ["D", "explore on your own / back to the shared run"],
  ["L", "copy a link to this moment"],
  ["?", "show or hide this help"],
];

/** Markers worth a tick on the timeline, from the views of a snapshot. */
export function timelineMarkers(views) {
  const markers = [];
  for (const [platform, view] of Object.entries(views || {})) {
    for (const action of view.actions || []) {
      markers.push({ t: action.t, kind: "action", platform, label: action.words ?? action.action });
    }
    const headline = view.headline || {};
    if (headline.first_routable_at != null) {
      markers.push({ t: headline.first_routable_at, kind: "milestone", platform, label: "first instance routable" });
    }
    if (headline.all_running_at != null) {
      markers.push({ t: headline.all_running_at, kind: "milestone", platform, label: "all instances running" });
    }
    for (const [app, start] of view.outages || []) {
      markers.push({ t: start, kind: "outage", platform, label: `${app} down` });
    }
  }
  return markers.sort((a, b) => a.t - b.t);
}

/** The permalink of a moment: this page with the branch and the simulated time. */
export function permalink(href, branch, t) {
  const url = new URL(href);
  url.search = "";
  url.hash = "";
  url.searchParams.set("branch", String(branch));
  url.searchParams.set("t", String(Math.round(t * 1000) / 1000));
  return url.toString();
}

export class TimeTravel {
  /**
   * @param {HTMLElement} root the container to draw into
   * @param {(command: object) => boolean} send
   * @param {(text: string) => void} notify
   */
  constructor(root, send, notify) {
    this.root = root;
    this.send = send;
    this.notify = notify;
    this.t = 0;
    this.end = 0;
    this.branch = 0;
    this.detached = false;
    this.canControl = false;
    this.scrubbing = false;
    this.render();
    this.bindKeys();
  }

  render() {
    this.root.innerHTML = `
      <div class="tt-row">
        <div class="tt-steps" role="group" aria-label="Step">
          <button type="button" data-step="message" data-direction="back" title="Previous message (Shift+←)">« message</button>
          <button type="button" data-step="event" data-direction="back" title="One event back (←)">‹ event</button>
          <button type="button" data-step="event" data-direction="forward" title="One event forward (→)">event ›</button>
          <button type="button" data-step="message" data-direction="forward" title="Next message (Shift+→)">message »</button>
        </div>
        <label class="tt-pacing">Pacing
          <select id="tt-pacing">
            <option value="time">by simulated time</option>
            <option value="beat">one event per beat</option>
          </select>
        </label>
        <label class="tt-branch">Branch <select id="tt-branch"></select></label>
        <button type="button" id="tt-detach" aria-pressed="false">Explore on my own</button>
        <button type="button" id="tt-link">Copy link to this moment</button>
        <button type="button" id="tt-help-button" aria-haspopup="dialog" title="Keyboard shortcuts (?)">?</button>
      </div>
      <div class="tt-timeline">
        <input id="tt-slider" type="range" min="0" max="1" step="0.1" value="0" aria-label="Simulated time">
        <div class="tt-markers" aria-hidden="true"></div>
      </div>
      <p class="tt-status" aria-live="polite"><span id="tt-mode">Following the shared run</span>
        <output id="tt-permalink" hidden></output></p>
      <div id="tt-help" class="tt-help" role="dialog" aria-modal="false" aria-labelledby="tt-help-title" hidden>
        <h2 id="tt-help-title">Keyboard shortcuts</h2>
        <dl>${SHORTCUTS.map(([key, what]) => `<dt><kbd>${key}</kbd></dt><dd>${what}</dd>`).join("")}</dl>
        <button type="button" id="tt-help-close">Close</button>
      </div>`;
    const $ = (selector) => this.root.querySelector(selector);
    this.slider = $("#tt-slider");
    this.markers = $(".tt-markers");
    this.pacing = $("#tt-pacing");
    this.branchSelect = $("#tt-branch");
    this.detachButton = $("#tt-detach");
    this.linkButton = $("#tt-link");
    this.linkOutput = $("#tt-permalink");
    this.mode = $("#tt-mode");
    this.help = $("#tt-help");

    for (const button of this.root.querySelectorAll("[data-step]")) {
      button.addEventListener("click", () => this.step(button.dataset.step, button.dataset.direction));
    }
    this.slider.addEventListener("input", () => {
      this.scrubbing = true;
      this.mode.textContent = `Seeking to ${formatClock(Number(this.slider.value))}…`;
    });
    this.slider.addEventListener("change", () => {
      this.scrubbing = false;
      this.send({ command: "seek", t: Number(this.slider.value) });
    });
    this.pacing.addEventListener("change", () => this.send({ command: "pacing", mode: this.pacing.value }));
    this.branchSelect.addEventListener("change", () => this.send({ command: "branch", id: Number(this.branchSelect.value) }));
    this.detachButton.addEventListener("click", () => this.toggleDetached());
    this.linkButton.addEventListener("click", () => this.copyLink());
    $("#tt-help-button").addEventListener("click", () => this.toggleHelp());
    $("#tt-help-close").addEventListener("click", () => this.toggleHelp(false));
  }

  bindKeys() {
    document.addEventListener("keydown", (event) => {
      if (event.target.closest?.("input, select, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
      const unit = event.shiftKey ? "message" : "event";
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        if (!this.mayChange()) return;
        event.preventDefault();
        this.step(unit, event.key === "ArrowRight" ? "forward" : "back");
      } else if (event.key === "Home" && this.mayChange()) {
        event.preventDefault();
        this.send({ command: "seek", t: 0 });
      } else if (event.key === "?") {
        event.preventDefault();
        this.toggleHelp();
      } else if (event.key === "Escape" && !this.help.hidden) {
        this.toggleHelp(false);
      } else if (event.key === "d" || event.key === "D") {
        this.toggleDetached();
      } else if (event.key === "l" || event.key === "L") {
        this.copyLink();
      }
    });
  }

  mayChange() {
    return this.canControl || this.detached;
  }

  step(unit, direction) {
    this.send({ command: "step", unit, direction });
  }

  toggleDetached() {
    this.send({ command: this.detached ? "attach" : "detach" });
  }

  toggleHelp(show = this.help.hidden) {
    this.help.hidden = !show;
    if (show) this.help.querySelector("button").focus();
  }

  async copyLink() {
    const url = permalink(location.href, this.branch, this.t);
    this.linkOutput.hidden = false;
    this.linkOutput.textContent = url;
    this.linkOutput.dataset.url = url;
    try {
      await navigator.clipboard.writeText(url);
      this.notify("Link to this moment copied.");
    } catch {
      this.notify("Copy the link shown under the timeline.");
    }
  }

  /** A permalink's moment: explore it on one's own, on its branch, at its time. */
  openMoment(moment, currentBranch) {
    this.send({ command: "detach" });
    if (moment.branch !== currentBranch) this.send({ command: "branch", id: moment.branch });
    this.send({ command: "seek", t: moment.t });
  }

  /** @param {object} msg a snapshot or a frame */
  update(msg) {
    if (msg.t !== undefined) this.t = msg.t;
    if (msg.type === "snapshot") {
      this.end = Math.max(msg.end_time ?? 0, msg.t ?? 0);
      this.canControl = Boolean(msg.can_control);
      this.detached = Boolean(msg.detached);
      this.branch = msg.branch ?? 0;
      if (msg.pacing) this.pacing.value = msg.pacing;
      this.renderBranches(msg.branches || []);
      this.renderMarkers(timelineMarkers(msg.views));
      this.detachButton.setAttribute("aria-pressed", String(this.detached));
      this.detachButton.textContent = this.detached ? "Back to the shared run" : "Explore on my own";
      this.mode.textContent = this.detached
        ? "Exploring on your own: the shared run goes on without you"
        : "Following the shared run";
      this.root.dataset.detached = String(this.detached);
    } else if (msg.t > this.end) {
      this.end = msg.t;
    }
    const enabled = this.mayChange();
    for (const control of this.root.querySelectorAll("[data-step], #tt-slider, #tt-pacing, #tt-branch")) {
      control.disabled = !enabled;
    }
    this.slider.max = String(Math.max(this.end, 1));
    if (!this.scrubbing) this.slider.value = String(this.t);
    this.slider.setAttribute("aria-valuetext", formatClock(this.t));
  }

  renderBranches(branches) {
    this.branchSelect.replaceChildren(
      ...branches.map((b) => {
        const label = b.id === 0 ? "main" : `${b.id}: from ${formatClock(b.forked_at)}`;
        const option = new Option(label, String(b.id), false, b.id === this.branch);
        option.title = b.actions.map((a) => `${formatClock(a.t)} ${a.action}`).join("\n");
        return option;
      }),
    );
    this.branchSelect.closest("label").hidden = branches.length < 2;
  }

  renderMarkers(markers) {
    const span = Math.max(this.end, 1);
    this.markers.replaceChildren(
      ...markers.map((marker) => {
        const tick = document.createElement("span");
        tick.className = `tt-marker tt-${marker.kind}`;
        tick.style.left = `${Math.min(100, (marker.t / span) * 100)}%`;
        tick.title = `${formatClock(marker.t)} · ${marker.platform}: ${marker.label}`;
        tick.dataset.kind = marker.kind;
        return tick;
      }),
    );
  }
}
