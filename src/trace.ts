import type { AnyEventObject, InspectionEvent } from 'xstate';
import { clockNow, type AnyActorSystem } from '../machines/clock.js';
import type { Participant } from '../machines/callSession.types.js';
import { sessionStateOf, statusCallbackBetween, type CallSessionSnapshot } from './callSession.js';

function nameOf(participant: Participant): string {
  return participant.name ?? participant.uid ?? participant.pid ?? '?';
}

function describeEvent(event: AnyEventObject): string {
  if (event.type.startsWith('xstate.after.')) return `after ${event.type.split('.')[2]}`;
  if (typeof event.sessionId === 'string') return `${event.type}(${event.sessionId})`;
  if (event.participant) return `${event.type}(${nameOf(event.participant as Participant)})`;
  if (Array.isArray(event.participants)) {
    return `${event.type}[${(event.participants as Participant[]).map(nameOf).join(', ')}]`;
  }
  return event.type;
}

/** The callbacks a move between two snapshots fires, as the adapter dispatches them. */
function describeCallbacks(previous: CallSessionSnapshot, next: CallSessionSnapshot): string {
  const fired: string[] = [];
  const status = statusCallbackBetween(previous, next);
  if (status) fired.push(status);
  const roster = next.context.roster;
  if (roster !== previous.context.roster) {
    for (const participant of roster.joined) fired.push(`onParticipantJoined(${nameOf(participant)})`);
    for (const participant of roster.left) fired.push(`onParticipantLeft(${nameOf(participant)})`);
    fired.push(`onParticipantListChanged[${roster.size}]`);
  }
  return fired.join(' ');
}

function isCallSessionSnapshot(snapshot: unknown): snapshot is CallSessionSnapshot {
  return (snapshot as { machine?: { id?: string } }).machine?.id === 'callSession';
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`.padStart(10);
}

/**
 * An XState inspection observer that writes one readable line per event a call
 * session handles: the clock time, the event, the state before → after, and the
 * callbacks it fired. For logs, and for bug reports from places with no access to
 * the Stately inspector: `createCallSession({ inspect: createTraceInspector() })`.
 */
export function createTraceInspector(write: (line: string) => void = console.log): (event: InspectionEvent) => void {
  const last = new WeakMap<object, CallSessionSnapshot>();
  return (inspection) => {
    if (inspection.type !== '@xstate.snapshot' || !isCallSessionSnapshot(inspection.snapshot)) return;
    const next = inspection.snapshot;
    const previous = last.get(inspection.actorRef);
    last.set(inspection.actorRef, next);
    const time = formatSeconds(clockNow((inspection.actorRef as { system?: AnyActorSystem }).system));
    const event = describeEvent(inspection.event).padEnd(32);
    if (!previous) {
      write(`${time}  ${event}  ${sessionStateOf(next)}`);
    } else if (previous === next) {
      write(`${time}  ${event}  ${sessionStateOf(next)} (ignored)`);
    } else {
      const move = `${sessionStateOf(previous)} → ${sessionStateOf(next)}`.padEnd(42);
      write(`${time}  ${event}  ${move}  ${describeCallbacks(previous, next)}`.trimEnd());
    }
  };
}
