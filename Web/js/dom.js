// The one way the pages build elements. Children that are strings or numbers become text nodes,
// never markup, so camera names, user names, offence descriptions and every other string from the
// server or the user are shown as text and cannot inject HTML. Nothing here (nor in the pages)
// assigns innerHTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

/// The element with this id.
export const $ = (id) => document.getElementById(id);

/// el('a', { href, className: 'x', dataset: { id: 1 }, style: { left: '10%' }, onclick }, 'text', child…)
/// An attribute that is a property of the element (href, value, hidden, title, onclick…) is set as
/// the property; others (aria-*, data-*) as attributes. `class` is className; `dataset` and `style`
/// take objects. null, undefined and false are left out, as attributes and as children (and
/// empty strings as children).
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (/HTML$/.test(key)) throw new Error(`el(): ${key} is not allowed; pass children instead`);
    if (key === 'class') node.className = value;
    else if (key === 'dataset' || key === 'style') Object.assign(node[key], value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  return append(node, children);
}

/// An SVG element: every attribute is set as an attribute (SVG properties are read-only).
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  return append(node, children);
}

/// Replaces what `node` holds with `children` (none: empties it). Returns `node`.
export function clear(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === '') continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
