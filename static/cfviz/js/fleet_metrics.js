/**
 * The scale metrics of a fleet run, from the latest frame of each platform: scheduling
 * throughput, time to place, queues, how evenly instances are spread, totals and when every
 * instance was running. Two platforms sit side by side with their difference, and a headline
 * says which got everything running first and by how much.
 */

import { formatCount, formatDecimal, formatSecondsShort, formatSigned } from "./fleet_format.js";
import { platformInfo } from "./platforms.js";
import { htmlEl, setText } from "./svg.js";

/** Queue names in frames (docs/fleet.md §3), in words. */
const QUEUES = {
  auctioneer: "auctioneer: LRPs waiting for a round",
  scheduler: "kube-scheduler: pods waiting",
  staging: "staging",
  downloads: "droplet downloads waiting on cells",
  registry: "image pulls waiting on bits-service",
  // cfviz's runtime names Eirini's registry queue by what waits in it: pulls, until the pod runs.
  "image pulls": "image pulls: waiting on or pulling from bits-service",
};

/**
 * @typedef {{key: string, group: string, label: string, value: (h: object) => number|null|undefined,
 *   format: (v: number) => string, optional?: boolean}} MetricRow
 *   optional: a figure only some servers' frames carry; its row shows once a frame has it
 */

/** @type {MetricRow[]} */
const ROWS = [
  { key: "placements_per_s", group: "Scheduling throughput", label: "placements/s", value: (h) => h.rates?.placements_per_s, format: formatDecimal },
  { key: "rounds_per_s", group: "Scheduling throughput", label: "auction rounds/s (Diego), scheduling cycles/s (Eirini)", value: (h) => h.rates?.rounds_per_s, format: formatDecimal },
  { key: "starts_per_s", group: "Scheduling throughput", label: "container starts/s", value: (h) => h.rates?.starts_per_s, format: formatDecimal },
  { key: "place_p50", group: "Time to place (desired → placed, last 10 s)", label: "p50", value: (h) => h.place_s?.p50, format: formatSecondsShort },
  { key: "place_p95", group: "Time to place (desired → placed, last 10 s)", label: "p95", value: (h) => h.place_s?.p95, format: formatSecondsShort },
  { key: "balance_min", group: "Balance: instances per {worker}", label: "min", value: (h) => h.balance?.min, format: formatCount },
  { key: "balance_max", group: "Balance: instances per {worker}", label: "max", value: (h) => h.balance?.max, format: formatCount },
  { key: "balance_mean", group: "Balance: instances per {worker}", label: "mean", value: (h) => h.balance?.mean, format: formatDecimal },
  { key: "balance_stdev", group: "Balance: instances per {worker}", label: "stdev", value: (h) => h.balance?.stdev, format: formatDecimal },
  { key: "instances", group: "Totals", label: "instances to push", value: (h) => h.totals?.instances, format: formatCount, optional: true },
  { key: "apps_pushed", group: "Totals", label: "apps pushed", value: (h) => h.totals?.apps_pushed, format: formatCount, optional: true },
  { key: "desired", group: "Totals", label: "instances desired", value: (h) => h.totals?.desired, format: formatCount },
  { key: "placed", group: "Totals", label: "instances placed", value: (h) => h.totals?.placed, format: formatCount },
  { key: "running", group: "Totals", label: "instances running", value: (h) => h.totals?.running, format: formatCount },
  { key: "staging", group: "Totals", label: "apps staging", value: (h) => h.totals?.staging, format: formatCount },
  { key: "staging_failed", group: "Totals", label: "apps that failed to stage", value: (h) => h.totals?.staging_failed, format: formatCount, optional: true },
  { key: "failed_placements", group: "Totals", label: "failed placements", value: (h) => h.totals?.failed_placements, format: formatCount, optional: true },
  { key: "rounds", group: "Totals", label: "auction rounds (Diego), scheduling cycles (Eirini) so far", value: (h) => h.totals?.rounds, format: formatCount, optional: true },
  { key: "apps_running", group: "Totals", label: "apps running", value: (h) => h.totals?.apps_running, format: formatCount },
  { key: "apps", group: "Totals", label: "apps", value: (h) => h.totals?.apps, format: formatCount },
  { key: "finished_at", group: "Finished", label: "every instance running at", value: (h) => h.finished_at, format: formatSecondsShort },
];

/** The queue rows for the queues the frames name, in a stable order. */
function queueRows(headers) {
  const names = new Set();
  for (const header of headers) for (const name of Object.keys(header?.queues ?? {})) names.add(name);
  const known = Object.keys(QUEUES);
  return [...names]
    .sort((a, b) => (known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99) || a.localeCompare(b))
    .map((name) => ({ key: `queue_${name}`, group: "Queue lengths", label: QUEUES[name] ?? name, value: (h) => h.queues?.[name], format: formatCount }));
}

const known = (v) => v !== null && v !== undefined && Number.isFinite(Number(v));

/**
 * Time to all running, compared: "Diego had every instance running 587.5 s sooner than Eirini".
 * @param {string[]} platforms
 * @param {Object<string, object>} headers latest frame header per platform
 */
export function headline(platforms, headers) {
  const name = (p) => platformInfo(p).short;
  const done = platforms.filter((p) => known(headers[p]?.finished_at));
  const phrase = (p) => (known(headers[p]?.finished_at)
    ? `${name(p)} ${formatSecondsShort(headers[p].finished_at)}`
    : `${name(p)} not yet (${formatCount(headers[p]?.totals?.running)} of ${formatCount(headers[p]?.totals?.desired)} running)`);
  const times = `Time to every instance running: ${platforms.map(phrase).join(" · ")}`;
  if (platforms.length < 2 || !done.length) return times;
  if (done.length === 1) return `${times}. ${name(done[0])} finished first.`;
  const [a, b] = platforms;
  const gap = headers[b].finished_at - headers[a].finished_at;
  if (gap === 0) return `${times}. Both at the same moment.`;
  const [first, second] = gap > 0 ? [a, b] : [b, a];
  return `${times}. ${name(first)} ${formatSecondsShort(Math.abs(gap))} sooner than ${name(second)}.`;
}

export class FleetMetrics {
  /**
   * @param {HTMLElement} root
   * @param {string[]} platforms
   */
  constructor(root, platforms) {
    this.root = root;
    this.platforms = platforms;
    this.root.replaceChildren();
    this.headline = htmlEl("p", "fleet-headline", "", root);
    this.headline.dataset.metric = "headline";
    this.table = htmlEl("table", "fleet-metrics-table", undefined, root);
    const head = htmlEl("tr", "", undefined, htmlEl("thead", "", undefined, this.table));
    htmlEl("th", "", "", head).scope = "col";
    for (const p of platforms) {
      const th = htmlEl("th", "", undefined, head);
      th.scope = "col";
      htmlEl("span", `platform-badge platform-badge--${p}`, platformInfo(p).short, th);
    }
    if (platforms.length === 2) {
      const th = htmlEl("th", "", `${platformInfo(platforms[1]).short} − ${platformInfo(platforms[0]).short}`, head);
      th.scope = "col";
    }
    this.body = htmlEl("tbody", "", undefined, this.table);
    this.signature = null;
    /** @type {Map<string, HTMLTableCellElement[]>} */
    this.cells = new Map();
  }

  /**
   * @param {Object<string, object>} headers latest frame header per platform
   * @param {[string, string]} worker the words for a worker ("cell", "cells")
   */
  render(headers, worker = ["cell", "cells"]) {
    const present = this.platforms.map((p) => headers[p]).filter(Boolean);
    const carried = (row) => !row.optional || present.some((h) => row.value(h) !== undefined);
    const rows = [...ROWS.slice(0, 5), ...queueRows(present), ...ROWS.slice(5)].filter(carried);
    const signature = rows.map((r) => r.key).join();
    if (signature !== this.signature) this.build(rows, worker);
    setText(this.headline, present.length ? headline(this.platforms, headers) : "Waiting for the first frame…");
    for (const row of rows) {
      const cells = this.cells.get(row.key);
      const values = this.platforms.map((p) => (headers[p] ? row.value(headers[p]) : null));
      values.forEach((v, i) => setText(cells[i], known(v) ? row.format(Number(v)) : "—"));
      if (this.platforms.length === 2) {
        const diff = known(values[0]) && known(values[1]) ? values[1] - values[0] : null;
        setText(cells[2], formatSigned(diff, (v) => row.format(v)));
      }
    }
  }

  build(rows, worker) {
    this.signature = rows.map((r) => r.key).join();
    this.body.replaceChildren();
    this.cells.clear();
    let group = null;
    for (const row of rows) {
      if (row.group !== group) {
        group = row.group;
        const tr = htmlEl("tr", "fleet-metrics-group", undefined, this.body);
        const th = htmlEl("th", "", group.replace("{worker}", worker[0]), tr);
        th.scope = "colgroup";
        th.colSpan = this.platforms.length + (this.platforms.length === 2 ? 2 : 1);
      }
      const tr = htmlEl("tr", "", undefined, this.body);
      tr.dataset.metric = row.key;
      htmlEl("th", "", row.label, tr).scope = "row";
      const cells = this.platforms.map((p) => {
        const td = htmlEl("td", "", "—", tr);
        td.dataset.platform = p;
        return td;
      });
      if (this.platforms.length === 2) cells.push(htmlEl("td", "fleet-diff", "—", tr));
      this.cells.set(row.key, cells);
    }
  }
}
