/** Dismissible notices, e.g. a command the server refused (an `error` frame). */

import { htmlEl } from "./svg.js";

const AUTO_DISMISS_MS = 10000;

/**
 * @param {HTMLElement} container
 * @param {string} text
 */
export function showToast(container, text) {
  const toast = htmlEl("div", "toast", undefined, container);
  toast.setAttribute("role", "alert");
  htmlEl("span", "toast-text", text, toast);
  const dismiss = htmlEl("button", "toast-dismiss", "Dismiss", toast);
  dismiss.type = "button";
  const remove = () => toast.remove();
  dismiss.addEventListener("click", remove);
  setTimeout(remove, AUTO_DISMISS_MS);
  return toast;
}
