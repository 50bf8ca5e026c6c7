/**
 * Operations after the push, read from a view (protocol.md §2 `outages`, `metrics`, `actions`):
 * the actions in words, their times to converge, and the availability figures carried on to the
 * present, as pure functions so the strip, the summary and the tests read them alike.
 */

/** Every action kind a timeline or a viewer may use (scenarios.md, Timeline). */
export const ACTION_KINDS = new Set(["push", "scale", "stop", "crash", "evacuate", "fail", "rootfs"]);
/** Actions the platform's operator carries out (BOSH, kubectl and helm, the rootfs patcher). */
export const OPERATOR_ACTIONS = new Set(["evacuate", "rootfs"]);

/** An action entry's kind: `{t, words, action, ...fields}` in the view (protocol.md §2). */
export function actionKind(action) {
  return String(action?.action ?? "");
}

/** The action in the simulator's own words (Action.describe, carried in the view). */
export function describeAction(action) {
  return String(action?.words ?? action?.action ?? "?");
}

/** A few words for a marker on the strip: "fail cell-z1-0", "rootfs 1.99.0", "scale web → 5". */
export function shortAction(action) {
  const kind = actionKind(action);
  switch (kind) {
    case "scale": return `scale ${action.app} → ${action.instances}`;
    case "stop": return `stop ${action.app}`;
    case "push": return `push ${action.app}`;
    case "rootfs": return `rootfs ${String(action.version ?? "").split(" ").pop()}`;
    default: return describeAction(action);
  }
}

const close = (a, b) => Math.abs(a - b) < 1e-6;

/**
 * The view's actions with their convergence, pushes made at one moment taken together
 * ("cf push solo, pair, trio"). Initial pushes (those before any other action) are marked, so a
 * chart can leave them out.
 * @returns {{t: number, kind: string, words: string, short: string, initial: boolean,
 *   converged: {converged_at: number, converge_s: number}|null}[]}
 */
export function actionRows(view) {
  const convergence = view.metrics?.convergence ?? [];
  const rows = [];
  let anyOther = false;
  for (const action of view.actions ?? []) {
    const kind = actionKind(action);
    const words = describeAction(action);
    const done = convergence.find((c) => c.action === words && close(c.at, action.t)) ?? null;
    const last = rows[rows.length - 1];
    if (kind === "push" && last?.kind === "push" && close(last.t, action.t)) {
      last.apps.push(action.app);
      last.parts.push(done);
      last.words = `cf push ${last.apps.join(", ")}`;
      last.short = `push ${last.apps.join(", ")}`;
      continue;
    }
    if (kind !== "push") anyOther = true;
    rows.push({
      t: action.t, kind, words, short: shortAction(action), apps: [action.app], parts: [done], initial: kind === "push" && !anyOther,
    });
  }
  // Pushes made together have converged once the last of them has.
  return rows.map(({ parts, ...row }) => {
    const latest = parts.every(Boolean) ? parts.reduce((a, b) => (b.converged_at > a.converged_at ? b : a)) : null;
    return { ...row, converged: latest ? { converged_at: latest.converged_at, converge_s: latest.converge_s } : null };
  });
}

/** Outages as objects, the open one running to the view's present. */
export function outageList(view) {
  const now = view.t ?? 0;
  return (view.outages ?? []).map(([app, start, end]) => ({
    app, start, end, open: end === null || end === undefined, length: (end ?? Math.max(now, start)) - start,
  }));
}

/**
 * The run's availability figures at the view's present: the metrics count closed outages and
 * integrate up to their last change; the open parts run on to `t`.
 * @returns {{unavailable_s: number, below_desired_s: number, longest_outage_s: number,
 *   longest_app: string|null, outages: number, open: number}}
 */
export function availability(view) {
  const metrics = view.metrics ?? {};
  const now = view.t ?? 0;
  const outages = outageList(view);
  let unavailable = metrics.unavailable_s ?? 0;
  let longest = metrics.longest_outage_s ?? 0;
  let longestApp = null;
  for (const outage of outages) {
    if (outage.open) {
      unavailable += outage.length;
      if (outage.length > longest) longest = outage.length;
    }
  }
  // Which app the longest outage was, for the text (ties: the first).
  const match = outages.find((o) => Math.abs(o.length - longest) < 1e-6);
  if (match && longest > 0) longestApp = match.app;
  const since = metrics.below_desired_since ?? now;
  const below = (metrics.below_desired_s ?? 0) + (metrics.below_desired_now ?? 0) * Math.max(0, now - since);
  return {
    unavailable_s: unavailable,
    below_desired_s: below,
    longest_outage_s: longest,
    longest_app: longestApp,
    outages: outages.length,
    open: outages.filter((o) => o.open).length,
  };
}

/**
 * Which operator components a diagram shows: those that have acted. Diego's BOSH director is
 * listed as idle from the start, so "idle" counts only once the view has an operator's action.
 * @param {object} view
 * @param {string[]} ids the platform's operator components
 */
export function actingOperators(view, ids) {
  const operated = (view.actions ?? []).some((a) => OPERATOR_ACTIONS.has(actionKind(a)));
  return ids.filter((id) => {
    const status = view.components?.[id];
    return status !== undefined && (status !== "idle" || operated);
  });
}

/** The version of the latest rootfs rollout in the view, or null before any. */
export function latestRootfs(view) {
  const actions = view.actions ?? [];
  for (let i = actions.length - 1; i >= 0; i -= 1) {
    if (actionKind(actions[i]) === "rootfs") return actions[i].version ?? null;
  }
  return null;
}
