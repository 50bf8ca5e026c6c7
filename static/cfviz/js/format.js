/** Small text formatters shared by the panels and the diagram. */

/**
 * Simulated seconds as mm:ss.s (h:mm:ss.s past an hour), the clock and log timestamps.
 * @param {number} seconds
 */
export function formatClock(seconds) {
  const tenths = Math.max(0, Math.floor((seconds ?? 0) * 10 + 1e-6));
  const s = (tenths % 600) / 10;
  const minutes = Math.floor(tenths / 600);
  const ss = s.toFixed(1).padStart(4, "0");
  if (minutes < 60) return `${String(minutes).padStart(2, "0")}:${ss}`;
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}:${ss}`;
}

/** A score or score term for the decision table; null means "not scored". */
export function formatScore(value) {
  if (value === null || value === undefined) return "—";
  // Four decimals tell close cells apart; trailing zeros only widen the table.
  return String(Number(value.toFixed(Math.abs(value) >= 100 ? 1 : 4)));
}

/** Playback speed as shown on the controls: 0.25×, 2×, 100×. */
export function formatSpeed(speed) {
  return `${Number(speed)}×`;
}

/**
 * Cut text to roughly fit a width, since SVG text does not wrap or ellipsize by itself.
 * The 0.56 em average glyph width suits the system sans-serif fonts we use.
 * @param {string} text
 * @param {number} widthPx
 * @param {number} fontPx
 */
export function fitText(text, widthPx, fontPx, glyphEm = 0.56) {
  const value = text ?? "";
  const max = Math.max(1, Math.floor(widthPx / (fontPx * glyphEm)));
  return value.length <= max ? value : `${value.slice(0, Math.max(1, max - 1))}…`;
}

const HTTP_VERBS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]);

/** Whether a message label is a reply ("200 cells (3 present)"), which tokens draw unlabelled. */
export function isReply(label) {
  return /^\d{3}\b/.test(String(label ?? ""));
}

/**
 * The part of a message label that fits on a token: the request's name ("RequestLRPAuctions"),
 * or an HTTP verb with its path ("GET /state"); empty for replies.
 */
export function tokenLabel(label, maxChars = 22) {
  const words = String(label ?? "").split(/\s+/).filter(Boolean);
  if (!words.length || isReply(label)) return "";
  const text = HTTP_VERBS.has(words[0]) && words[1] ? `${words[0]} ${words[1]}` : words[0];
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/** How an instance's state reads on its container: the state word, plus the step if it adds one. */
export function instanceDetail(instance) {
  const detail = instance.detail || "";
  if (instance.state === "RUNNING") return instance.address || "";
  if (instance.state === "UNCLAIMED" && instance.placement_error) return instance.placement_error;
  if (instance.state === "CRASHED") {
    return `crashed ×${instance.crash_count ?? 1}${detail && detail !== "crashed" ? ` · ${detail}` : ""}`;
  }
  return detail.toLowerCase() === String(instance.state).toLowerCase() ? "" : detail;
}

/** A task's label on the diagram: "STG web" for staging, "TASK <guid>" otherwise. */
export function taskLabel(guid, task) {
  if (guid.startsWith("staging-")) return `STG ${task.app || guid.slice("staging-".length)}`;
  return `TASK ${guid}`;
}

/** A task's state word; a failed completion reads FAILED so it is not taken for a success. */
export function taskState(task) {
  return task.failed ? "FAILED" : task.state;
}
