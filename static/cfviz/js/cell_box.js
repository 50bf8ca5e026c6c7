/**
 * One Diego cell: its name and the rootfs it runs (or its placement tags), the rep and executor
 * with what they are doing, memory / disk / container bars, and Garden, the container runtime
 * its containers are drawn in.
 */

import { fitText } from "./format.js";
import { latestRootfs } from "./operations.js";
import { setText } from "./svg.js";
import { WorkerBox } from "./worker_box.js";

export class CellBox extends WorkerBox {
  /**
   * @param {SVGGElement} parent
   * @param {string} name
   * @param {object} geom from diego_layout.js CELL_SHAPE
   */
  constructor(parent, name, geom) {
    super(parent, name, geom, `Cell ${name}: a Diego worker VM (rep, executor, Garden)`);
    this.subcomponent(`rep@${name}`, "rep", geom.rep, "rep: bids in auctions, runs work");
    this.subcomponent(`executor@${name}`, "executor", geom.executor, "executor: runs each container's steps");
    this.addBars([
      { key: "memory", label: "mem" },
      { key: "disk", label: "disk" },
      { key: "containers", label: "containers" },
    ]);
    this.garden = this.workArea(`garden@${name}`, geom.garden, "Garden: the container runtime; the cell's containers are drawn here");
  }

  /**
   * @param {object} cell the view's cell
   * @param {object} view
   * @param {object[]} items the work drawn on this cell
   * @param {number} hidden containers not drawn for lack of room
   */
  update(cell, view, items, hidden) {
    const components = view.components || {};
    const tags = cell.placement_tags?.length ? `tags: ${cell.placement_tags.join(", ")}` : "";
    // The rootfs is a property of the cell on Diego: a rollout replaces it cell by cell.
    const isNew = Boolean(cell.rootfs) && cell.rootfs === latestRootfs(view);
    this.showHeaderNote(cell, tags || cell.rootfs || "", undefined, { isNew: !tags && isNew });
    this.describe(cell, [
      cell.rootfs ? `rootfs ${cell.rootfs}${isNew ? " (the new one)" : ""}` : "", tags,
    ]);
    this.showDoing(`rep@${this.name}`, components[`rep@${this.name}`] ?? "idle");
    this.showDoing(`executor@${this.name}`, components[`executor@${this.name}`] ?? "idle");
    const garden = components[`garden@${this.name}`] ?? "idle";
    setText(this.garden.state, fitText(`Garden · ${garden}`, this.garden.width, this.font.small));
    this.updateBars({
      memory: [cell.memory_used ?? 0, cell.memory_mb ?? 0, "MB"],
      disk: [cell.disk_used ?? 0, cell.disk_mb ?? 0, "MB"],
      containers: [cell.containers_used ?? 0, cell.max_containers ?? 0, ""],
    }, { containers: cell.starting ? ` · ${cell.starting} starting` : "" });
    this.showOverflow(hidden);
  }
}
