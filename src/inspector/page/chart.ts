/** The chart shows a step: the active state lit, the state left marked, the transitions taken drawn bold. */
import type { InspectorStep } from '../protocol.js';

export function showOnChart(chart: SVGSVGElement, current: InspectorStep | undefined): void {
  for (const node of chart.querySelectorAll<SVGGElement>('.node')) {
    const states = (node.dataset.states ?? '').split(' ');
    const active = current !== undefined && states.includes(current.to);
    const from =
      current !== undefined &&
      !current.ignored &&
      current.from !== null &&
      current.from !== current.to &&
      states.includes(current.from);
    const compound = node.classList.contains('compound');
    node.classList.toggle('active', active && !compound);
    node.classList.toggle('within', active && compound);
    node.classList.toggle('from', from && !compound);
  }
  const taken = new Set(current?.transitions ?? []);
  for (const item of chart.querySelectorAll<SVGGElement>('[data-transition]')) {
    const key = item.dataset.transition ?? '';
    item.classList.toggle('taken', key !== '' && taken.has(key));
  }
  // A taken edge drawn last, so that it is not hidden under the others.
  for (const edge of chart.querySelectorAll<SVGGElement>('.edge.taken')) edge.parentNode?.appendChild(edge);
}
