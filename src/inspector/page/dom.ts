/**
 * How the page makes its elements: as DOM nodes, whatever they show. A value from a log or
 * an app becomes a text node or an attribute value, never markup, so no string it holds
 * can add an element or an attribute. (The chart is the one piece of markup: drawn from
 * the committed layout, through `escapeXml` of ../markup.ts.)
 */

/** What an element is given as its content: nodes, text, or nothing (`null`, `undefined`, `false` are skipped). */
export type Child = Node | string | number | null | undefined | false;

/** An HTML element with these attributes and children; text children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | number | boolean | undefined>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends `children` to `parent`, text as text nodes. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything in `parent` with `children`. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

const SVG = 'http://www.w3.org/2000/svg';

/** A button icon drawn here: no icon font, nothing to load, the same in every browser. */
export function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [name, value] of Object.entries({
    viewBox: '0 0 16 16',
    width: '14',
    height: '14',
    'aria-hidden': 'true',
  }))
    svg.setAttribute(name, value);
  const shape = document.createElementNS(SVG, 'path');
  shape.setAttribute('d', path);
  shape.setAttribute('fill', 'currentColor');
  svg.appendChild(shape);
  return svg;
}

export const ICON_PATHS = {
  first: 'M3 3h2v10H3zM6 8l7-5v10z',
  back: 'M4 8l8-5.5v11z',
  play: 'M4 2.5l9 5.5-9 5.5z',
  pause: 'M4 3h3v10H4zM9 3h3v10H9z',
  forward: 'M12 8L4 2.5v11z',
  last: 'M11 3h2v10h-2zM10 8L3 3v10z',
} as const;
