/**
 * The inspector page: the chart (drawn from the committed layout), the active state and
 * the transition just taken, a bar per countdown, the participants, and a timeline to
 * step back and forth or play. No framework: DOM nodes built by `h` (dom.ts), so no value
 * shown is ever markup. A report replays its log here; a live page reads its server.
 */
import layoutJson from './layout.json' with { type: 'json' };
import type { ChartLayout } from '../layout.js';
import { PAGE_DATA_ID, type PageData } from '../pageData.js';
import { wireControls } from './controls.js';
import { h } from './dom.js';
import { buildFrame } from './frame.js';
import { InspectorPage } from './inspector.js';
import { startLive } from './live.js';
import { tracksOfLog } from './tracks.js';

function pageData(): PageData | null {
  return JSON.parse(document.getElementById(PAGE_DATA_ID)?.textContent ?? 'null') as PageData | null;
}

/** A report: the log replayed in the page by the package itself, on a simulated clock. */
function startReport(page: InspectorPage, data: Extract<PageData, { mode: 'report' }>): void {
  page.frame.source.textContent = `report of ${data.source}: replayed in this page on a simulated clock`;
  try {
    // A loop, not push(...tracks): a log may hold 150,000 sessions, too many arguments for one call.
    for (const track of tracksOfLog(data.log)) page.tracks.push(track);
  } catch (error) {
    page.frame.panel.replaceChildren(
      h('h2', {}, 'This log cannot be replayed'),
      h('p', {}, error instanceof Error ? error.message : String(error)),
    );
    return;
  }
  for (const track of page.tracks) page.picker.update(track, undefined);
  page.select(page.tracks[0], true);
  document.documentElement.dataset.ready = 'true';
}

function start(): void {
  const root = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
  const data = pageData();
  if (!data) {
    root.textContent = 'No inspector data on this page.';
    return;
  }
  const page = new InspectorPage(buildFrame(root, layoutJson as ChartLayout, 10), data);
  wireControls(page);
  if (data.mode === 'report') startReport(page, data);
  else startLive(page, data);
}

start();
