/** The side panel: the state, the event and its move, the callbacks, the countdowns, the participants. */
import type { PageData } from '../pageData.js';
import type { InspectorStep, StepCountdown } from '../protocol.js';
import { fill, h } from './dom.js';
import { formatTime, participantName, seconds, wallTime } from './format.js';
import type { Track } from './tracks.js';

function countdownBar(countdown: StepCountdown, time: number, track: Track): HTMLElement {
  const running = countdown.deadline !== null;
  const left = running ? Math.min(countdown.period, Math.max(0, countdown.deadline! - time)) : 0;
  const fraction = running && countdown.period > 0 ? left / countdown.period : 0;
  const text = running
    ? `${(left / 1000).toFixed(1)} s left of ${seconds(countdown.period)} · ends at ${formatTime(track, countdown.deadline!)}`
    : countdown.period > 0
      ? `not running (${seconds(countdown.period)})`
      : 'disabled (0 s)';
  const bar = h('div', { class: 'fill' });
  bar.style.width = `${Number((fraction * 100).toFixed(2))}%`;
  return h(
    'div',
    { class: `countdown ${running ? 'running' : 'stopped'}`, 'data-countdown': countdown.key },
    h(
      'div',
      { class: 'countdown-label' },
      h('b', {}, countdown.label),
      ' ',
      h('span', { class: 'countdown-left' }, text),
    ),
    h(
      'div',
      {
        class: 'bar',
        role: 'progressbar',
        'aria-label': countdown.label,
        'aria-valuemin': 0,
        'aria-valuemax': countdown.period,
        'aria-valuenow': Math.round(left),
      },
      bar,
    ),
  );
}

function moveOf(current: InspectorStep): (Node | string)[] {
  if (current.from === null) return ['starts in ', h('b', {}, current.to)];
  if (current.ignored) return ['ignored in ', h('b', {}, current.to), ': no change, no callback'];
  return [h('b', {}, current.from), ' → ', h('b', {}, current.to)];
}

function participantsOf(current: InspectorStep): HTMLElement {
  if (!current.participants.length)
    return h('p', { class: 'none' }, current.to === 'joined.alone' ? 'nobody else: alone' : 'none');
  const more = current.participantCount - current.participants.length;
  return h(
    'ul',
    { class: 'participants' },
    ...current.participants.map((participant) => h('li', {}, participantName(participant))),
    more > 0 && h('li', {}, `… and ${more} more`),
  );
}

/** What the panel shows before any session: how to connect one, or that the log has none. */
function waiting(panel: HTMLElement, data: PageData): void {
  if (data.mode !== 'live') return fill(panel, h('h2', {}, 'No session in this log'));
  fill(
    panel,
    h('h2', {}, 'Waiting for a session'),
    h('p', {}, 'Connect an app to ', h('code', {}, data.appUrl), ':'),
    h(
      'pre',
      {},
      `import { connectInspector } from 'call-session-machine/inspector';\n\ncreateCallSession({\n  inspect: connectInspector('${data.appUrl}'),\n});`,
    ),
  );
}

/** Shows step `index` of `track` at `time` (a step's time, or between two while playing). */
export function showPanel(
  panel: HTMLElement,
  data: PageData,
  shown: { track: Track | undefined; index: number; time: number },
): void {
  const { track, index, time } = shown;
  const current = track?.steps[index];
  if (!track || !current) return waiting(panel, data);
  const wall = wallTime(track, time);
  fill(
    panel,
    h(
      'h2',
      { class: 'state' },
      current.to,
      current.status === 'done' && ' ',
      current.status === 'done' && h('span', { class: 'badge' }, `ended: ${current.endReason ?? ''}`),
      current.status === 'stopped' && ' ',
      current.status === 'stopped' && h('span', { class: 'badge' }, 'disposed'),
    ),
    h(
      'p',
      { class: 'at' },
      `event ${index + 1} of ${track.steps.length} · ${formatTime(track, current.at)}${wall ? ` · ${wall}` : ''}`,
    ),
    track.dropped > 0 && h('p', { class: 'warning' }, `${track.dropped} message(s) dropped on the way`),
    track.gone && h('p', { class: 'warning' }, 'the app disconnected: nothing more will arrive'),
    h(
      'section',
      {},
      h('h3', {}, 'Event'),
      h('p', {}, h('code', {}, current.event.label)),
      h('p', {}, ...moveOf(current)),
    ),
    h(
      'section',
      {},
      h('h3', {}, 'Callbacks'),
      current.callbacks.length
        ? h('ul', { class: 'callbacks' }, ...current.callbacks.map((name) => h('li', {}, h('code', {}, name))))
        : h('p', { class: 'none' }, 'none'),
    ),
    h(
      'section',
      {},
      h('h3', {}, 'Countdowns'),
      h('div', { class: 'countdowns' }, ...current.countdowns.map((countdown) => countdownBar(countdown, time, track))),
    ),
    h('section', {}, h('h3', {}, `Participants (${current.participantCount})`), participantsOf(current)),
  );
}
