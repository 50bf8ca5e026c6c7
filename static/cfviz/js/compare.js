/**
 * The comparison strip under the diagrams: for each platform, the headline figures as text
 * (first routable instance, all instances running; "—" while unknown) and a chart of desired,
 * running and routable instances on scales the charts share, with its outages as bands and in
 * words under it; with two platforms, one line saying how far apart they finished.
 */

import { formatSeconds } from "./format.js";
import { outageList } from "./operations.js";
import { platformInfo } from "./platforms.js";
import { LINES, SeriesChart, outageWords, sharedDomain } from "./series_chart.js";
import { htmlEl, setText } from "./svg.js";

/** Outages listed in words under a chart; earlier ones are counted. */
const OUTAGES_LISTED = 4;

const HEADLINES = [
  ["first_routable_at", "first routable instance"],
  ["all_running_at", "all instances running"],
];

export class ComparisonStrip {
  /**
   * @param {HTMLElement} root where the strip's content goes
   * @param {string[]} platforms
   */
  constructor(root, platforms) {
    this.root = root;
    this.platforms = platforms;
    root.replaceChildren();
    root.dataset.count = String(platforms.length);
    const grid = htmlEl("div", "compare-grid", undefined, root);
    /** @type {Map<string, {chart: SeriesChart, figures: Map<string, HTMLElement>, outages: HTMLElement}>} */
    this.columns = new Map();
    for (const platform of platforms) {
      const info = platformInfo(platform);
      const col = htmlEl("figure", "compare-col", undefined, grid);
      col.dataset.platform = platform;
      const caption = htmlEl("figcaption", "compare-caption", undefined, col);
      htmlEl("span", `platform-badge platform-badge--${platform}`, info.name, caption);
      const list = htmlEl("dl", "headline", undefined, col);
      const figures = new Map();
      for (const [key, words] of HEADLINES) {
        const item = htmlEl("div", "headline-item", undefined, list);
        htmlEl("dt", "", words, item);
        const value = htmlEl("dd", "headline-value", "—", item);
        value.dataset.headline = key;
        value.dataset.platform = platform;
        value.id = `headline-${key.replaceAll("_", "-")}-${platform}`;
        figures.set(key, value);
      }
      const chart = new SeriesChart(col, `${info.name}: desired, running and routable instances over simulated time`, platform);
      const outages = htmlEl("ul", "outage-list", undefined, col);
      outages.dataset.outages = "";
      outages.dataset.platform = platform;
      outages.setAttribute("aria-label", `${info.name}: outages`);
      this.columns.set(platform, { chart, figures, outages, outagesKey: "" });
    }
    const foot = htmlEl("div", "compare-foot", undefined, root);
    const legend = htmlEl("ul", "legend chart-legend", undefined, foot);
    legend.setAttribute("aria-label", "Chart lines");
    for (const [, name, words] of [...LINES].reverse()) {
      const li = htmlEl("li", "", undefined, legend);
      htmlEl("span", `line-swatch line-swatch--${name}`, undefined, li);
      li.append(words);
    }
    this.summary = platforms.length > 1 ? htmlEl("p", "compare-summary", "", foot) : null;
    if (this.summary) this.summary.dataset.compare = "all_running_at";
  }

  /** @param {Object<string, object>} views platform → view */
  render(views) {
    const present = this.platforms.filter((p) => views[p]);
    const domain = sharedDomain(present.map((p) => views[p]));
    for (const platform of present) {
      const column = this.columns.get(platform);
      const { chart, figures } = column;
      const view = views[platform];
      chart.render(view, domain);
      this.listOutages(column, view);
      for (const [key, node] of figures) {
        const value = view.headline?.[key];
        setText(node, formatSeconds(value));
        node.dataset.value = value === null || value === undefined ? "" : String(value);
      }
    }
    if (this.summary) setText(this.summary, this.difference(views));
  }

  /** The outages in words: "solo down 165.1–199.4 s (34.2 s)", the latest few. */
  listOutages(column, view) {
    const outages = outageList(view);
    const key = JSON.stringify([
      view.outages, view.available_once?.length ?? 0, outages.some((o) => o.open) ? (view.t ?? 0).toFixed(1) : "",
    ]);
    if (key === column.outagesKey) return;
    column.outagesKey = key;
    const list = column.outages;
    list.replaceChildren();
    list.dataset.count = String(outages.length);
    if (!outages.length) {
      // Only said once there is something to be down: an app that has been routable.
      if (view.available_once?.length) htmlEl("li", "outage-none", "no outages: every app kept an answering instance", list);
      return;
    }
    const earlier = outages.length - OUTAGES_LISTED;
    if (earlier > 0) htmlEl("li", "outage-more", `${earlier} earlier ${earlier === 1 ? "outage" : "outages"}, then:`, list);
    for (const outage of outages.slice(-OUTAGES_LISTED)) {
      const li = htmlEl("li", `outage-item${outage.open ? " is-open" : ""}`, outageWords(outage), list);
      li.dataset.outageText = "";
      li.dataset.app = outage.app;
      li.dataset.platform = view.platform ?? "";
    }
  }

  /** "Eirini on Kubernetes had all instances running 33.3 s after Diego", once both have. */
  difference(views) {
    const [a, b] = this.platforms;
    const ta = views[a]?.headline?.all_running_at;
    const tb = views[b]?.headline?.all_running_at;
    const known = (t) => t !== null && t !== undefined;
    if (!known(ta) && !known(tb)) return "Same scenario, same seed, one clock: neither runs every instance yet.";
    if (!known(ta) || !known(tb)) {
      const [done, waiting] = known(ta) ? [a, b] : [b, a];
      const t = known(ta) ? ta : tb;
      return `${platformInfo(done).name} had all instances running at ${formatSeconds(t)}; ${platformInfo(waiting).name} is still on its way.`;
    }
    if (Math.abs(ta - tb) < 0.05) return `Both had all instances running at ${formatSeconds(ta)}.`;
    const [first, later] = ta < tb ? [a, b] : [b, a];
    return `${platformInfo(later).name} had all instances running ${formatSeconds(Math.abs(tb - ta))} after ${platformInfo(first).name}.`;
  }
}
