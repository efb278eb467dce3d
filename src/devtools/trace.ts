import type { InspectionEvent } from 'xstate';
import { clockNow, clockTellsTime, type AnyActorSystem } from '../../machines/xstateInternals.js';
import { describeCallbacks, describeEvent } from './describe.js';
import { sessionStateOf, type CallSessionSnapshot } from '../core/sessionView.js';

/** What happened to the idle countdown and the reconnect bound: the chart's hidden clocks. */
function describeTimers(
  previous: CallSessionSnapshot | undefined,
  next: CallSessionSnapshot,
  ranBefore: boolean,
  traceTime: (clockMs: number) => number,
): string {
  const notes: string[] = [];
  const { idleTimeoutPeriod, reconnectTimeoutPeriod, idleWarningPeriod } = next.context.settings;
  const at = (ms: number) => formatSeconds(traceTime(ms)).trim();
  const timers = [
    ['idle countdown', previous?.context.idleDeadline ?? null, next.context.idleDeadline, idleTimeoutPeriod, ranBefore],
    [
      'reconnect bound',
      previous?.context.reconnectDeadline ?? null,
      next.context.reconnectDeadline,
      reconnectTimeoutPeriod,
      false,
    ],
  ] as const;
  const moved = previous !== undefined && sessionStateOf(previous) !== sessionStateOf(next);
  for (const [name, before, after, period, restart] of timers) {
    if (after === null) {
      if (before !== null) notes.push(`${name} stopped`);
    } else if (before === null || before !== after) {
      // A warning is due with every fresh idle countdown, when the settings ask for one.
      const warns =
        name === 'idle countdown' && idleWarningPeriod > 0 ? `, warns at ${at(after - idleWarningPeriod * 1000)}` : '';
      notes.push(
        `${name} ${before === null && !restart ? 'started' : 'restarted'} (${period} s), ends at ${at(after)}${warns}`,
      );
    } else if (moved) {
      notes.push(`${name} runs on, ends at ${at(after)}`);
    }
  }
  return notes.length ? `  ⏱ ${notes.join('; ')}` : '';
}

function isCallSessionSnapshot(snapshot: unknown): snapshot is CallSessionSnapshot {
  return (snapshot as { machine?: { id?: string } }).machine?.id === 'callSession';
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`.padStart(10);
}

/**
 * An XState inspection observer that writes one readable line per event a call
 * session handles: the time (the session clock's own, e.g. a `SimulatedClock`'s; on the
 * real clock, seconds since the trace's first line), the event, the state before →
 * after, the callbacks it fired, and what the idle countdown and reconnect bound did. For logs, and for bug reports from places with no access to
 * the Stately inspector: `createCallSession({ inspect: createTraceInspector() })`.
 */
export function createTraceInspector(write: (line: string) => void = console.log): (event: InspectionEvent) => void {
  const last = new WeakMap<object, CallSessionSnapshot>();
  const hadIdleCountdown = new WeakSet<object>();
  // On a clock that tells time (a SimulatedClock), its time; on the real clock, time
  // since this trace's first line, not seconds since 1970.
  let origin: number | undefined;
  let tellsTime = true;
  const traceTime = (clockMs: number): number => (tellsTime ? clockMs : clockMs - origin!);
  const timeOf = (system: AnyActorSystem | undefined): number => {
    const now = clockNow(system);
    tellsTime = clockTellsTime(system);
    origin ??= now;
    return traceTime(now);
  };
  return (inspection) => {
    if (inspection.type !== '@xstate.snapshot' || !isCallSessionSnapshot(inspection.snapshot)) return;
    const next = inspection.snapshot;
    const previous = last.get(inspection.actorRef);
    last.set(inspection.actorRef, next);
    const time = formatSeconds(timeOf((inspection.actorRef as { system?: AnyActorSystem }).system));
    const timers = describeTimers(previous, next, hadIdleCountdown.has(inspection.actorRef), traceTime);
    if (next.context.idleDeadline !== null) hadIdleCountdown.add(inspection.actorRef);
    const event = describeEvent(inspection.event).padEnd(32);
    if (!previous || inspection.event.type === 'xstate.stop') {
      write(`${time}  ${event}  ${sessionStateOf(next)}${timers}`);
    } else if (previous === next) {
      write(`${time}  ${event}  ${sessionStateOf(next)} (ignored)`);
    } else {
      const move = `${sessionStateOf(previous)} → ${sessionStateOf(next)}`.padEnd(42);
      write(`${time}  ${event}  ${move}  ${describeCallbacks(previous, next).join(' ')}${timers}`.trimEnd());
    }
  };
}
