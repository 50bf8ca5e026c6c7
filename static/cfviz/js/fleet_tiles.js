/**
 * The fleet view's geometry and colours as pure functions, apart from the canvas: one tile per
 * cell or node, in one labelled block per zone; which tile is under a point; and which colour
 * bucket each tile's memory, disk or instance count falls in.
 */

/** Colour steps of the ramp (CSS variables --fleet-ramp-1 … --fleet-ramp-9), plus bucket 0: nothing in use. */
export const RAMP_STEPS = 9;
const MAX_TILE = 28;
const MIN_TILE = 3;
const BLOCK_GAP = 12;
const BLOCK_PAD = 8;
const BLOCK_LABEL = 20;
/** A zone's block is never narrower than this, so its label fits; more zones wrap to a new row. */
const MIN_BLOCK_W = 170;

/**
 * What a tile's colour can show. `used` is the quantity on a node, `capacity` what it has of it
 * (instances are measured against container slots; without capacities, against the fullest node).
 * @type {Object<string, {label: string, short: string, capacity: string|null,
 *   used: (arrays: Object<string, ArrayLike<number>>, i: number) => number}>}
 */
export const METRICS = {
  memory: {
    label: "Memory used, of each {worker}'s memory",
    short: "memory used",
    capacity: "memory_mb",
    used: (arrays, i) => arrays.memory_mb?.[i] ?? 0,
  },
  disk: {
    label: "Disk used, of each {worker}'s disk",
    short: "disk used",
    capacity: "disk_mb",
    used: (arrays, i) => arrays.disk_mb?.[i] ?? 0,
  },
  instances: {
    label: "Instances (running and starting), of each {worker}'s container slots",
    short: "instances",
    capacity: "containers",
    used: (arrays, i) => (arrays.running?.[i] ?? 0) + (arrays.starting?.[i] ?? 0),
  },
};

/**
 * Each node's zone, as an index into the zones in order of first appearance.
 * `fleet_layout.zones` lists one zone per node; anything else puts every node in one block.
 * @param {{nodes: string[], zones?: string[]}} layout
 * @returns {{zones: string[], zoneOf: Int32Array}}
 */
export function zoneGroups(layout) {
  const nodes = layout.nodes ?? [];
  const perNode = Array.isArray(layout.zones) && layout.zones.length === nodes.length ? layout.zones : null;
  const zones = [];
  const index = new Map();
  const zoneOf = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const zone = perNode ? String(perNode[i]) : "all";
    if (!index.has(zone)) {
      index.set(zone, zones.length);
      zones.push(zone);
    }
    zoneOf[i] = index.get(zone);
  }
  return { zones, zoneOf };
}

/**
 * @typedef {{zone: string, x: number, y: number, w: number, h: number, cols: number, rows: number,
 *   gridX: number, gridY: number, nodes: Int32Array}} TileBlock
 * @typedef {{size: number, pitch: number, width: number, height: number, blocks: TileBlock[],
 *   tileX: Float32Array, tileY: Float32Array, blockOf: Int32Array, slotOf: Int32Array}} TileLayout
 */

/**
 * The largest tiles with which every zone's block fits the width and, if possible, the height.
 * Zones sit side by side, as many to a row as fit, each a grid of tiles in node order.
 * @param {{zones: string[], zoneOf: Int32Array}} groups
 * @param {number} width CSS pixels
 * @param {number} maxHeight CSS pixels
 * @returns {TileLayout}
 */
export function layoutTiles(groups, width, maxHeight) {
  const members = groups.zones.map(() => []);
  groups.zoneOf.forEach((zone, i) => members[zone].push(i));
  for (let size = MAX_TILE; size > MIN_TILE; size--) {
    const layout = layoutAt(groups, members, width, size);
    if (layout.height <= maxHeight) return layout;
  }
  return layoutAt(groups, members, width, MIN_TILE);
}

function layoutAt(groups, members, width, size) {
  const gap = size >= 8 ? 2 : 1;
  const pitch = size + gap;
  const perRow = Math.max(1, Math.min(groups.zones.length, Math.floor((width + BLOCK_GAP) / (MIN_BLOCK_W + BLOCK_GAP))));
  const blockW = (width - (perRow - 1) * BLOCK_GAP) / perRow;
  const cols = Math.max(1, Math.floor((blockW - 2 * BLOCK_PAD + gap) / pitch));
  const count = groups.zoneOf.length;
  const tileX = new Float32Array(count);
  const tileY = new Float32Array(count);
  const blockOf = new Int32Array(count);
  const slotOf = new Int32Array(count);
  const blocks = [];
  let y = 0;
  for (let first = 0; first < members.length; first += perRow) {
    const row = members.slice(first, first + perRow);
    const rowH = Math.max(...row.map((nodes) => blockHeight(Math.ceil(nodes.length / cols), pitch, gap)));
    row.forEach((nodes, k) => {
      const x = k * (blockW + BLOCK_GAP);
      const block = {
        zone: groups.zones[first + k], x, y, w: blockW, h: rowH, cols, rows: Math.ceil(nodes.length / cols),
        gridX: x + BLOCK_PAD, gridY: y + BLOCK_LABEL + BLOCK_PAD, nodes: Int32Array.from(nodes),
      };
      nodes.forEach((node, slot) => {
        tileX[node] = block.gridX + (slot % cols) * pitch;
        tileY[node] = block.gridY + Math.floor(slot / cols) * pitch;
        blockOf[node] = blocks.length;
        slotOf[node] = slot;
      });
      blocks.push(block);
    });
    y += rowH + BLOCK_GAP;
  }
  return { size, pitch, width, height: Math.max(0, y - BLOCK_GAP), blocks, tileX, tileY, blockOf, slotOf };
}

function blockHeight(rows, pitch, gap) {
  return BLOCK_LABEL + 2 * BLOCK_PAD + Math.max(1, rows) * pitch - gap;
}

/**
 * The node whose tile is at a point of the unzoomed layout, or -1 (gaps between tiles count as none).
 * @param {TileLayout} layout
 */
export function tileAt(layout, x, y) {
  for (const block of layout.blocks) {
    if (x < block.gridX || y < block.gridY || x >= block.x + block.w || y >= block.y + block.h) continue;
    const col = Math.floor((x - block.gridX) / layout.pitch);
    const row = Math.floor((y - block.gridY) / layout.pitch);
    if (col >= block.cols || x - block.gridX - col * layout.pitch >= layout.size) return -1;
    if (y - block.gridY - row * layout.pitch >= layout.size) return -1;
    const slot = row * block.cols + col;
    return slot < block.nodes.length ? block.nodes[slot] : -1;
  }
  return -1;
}

/**
 * The tile next to a node's in a direction, within its zone's grid (for the keyboard).
 * @param {TileLayout} layout
 * @param {number} node
 * @param {"left"|"right"|"up"|"down"} direction
 */
export function neighbour(layout, node, direction) {
  const block = layout.blocks[layout.blockOf[node]];
  const step = { left: -1, right: 1, up: -block.cols, down: block.cols }[direction];
  const slot = layout.slotOf[node] + step;
  return slot >= 0 && slot < block.nodes.length ? block.nodes[slot] : node;
}

/**
 * Each node's colour bucket for a metric: 0 when it uses nothing, else 1…RAMP_STEPS by the
 * fraction of its capacity in use (a node over capacity is in the top step).
 * @param {keyof METRICS} metric
 * @param {Object<string, ArrayLike<number>>} arrays the frame's arrays
 * @param {Object<string, number[]>} capacity the layout's capacities
 * @param {Uint8Array} out one bucket per node
 */
export function bucketize(metric, arrays, capacity, out) {
  const spec = METRICS[metric];
  const caps = capacity?.[spec.capacity];
  let fallback = 0;
  if (!caps) for (let i = 0; i < out.length; i++) fallback = Math.max(fallback, spec.used(arrays, i));
  for (let i = 0; i < out.length; i++) {
    const used = spec.used(arrays, i);
    const cap = caps ? caps[i] : fallback;
    if (!(used > 0)) out[i] = 0;
    else out[i] = 1 + Math.min(RAMP_STEPS - 1, Math.floor((cap > 0 ? used / cap : 1) * RAMP_STEPS));
  }
  return out;
}
