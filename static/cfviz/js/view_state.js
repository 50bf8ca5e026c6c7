/**
 * The viewer's picture of a run: the same fold of records as simulator/view.py
 * (docs/protocol.md §2), so applying a frame's records to a snapshot gives exactly what the
 * server would send as the next snapshot.
 */

/** How many log records the view keeps, as the server does (LOG_LINES_KEPT). */
export const LOG_LINES_KEPT = 300;

/** Work in these states is gone from the picture. */
const GONE_STATES = { instance: "REMOVED", task: "DELETED" };

/** Record keys that say where a record sits in the log, not what the entity is like. */
const RECORD_KEYS = new Set(["seq", "t", "kind", "entity_type", "entity"]);

/**
 * @typedef {{t: number, seq: number, platform: string, zones: string[], cells: object[],
 *   apps: Object<string, object>, instances: Object<string, object>, tasks: Object<string, object>,
 *   routes: Object<string, {app: string, endpoints: object[]}>, components: Object<string, string>,
 *   decisions: Object<string, object>, logs: object[]}} View
 */

/** @returns {View} a view with nothing in it, used until the first snapshot arrives. */
export function emptyView() {
  return {
    t: 0, seq: -1, platform: "diego", zones: [], cells: [], apps: {}, instances: {},
    tasks: {}, routes: {}, components: {}, decisions: {}, logs: [],
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
      break;
    case "route":
      view.routes[entity] = { app: fields.app ?? null, endpoints: fields.endpoints ?? [] };
      break;
    case "cell": {
      const cell = view.cells.find((c) => c.name === entity);
      if (cell) Object.assign(cell, fields);
      else view.cells.push({ name: entity, ...fields });
      break;
    }
    case "component":
      view.components[entity] = fields.state;
      break;
    default:
      break;
  }
}

function put(table, key, fields, goneState) {
  if (fields.state === goneState) delete table[key];
  else table[key] = fields;
}
