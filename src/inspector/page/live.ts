/**
 * Live mode: messages arrive as server-sent events from the page's own server, which
 * replays what it kept to a page opened late. Each step is checked again here, with the
 * server's own check, and added to its track at once; drawing waits for the next frame,
 * so a burst of n messages costs n row appends and one redraw, not n redraws.
 */
import type { LiveMessage } from '../pageData.js';
import { checkStep } from '../stepCheck.js';
import type { InspectorPage } from './inspector.js';
import { formatTime, plural } from './format.js';
import { addLiveStep, type Track } from './tracks.js';

/** Where a live page reads, and what it says to apps. */
export interface LiveSource {
  readonly appUrl: string;
  readonly events: string;
}

export function startLive(page: InspectorPage, source: LiveSource): void {
  const { frame } = page;
  frame.source.textContent = `live: apps connect to ${source.appUrl}`;
  const byKey = new Map<string, Track>();
  const byConnection = new Map<number, Track[]>();
  const changed = new Set<Track>();
  let selectedChanged = false;
  let scheduled = false;

  const draw = (): void => {
    if (!scheduled) return;
    scheduled = false;
    for (const track of changed) page.picker.update(track, page.selected);
    changed.clear();
    if (!page.selected && page.tracks.length) {
      page.select(page.tracks[0]);
    } else if (selectedChanged && page.selected) {
      const track = page.selected;
      page.timeline.sync();
      if (page.follow && !page.playing) {
        page.index = track.steps.length - 1;
        page.time = track.steps[page.index]!.at;
      }
      page.render();
    }
    selectedChanged = false;
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(draw);
    // rAF waits while the tab is hidden; the timer keeps the list current meanwhile.
    setTimeout(draw, 100);
  };

  const onStep = (connection: number, raw: unknown): void => {
    const step = checkStep(raw);
    const isNew = !byKey.has(`${connection}/${step.actor}`);
    const track = addLiveStep(byKey, connection, step);
    if (isNew) {
      page.tracks.push(track);
      const ofConnection = byConnection.get(connection) ?? [];
      ofConnection.push(track);
      byConnection.set(connection, ofConnection);
    }
    changed.add(track);
    if (track === page.selected) selectedChanged = true;
  };
  const onConnection = (connection: number, open: boolean): void => {
    if (open) return;
    for (const track of byConnection.get(connection) ?? []) {
      track.gone = true;
      changed.add(track);
      if (track === page.selected) selectedChanged = true;
    }
  };

  const stream = new EventSource(source.events);
  stream.onmessage = (message) => {
    try {
      const parsed = JSON.parse(message.data as string) as LiveMessage;
      if (parsed.kind === 'connection') onConnection(parsed.connection, parsed.open);
      else if (parsed.kind === 'step') onStep(parsed.connection, parsed.step);
      schedule();
    } catch {
      // Not a message this page knows: it is the server's to check, the page shows the rest.
    }
  };
  stream.addEventListener('rejected', (event) => {
    try {
      const { count, reason } = JSON.parse((event as MessageEvent<string>).data) as { count: number; reason: string };
      frame.rejected.hidden = false;
      frame.rejected.textContent = `${plural(count, 'message')} rejected by the server as not a step (the last: ${reason})`;
    } catch {
      // as above
    }
  });
  stream.onopen = () => {
    document.documentElement.dataset.ready = 'true';
  };
  stream.onerror = () => {
    frame.source.textContent = `live: apps connect to ${source.appUrl} · the page lost its server; reload when it is back`;
  };
  // On the real clock, time moves on between messages: the bars of the newest step count down.
  setInterval(() => {
    const current = page.step();
    const track = page.selected;
    if (!track || !current || track.gone || !page.follow || page.playing) return;
    if (current.clock !== 'real' || current.status !== 'active' || page.index !== track.steps.length - 1) return;
    page.time = Math.max(current.at, Date.now());
    page.renderPanel();
    frame.clock.textContent = formatTime(track, page.time);
  }, 250);
  page.render();
}
