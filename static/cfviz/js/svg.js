/** Creating and updating SVG nodes without a framework. */

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * @param {string} name
 * @param {Object<string, string|number>} [attrs]
 * @param {Element} [parent]
 * @returns {SVGElement}
 */
export function svgEl(name, attrs = {}, parent = undefined) {
  const node = document.createElementNS(SVG_NS, name);
  setAttrs(node, attrs);
  if (parent) parent.appendChild(node);
  return node;
}

/** Set attributes, touching the DOM only where a value changed (renders run many times a second). */
export function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    const text = String(value);
    if (node.getAttribute(key) !== text) node.setAttribute(key, text);
  }
}

/** Set text content only when it changed. */
export function setText(node, text) {
  const value = text ?? "";
  if (node.textContent !== value) node.textContent = value;
}

/** An HTML element with a class and optional text, for the panels. */
export function htmlEl(name, className = "", text = undefined, parent = undefined) {
  const node = document.createElement(name);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}
