/**
 * The inspector page: the chart (drawn from the committed layout), the active state and
 * the transition just taken, a bar per countdown, the participants, and a timeline to
 * step back and forth or play. No framework: a few elements, re-rendered on each change.
 */
import layoutJson from './layout.json' with { type: 'json' };
import type { ChartLayout } from '../layout.js';
import { PAGE_DATA_ID, type LiveMessage, type PageData } from '../pageData.js';
import { PROTOCOL_VERSION, STEP_MESSAGE_TYPE, type InspectorStep, type StepCountdown } from '../protocol.js';
import { escapeXml, renderChartSvg } from './chartSvg.js';
import { addLiveStep, tracksOfLog, type Track } from './tracks.js';

const layout = layoutJson as ChartLayout;
const SPEEDS = [1, 5, 10, 30, 100] as const;

const html = escapeXml;

/** Button icons drawn here: no icon font, nothing to load, the same in every browser. */
const icon = (path: string) =>
  `<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="${path}" fill="currentColor"/></svg>`;
const ICONS = {
  first: icon('M3 3h2v10H3zM6 8l7-5v10z'),
  back: icon('M4 8l8-5.5v11z'),
  play: icon('M4 2.5l9 5.5-9 5.5z'),
  pause: icon('M4 3h3v10H4zM9 3h3v10H9z'),
  forward: icon('M12 8L4 2.5v11z'),
  last: icon('M11 3h2v10h-2zM10 8L3 3v10z'),
};

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

interface View {
  tracks: Track[];
  selected: Track | undefined;
  index: number;
  /** The time shown, on the selected session's clock (ms): a step's time, or between two while playing. */
  time: number;
  playing: boolean;
  speed: number;
  /** Live: keep to the newest step as steps arrive. */
  follow: boolean;
}

/** Seconds on a simulated clock as they are; on the real clock since the session's first step, and the wall time. */
function formatTime(track: Track, at: number): string {
  const first = track.steps[0];
  if (!first || first.clock === 'simulated') return `${(at / 1000).toFixed(3)} s`;
  return `+${((at - first.at) / 1000).toFixed(3)} s`;
}

function wallTime(track: Track, at: number): string {
  const first = track.steps[0];
  if (!first || first.clock === 'simulated') return '';
  const date = new Date(at);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return Number.isInteger(value) ? `${value} s` : `${value.toFixed(1)} s`;
}

function countdownMarkup(countdown: StepCountdown, time: number, track: Track): string {
  const running = countdown.deadline !== null;
  const left = running ? Math.min(countdown.period, Math.max(0, countdown.deadline! - time)) : 0;
  const fraction = running && countdown.period > 0 ? left / countdown.period : 0;
  const text = running
    ? `${(left / 1000).toFixed(1)} s left of ${seconds(countdown.period)} · ends at ${formatTime(track, countdown.deadline!)}`
    : countdown.period > 0
      ? `not running (${seconds(countdown.period)})`
      : 'disabled (0 s)';
  return (
    `<div class="countdown ${running ? 'running' : 'stopped'}" data-countdown="${html(countdown.key)}">` +
    `<div class="countdown-label"><b>${html(countdown.label)}</b> <span class="countdown-left">${html(text)}</span></div>` +
    `<div class="bar" role="progressbar" aria-label="${html(countdown.label)}" aria-valuemin="0" aria-valuemax="${countdown.period}" aria-valuenow="${Math.round(left)}">` +
    `<div class="fill" data-fraction="${fraction.toFixed(4)}"></div></div></div>`
  );
}

function participantName(participant: { uid?: string; pid?: string; name?: string }): string {
  const id = participant.pid ? `pid ${participant.pid}` : `uid ${participant.uid ?? '?'}`;
  return participant.name ? `${participant.name} (${id})` : id;
}

function start(): void {
  const dataElement = document.getElementById(PAGE_DATA_ID);
  const data = JSON.parse(dataElement?.textContent ?? 'null') as PageData | null;
  const root = document.getElementById('app') ?? document.body.appendChild(element('div', { id: 'app' }));
  if (!data) {
    root.textContent = 'No inspector data on this page.';
    return;
  }

  const view: View = { tracks: [], selected: undefined, index: 0, time: 0, playing: false, speed: 10, follow: true };

  // The frame: header, chart, side panel, timeline.
  root.innerHTML =
    '<header><h1>call-session-machine <span>inspector</span></h1><p class="source"></p><nav class="sessions" aria-label="Sessions"></nav></header>' +
    '<section class="chart-area"><div class="chart-tools"><button type="button" class="zoom" aria-pressed="false">100%</button></div>' +
    `<div class="chart-scroll">${renderChartSvg(layout)}</div></section>` +
    '<div class="controls">' +
    `<button type="button" class="first" title="First event (Home)" aria-label="First event">${ICONS.first}</button>` +
    `<button type="button" class="back" title="Previous event (←)" aria-label="Previous event">${ICONS.back}</button>` +
    '<button type="button" class="play" title="Play (space)" aria-label="Play"></button>' +
    `<button type="button" class="forward" title="Next event (→)" aria-label="Next event">${ICONS.forward}</button>` +
    `<button type="button" class="last" title="Last event (End)" aria-label="Last event">${ICONS.last}</button>` +
    `<label>speed <select class="speed">${SPEEDS.map((speed) => `<option value="${speed}"${speed === view.speed ? ' selected' : ''}>${speed}×</option>`).join('')}</select></label>` +
    '<input type="range" class="slider" min="0" max="0" value="0" aria-label="Event">' +
    '<output class="clock"></output></div>' +
    '<div class="bottom"><aside class="panel" aria-live="polite"></aside>' +
    '<ol class="events" tabindex="0" aria-label="Events"></ol></div>';

  const $ = <T extends Element>(selector: string) => root.querySelector<T>(selector)!;
  const source = $<HTMLElement>('.source');
  const sessions = $<HTMLElement>('.sessions');
  const panel = $<HTMLElement>('.panel');
  const chart = $<SVGSVGElement>('svg.chart');
  const slider = $<HTMLInputElement>('.slider');
  const clock = $<HTMLOutputElement>('.clock');
  const events = $<HTMLOListElement>('.events');
  const playButton = $<HTMLButtonElement>('.play');
  const speedSelect = $<HTMLSelectElement>('.speed');
  const zoom = $<HTMLButtonElement>('.zoom');
  const chartArea = $<HTMLElement>('.chart-area');

  const step = (): InspectorStep | undefined => view.selected?.steps[view.index];

  function indexAt(track: Track, time: number): number {
    let index = 0;
    for (let i = 0; i < track.steps.length; i++) if (track.steps[i]!.at <= time) index = i;
    return index;
  }

  function renderSessions(): void {
    sessions.innerHTML = view.tracks
      .map((track) => {
        const last = track.steps.at(-1);
        const state = last ? last.to : '';
        return (
          `<button type="button" data-track="${html(track.key)}" aria-pressed="${track === view.selected}" class="${track.gone ? 'gone' : ''}">` +
          `<strong>${html(track.label)}</strong><small>${html(state)}${track.detail ? ` · ${html(track.detail)}` : ''}${track.gone ? ' · disconnected' : ''}</small></button>`
        );
      })
      .join('');
  }

  function renderEvents(): void {
    const track = view.selected;
    if (!track) {
      events.innerHTML = '';
      return;
    }
    events.innerHTML = track.steps
      .map(
        (entry, index) =>
          `<li data-index="${index}" class="${entry.ignored ? 'ignored' : ''}">` +
          `<span class="at">${html(formatTime(track, entry.at))}</span>` +
          `<span class="event">${html(entry.event.label)}</span>` +
          `<span class="move">${entry.from === null ? html(entry.to) : entry.ignored ? `${html(entry.to)} (ignored)` : `${html(entry.from)} → ${html(entry.to)}`}</span>` +
          `<span class="callbacks">${html(entry.callbacks.join(' '))}</span></li>`,
      )
      .join('');
    slider.max = String(Math.max(0, track.steps.length - 1));
  }

  function renderChart(current: InspectorStep | undefined): void {
    for (const node of chart.querySelectorAll<SVGGElement>('.node')) {
      const states = (node.dataset.states ?? '').split(' ');
      const active = current !== undefined && states.includes(current.to);
      const from =
        current !== undefined &&
        !current.ignored &&
        current.from !== null &&
        current.from !== current.to &&
        states.includes(current.from);
      node.classList.toggle('active', active && !node.classList.contains('compound'));
      node.classList.toggle('within', active && node.classList.contains('compound'));
      node.classList.toggle('from', from && !node.classList.contains('compound'));
    }
    const taken = new Set(current?.transitions ?? []);
    for (const item of chart.querySelectorAll<SVGGElement>('[data-transition]')) {
      const key = item.dataset.transition ?? '';
      item.classList.toggle('taken', key !== '' && taken.has(key));
    }
    // A taken edge drawn last, so that it is not hidden under the others.
    for (const edge of chart.querySelectorAll<SVGGElement>('.edge.taken')) edge.parentNode?.appendChild(edge);
  }

  function renderPanel(current: InspectorStep | undefined): void {
    const track = view.selected;
    if (!track || !current) {
      panel.innerHTML =
        data!.mode === 'live'
          ? `<h2>Waiting for a session</h2><p>Connect an app to <code>${html(data!.appUrl)}</code>:</p>` +
            `<pre>import { connectInspector } from 'call-session-machine/inspector';\n\ncreateCallSession({\n  inspect: connectInspector('${html(data!.appUrl)}'),\n});</pre>`
          : '<h2>No session in this log</h2>';
      return;
    }
    const ended = current.status === 'done';
    const move =
      current.from === null
        ? `starts in <b>${html(current.to)}</b>`
        : current.ignored
          ? `ignored in <b>${html(current.to)}</b>: no change, no callback`
          : `<b>${html(current.from)}</b> → <b>${html(current.to)}</b>`;
    const participants = current.participants.length
      ? `<ul class="participants">${current.participants.map((participant) => `<li>${html(participantName(participant))}</li>`).join('')}` +
        (current.participantCount > current.participants.length
          ? `<li>… and ${current.participantCount - current.participants.length} more</li>`
          : '') +
        '</ul>'
      : `<p class="none">${current.to === 'joined.alone' ? 'nobody else: alone' : 'none'}</p>`;
    const wall = wallTime(track, view.time);
    panel.innerHTML =
      `<h2 class="state">${html(current.to)}${ended ? ` <span class="badge">ended: ${html(current.endReason ?? '')}</span>` : ''}` +
      `${current.status === 'stopped' ? ' <span class="badge">disposed</span>' : ''}</h2>` +
      `<p class="at">event ${view.index + 1} of ${track.steps.length} · ${html(formatTime(track, current.at))}${wall ? ` · ${html(wall)}` : ''}</p>` +
      (track.dropped ? `<p class="warning">${track.dropped} message(s) dropped on the way</p>` : '') +
      (track.gone ? '<p class="warning">the app disconnected: nothing more will arrive</p>' : '') +
      `<section><h3>Event</h3><p><code>${html(current.event.label)}</code></p><p>${move}</p></section>` +
      `<section><h3>Callbacks</h3>${current.callbacks.length ? `<ul class="callbacks">${current.callbacks.map((name) => `<li><code>${html(name)}</code></li>`).join('')}</ul>` : '<p class="none">none</p>'}</section>` +
      `<section><h3>Countdowns</h3><div class="countdowns">${current.countdowns.map((countdown) => countdownMarkup(countdown, view.time, track)).join('')}</div></section>` +
      `<section><h3>Participants (${current.participantCount})</h3>${participants}</section>`;
    for (const fill of panel.querySelectorAll<HTMLElement>('.fill'))
      fill.style.width = `${Number(fill.dataset.fraction) * 100}%`;
  }

  function render(): void {
    const current = step();
    renderChart(current);
    renderPanel(current);
    slider.value = String(view.index);
    clock.textContent = view.selected ? formatTime(view.selected, view.time) : '';
    for (const row of events.querySelectorAll<HTMLLIElement>('li.current')) row.classList.remove('current');
    const row = events.querySelector<HTMLLIElement>(`li[data-index="${view.index}"]`);
    if (row) {
      row.classList.add('current');
      row.scrollIntoView({ block: 'nearest' });
    }
    playButton.innerHTML = view.playing ? `${ICONS.pause} Pause` : `${ICONS.play} Play`;
    playButton.setAttribute('aria-label', view.playing ? 'Pause' : 'Play');
  }

  /** Shows `track`: at the same time as the session shown before, or from its first event. */
  function select(track: Track | undefined, fromStart = false): void {
    const time = view.time;
    view.selected = track;
    view.index =
      !track || fromStart ? 0 : view.follow && data!.mode === 'live' ? track.steps.length - 1 : indexAt(track, time);
    view.time = track?.steps[view.index]?.at ?? 0;
    renderSessions();
    renderEvents();
    render();
  }

  function goTo(index: number): void {
    const track = view.selected;
    if (!track || track.steps.length === 0) return;
    view.index = Math.max(0, Math.min(track.steps.length - 1, index));
    view.time = track.steps[view.index]!.at;
    view.follow = view.index === track.steps.length - 1;
    render();
  }

  let lastFrame = 0;
  function frame(now: number): void {
    if (!view.playing) return;
    const track = view.selected;
    const last = track?.steps.at(-1);
    if (!track || !last) {
      view.playing = false;
      render();
      return;
    }
    view.time = Math.min(last.at, view.time + (now - lastFrame) * view.speed);
    lastFrame = now;
    view.index = indexAt(track, view.time);
    if (view.time >= last.at) view.playing = false;
    render();
    if (view.playing) requestAnimationFrame(frame);
  }

  function play(on: boolean): void {
    const track = view.selected;
    if (!track || track.steps.length === 0) return;
    view.playing = on;
    if (on) {
      if (view.index >= track.steps.length - 1) {
        view.index = 0;
        view.time = track.steps[0]!.at;
      }
      lastFrame = performance.now();
      requestAnimationFrame(frame);
    }
    render();
  }

  // Controls.
  sessions.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-track]');
    if (button) select(view.tracks.find((track) => track.key === button.dataset.track));
  });
  events.addEventListener('click', (event) => {
    const row = (event.target as Element).closest<HTMLLIElement>('li[data-index]');
    if (row) {
      play(false);
      goTo(Number(row.dataset.index));
    }
  });
  slider.addEventListener('input', () => {
    const index = Number(slider.value); // before play(false) renders the old one back
    play(false);
    goTo(index);
  });
  $<HTMLButtonElement>('.first').addEventListener('click', () => (play(false), goTo(0)));
  $<HTMLButtonElement>('.back').addEventListener('click', () => (play(false), goTo(view.index - 1)));
  $<HTMLButtonElement>('.forward').addEventListener('click', () => (play(false), goTo(view.index + 1)));
  $<HTMLButtonElement>('.last').addEventListener('click', () => (play(false), goTo(Number.MAX_SAFE_INTEGER)));
  playButton.addEventListener('click', () => play(!view.playing));
  speedSelect.addEventListener('change', () => {
    view.speed = Number(speedSelect.value);
  });
  zoom.addEventListener('click', () => {
    const actual = chartArea.classList.toggle('actual-size');
    zoom.setAttribute('aria-pressed', String(actual));
    zoom.textContent = actual ? 'fit' : '100%';
  });
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    // The slider moves itself and reports through `input`; the speed list takes its own keys.
    if (target.matches('input, select, textarea')) return;
    const moves: Record<string, () => void> = {
      ArrowLeft: () => goTo(view.index - 1),
      ArrowRight: () => goTo(view.index + 1),
      Home: () => goTo(0),
      End: () => goTo(Number.MAX_SAFE_INTEGER),
    };
    if (moves[event.key]) {
      event.preventDefault();
      play(false);
      moves[event.key]!();
    } else if (event.key === ' ' && !target.matches('button')) {
      event.preventDefault();
      play(!view.playing);
    }
  });

  if (data.mode === 'report') {
    source.textContent = `report of ${data.source}: replayed in this page on a simulated clock`;
    try {
      view.tracks = tracksOfLog(data.log);
    } catch (error) {
      panel.innerHTML = `<h2>This log cannot be replayed</h2><p>${html(error instanceof Error ? error.message : String(error))}</p>`;
      return;
    }
    select(view.tracks[0], true);
    document.documentElement.dataset.ready = 'true';
    return;
  }

  // Live: steps arrive as server-sent events from the page's own server.
  source.textContent = `live: apps connect to ${data.appUrl}`;
  const byKey = new Map<string, Track>();
  const stream = new EventSource(data.events);
  stream.onmessage = (message) => {
    let parsed: LiveMessage;
    try {
      parsed = JSON.parse(message.data as string) as LiveMessage;
    } catch {
      return;
    }
    if (parsed.kind === 'connection') {
      if (!parsed.open)
        for (const track of byKey.values()) if (track.key.startsWith(`${parsed.connection}/`)) track.gone = true;
      renderSessions();
      if (view.selected?.gone) renderPanel(step());
      return;
    }
    const incoming = parsed.step;
    if (incoming?.type !== STEP_MESSAGE_TYPE || incoming.version !== PROTOCOL_VERSION) return;
    const isNew = !byKey.has(`${parsed.connection}/${incoming.actor}`);
    const track = addLiveStep(byKey, parsed.connection, incoming);
    if (isNew) view.tracks.push(track);
    if (!view.selected) {
      select(track);
      return;
    }
    renderSessions();
    if (track !== view.selected) return;
    renderEvents();
    if (view.follow && !view.playing) {
      view.index = track.steps.length - 1;
      view.time = incoming.at;
    }
    render();
  };
  stream.onopen = () => {
    document.documentElement.dataset.ready = 'true';
  };
  stream.onerror = () => {
    source.textContent = `live: apps connect to ${data.appUrl} · the page lost its server; reload when it is back`;
  };
  // On the real clock, time moves on between messages: the bars of the newest step count down.
  setInterval(() => {
    const current = step();
    const track = view.selected;
    if (
      !track ||
      !current ||
      track.gone ||
      !view.follow ||
      view.playing ||
      current.clock !== 'real' ||
      current.status !== 'active'
    )
      return;
    if (view.index !== track.steps.length - 1) return;
    view.time = Math.max(current.at, Date.now());
    renderPanel(current);
    clock.textContent = formatTime(track, view.time);
  }, 250);
  render();
}

start();
