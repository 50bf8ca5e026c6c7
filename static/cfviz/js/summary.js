/**
 * Apps and routes: each app's state and running/desired count, its route, and the endpoints
 * gorouter holds for it — the end of a push is "the app is routable", which only shows here.
 */

import { htmlEl } from "./svg.js";

export class AppSummary {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.lastKey = "";
  }

  render(view) {
    // Rebuilding is cheap, but skipping it when nothing changed keeps text selectable.
    const key = JSON.stringify([view.apps, view.routes]);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.root.replaceChildren();
    const names = Object.keys(view.apps || {}).sort();
    if (!names.length) {
      htmlEl("p", "muted", "No apps in this run yet.", this.root);
      return;
    }
    for (const name of names) this.root.append(appCard(name, view.apps[name], view.routes || {}));
  }
}

function appCard(name, app, routes) {
  const card = htmlEl("article", "app-card");
  card.dataset.app = name;
  card.dataset.state = app.state ?? "";
  const head = htmlEl("div", "app-head", undefined, card);
  htmlEl("h3", "app-name", name, head);
  htmlEl("span", `pill pill--${(app.state || "").toLowerCase()}`, app.state ?? "?", head);
  const counts = htmlEl("p", "app-counts", undefined, card);
  counts.dataset.running = String(app.running ?? 0);
  counts.dataset.desired = String(app.desired ?? 0);
  counts.textContent = `${app.running ?? 0} of ${app.desired ?? 0} instances running`;

  const hosts = Object.entries(routes).filter(([host, r]) => host === app.route || r.app === name);
  if (!hosts.length && app.route) hosts.push([app.route, { app: name, endpoints: [] }]);
  for (const [host, route] of hosts) card.append(routeBlock(host, route));
  return card;
}

function routeBlock(host, route) {
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
  }
  return block;
}
