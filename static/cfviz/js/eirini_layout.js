/**
 * Geometry of the Eirini on Kubernetes diagram, in the same bands and columns as Diego's:
 *   control plane: cf CLI → Cloud Controller → Eirini → API server → kube-scheduler, with UAA,
 *                  blobstore, controller-manager and etcd beneath, the scheduler's queue of
 *                  unscheduled pods at the right, and bits-service (the registry every node
 *                  pulls app images from: the bottleneck of the talk) across the bottom;
 *   operations:    the operator (kubectl, helm) and Eirini's rootfs-patcher Job, once they act;
 *   nodes:         one box per node (kubelet, runtime, pods, kube-proxy), grouped by zone;
 *   routing/logs:  route collector → NATS → gorouter, and Loggregator.
 */

import {
  BAND_GAP, BAND_LABEL, MARGIN, ROW_GAP, WIDTH, columnX, COLUMN_W, layoutCells, operationsBand, placeBoxes, placeWork,
  workerGeometry,
} from "./layout.js";
import { actingOperators } from "./operations.js";

const ROW1_H = 64;
const ROW2_H = 52;
const REGISTRY_H = 72;

/** Display names and one-line roles (talk.md §3, kubernetes-eirini.md §1.1). */
export const COMPONENTS = {
  cf: { title: "cf CLI", role: "developer's command line" },
  uaa: { title: "UAA", role: "logins and tokens" },
  cc: { title: "Cloud Controller", role: "CF API; stages apps" },
  blobstore: { title: "blobstore", role: "packages and droplets" },
  eirini: { title: "Eirini (OPI)", role: "CF apps → StatefulSets" },
  "api-server": { title: "API server", role: "Kubernetes API, watches" },
  etcd: { title: "etcd", role: "cluster source of truth" },
  "controller-manager": { title: "controller-manager", role: "StatefulSet, Job → pods" },
  "kube-scheduler": { title: "kube-scheduler", role: "binds pods to nodes" },
  registry: {
    title: "bits-service registry",
    role: "serves every droplet as an image: eirinifs rootfs layer + droplet layer",
  },
  "route-collector": { title: "route collector", role: "Ready pod IPs → NATS" },
  nats: { title: "NATS", role: "route registration bus" },
  gorouter: { title: "gorouter", role: "routes HTTP to pod IPs" },
  loggregator: { title: "Loggregator", role: "gathers app logs" },
  operator: { title: "operator: kubectl, helm", role: "cordons and drains nodes, upgrades Eirini" },
  "rootfs-patcher": { title: "rootfs-patcher Job", role: "relabels StatefulSets for a new rootfs" },
};

/** Operator components, drawn once they act, and their column and span in the operations band. */
export const OPERATORS = ["operator", "rootfs-patcher"];
const OPERATOR_PLACES = { operator: [0, 2], "rootfs-patcher": [2, 2] };

/** Static connectors: who talks to whom on the main path of a push (talk.md §5). */
export const LINKS = [
  ["cf", "cc"], ["cf", "uaa"], ["cc", "eirini"], ["eirini", "api-server"], ["api-server", "kube-scheduler"],
  ["api-server", "etcd"], ["api-server", "controller-manager"], ["cc", "blobstore"], ["registry", "blobstore"],
  ["route-collector", "nats"], ["nats", "gorouter"],
];

/** Column, row and columns spanned of each component; row 4 is the bottom band. */
const PLACES = {
  cf: [0, 1], cc: [1, 1], eirini: [2, 1], "api-server": [3, 1], "kube-scheduler": [4, 1],
  uaa: [0, 2], blobstore: [1, 2], "controller-manager": [2, 2], etcd: [3, 2],
  registry: [0, 3, 4],
  "route-collector": [0, 4], nats: [1, 4], gorouter: [2, 4], loggregator: [4, 4],
};

/**
 * A node: kubelet and the container runtime side by side, the bars, the pods, and kube-proxy
 * across the bottom (drawn as out of the path: Eirini routes to pod IPs without a Service).
 */
export const NODE_SHAPE = {
  extraH: (m) => m.chipGap + proxyHeight(m),
  geometry: (x, y, w, h, m, area) => {
    const g = workerGeometry(x, y, w, h, m, area);
    return {
      ...g,
      kubelet: g.left,
      runtime: g.right,
      pods: g.area,
      proxy: { x: g.bars.x, y: g.extraY, w: g.bars.w, h: proxyHeight(m) },
    };
  },
};

function proxyHeight(m) {
  return Math.round(40 * m.s);
}

/**
 * The whole layout for a view.
 * @param {object} view
 */
export function computeLayout(view) {
  const bands = [];
  const row1Y = MARGIN + BAND_LABEL;
  const row2Y = row1Y + ROW1_H + ROW_GAP;
  const row3Y = row2Y + ROW2_H + ROW_GAP;
  bands.push({ label: "Control plane", x: MARGIN, y: MARGIN + 14 });
  // kube-scheduler's queue under the scheduler: pods it has not bound to a node yet.
  const queue = { x: columnX(4), y: row2Y, w: COLUMN_W, h: ROW2_H + ROW_GAP + REGISTRY_H };

  const operators = actingOperators(view, OPERATORS);
  const ops = operationsBand(row3Y + REGISTRY_H + BAND_GAP, operators, OPERATOR_PLACES);
  bands.push(...ops.bands);
  const nodesTop = ops.bottom;
  bands.push({ label: "Nodes", x: MARGIN, y: nodesTop + 14 });
  const work = placeWork(view);
  const nodeArea = layoutCells(view, work.byCell, nodesTop + BAND_LABEL, NODE_SHAPE);

  const row4Y = nodeArea.bottom + BAND_GAP + BAND_LABEL;
  bands.push({ label: "Routing and logging", x: MARGIN, y: row4Y - 8 });
  const components = {
    ...placeBoxes(PLACES, {
      1: { y: row1Y, h: ROW1_H }, 2: { y: row2Y, h: ROW2_H }, 3: { y: row3Y, h: REGISTRY_H }, 4: { y: row4Y, h: ROW1_H },
    }),
    ...ops.components,
  };
  const height = row4Y + ROW1_H + MARGIN;
  const signature = JSON.stringify([nodeArea.signature, height, operators]);
  return {
    width: WIDTH, height, bands, components, queue, zones: nodeArea.zones, cells: nodeArea.cells, work, signature,
  };
}
