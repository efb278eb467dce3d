/** The page's frame: header, chart, controls, side panel, timeline; built once. */
import type { ChartLayout } from '../layout.js';
import { renderChartSvg } from './chartSvg.js';
import { h, icon, ICON_PATHS } from './dom.js';

export const SPEEDS = [1, 5, 10, 30, 100] as const;

export interface Frame {
  readonly source: HTMLElement;
  /** How many messages the live server dropped; hidden until one is. */
  readonly rejected: HTMLElement;
  readonly sessions: HTMLElement;
  readonly chart: SVGSVGElement;
  readonly chartArea: HTMLElement;
  readonly zoom: HTMLButtonElement;
  readonly first: HTMLButtonElement;
  readonly back: HTMLButtonElement;
  readonly play: HTMLButtonElement;
  readonly forward: HTMLButtonElement;
  readonly last: HTMLButtonElement;
  readonly speed: HTMLSelectElement;
  readonly slider: HTMLInputElement;
  readonly clock: HTMLOutputElement;
  readonly panel: HTMLElement;
  readonly events: HTMLOListElement;
}

function control(name: keyof typeof ICON_PATHS, title: string, label: string): HTMLButtonElement {
  return h('button', { type: 'button', class: name, title, 'aria-label': label }, icon(ICON_PATHS[name]));
}

/** Builds the frame into `root` (emptied first). */
export function buildFrame(root: HTMLElement, layout: ChartLayout, speed: number): Frame {
  const chartScroll = h('div', { class: 'chart-scroll' });
  // The one piece of markup: the chart, from the committed layout, its text through escapeXml.
  chartScroll.innerHTML = renderChartSvg(layout);
  const frame: Frame = {
    source: h('p', { class: 'source' }),
    rejected: h('p', { class: 'rejected', hidden: true, role: 'status' }),
    sessions: h('nav', { class: 'sessions', 'aria-label': 'Sessions' }),
    chart: chartScroll.querySelector<SVGSVGElement>('svg.chart')!,
    chartArea: h('section', { class: 'chart-area' }),
    zoom: h('button', { type: 'button', class: 'zoom', 'aria-pressed': 'false' }, '100%'),
    first: control('first', 'First event (Home)', 'First event'),
    back: control('back', 'Previous event (←)', 'Previous event'),
    play: h('button', { type: 'button', class: 'play', title: 'Play (space)', 'aria-label': 'Play' }),
    forward: control('forward', 'Next event (→)', 'Next event'),
    last: control('last', 'Last event (End)', 'Last event'),
    speed: h(
      'select',
      { class: 'speed' },
      ...SPEEDS.map((value) => h('option', { value, selected: value === speed }, `${value}×`)),
    ),
    slider: h('input', { type: 'range', class: 'slider', min: 0, max: 0, value: 0, 'aria-label': 'Event' }),
    clock: h('output', { class: 'clock' }),
    panel: h('aside', { class: 'panel', 'aria-live': 'polite' }),
    events: h('ol', { class: 'events', tabindex: 0, 'aria-label': 'Events' }),
  };
  frame.chartArea.append(h('div', { class: 'chart-tools' }, frame.zoom), chartScroll);
  root.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, 'call-session-machine ', h('span', {}, 'inspector')),
      frame.source,
      frame.rejected,
      frame.sessions,
    ),
    frame.chartArea,
    h(
      'div',
      { class: 'controls' },
      frame.first,
      frame.back,
      frame.play,
      frame.forward,
      frame.last,
      h('label', {}, 'speed ', frame.speed),
      frame.slider,
      frame.clock,
    ),
    h('div', { class: 'bottom' }, frame.panel, frame.events),
  );
  return frame;
}
