/**
 * Painting the fleet view's canvas: zone blocks, tiles by colour, the marks of starting
 * containers, dimming of what a search leaves out, and outlines. Batched by colour: a thousand
 * tiles make ten fills, not a thousand fillStyle changes, which is what keeps a draw near a
 * millisecond.
 */

import { formatCount } from "./fleet_format.js";
import { RAMP_STEPS } from "./fleet_tiles.js";

/**
 * @typedef {{ramp: string[], zone: string, zoneLine: string, label: string, starting: string,
 *   dim: string, highlight: string, hover: string}} Colours
 */

/**
 * The canvas colours, from the CSS variables of fleet.css (so a theme is CSS only).
 * @param {Element} element any element in the document
 * @returns {Colours}
 */
export function readColours(element) {
  const style = getComputedStyle(element);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    ramp: Array.from({ length: RAMP_STEPS + 1 }, (_, i) => read(`--fleet-ramp-${i}`, `hsl(210 60% ${92 - i * 7}%)`)),
    zone: read("--fleet-zone-bg", "#f8fafc"),
    zoneLine: read("--fleet-zone-line", "#d7dde6"),
    label: read("--fleet-label", "#3d4a5c"),
    starting: read("--fleet-starting", "#e8590c"),
    dim: read("--fleet-dim", "#ffffff"),
    highlight: read("--fleet-highlight", "#d6336c"),
    hover: read("--fleet-hover", "#162031"),
  };
}

/**
 * @typedef {{
 *   tiles: import("./fleet_tiles.js").TileLayout, colours: Colours, buckets: Uint8Array,
 *   starting: ArrayLike<number> | undefined, search: import("./fleet_search.js").FleetSearch,
 *   focus: number, worker: [string, string], dpr: number, transform: [number, number, number],
 * }} Scene
 */

/**
 * Paint the whole view.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Scene} scene
 */
export function paint(ctx, { tiles, colours, buckets, starting, search, focus, worker, dpr, transform }) {
  const [scale, offsetX, offsetY] = transform;
  const { tileX, tileY, size } = tiles;
  const count = tileX.length;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * offsetX, dpr * offsetY);

  ctx.font = "600 12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.lineWidth = 1;
  for (const block of tiles.blocks) {
    ctx.fillStyle = colours.zone;
    ctx.strokeStyle = colours.zoneLine;
    ctx.beginPath();
    ctx.roundRect(block.x + 0.5, block.y + 0.5, block.w - 1, block.h - 1, 8);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = colours.label;
    const n = block.nodes.length;
    ctx.fillText(`Zone ${block.zone} · ${formatCount(n)} ${worker[n === 1 ? 0 : 1]}`, block.x + 8, block.y + 14);
  }

  for (let bucket = 0; bucket <= RAMP_STEPS; bucket++) {
    ctx.beginPath();
    let any = false;
    for (let i = 0; i < count; i++) {
      if (buckets[i] !== bucket) continue;
      ctx.rect(tileX[i], tileY[i], size, size);
      any = true;
    }
    if (any) {
      ctx.fillStyle = colours.ramp[bucket];
      ctx.fill();
    }
  }

  if (starting) {
    // A triangle in the top-left corner: seen at any tile colour, and without hiding it.
    const mark = Math.max(2, size * 0.5);
    ctx.beginPath();
    for (let i = 0; i < count; i++) {
      if (!starting[i]) continue;
      ctx.moveTo(tileX[i], tileY[i]);
      ctx.lineTo(tileX[i] + mark, tileY[i]);
      ctx.lineTo(tileX[i], tileY[i] + mark);
      ctx.closePath();
    }
    ctx.fillStyle = colours.starting;
    ctx.fill();
  }

  if (search.active) {
    ctx.beginPath();
    for (let i = 0; i < count; i++) {
      if (!search.matches(i)) ctx.rect(tileX[i] - 0.5, tileY[i] - 0.5, size + 1, size + 1);
    }
    ctx.globalAlpha = 0.8;
    ctx.fillStyle = colours.dim;
    ctx.fill();
    ctx.globalAlpha = 1;
  }
  if (search.appNodes?.size) {
    ctx.beginPath();
    for (const i of search.appNodes.keys()) ctx.rect(tileX[i] - 1, tileY[i] - 1, size + 2, size + 2);
    ctx.lineWidth = Math.max(1.5, size / 8);
    ctx.strokeStyle = colours.highlight;
    ctx.stroke();
  }
  if (focus >= 0 && focus < count) {
    ctx.lineWidth = 2 / scale;
    ctx.strokeStyle = colours.hover;
    ctx.strokeRect(tileX[focus] - 1.5, tileY[focus] - 1.5, size + 3, size + 3);
  }
}
