/**
 * "Why this cell (or node)?": the latest placement decision for the clicked instance or task.
 * Both platforms use one layout: a heading "web/0 → cell-z1-0", the rule in one line, the
 * reasons in plain words, and a table of every candidate with the winner marked. What the words
 * and columns are comes from decision_diego.js (the auctioneer) or decision_kube.js
 * (kube-scheduler), chosen by the decision record itself.
 */

import * as diego from "./decision_diego.js";
import * as kube from "./decision_kube.js";
import { htmlEl } from "./svg.js";
import { splitPresence } from "./work_chips.js";

/** Why an extra record of an index has no decision of its own. */
const PRESENCE_WORDS = {
  evacuating: (base) => `${base} (evacuating) is the record Diego keeps of ${base} on the cell being evacuated. It stays routed until its replacement runs, then it stops. The auction placed the replacement; open ${base} to see where and why.`,
  suspect: (base) => `${base} (suspect) is the record Diego keeps of ${base} on a cell that has gone missing. Convergence auctions a replacement; the suspect record goes once the replacement runs. Open ${base} to see where it went.`,
};

/** The explainer for a decision: kube-scheduler's records say `higher_wins`. */
function explainer(decision) {
  return decision.higher_wins || decision.work_type === "pod" ? kube : diego;
}

export class DecisionPanel {
  /**
   * @param {HTMLElement} root the panel's container
   * @param {{suffix: string, onClose: () => void, other?: {name: string, open: (key: string) => void}}} options
   *   suffix: appended to element ids ("" on a single-platform page, "-eirini" beside Diego);
   *   other: the other platform of a lockstep run, to open the same work there too
   */
  constructor(root, { suffix = "", onClose, other = undefined }) {
    this.root = root;
    this.body = root.querySelector("[data-decision-body]");
    this.hint = root.querySelector("[data-decision-hint]");
    this.suffix = suffix;
    this.onClose = onClose;
    this.other = other;
    this.key = null;
    this.label = null;
    this.shown = undefined;
  }

  /**
   * Open the panel on a piece of work.
   * @param {string} key decision key: "web/0" or "task:staging-web"
   * @param {string} label how the work reads on the diagram
   * @param {object} view
   * @param {{scroll?: boolean}} [options]
   */
  show(key, label, view, { scroll = true } = {}) {
    this.key = key;
    this.label = label;
    this.shown = undefined;
    this.refresh(view);
    if (scroll) this.root.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }

  /** Redraw if the open work's decision changed (a live decision arrives, or a snapshot). */
  refresh(view) {
    if (!this.key) return;
    const decision = view.decisions?.[this.key] ?? null;
    if (decision === this.shown) return;
    this.shown = decision;
    this.hint.hidden = true;
    this.body.replaceChildren();
    this.body.dataset.work = this.key;

    const header = htmlEl("div", "decision-header", undefined, this.body);
    const heading = htmlEl("h3", "decision-heading", undefined, header);
    heading.id = `decision-heading${this.suffix}`;
    const buttons = htmlEl("div", "decision-buttons", undefined, header);
    if (this.other) {
      const compare = htmlEl("button", "button button--quiet", `Show on ${this.other.name}`, buttons);
      compare.type = "button";
      compare.title = `Open the decision for ${this.label} on ${this.other.name} too`;
      compare.addEventListener("click", () => this.other.open(this.key));
    }
    const close = htmlEl("button", "button button--quiet", "Close", buttons);
    close.type = "button";
    close.addEventListener("click", () => this.close());

    if (!decision) {
      heading.textContent = this.label;
      const [base, presence] = splitPresence(this.key);
      const words = PRESENCE_WORDS[presence]?.(base) ?? `No placement decision for ${this.label} yet. It appears here as soon as it is placed.`;
      htmlEl("p", "muted", words, this.body);
      return;
    }
    const explain = explainer(decision);
    heading.textContent = decision.winner ? `${this.label} → ${decision.winner}` : `${this.label}: not placed`;
    this.body.dataset.winner = decision.winner ?? "";
    const rule = htmlEl("p", "decision-rule", explain === kube ? kube.rule(decision) : diego.RULE, this.body);
    rule.dataset.rule = explain === kube ? "higher-wins" : "lower-wins";
    htmlEl("p", "decision-meta", explain.describeWork(decision), this.body);
    if (decision.error) {
      const error = htmlEl("p", "decision-error", undefined, this.body);
      error.setAttribute("role", "status");
      htmlEl("strong", "", "Placement failed: ", error);
      error.append(decision.error);
    }
    const reasons = htmlEl("ul", "decision-reasons", undefined, this.body);
    for (const reason of explain.explain(decision)) htmlEl("li", "", reason, reasons);
    this.body.append(explain.table(decision, `decision-table${this.suffix}`));
  }

  close() {
    this.key = null;
    this.shown = undefined;
    this.body.replaceChildren();
    delete this.body.dataset.work;
    delete this.body.dataset.winner;
    this.hint.hidden = false;
    this.onClose();
  }
}
