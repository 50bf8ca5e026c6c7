/**
 * The viewer's picture of one platform's run: the same fold of records as simulator/view.py
 * (docs/protocol.md §2), so applying a frame's records to a snapshot gives exactly what the
 * server would send as the next snapshot. A run of both platforms has one view each.
 */

/** How many log records the view keeps, as the server does (LOG_LINES_KEPT). */
export const LOG_LINES_KEPT = 300;

/** Work in these states is gone from the picture. */
const GONE_STATES = { instance: "REMOVED", task: "DELETED" };

/** Apps whose desired instances count towards "desired" on the comparison strip. */
const STARTED_STATES = new Set(["STARTING", "RUNNING"]);
/** Apps in these states are still on their way: no "all instances running" yet. */
const BUSY_STATES = new Set(["PUSHING", "STAGING", "STARTING"]);

/** Record keys that say where a record sits in the log, not what the entity is like. */
const RECORD_KEYS = new Set(["seq", "t", "kind", "entity_type", "entity"]);

/**
 * @typedef {{t: number, seq: number, platform: string, notes: Object<string, string>,
 *   series: number[][], headline: {first_routable_at: number|null, all_running_at: number|null},
 *   outages?: Array<[string, number, number|null]>, metrics?: object, actions?: object[],
 *   available_once?: string[],
 *   zones: string[], cells: object[],
 *   apps: Object<string, object>, instances: Object<string, object>, tasks: Object<string, object>,
 *   routes: Object<string, {app: string, endpoints: object[]}>, components: Object<string, string>,
 *   decisions: Object<string, object>, logs: object[]}} View
 */

/**
 * @param {string} [platform]
 * @returns {View} a view with nothing in it, used until the first snapshot arrives.
 */
export function emptyView(platform = "diego") {
  return {
    t: 0, seq: -1, platform, notes: {}, series: [[0, 0, 0, 0]],
    headline: { first_routable_at: null, all_running_at: null },
    zones: [], cells: [], apps: {}, instances: {}, tasks: {}, routes: {}, components: {},
    decisions: {}, logs: [],
  };
}

/**
 * Fold one record into the view, in place.
 * @param {View} view
 * @param {object} record
 */
export function applyRecord(view, record) {
  view.seq = record.seq;
  view.t = Math.max(view.t, record.t);
  if (record.kind === "state") {
    applyState(view, record);
  } else if (record.kind === "log") {
    view.logs.push(record);
    if (view.logs.length > LOG_LINES_KEPT) view.logs.splice(0, view.logs.length - LOG_LINES_KEPT);
  } else if (record.kind === "decision") {
    view.decisions[record.work] = record;
  }
}

/**
 * @param {View} view
 * @param {object[]} records
 */
export function applyRecords(view, records) {
  for (const record of records) applyRecord(view, record);
}

function applyState(view, record) {
  const fields = {};
  for (const [key, value] of Object.entries(record)) {
    if (!RECORD_KEYS.has(key)) fields[key] = value;
  }
  const entity = record.entity;
  switch (record.entity_type) {
    case "instance":
      put(view.instances, entity, fields, GONE_STATES.instance);
      break;
    case "task":
      put(view.tasks, entity, fields, GONE_STATES.task);
      break;
    case "app":
      view.apps[entity] = { ...(view.apps[entity] || {}), ...fields };
      measure(view, record.t);
      break;
    case "route":
      view.routes[entity] = { app: fields.app ?? null, endpoints: fields.endpoints ?? [] };
      measure(view, record.t);
      break;
    case "cell": {
      const cell = view.cells.find((c) => c.name === entity);
      if (cell) Object.assign(cell, fields);
      else view.cells.push({ name: entity, ...fields });
      measure(view, record.t);
      break;
    }
    case "component":
      view.components[entity] = fields.state;
      break;
    case "action":
      view.actions?.push({ t: record.t, words: entity, ...fields });
      break;
    case "convergence":
      view.metrics?.convergence.push({
        action: entity, at: fields.at, converged_at: record.t, converge_s: fields.converge_s,
      });
      break;
    default:
      break;
  }
}

/**
 * The figures of the comparison strip (protocol.md §2 `series` and `headline`), after an app or
 * route record, exactly as ViewState._measure computes them.
 * @param {View} view
 * @param {number} t
 */
function measure(view, t) {
  const apps = Object.values(view.apps);
  let desired = 0;
  let running = 0;
  for (const app of apps) {
    if (STARTED_STATES.has(app.state)) desired += app.desired ?? 0;
    running += app.running ?? 0;
  }
  const serving = servingEndpoints(view);
  let routable = 0;
  for (const count of serving.values()) routable += count;
  if (view.metrics) measureAvailability(view, t, serving);

  view.series ??= [[0, 0, 0, 0]];
  view.headline ??= { first_routable_at: null, all_running_at: null };
  const last = view.series[view.series.length - 1];
  if (last[1] !== desired || last[2] !== running || last[3] !== routable) {
    view.series.push([t, desired, running, routable]);
  }
  if (routable > 0 && view.headline.first_routable_at === null) view.headline.first_routable_at = t;
  const states = apps.map((app) => app.state);
  if (
    view.headline.all_running_at === null
    && states.includes("RUNNING")
    && !states.some((state) => BUSY_STATES.has(state))
    && desired > 0 && running >= desired
  ) {
    view.headline.all_running_at = t;
  }
}

/** Per app, gorouter's endpoints whose cell has not failed: those really answer. */
function servingEndpoints(view) {
  const failed = new Set(view.cells.filter((cell) => cell.state === "failed").map((cell) => cell.name));
  const counts = new Map();
  for (const route of Object.values(view.routes)) {
    const app = route.app || "";
    const answering = route.endpoints.filter((endpoint) => !failed.has(endpoint.cell)).length;
    counts.set(app, (counts.get(app) ?? 0) + answering);
  }
  return counts;
}

/**
 * Outages and the instances missing below desired (protocol.md §2 `outages`, `metrics`), in the
 * order ViewState._measure_availability works, so the sums come out the same to the last bit.
 */
function measureAvailability(view, t, serving) {
  const metrics = view.metrics;
  // Apps that have been fully routable at least once: availability is measured from then on.
  const once = new Set(view.available_once ?? []);
  metrics.below_desired_s += metrics.below_desired_now * (t - metrics.below_desired_since);
  let below = 0;
  for (const [name, app] of Object.entries(view.apps)) {
    const wanted = STARTED_STATES.has(app.state) ? app.desired ?? 0 : 0;
    const answering = serving.get(name) ?? 0;
    if (wanted > 0 && answering >= wanted) once.add(name);
    if (!once.has(name)) continue;
    below += Math.max(0, wanted - answering);
    const open = view.outages.find((outage) => outage[0] === name && outage[2] === null);
    const down = wanted > 0 && answering === 0;
    if (down && !open) {
      view.outages.push([name, t, null]);
    } else if (!down && open) {
      open[2] = t;
      const length = t - open[1];
      metrics.unavailable_s += length;
      metrics.longest_outage_s = Math.max(metrics.longest_outage_s, length);
    }
  }
  metrics.below_desired_now = below;
  metrics.below_desired_since = t;
  view.available_once = [...once].sort();
}

function put(table, key, fields, goneState) {
  if (fields.state === goneState) delete table[key];
  else table[key] = fields;
}
