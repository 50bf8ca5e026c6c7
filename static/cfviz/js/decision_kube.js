/**
 * A kube-scheduler decision for an Eirini pod, in the same words-and-table form as Diego's
 * auction: which nodes it sampled and filtered (and which filter plugin ruled each out), how
 * every score plugin scored each node (normalized score × weight), and why the winner won:
 * the highest total, ties broken at random (kubernetes-eirini.md §2.1–§2.4, §2.6).
 */

import { formatClock } from "./format.js";
import { candidateTable } from "./decision_table.js";

const MODES = {
  "legacy-2019": {
    name: "legacy-2019",
    words: "kube-scheduler's 2019 algorithm (legacy-2019): predicates filter the nodes, then each priority scores every node that passed from 0 to 10, times its weight",
  },
  framework: {
    name: "framework",
    words: "kube-scheduler's scheduling framework: filter plugins rule nodes out, then each score plugin scores every node that passed from 0 to 100, times its weight",
  },
};

/** What each score plugin rewards, for the column headers' titles (§2.3). */
const PLUGIN_HELP = {
  SelectorSpreadPriority: "fewer pods of the same StatefulSet on the node, and in its zone, scores higher",
  LeastRequestedPriority: "more CPU and memory left free after placing the pod scores higher",
  BalancedResourceAllocation: "CPU and memory use closer to each other scores higher",
  NodeAffinityPriority: "preferred node-affinity terms the node matches (Eirini pods have none)",
  TaintTolerationPriority: "fewer untolerated PreferNoSchedule taints scores higher",
  ImageLocalityPriority: "the node already holds the pod's image: scores higher",
  TaintToleration: "fewer untolerated PreferNoSchedule taints scores higher",
  NodeAffinity: "preferred node-affinity terms the node matches (Eirini pods have none)",
  NodeResourcesFit: "LeastAllocated: more CPU and memory left free after placing the pod scores higher",
  PodTopologySpread: "fewer pods of the same StatefulSet in the node's domain (host, zone) scores higher",
  NodeResourcesBalancedAllocation: "CPU and memory use closer to each other scores higher",
  ImageLocality: "the node already holds the pod's image: scores higher",
};
const SPREAD_PLUGINS = ["SelectorSpreadPriority", "PodTopologySpread"];

export function rule(d) {
  const range = `0–${d.max_node_score ?? 10} per plugin`;
  return `kube-scheduler · ${d.mode ?? "?"} (${range}) · highest total wins`;
}

export function describeWork(d) {
  const when = `scheduling cycle ${d.round ?? "?"} at ${formatClock(d.t)}`;
  if (d.work_type === "task") {
    return [`Staging Job pod ${d.pod ?? ""}`.trim(), when, "requests no CPU or memory (scored as 100m CPU / 200 MB)"].join(" · ");
  }
  const parts = [`Pod ${d.pod ?? d.work} (StatefulSet ordinal ${d.index ?? "?"})`, when,
    `requests ${d.memory_mb} MB memory, ${d.disk_mb} MB ephemeral storage, ${d.cpu_milli ?? 0}m CPU`];
  const selector = Object.entries(d.node_selector || {}).map(([k, v]) => `${k}=${v}`);
  if (selector.length) parts.push(`nodeSelector ${selector.join(", ")}`);
  return parts.join(" · ");
}

/** The reasons the winner won, in the order kube-scheduler works. */
export function explain(d) {
  const reasons = [];
  const candidates = d.candidates || [];
  reasons.push(`${(MODES[d.mode] ?? { words: `kube-scheduler (${d.mode})` }).words}.`);

  const total = d.nodes_total ?? candidates.length;
  const examined = d.nodes_examined ?? candidates.filter((c) => c.sampled).length;
  let sampling = `It examined ${examined} of ${total} ${total === 1 ? "node" : "nodes"}: filtering stops once ${d.nodes_to_find ?? total} feasible nodes are found`;
  sampling += total < 100 ? " (every node, below 100 nodes)." : " (numFeasibleNodesToFind); the rest were not sampled.";
  reasons.push(sampling);

  const ruledOut = candidates.filter((c) => c.sampled !== false && c.verdict !== "ok" && c.verdict !== "not sampled");
  let filtered = `${d.feasible ?? candidates.filter((c) => c.verdict === "ok").length} passed the filters`;
  if (ruledOut.length) filtered += `; ${ruledOut.length} ruled out (${ruledOut.map((c) => `${c.cell}: ${c.verdict}`).join(", ")})`;
  reasons.push(`${filtered}.`);

  const weights = d.weights || {};
  const spread = SPREAD_PLUGINS.find((plugin) => plugin in weights);
  if (d.work_type === "task") {
    reasons.push("A staging pod belongs to a Job, not a StatefulSet: no spreading applies.");
  } else if (d.zone_counts && Object.keys(d.zone_counts).length && spread) {
    const counts = Object.entries(d.zone_counts).map(([zone, n]) => `${zone}: ${n}`).join(", ");
    reasons.push(`Spreading: pods of ${d.app}'s StatefulSet per zone were ${counts}; ${spread} scores nodes and zones with fewer of them higher (a preference, not Diego's hard zone rule).`);
  }

  if (d.feasible === 1 && d.winner) {
    reasons.push(`Only ${d.winner} passed the filters, so scoring was skipped.`);
  } else if (d.winner) {
    const win = candidates.find((c) => c.cell === d.winner);
    const best = (d.max_node_score ?? 10) * Object.values(weights).reduce((a, b) => a + b, 0);
    if (win && win.score !== null && win.score !== undefined) {
      reasons.push(`Highest total wins: ${d.winner} scored ${win.score} of at most ${best} (the sum of normalized score × weight over the plugins; higher is better, the opposite of Diego's auction).`);
    }
    if (d.tied > 1) {
      reasons.push(`${d.tied} nodes tied on that total; kube-scheduler picked one at random (selectHost's reservoir sampling, here the run's seeded generator).`);
    }
  }
  if (!d.winner) {
    reasons.push("Eirini reports the instance UNCLAIMED while the pod waits in the scheduler's queue; it is tried again when the cluster changes (a pod deleted, a node added), or after at most 5 minutes.");
  }
  return reasons;
}

/** @param {object} d the decision @param {string} id the table's element id */
export function table(d, id) {
  const weights = d.weights || {};
  const plugins = Object.keys(weights);
  const max = d.max_node_score ?? 10;
  const score = (c) => (c.score === null || c.score === undefined ? -Infinity : c.score);
  const rows = [...(d.candidates || [])]
    .sort((a, b) => score(b) - score(a) || (a.order ?? Infinity) - (b.order ?? Infinity))
    .map((c) => ({
      cell: c.cell,
      zone: c.zone,
      verdict: c.verdict === "ok" ? "fits" : c.verdict,
      winner: c.cell === d.winner,
      scored: c.verdict === "ok",
      values: plugins.map((plugin) => pluginValue(c, plugin, weights[plugin], max)),
      total: c.score === null || c.score === undefined ? "—" : String(c.score),
      reason: c.reason,
    }));
  return candidateTable({
    id,
    caption: "Every node kube-scheduler looked at, highest total first",
    columns: [
      { label: "Node" }, { label: "Zone" }, { label: "Verdict" },
      ...plugins.map((plugin) => ({
        label: plugin, num: true, sub: `×${weights[plugin]}`,
        title: `${plugin} (weight ${weights[plugin]}): ${PLUGIN_HELP[plugin] ?? "score plugin"}`,
      })),
      { label: "Total", num: true, title: "sum of normalized score × weight: highest wins" },
    ],
    rows,
  });
}

function pluginValue(c, plugin, weight, max) {
  if (!c.terms || !(plugin in c.terms)) return { main: "—" };
  const normalized = c.normalized?.[plugin];
  return {
    main: String(c.terms[plugin]),
    sub: ` (${normalized ?? "?"}×${weight})`,
    title: `${plugin}: raw ${c.raw?.[plugin] ?? "?"} → normalized ${normalized ?? "?"} of ${max}, × weight ${weight} = ${c.terms[plugin]}`,
  };
}
