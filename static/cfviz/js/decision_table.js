/**
 * The candidates table both decision panels use: a row per cell or node with its zone, its
 * verdict (and why, on a row of its own), a column per score term and the total, the winner
 * marked by text ("✓ winner", `data-winner="true"`) as well as colour.
 */

import { htmlEl } from "./svg.js";

/**
 * @typedef {{label: string, num?: boolean, title?: string, sub?: string}} Column
 * @typedef {{main: string, sub?: string, title?: string}} Value
 * @typedef {{cell: string, zone: string, verdict: string, winner: boolean, scored: boolean,
 *   values: Value[], total: string, reason?: string}} Row
 */

/**
 * @param {{id: string, caption: string, columns: Column[], rows: Row[]}} spec
 * @returns {HTMLElement} the table in its scrolling wrapper
 */
export function candidateTable({ id, caption, columns, rows }) {
  // The table can be wider than its panel: it scrolls sideways rather than squeeze.
  const wrapper = htmlEl("div", "table-scroll");
  const table = htmlEl("table", "decision-table", undefined, wrapper);
  table.id = id;
  htmlEl("caption", "visually-hidden", caption, table);
  const head = htmlEl("tr", "", undefined, htmlEl("thead", "", undefined, table));
  for (const column of columns) {
    const th = htmlEl("th", column.num ? "num" : "", undefined, head);
    th.scope = "col";
    th.append(...breakCamelCase(column.label));
    if (column.sub) htmlEl("span", "th-sub", column.sub, th);
    if (column.title) th.title = column.title;
  }
  const body = htmlEl("tbody", "", undefined, table);
  for (const row of rows) {
    const tr = htmlEl("tr", row.winner ? "winner" : row.scored ? "" : "filtered", undefined, body);
    tr.dataset.cell = row.cell;
    tr.dataset.winner = row.winner ? "true" : "false";
    const name = htmlEl("th", "", row.cell, tr);
    name.scope = "row";
    if (row.winner) htmlEl("span", "winner-mark", " ✓ winner", name);
    htmlEl("td", "", row.zone ?? "", tr);
    // A rejecting plugin's name ("PodToleratesNodeTaints") may wrap between its words.
    htmlEl("td", "verdict", undefined, tr).append(...breakCamelCase(row.verdict));
    for (const value of row.values) {
      const td = htmlEl("td", "num", value.main, tr);
      if (value.sub) htmlEl("span", "td-sub", value.sub, td);
      if (value.title) td.title = value.title;
    }
    htmlEl("td", "num score", row.total, tr);
    // The reason gets a row of its own so the numbers stay in narrow columns.
    if (row.reason) {
      const why = htmlEl("tr", `reason-row ${tr.className}`, undefined, body);
      why.dataset.reasonFor = row.cell;
      const td = htmlEl("td", "verdict-reason", row.reason, why);
      td.colSpan = columns.length;
    }
  }
  return wrapper;
}

/** "SelectorSpreadPriority" with line-break opportunities between its words, so headers wrap. */
function breakCamelCase(label) {
  const words = label.split(/(?<=[a-z])(?=[A-Z])/);
  const nodes = [];
  words.forEach((word, i) => {
    if (i) nodes.push(document.createElement("wbr"));
    nodes.push(word);
  });
  return nodes;
}
