/**
 * The `cf logs` pane: one line per log record as `<time> [SOURCE] OUT line`, newest at the
 * bottom, following the newest line unless the reader has scrolled up to read, and filtered
 * by app.
 */

import { formatClock } from "./format.js";
import { htmlEl } from "./svg.js";

/** Lines kept on screen, the same as the view keeps (LOG_LINES_KEPT). */
const MAX_LINES = 300;
/** Within this many pixels of the bottom counts as "at the bottom". */
const STICKY_PX = 24;

export class LogPane {
  /**
   * @param {HTMLOListElement} list
   * @param {HTMLSelectElement} appFilter
   */
  constructor(list, appFilter) {
    this.list = list;
    this.appFilter = appFilter;
    this.apps = new Set();
    this.follow = true;
    this.list.addEventListener("scroll", () => {
      this.follow = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < STICKY_PX;
    });
    this.appFilter.addEventListener("change", () => this.applyFilter());
  }

  /** Replace every line, e.g. from a snapshot. */
  reset(logs, apps) {
    this.list.replaceChildren();
    this.syncApps(apps);
    this.append(logs);
  }

  /** Add new lines at the bottom. */
  append(logs) {
    if (!logs.length) return;
    const atBottom = this.follow;
    const fragment = document.createDocumentFragment();
    for (const record of logs) fragment.append(this.line(record));
    this.list.append(fragment);
    while (this.list.childElementCount > MAX_LINES) this.list.firstElementChild.remove();
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  line(record) {
    const li = htmlEl("li", "log-line");
    li.dataset.app = record.app ?? "";
    li.dataset.source = record.source ?? "";
    li.hidden = !this.matches(record.app);
    const time = htmlEl("time", "log-time", formatClock(record.t), li);
    time.dateTime = `PT${Number(record.t).toFixed(3)}S`;
    li.append(" ");
    htmlEl("span", `log-source log-source--${(record.source || "").split("/")[0].toLowerCase()}`, `[${record.source}]`, li);
    li.append(" ");
    htmlEl("span", "log-stream", "OUT", li);
    li.append(" ");
    htmlEl("span", "log-text", record.line, li);
    return li;
  }

  /** Keep the app filter's options in step with the apps of the run. */
  syncApps(apps) {
    const names = Object.keys(apps || {}).sort();
    if (names.length === this.apps.size && names.every((n) => this.apps.has(n))) return;
    const chosen = this.appFilter.value;
    this.apps = new Set(names);
    this.appFilter.replaceChildren(new Option("All apps", ""));
    for (const name of names) this.appFilter.append(new Option(name, name));
    this.appFilter.value = this.apps.has(chosen) ? chosen : "";
  }

  matches(app) {
    const chosen = this.appFilter.value;
    return !chosen || app === chosen;
  }

  applyFilter() {
    for (const li of this.list.children) li.hidden = !this.matches(li.dataset.app);
    this.list.scrollTop = this.list.scrollHeight;
    this.follow = true;
  }
}
