/**
 * Geometry of the component diagram, as pure functions of the view so it can be reasoned
 * about (and tested) apart from the DOM. Units are SVG user units; the SVG scales to its box.
 *
 * Bands, top to bottom, follow the path of a `cf push` in the talk:
 *   control plane: cf CLI → Cloud Controller → BBS → auctioneer, with UAA, blobstore and the
 *                  BBS database beneath, and the queue of work not yet placed at the right;
 *   cells:         one box per cell, grouped by zone (the layout users ask for most);
 *   routing/logs:  route-emitter → NATS → gorouter, and Loggregator.
 */

export const WIDTH = 1000;
const MARGIN = 20;
const COLUMNS = 5;
const COLUMN_GAP = 18;
const BAND_LABEL = 22;
const ROW1_H = 64;
const ROW2_H = 52;
const ROW_GAP = 16;
const BAND_GAP = 30;
const ZONE_PAD = 10;
const ZONE_LABEL = 24;
const ZONE_GAP = 18;
const CELL_GAP = 12;
const MAX_CELL_W = 400;
const NATURAL_CELL_W = 280;
/** Rows of containers drawn per cell before the rest are summed up as "+N more". */
export const MAX_WORK_ROWS = 6;

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
};

/** Column and row of each platform component; row 3 is the bottom band. */
const PLACES = {
  cf: [0, 1], cc: [1, 1], bbs: [2, 1], auctioneer: [3, 1],
  uaa: [0, 2], blobstore: [1, 2], "bbs-db": [2, 2],
  "route-emitter": [0, 3], nats: [1, 3], gorouter: [2, 3], loggregator: [4, 3],
};

const COLUMN_W = (WIDTH - 2 * MARGIN - (COLUMNS - 1) * COLUMN_GAP) / COLUMNS;
const columnX = (col) => MARGIN + col * (COLUMN_W + COLUMN_GAP);

/**
 * How many cell columns to use: all cells in one row up to four, four per row up to twelve,
 * then a squarer grid whose cells shrink.
 */
export function cellColumns(cellCount) {
  if (cellCount <= 4) return Math.max(1, cellCount);
  if (cellCount <= 12) return 4;
  return Math.min(12, Math.ceil(Math.sqrt(cellCount * 1.6)));
}

/**
 * Group cells by zone in the view's zone order (zones the view does not list come last).
 * @returns {{zone: string, cells: object[]}[]}
 */
export function cellsByZone(view) {
  const order = [...(view.zones || [])];
  const groups = new Map(order.map((zone) => [zone, []]));
  for (const cell of view.cells || []) {
    const zone = cell.zone ?? "?";
    if (!groups.has(zone)) groups.set(zone, []);
    groups.get(zone).push(cell);
  }
  return [...groups.entries()]
    .filter(([, cells]) => cells.length > 0)
    .map(([zone, cells]) => ({ zone, cells }));
}

/** Work (instances and tasks) per cell and the queue of work on no cell, in a stable order. */
export function placeWork(view) {
  /** @type {Map<string, {key: string, kind: string}[]>} */
  const byCell = new Map();
  const queue = [];
  const add = (cell, item) => {
    if (!cell) queue.push(item);
    else {
      if (!byCell.has(cell)) byCell.set(cell, []);
      byCell.get(cell).push(item);
    }
  };
  const instances = Object.entries(view.instances || {}).sort(([a, x], [b, y]) =>
    (x.app ?? "").localeCompare(y.app ?? "") || (x.index ?? 0) - (y.index ?? 0) || a.localeCompare(b));
  for (const [key, inst] of instances) add(inst.cell, { key, kind: "instance" });
  for (const key of Object.keys(view.tasks || {}).sort()) add(view.tasks[key].cell, { key, kind: "task" });
  return { byCell, queue };
}

/** Sizes of the parts of a cell box for a given cell width; everything scales with the width. */
function cellMetrics(cellW) {
  const s = Math.max(0.6, Math.min(1, cellW / NATURAL_CELL_W));
  const pad = Math.round(10 * s);
  const chipGap = Math.round(6 * s);
  const innerW = cellW - 2 * pad;
  const gardenPad = Math.round(6 * s);
  const minChipW = Math.round(112 * s);
  const perRow = Math.max(1, Math.floor((innerW - 2 * gardenPad + chipGap) / (minChipW + chipGap)));
  const chipW = (innerW - 2 * gardenPad - (perRow - 1) * chipGap) / perRow;
  return {
    s, pad, chipGap, innerW, gardenPad, perRow, chipW,
    chipH: Math.round(36 * s),
    headerH: Math.round(26 * s),
    componentH: Math.round(34 * s),
    barH: Math.round(19 * s),
    gardenLabelH: Math.round(20 * s),
  };
}

/**
 * The whole layout for a view.
 * @param {object} view
 */
export function computeLayout(view) {
  const components = {};
  const bands = [];
  const row1Y = MARGIN + BAND_LABEL;
  const row2Y = row1Y + ROW1_H + ROW_GAP;
  bands.push({ label: "Control plane", x: MARGIN, y: MARGIN + 14 });
  for (const [id, [col, row]] of Object.entries(PLACES)) {
    if (row === 3) continue;
    components[id] = { x: columnX(col), y: row === 1 ? row1Y : row2Y, w: COLUMN_W, h: row === 1 ? ROW1_H : ROW2_H };
  }
  // The queue sits beside the auctioneer: work waiting there has not been placed yet.
  const queue = { x: columnX(4), y: row1Y, w: COLUMN_W, h: ROW1_H + ROW_GAP + ROW2_H };

  const cellsTop = row2Y + ROW2_H + BAND_GAP;
  bands.push({ label: "Cells", x: MARGIN, y: cellsTop + 14 });
  const work = placeWork(view);
  const cellArea = layoutCells(view, work.byCell, cellsTop + BAND_LABEL);

  const row3Y = cellArea.bottom + BAND_GAP + BAND_LABEL;
  bands.push({ label: "Routing and logging", x: MARGIN, y: row3Y - 8 });
  for (const [id, [col, row]] of Object.entries(PLACES)) {
    if (row === 3) components[id] = { x: columnX(col), y: row3Y, w: COLUMN_W, h: ROW1_H };
  }
  const height = row3Y + ROW1_H + MARGIN;
  const signature = JSON.stringify([cellArea.signature, height]);
  return { width: WIDTH, height, bands, components, queue, zones: cellArea.zones, cells: cellArea.cells, work, signature };
}

/** Place zone groups on shelves (left to right, wrapping) and cells in a grid inside each zone. */
function layoutCells(view, byCell, top) {
  const groups = cellsByZone(view);
  const cellCount = groups.reduce((n, g) => n + g.cells.length, 0);
  const columns = cellColumns(cellCount);

  // Shelves of zones: a zone takes as many columns as it has cells, up to the full width.
  const shelves = [];
  let current = null;
  for (const group of groups) {
    const cols = Math.min(group.cells.length, columns);
    if (!current || current.cols + cols > columns) {
      current = { cols: 0, zones: [] };
      shelves.push(current);
    }
    current.zones.push({ ...group, cols, rows: Math.ceil(group.cells.length / cols) });
    current.cols += cols;
  }

  // One cell width for all shelves, the largest that lets every shelf fit.
  const available = WIDTH - 2 * MARGIN;
  let cellW = MAX_CELL_W;
  for (const shelf of shelves) {
    const fixed = shelf.zones.reduce((w, z) => w + 2 * ZONE_PAD + (z.cols - 1) * CELL_GAP, 0)
      + (shelf.zones.length - 1) * ZONE_GAP;
    cellW = Math.min(cellW, (available - fixed) / shelf.cols);
  }
  cellW = Math.floor(cellW);
  const m = cellMetrics(cellW);

  // Every cell gets the height the fullest cell needs, so the grid stays even.
  let workRows = 1;
  for (const items of byCell.values()) workRows = Math.max(workRows, Math.ceil(items.length / m.perRow));
  workRows = Math.min(workRows, MAX_WORK_ROWS);
  const gardenH = m.gardenLabelH + workRows * m.chipH + (workRows - 1) * m.chipGap + m.gardenPad;
  const cellH = m.pad + m.headerH + m.componentH + m.chipGap + 3 * m.barH + m.chipGap + gardenH + m.pad;

  const zones = [];
  const cells = {};
  let y = top;
  for (const shelf of shelves) {
    const shelfW = shelf.zones.reduce((w, z) => w + z.cols * cellW + (z.cols - 1) * CELL_GAP + 2 * ZONE_PAD, 0)
      + (shelf.zones.length - 1) * ZONE_GAP;
    let x = MARGIN + Math.max(0, (available - shelfW) / 2);
    let shelfH = 0;
    for (const z of shelf.zones) {
      const zoneW = z.cols * cellW + (z.cols - 1) * CELL_GAP + 2 * ZONE_PAD;
      const zoneH = ZONE_LABEL + z.rows * cellH + (z.rows - 1) * CELL_GAP + 2 * ZONE_PAD;
      zones.push({ zone: z.zone, x, y, w: zoneW, h: zoneH, count: z.cells.length });
      z.cells.forEach((cell, i) => {
        const cx = x + ZONE_PAD + (i % z.cols) * (cellW + CELL_GAP);
        const cy = y + ZONE_LABEL + ZONE_PAD + Math.floor(i / z.cols) * (cellH + CELL_GAP);
        cells[cell.name] = cellGeometry(cx, cy, cellW, cellH, gardenH, m, workRows);
      });
      x += zoneW + ZONE_GAP;
      shelfH = Math.max(shelfH, zoneH);
    }
    y += shelfH + ZONE_GAP;
  }
  const bottom = shelves.length ? y - ZONE_GAP : top + 40;
  const signature = [cellW, workRows, zones.map((z) => [z.zone, z.count]),
    Object.keys(cells)];
  return { zones, cells, bottom, signature };
}

function cellGeometry(x, y, w, h, gardenH, m, workRows) {
  const inner = x + m.pad;
  const componentY = y + m.pad + m.headerH;
  const halfW = (m.innerW - m.chipGap) / 2;
  const barsY = componentY + m.componentH + m.chipGap;
  const gardenY = barsY + 3 * m.barH + m.chipGap;
  return {
    x, y, w, h, s: m.s,
    header: { x: inner, y: y + m.pad, h: m.headerH },
    rep: { x: inner, y: componentY, w: halfW, h: m.componentH },
    executor: { x: inner + halfW + m.chipGap, y: componentY, w: halfW, h: m.componentH },
    bars: { x: inner, y: barsY, w: m.innerW, rowH: m.barH },
    garden: { x: inner, y: gardenY, w: m.innerW, h: gardenH, labelH: m.gardenLabelH },
    work: {
      x: inner + m.gardenPad, y: gardenY + m.gardenLabelH, perRow: m.perRow,
      chipW: m.chipW, chipH: m.chipH, gap: m.chipGap, capacity: m.perRow * workRows,
    },
  };
}

/** Where the n-th piece of work in a cell (or the queue) is drawn. */
export function workSlot(work, n) {
  const col = n % work.perRow;
  const row = Math.floor(n / work.perRow);
  return { x: work.x + col * (work.chipW + work.gap), y: work.y + row * (work.chipH + work.gap), w: work.chipW, h: work.chipH };
}

/** The queue's slots: a single column of chips under its heading. */
export function queueWork(queue) {
  const pad = 8;
  const headingH = 24;
  const chipH = 28;
  const gap = 4;
  return {
    x: queue.x + pad, y: queue.y + headingH, perRow: 1, chipW: queue.w - 2 * pad, chipH, gap,
    capacity: Math.floor((queue.h - headingH - pad + gap) / (chipH + gap)),
  };
}
