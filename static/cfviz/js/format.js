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

/**
 * Break text into lines of the given widths at spaces; the last line is cut to fit, with "…".
 * @param {string} text
 * @param {number[]} widthsPx the width of each line, in order
 * @param {number} fontPx
 * @returns {string[]} one string per width ("" for lines not needed)
 */
export function wrapText(text, widthsPx, fontPx, glyphEm = 0.56) {
  let rest = String(text ?? "").trim();
  return widthsPx.map((width, i) => {
    const max = Math.max(1, Math.floor(width / (fontPx * glyphEm)));
    if (i === widthsPx.length - 1 || rest.length <= max) {
      const line = fitText(rest, width, fontPx, glyphEm);
      rest = "";
      return line;
    }
    const cut = rest.lastIndexOf(" ", max);
    const at = cut > max / 3 ? cut : max;
    const line = rest.slice(0, at).trimEnd();
    rest = rest.slice(at).trimStart();
    return line;
  });
}

/**
 * Simulated seconds as the headline figures read: "31.1 s", or "—" while not known yet.
 * @param {number|null|undefined} seconds
 */
export function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  return `${Number(seconds).toFixed(1)} s`;
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

/**
 * The step a chip has room for: the last part of a Kubernetes-style detail
 * ("Pending: ContainerCreating: pulling layer eirinifs (900 MB)" → "pulling layer eirinifs (900 MB)").
 */
export function shortDetail(detail) {
  const text = String(detail ?? "");
  const at = text.lastIndexOf(": ");
  return at > 0 && at < text.length - 2 ? text.slice(at + 2) : text;
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
