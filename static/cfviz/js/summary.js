/**
 * Apps and routes: each app's state and running/desired count, its route, and the endpoints
 * gorouter holds for it — the end of a push is "the app is routable", which only shows here —
 * and, for the run's controller, the app's live actions (live_actions.js).
 */

import { htmlEl } from "./svg.js";

export class AppSummary {
  /**
   * @param {HTMLElement} root
   * @param {{appControls?: (app: string) => {root: HTMLElement, update: (app: object) => void}}} [options]
   *   appControls: the live actions on an app (scale, crash, stop), kept across redraws
   */
  constructor(root, { appControls = undefined } = {}) {
    this.root = root;
    this.appControls = appControls;
    this.lastKey = "";
    /** @type {Map<string, {card: HTMLElement, info: HTMLElement, controls?: ReturnType<NonNullable<typeof appControls>>}>} */
    this.cards = new Map();
    this.empty = htmlEl("p", "muted", "No apps in this run yet.");
  }

  render(view) {
    // Rebuilding is cheap, but skipping it when nothing changed keeps text selectable (and a
    // number being typed into a control where it is).
    const key = JSON.stringify([view.apps, view.routes, view.outages, (view.cells || []).map((c) => c.state)]);
    if (key === this.lastKey) return;
    this.lastKey = key;
    const names = Object.keys(view.apps || {}).sort();
    for (const [name, entry] of this.cards) {
      if (!names.includes(name)) {
        entry.card.remove();
        this.cards.delete(name);
      }
    }
    if (!names.length) {
      this.root.replaceChildren(this.empty);
      return;
    }
    this.empty.remove();
    const failed = new Set((view.cells || []).filter((c) => c.state === "failed").map((c) => c.name));
    names.forEach((name, i) => {
      let entry = this.cards.get(name);
      if (!entry) {
        entry = this.createCard(name);
        this.cards.set(name, entry);
      }
      const down = (view.outages || []).find((o) => o[0] === name && (o[2] === null || o[2] === undefined));
      fillCard(entry, name, view.apps[name], view.routes || {}, { failed, downSince: down ? down[1] : null });
      entry.controls?.update(view.apps[name]);
      // Moving a card would take the focus from a control in it: only put it where it belongs.
      if (this.root.children[i] !== entry.card) this.root.insertBefore(entry.card, this.root.children[i] ?? null);
    });
  }

  createCard(name) {
    const card = htmlEl("article", "app-card");
    card.dataset.app = name;
    const info = htmlEl("div", "app-info", undefined, card);
    const controls = this.appControls?.(name);
    if (controls) card.append(controls.root);
    return { card, info, controls };
  }
}

function fillCard({ card, info }, name, app, routes, { failed, downSince }) {
  card.dataset.state = app.state ?? "";
  info.replaceChildren();
  const head = htmlEl("div", "app-head", undefined, info);
  htmlEl("h3", "app-name", name, head);
  htmlEl("span", `pill pill--${(app.state || "").toLowerCase()}`, app.state ?? "?", head);
  const counts = htmlEl("p", "app-counts", undefined, info);
  counts.dataset.running = String(app.running ?? 0);
  counts.dataset.desired = String(app.desired ?? 0);
  counts.textContent = `${app.running ?? 0} of ${app.desired ?? 0} instances running`;
  card.dataset.down = downSince === null ? "false" : "true";
  if (downSince !== null) {
    const down = htmlEl("p", "app-down", `Unavailable since ${downSince.toFixed(1)} s: no instance answers`, info);
    down.setAttribute("role", "status");
  }

  const hosts = Object.entries(routes).filter(([host, r]) => host === app.route || r.app === name);
  if (!hosts.length && app.route) hosts.push([app.route, { app: name, endpoints: [] }]);
  for (const [host, route] of hosts) info.append(routeBlock(host, route, failed));
}

function routeBlock(host, route, failed) {
  const block = htmlEl("div", "route");
  block.dataset.route = host;
  const line = htmlEl("p", "route-host", undefined, block);
  htmlEl("span", "route-label", "Route", line);
  htmlEl("code", "", host, line);
  const endpoints = route.endpoints || [];
  const count = htmlEl("p", "route-count", `${endpoints.length} ${endpoints.length === 1 ? "endpoint" : "endpoints"} in gorouter`, block);
  count.dataset.endpoints = String(endpoints.length);
  if (!endpoints.length) {
    htmlEl("p", "muted small", "No endpoints: gorouter would answer 404 for this host.", block);
    return block;
  }
  const list = htmlEl("ul", "endpoints", undefined, block);
  for (const ep of endpoints) {
    const li = htmlEl("li", "endpoint", undefined, list);
    li.dataset.endpoint = ep.instance ?? "";
    htmlEl("span", "endpoint-instance", ep.instance ?? "?", li);
    li.append(" → ");
    htmlEl("code", "", ep.address ?? "?", li);
    if (ep.cell) htmlEl("span", "muted", ` on ${ep.cell}`, li);
    // gorouter may still list a backend on a dead cell; it does not answer.
    if (failed.has(ep.cell)) {
      li.classList.add("is-dead");
      htmlEl("strong", "endpoint-dead", " · no answer: cell failed", li);
    }
  }
  return block;
}
