/**
 * What differs between the two platforms on screen: names, the diagram's layout and worker box,
 * the legend's words for the same states, and the hints. Everything else is drawn alike, so the
 * two sides of a lockstep run read the same way.
 */

import { CellBox } from "./cell_box.js";
import * as diego from "./diego_layout.js";
import * as eirini from "./eirini_layout.js";
import { NodeBox } from "./node_box.js";
import { RegistryGauge } from "./registry_gauge.js";

/** kube-scheduler's status text: "queue: 2 active, 0 backoff, 1 unschedulable". */
const SCHEDULER_QUEUE = /(\d+)\s*active\D+(\d+)\s*backoff\D+(\d+)\s*unschedulable/;

/** @returns {{active: number, backoff: number, unschedulable: number} | null} */
export function parseSchedulerQueue(status) {
  const match = SCHEDULER_QUEUE.exec(String(status ?? ""));
  return match ? { active: Number(match[1]), backoff: Number(match[2]), unschedulable: Number(match[3]) } : null;
}

/** The scheduler's box says how many pods wait; the queue under it says in which queue. */
function schedulerStatus(status) {
  const queue = parseSchedulerQueue(status);
  if (!queue) return status;
  const total = queue.active + queue.backoff + queue.unschedulable;
  return total ? `queue: ${total} ${total === 1 ? "pod" : "pods"} waiting` : "queue empty";
}

function schedulerQueueLines(view) {
  const queue = parseSchedulerQueue(view.components?.["kube-scheduler"]);
  if (!queue) return ["active — · backoff —", "unschedulable —"];
  return [`active ${queue.active} · backoff ${queue.backoff}`, `unschedulable ${queue.unschedulable}`];
}

/**
 * @typedef {{
 *   id: string, name: string, short: string, summary: string,
 *   diagram: {components: object, links: string[][], computeLayout: Function, operators: string[], WorkerBox: Function,
 *     gauges: Object<string, Function>, queue: {heading: string, empty: string, tooltip: string},
 *     worker: [string, string], label: string},
 *   legend: [string, string][], decisionHint: string, controlsHint: string,
 * }} PlatformInfo
 */

/** @type {Object<string, PlatformInfo>} */
export const PLATFORMS = {
  diego: {
    id: "diego",
    name: "Diego",
    short: "Diego",
    summary: "BBS, auctioneer; cells run rep, executor, Garden",
    diagram: {
      components: diego.COMPONENTS,
      links: diego.LINKS,
      computeLayout: diego.computeLayout,
      operators: diego.OPERATORS,
      WorkerBox: CellBox,
      gauges: {},
      queue: {
        heading: "Not yet placed",
        empty: "nothing waiting",
        tooltip: "Work the auctioneer has not placed on a cell yet (UNCLAIMED instances, PENDING tasks)",
      },
      worker: ["cell", "cells"],
      label: "Diego component diagram: platform components, cells by zone and their containers",
    },
    legend: [
      ["UNCLAIMED", "UNCLAIMED: waiting for a cell"],
      ["CLAIMED", "CLAIMED: starting on a cell"],
      ["RUNNING", "RUNNING"],
      ["CRASHED", "CRASHED"],
      ["task", "STG: staging task"],
      ["presence", "evacuating, suspect: the old record, kept until its replacement runs"],
    ],
    decisionHint: "Click a container in the Diego diagram (or focus it and press Enter) to see which cells the auctioneer considered, how it scored them and why the winner won.",
  },
  eirini: {
    id: "eirini",
    name: "Eirini on Kubernetes",
    short: "Eirini",
    summary: "API server, kube-scheduler; nodes run kubelet, runtime, pods",
    diagram: {
      components: eirini.COMPONENTS,
      links: eirini.LINKS,
      computeLayout: eirini.computeLayout,
      operators: eirini.OPERATORS,
      WorkerBox: NodeBox,
      gauges: { registry: RegistryGauge },
      statusText: { "kube-scheduler": schedulerStatus },
      queue: {
        heading: "Not yet scheduled",
        empty: "no pods waiting",
        countLines: 2,
        counts: schedulerQueueLines,
        tooltip: "Pods kube-scheduler has not bound to a node yet (its active, backoff and unschedulable queues)",
      },
      worker: ["node", "nodes"],
      label: "Eirini on Kubernetes component diagram: control plane, bits-service registry, nodes by zone and their pods",
    },
    legend: [
      ["UNCLAIMED", "UNCLAIMED: pod not scheduled"],
      ["CLAIMED", "CLAIMED: pending or not Ready"],
      ["RUNNING", "RUNNING: Ready"],
      ["CRASHED", "CRASHED: CrashLoopBackOff"],
      ["task", "STG: staging Job pod"],
      ["terminating", "struck through: Terminating, being deleted"],
    ],
    decisionHint: "Click a pod in the Eirini diagram (or focus it and press Enter) to see which nodes kube-scheduler filtered and scored, and why the winner won.",
  },
};

/** @returns {PlatformInfo} */
export function platformInfo(id) {
  return PLATFORMS[id] ?? { ...PLATFORMS.diego, id, name: id, short: id };
}
