/**
 * Geometry both component diagrams share, as pure functions of the view so it can be reasoned
 * about (and tested) apart from the DOM. Units are SVG user units; the SVG scales to its box.
 *
 * Each platform's layout (diego_layout.js, eirini_layout.js) puts its control plane in a grid of
 * five columns, its workers (Diego cells, Kubernetes nodes) by zone beneath, and routing and
 * logging at the bottom, so the two diagrams read the same way side by side.
 */

export const WIDTH = 1000;
export const MARGIN = 20;
const COLUMNS = 5;
const COLUMN_GAP = 18;
export const BAND_LABEL = 22;
export const ROW_GAP = 16;
export const BAND_GAP = 30;
const ZONE_PAD = 10;
const ZONE_LABEL = 24;
const ZONE_GAP = 18;
const CELL_GAP = 12;
const MAX_CELL_W = 400;
const NATURAL_CELL_W = 280;
/** Rows of containers drawn per worker before the rest are summed up as "+N more". */
export const MAX_WORK_ROWS = 6;

export const COLUMN_W = (WIDTH - 2 * MARGIN - (COLUMNS - 1) * COLUMN_GAP) / COLUMNS;
export const columnX = (col) => MARGIN + col * (COLUMN_W + COLUMN_GAP);
/** Width of a box spanning `cols` columns. */
export const spanW = (cols) => cols * COLUMN_W + (cols - 1) * COLUMN_GAP;

/**
 * How many worker columns to use: all workers in one row up to four, four per row up to
 * twelve, then a squarer grid whose boxes shrink.
 */
export function cellColumns(cellCount) {
  if (cellCount <= 4) return Math.max(1, cellCount);
  if (cellCount <= 12) return 4;
  return Math.min(12, Math.ceil(Math.sqrt(cellCount * 1.6)));
}

/**
 * Group cells (or nodes) by zone in the view's zone order (zones the view does not list come last).
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

/** Sizes of the parts of a worker box for a given width; everything scales with the width. */
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
 * @typedef {ReturnType<typeof cellMetrics>} Metrics
 * @typedef {{
 *   extraH: (m: Metrics) => number,
 *   geometry: (x: number, y: number, w: number, h: number, m: Metrics, area: object) => object,
 * }} WorkerShape what a platform's worker box adds to the common parts, and where its parts go
 */

/**
 * Place zone groups on shelves (left to right, wrapping) and workers in a grid inside each zone.
 * @param {object} view
 * @param {Map<string, object[]>} byCell
 * @param {number} top
 * @param {WorkerShape} shape
 */
export function layoutCells(view, byCell, top, shape) {
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

  // Every worker gets the height the fullest one needs, so the grid stays even.
  let workRows = 1;
  for (const items of byCell.values()) workRows = Math.max(workRows, Math.ceil(items.length / m.perRow));
  workRows = Math.min(workRows, MAX_WORK_ROWS);
  const areaH = m.gardenLabelH + workRows * m.chipH + (workRows - 1) * m.chipGap + m.gardenPad;
  const cellH = m.pad + m.headerH + m.componentH + m.chipGap + 3 * m.barH + m.chipGap + areaH + m.pad
    + shape.extraH(m);

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
        cells[cell.name] = shape.geometry(cx, cy, cellW, cellH, m, { h: areaH, rows: workRows });
      });
      x += zoneW + ZONE_GAP;
      shelfH = Math.max(shelfH, zoneH);
    }
    y += shelfH + ZONE_GAP;
  }
  const bottom = shelves.length ? y - ZONE_GAP : top + 40;
  const signature = [cellW, workRows, zones.map((z) => [z.zone, z.count]), Object.keys(cells)];
  return { zones, cells, bottom, signature };
}

/**
 * The parts every worker box has, top to bottom: a header, a row of two agents, three bars,
 * and the area its containers are drawn in. Platforms add their own parts below (`extraY`).
 */
export function workerGeometry(x, y, w, h, m, area) {
  const inner = x + m.pad;
  const componentY = y + m.pad + m.headerH;
  const halfW = (m.innerW - m.chipGap) / 2;
  const barsY = componentY + m.componentH + m.chipGap;
  const areaY = barsY + 3 * m.barH + m.chipGap;
  return {
    x, y, w, h, s: m.s,
    header: { x: inner, y: y + m.pad, h: m.headerH },
    left: { x: inner, y: componentY, w: halfW, h: m.componentH },
    right: { x: inner + halfW + m.chipGap, y: componentY, w: halfW, h: m.componentH },
    bars: { x: inner, y: barsY, w: m.innerW, rowH: m.barH },
    area: { x: inner, y: areaY, w: m.innerW, h: area.h, labelH: m.gardenLabelH },
    work: {
      x: inner + m.gardenPad, y: areaY + m.gardenLabelH, perRow: m.perRow,
      chipW: m.chipW, chipH: m.chipH, gap: m.chipGap, capacity: m.perRow * area.rows,
    },
    extraY: areaY + area.h + m.chipGap,
  };
}

/** Where the n-th piece of work in a worker (or the queue) is drawn. */
export function workSlot(work, n) {
  const col = n % work.perRow;
  const row = Math.floor(n / work.perRow);
  return { x: work.x + col * (work.chipW + work.gap), y: work.y + row * (work.chipH + work.gap), w: work.chipW, h: work.chipH };
}

/** The queue's slots: a single column of chips under its heading. */
export function queueWork(queue, headingH = 24) {
  const pad = 8;
  const chipH = 28;
  const gap = 4;
  return {
    x: queue.x + pad, y: queue.y + headingH, perRow: 1, chipW: queue.w - 2 * pad, chipH, gap,
    capacity: Math.floor((queue.h - headingH - pad + gap) / (chipH + gap)),
  };
}

/** Height of a box in the operations band: three lines, so a long status wraps onto two. */
export const OPERATIONS_H = 64;

/**
 * The band of operator components (Diego's BOSH director; kubectl and helm, the rootfs patcher
 * on Kubernetes) between the control plane and the workers, drawn only once one of them acts.
 * @param {number} top where the band starts
 * @param {string[]} shown the operator components to draw
 * @param {Object<string, [number, number]>} places id → [column, columns spanned]
 * @returns {{bands: object[], components: Object<string, object>, bottom: number}}
 */
export function operationsBand(top, shown, places) {
  if (!shown.length) return { bands: [], components: {}, bottom: top };
  const y = top + BAND_LABEL;
  const components = {};
  for (const id of shown) {
    const [col, span = 1] = places[id] ?? [0, 1];
    components[id] = { x: columnX(col), y, w: spanW(span), h: OPERATIONS_H };
  }
  return {
    bands: [{ label: "Operations", x: MARGIN, y: top + 14 }],
    components,
    bottom: y + OPERATIONS_H + BAND_GAP,
  };
}

/**
 * Boxes of a platform's control plane and bottom band from a table of places.
 * @param {Object<string, [number, number, number?]>} places id → [column, row, columns spanned]
 * @param {Object<number, {y: number, h: number}>} rows row number → its top and height
 */
export function placeBoxes(places, rows) {
  const boxes = {};
  for (const [id, [col, row, span = 1]] of Object.entries(places)) {
    if (!rows[row]) continue;
    boxes[id] = { x: columnX(col), y: rows[row].y, w: spanW(span), h: rows[row].h };
  }
  return boxes;
}
