/**
 * The chart as SVG markup, drawn from the committed layout (no layout engine in the
 * page). Pure: a string from a layout, so that it renders the same in the page and in
 * tests. The page then only toggles classes on it (chart.ts).
 */
import type { ChartEdge, ChartLayout, ChartNode, Point } from '../layout.js';
import { escapeXml } from '../markup.js';

function pathOf(points: readonly Point[]): string {
  return points.map((point, index) => `${index ? 'L' : 'M'}${point.x} ${point.y}`).join(' ');
}

function textLines(
  lines: readonly string[],
  x: number,
  y: number,
  lineHeight: number,
  anchor: 'start' | 'middle',
): string {
  return lines
    .map(
      (line, index) => `<text x="${x}" y="${y + index * lineHeight}" text-anchor="${anchor}">${escapeXml(line)}</text>`,
    )
    .join('');
}

function nodeMarkup(node: ChartNode, layout: ChartLayout): string {
  const attrs = `class="node ${node.kind}" data-node="${escapeXml(node.id)}" data-states="${escapeXml(node.states.join(' '))}"`;
  const { x, y, width, height } = node;
  const { lineHeight } = layout.font;
  const internal = (top: number, left: number) =>
    node.internal
      .map((entry, index) => {
        const at = top + index * entry.lines.length * lineHeight;
        return `<g class="internal" data-transition="${escapeXml(entry.transition)}">${textLines(entry.lines, left, at, lineHeight, 'start')}</g>`;
      })
      .join('');
  switch (node.kind) {
    case 'initial':
      return `<g ${attrs}><circle cx="${x + width / 2}" cy="${y + height / 2}" r="${width / 2}"/></g>`;
    case 'history':
      return (
        `<g ${attrs}><circle cx="${x + width / 2}" cy="${y + height / 2}" r="${width / 2}"/>` +
        `<text class="title" x="${x + width / 2}" y="${y + height / 2 + 5}" text-anchor="middle">H</text></g>`
      );
    case 'compound':
      return (
        `<g ${attrs}><rect x="${x}" y="${y}" width="${width}" height="${height}" rx="14"/>` +
        `<text class="title" x="${x + 14}" y="${y + 20}">${escapeXml(node.label)}</text>` +
        internal(y + 38, x + 14) +
        '</g>'
      );
    case 'atomic':
    case 'final': {
      const inner =
        node.kind === 'final'
          ? `<rect class="inner" x="${x + 4}" y="${y + 4}" width="${width - 8}" height="${height - 8}" rx="7"/>`
          : '';
      return (
        `<g ${attrs}><rect x="${x}" y="${y}" width="${width}" height="${height}" rx="10"/>${inner}` +
        `<text class="title" x="${x + width / 2}" y="${y + 25}" text-anchor="middle">${escapeXml(node.label)}</text>` +
        internal(y + 44, x + 12) +
        '</g>'
      );
    }
  }
}

function edgeMarkup(edge: ChartEdge, layout: ChartLayout): string {
  const label = edge.label
    ? `<g class="label">${textLines(edge.lines, edge.label.x + 2, edge.label.y + layout.font.size, layout.font.lineHeight, 'start')}</g>`
    : '';
  return (
    `<g class="edge ${edge.kind}" data-edge="${escapeXml(edge.id)}" data-transition="${escapeXml(edge.transition)}">` +
    `<path d="${pathOf(edge.points)}"/>${label}</g>`
  );
}

/** The whole chart: nodes below edges, edges' labels on top, an arrowhead marker. */
export function renderChartSvg(layout: ChartLayout): string {
  const nodes = layout.nodes.map((node) => nodeMarkup(node, layout)).join('');
  const edges = layout.edges.map((edge) => edgeMarkup(edge, layout)).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${layout.width} ${layout.height}" ` +
    `width="${layout.width}" height="${layout.height}" font-family="${escapeXml(layout.font.family)}" font-size="${layout.font.size}" ` +
    `role="img" aria-label="${escapeXml(layout.machine)} statechart">` +
    // Arrowheads in chart units, so that a thicker (taken) edge keeps the same head.
    '<defs>' +
    ['arrow', 'arrow-taken']
      .map(
        (id) =>
          `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"/></marker>`,
      )
      .join('') +
    '</defs>' +
    `<g class="nodes">${nodes}</g><g class="edges">${edges}</g></svg>`
  );
}
