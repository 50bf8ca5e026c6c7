/**
 * Geometry of the Diego diagram. Bands, top to bottom, follow the path of a `cf push` in the talk:
 *   control plane: cf CLI → Cloud Controller → BBS → auctioneer, with UAA, blobstore and the
 *                  BBS database beneath, and the queue of work not yet placed at the right;
 *   operations:    the BOSH director, once it drains or updates a cell;
 *   cells:         one box per cell (rep, executor, Garden), grouped by zone;
 *   routing/logs:  route-emitter → NATS → gorouter, and Loggregator.
 */

import {
  BAND_GAP, BAND_LABEL, MARGIN, ROW_GAP, WIDTH, columnX, COLUMN_W, layoutCells, operationsBand, placeBoxes, placeWork,
  workerGeometry,
} from "./layout.js";
import { actingOperators } from "./operations.js";

const ROW1_H = 64;
const ROW2_H = 52;

/** Display names and one-line roles of the platform components (talk.md §3). */
export const COMPONENTS = {
  cf: { title: "cf CLI", role: "developer's command line" },
  uaa: { title: "UAA", role: "logins and tokens" },
  cc: { title: "Cloud Controller", role: "CF API; stages apps" },
  blobstore: { title: "blobstore", role: "packages and droplets" },
  bbs: { title: "BBS", role: "Diego API: LRPs, tasks" },
  "bbs-db": { title: "BBS database", role: "Diego's source of truth" },
  auctioneer: { title: "auctioneer", role: "picks a cell for work" },
  "route-emitter": { title: "route-emitter", role: "instance routes → NATS" },
  nats: { title: "NATS", role: "route registration bus" },
  gorouter: { title: "gorouter", role: "routes HTTP to instances" },
  loggregator: { title: "Loggregator", role: "gathers app logs" },
  bosh: { title: "BOSH director", role: "deploys cells: drains, updates, restarts them" },
};

/** Operator components, drawn once they act, and their column and span in the operations band. */
export const OPERATORS = ["bosh"];
const OPERATOR_PLACES = { bosh: [0, 2] };

/** Static connectors: who talks to whom on the main path of a push (talk.md §5). */
export const LINKS = [
  ["cf", "cc"], ["cf", "uaa"], ["cc", "bbs"], ["bbs", "bbs-db"], ["bbs", "auctioneer"],
  ["cc", "blobstore"], ["route-emitter", "nats"], ["nats", "gorouter"],
];

/** Column and row of each platform component; row 3 is the bottom band. */
const PLACES = {
  cf: [0, 1], cc: [1, 1], bbs: [2, 1], auctioneer: [3, 1],
  uaa: [0, 2], blobstore: [1, 2], "bbs-db": [2, 2],
  "route-emitter": [0, 3], nats: [1, 3], gorouter: [2, 3], loggregator: [4, 3],
};

/** A Diego cell: rep and executor side by side, the bars, and Garden with its containers. */
export const CELL_SHAPE = {
  extraH: () => 0,
  geometry: (x, y, w, h, m, area) => {
    const g = workerGeometry(x, y, w, h, m, area);
    return { ...g, rep: g.left, executor: g.right, garden: g.area };
  },
};

/**
 * The whole layout for a view.
 * @param {object} view
 */
export function computeLayout(view) {
  const bands = [];
  const row1Y = MARGIN + BAND_LABEL;
  const row2Y = row1Y + ROW1_H + ROW_GAP;
  bands.push({ label: "Control plane", x: MARGIN, y: MARGIN + 14 });
  // The queue sits beside the auctioneer: work waiting there has not been placed yet.
  const queue = { x: columnX(4), y: row1Y, w: COLUMN_W, h: ROW1_H + ROW_GAP + ROW2_H };

  const operators = actingOperators(view, OPERATORS);
  const ops = operationsBand(row2Y + ROW2_H + BAND_GAP, operators, OPERATOR_PLACES);
  bands.push(...ops.bands);
  const cellsTop = ops.bottom;
  bands.push({ label: "Cells", x: MARGIN, y: cellsTop + 14 });
  const work = placeWork(view);
  const cellArea = layoutCells(view, work.byCell, cellsTop + BAND_LABEL, CELL_SHAPE);

  const row3Y = cellArea.bottom + BAND_GAP + BAND_LABEL;
  bands.push({ label: "Routing and logging", x: MARGIN, y: row3Y - 8 });
  const components = {
    ...placeBoxes(PLACES, { 1: { y: row1Y, h: ROW1_H }, 2: { y: row2Y, h: ROW2_H }, 3: { y: row3Y, h: ROW1_H } }),
    ...ops.components,
  };
  const height = row3Y + ROW1_H + MARGIN;
  const signature = JSON.stringify([cellArea.signature, height, operators]);
  return {
    width: WIDTH, height, bands, components, queue, zones: cellArea.zones, cells: cellArea.cells, work, signature,
  };
}
