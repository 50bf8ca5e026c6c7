/**
 * The run pages' connection indicator and the banner for a run that is gone or staff-only:
 * one wording for both pages, each of which then disables its own controls.
 */

const WORDS = {
  connecting: "connecting…",
  open: "live",
  reconnecting: "reconnecting…",
  gone: "no such run",
  forbidden: "staff only",
};

/**
 * Show the socket's status; on a final close, show the banner.
 * @param {HTMLElement} indicator the header's connection text
 * @param {string} status connecting | open | reconnecting | gone | forbidden
 * @returns {boolean} whether the socket is closed for good (the page should disable its controls)
 */
export function showConnectionStatus(indicator, status) {
  indicator.textContent = WORDS[status];
  indicator.dataset.connection = status;
  if (status !== "gone" && status !== "forbidden") return false;
  const banner = document.getElementById("gone-banner");
  if (status === "forbidden") banner.textContent = "On this deployment, runs are for staff only: log in as staff to watch";
  banner.hidden = false;
  return true;
}
