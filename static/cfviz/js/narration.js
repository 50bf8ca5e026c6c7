/**
 * The scenario's narration: the latest caption the run has reached, with its chapter and how
 * far into the story it is. A step that waits pauses the run on the server; the caption says
 * so, and Play goes on. Hidden when the scenario tells no story.
 */

export class Narration {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.steps = [];
    this.reached = 0;
  }

  /** @param {object} msg a snapshot (with `narration`) or a frame (with `narrated`) */
  update(msg) {
    if (msg.type === "snapshot") this.steps = msg.narration?.steps ?? [];
    const reached = msg.type === "snapshot" ? msg.narration?.reached ?? 0 : msg.narrated;
    if (reached === undefined || reached === null) return;
    this.reached = reached;
    this.render(msg.status);
  }

  render(status) {
    this.root.hidden = this.steps.length === 0;
    if (!this.steps.length) return;
    const step = this.steps[this.reached - 1];
    const waiting = step?.pause && status === "paused";
    this.root.dataset.reached = String(this.reached);
    this.root.replaceChildren();
    const head = document.createElement("p");
    head.className = "narration-chapter";
    head.textContent = step
      ? `${step.chapter} · ${this.reached} of ${this.steps.length}`
      : `The story begins shortly · 0 of ${this.steps.length}`;
    const text = document.createElement("p");
    text.className = "narration-text";
    text.textContent = step ? step.text : "";
    this.root.append(head, text);
    if (waiting) {
      const hint = document.createElement("p");
      hint.className = "narration-wait";
      hint.textContent = "The story waits here: press Play to go on.";
      this.root.append(hint);
    }
  }
}
