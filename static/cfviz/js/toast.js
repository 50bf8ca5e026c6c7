/**
 * Dismissible notices: a command the server refused (an `error` frame), or, briefly, that an
 * action was sent (the run's log and diagram then show it carried out).
 */

import { htmlEl } from "./svg.js";

const AUTO_DISMISS_MS = { error: 10000, info: 4000 };

/**
 * @param {HTMLElement} container
 * @param {string} text
 * @param {{kind?: "error"|"info"}} [options]
 */
export function showToast(container, text, { kind = "error" } = {}) {
  const toast = htmlEl("div", kind === "info" ? "toast toast--info" : "toast", undefined, container);
  toast.setAttribute("role", kind === "info" ? "status" : "alert");
  toast.dataset.kind = kind;
  htmlEl("span", "toast-text", text, toast);
  const dismiss = htmlEl("button", "toast-dismiss", "Dismiss", toast);
  dismiss.type = "button";
  const remove = () => toast.remove();
  dismiss.addEventListener("click", remove);
  setTimeout(remove, AUTO_DISMISS_MS[kind] ?? AUTO_DISMISS_MS.error);
  return toast;
}
