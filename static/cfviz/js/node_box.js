/**
 * One Kubernetes node of the Eirini diagram, in the vocabulary of a Diego cell: its name, the
 * kubelet and the container runtime with what they are doing, memory / ephemeral-storage / pod
 * bars, its pods, and kube-proxy across the bottom, drawn apart because Eirini's routes go
 * from gorouter straight to pod IPs, with no Service for kube-proxy to program.
 */

import { fitText, wrapText } from "./format.js";
import { latestRootfs } from "./operations.js";
import { setAttrs, setText, svgEl } from "./svg.js";
import { WorkerBox } from "./worker_box.js";

export class NodeBox extends WorkerBox {
  /**
   * @param {SVGGElement} parent
   * @param {string} name
   * @param {object} geom from eirini_layout.js NODE_SHAPE
   */
  constructor(parent, name, geom) {
    super(parent, name, geom, `Node ${name}: a Kubernetes worker (kubelet, container runtime, kube-proxy)`);
    this.g.classList.add("node");
    this.subcomponent(`kubelet@${name}`, "kubelet", geom.kubelet, "kubelet: runs the pods bound to this node, probes them");
    this.subcomponent(`runtime@${name}`, "runtime", geom.runtime, "container runtime: pulls images from the registry, runs containers");
    this.addBars([
      { key: "memory", label: "mem" },
      { key: "disk", label: "ephemeral storage" },
      { key: "pods", label: "pods" },
    ]);
    this.pods = this.workArea(`pods@${name}`, geom.pods, "The node's pods: StatefulSet pods (app instances) and Job pods (staging)");
    // "Pods · 3" is short; the rest of the line says which rootfs they run.
    this.pods.width = geom.pods.w * 0.45;
    this.proxy = this.kubeProxy(`kube-proxy@${name}`, geom.proxy);
  }

  /** kube-proxy: title and up to two lines of its status, in a dashed box. */
  kubeProxy(id, box) {
    const g = svgEl("g", { class: "subcomponent subcomponent--idle-path", "data-component": id }, this.g);
    svgEl("title", {}, g).textContent = "kube-proxy: programs Service IPs on the node. Not in Eirini's routing path.";
    svgEl("rect", { class: "sub-box", x: box.x, y: box.y, width: box.w, height: box.h, rx: 6 }, g);
    const pad = 7 * this.geom.s;
    const size = this.font.small * 0.92;
    const title = svgEl("text", { class: "sub-title", x: box.x + pad, y: box.y + box.h * 0.4, "font-size": this.font.small }, g);
    title.textContent = "kube-proxy";
    const titleW = 11 * this.font.small * 0.62;
    const first = svgEl("text", { class: "sub-state", x: box.x + pad + titleW, y: box.y + box.h * 0.4, "font-size": size }, g);
    const second = svgEl("text", { class: "sub-state", x: box.x + pad, y: box.y + box.h * 0.82, "font-size": size }, g);
    this.parts[id] = { g, box, state: first, width: box.w - 2 * pad };
    return { first, second, firstW: box.w - 2 * pad - titleW, secondW: box.w - 2 * pad, size };
  }

  /**
   * @param {object} cell the view's node
   * @param {object} view
   * @param {{key: string, kind: string}[]} items the pods drawn on this node
   * @param {number} hidden pods not drawn for lack of room
   */
  update(cell, view, items, hidden) {
    const components = view.components || {};
    const pods = items.map((item) => (item.kind === "task" ? view.tasks[item.key] : view.instances[item.key])).filter(Boolean);
    // Placement tags become a NoSchedule taint (and a label) on the nodes that carry them.
    const taint = cell.placement_tags?.length ? `taint: ${cell.placement_tags.join(", ")}` : "";
    // A node the control plane has lost says so even before its state changes.
    const notReady = cell.node_ready && cell.node_ready !== "True" && (cell.state ?? "ok") === "ok" ? "NotReady" : undefined;
    this.showHeaderNote(cell, taint, notReady);
    const rootfs = podsRootfs(pods, latestRootfs(view));
    this.describe(cell, [
      cell.node_ready ? `Ready: ${cell.node_ready}` : "",
      cell.taints?.length ? `taints: ${cell.taints.join(", ")}` : "",
      taint && !cell.taints?.length ? taint : "",
      rootfs.text ? `its pods' rootfs: ${rootfs.full}` : "",
    ]);
    this.showDoing(`kubelet@${this.name}`, activity(components[`kubelet@${this.name}`]) || kubeletDoing(items, pods));
    this.showDoing(`runtime@${this.name}`, activity(components[`runtime@${this.name}`]) || runtimeDoing(pods));
    setText(this.pods.state, fitText(pods.length ? `Pods · ${pods.length}` : "Pods · none", this.pods.width, this.font.small));

    // The platform's note says why kube-proxy has nothing to do, until its own status arrives.
    const note = view.notes?.["kube-proxy"];
    const proxy = components[`kube-proxy@${this.name}`] ?? (note ? `idle: ${note}` : "idle");
    // Italic small text runs narrower than the 0.56 em fitText assumes for titles.
    const [line1, line2] = wrapText(proxy, [this.proxy.firstW, this.proxy.secondW], this.proxy.size, 0.52);
    setText(this.proxy.first, line1);
    setText(this.proxy.second, line2);
    setAttrs(this.proxy.first, { "data-full": proxy });

    this.updateBars({
      memory: [cell.memory_used ?? 0, cell.memory_mb ?? 0, "MB"],
      disk: [cell.disk_used ?? 0, cell.disk_mb ?? 0, "MB"],
      pods: [cell.containers_used ?? 0, cell.max_containers ?? 0, ""],
    }, { pods: cell.starting ? ` · ${cell.starting} starting` : "" });
    this.showOverflow(hidden, rootfs);
  }
}

/**
 * On Kubernetes the rootfs is a layer of each pod's image, not the node's: the pods' versions,
 * "v75.0.0" when they agree, or how many run the new one while a rollout replaces them.
 * @returns {{text: string, full: string, isNew: boolean}}
 */
export function podsRootfs(pods, newest) {
  const versions = [...new Set(pods.map((pod) => pod.rootfs).filter(Boolean))];
  if (!versions.length) return { text: "", full: "", isNew: false };
  if (versions.length === 1) {
    return { text: versions[0], full: versions[0], isNew: versions[0] === newest };
  }
  const fresh = pods.filter((pod) => pod.rootfs && pod.rootfs === newest).length;
  const withRootfs = pods.filter((pod) => pod.rootfs).length;
  const text = newest ? `new rootfs ${fresh}/${withRootfs}` : "mixed rootfs";
  return { text, full: versions.join(", "), isNew: false };
}

/** A status the simulator reported, unless it only says "idle" (then the pods tell more). */
function activity(status) {
  return status && status !== "idle" ? status : "";
}

/** The kubelet's work, from the pods bound to its node: how many, and how far along. */
function kubeletDoing(items, pods) {
  if (!pods.length) return "idle";
  const counts = { Ready: 0, starting: 0, CrashLoopBackOff: 0, staging: 0 };
  pods.forEach((pod, i) => {
    if (items[i].kind === "task") {
      if (pod.state === "RUNNING") counts.staging += 1;
    } else if (pod.state === "RUNNING") counts.Ready += 1;
    else if (pod.state === "CRASHED") counts.CrashLoopBackOff += 1;
    else counts.starting += 1;
  });
  const parts = Object.entries(counts).filter(([, n]) => n).map(([word, n]) => `${n} ${word}`);
  return `${pods.length} ${pods.length === 1 ? "pod" : "pods"}${parts.length ? `: ${parts.join(", ")}` : ""}`;
}

/** The runtime's work, from its pods' steps: pulling images is what takes the time. */
function runtimeDoing(pods) {
  const steps = pods.map((pod) => String(pod.detail || ""));
  const pulling = steps.filter((step) => /pull/i.test(step)).length;
  if (pulling) return pulling === 1 ? "pulling an image" : `pulling ${pulling} images`;
  const starting = steps.filter((step) => /starting container/i.test(step)).length;
  if (starting) return `starting ${starting} ${starting === 1 ? "container" : "containers"}`;
  const running = pods.filter((pod) => pod.state === "RUNNING" || pod.state === "CLAIMED").length;
  return running ? `${running} ${running === 1 ? "container" : "containers"} running` : "idle";
}
