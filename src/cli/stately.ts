/**
 * Messages of `@statelyai/inspect`'s WebSocket inspector (`createWebSocketInspector`),
 * read as inspector steps, so that an app already wired to the Stately inspector shows
 * here too. They carry less than `connectInspector`'s: no clock time (the time the app
 * sent it stands in, so countdowns are right only for apps on the real clock) and no
 * transition (it is inferred from the chart: the first transition for that event from
 * the state before whose target holds the state after).
 */
import type { AnyStateNode } from 'xstate';
import { callSessionMachine } from '../../machines/callSession.machine.js';
import type { CallSessionContext, Participant } from '../../machines/callSession.types.js';
import { identityOf } from '../../machines/participants.js';
import { describeEvent, nameOf } from '../devtools/describe.js';
import { statusCallbackBetween } from '../core/sessionView.js';
import {
  COUNTDOWNS,
  PROTOCOL_VERSION,
  STEP_MESSAGE_TYPE,
  transitionKey,
  type InspectorStep,
} from '../inspector/protocol.js';

interface StatelyMessage {
  type: string;
  sessionId?: string;
  name?: string;
  createdAt?: string;
  event?: { type?: string; [key: string]: unknown };
  snapshot?: { value?: unknown; context?: Record<string, unknown>; status?: string };
}

function stateString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const [key] = Object.keys(value);
  if (key === undefined) return undefined;
  const inner = stateString((value as Record<string, unknown>)[key]);
  return inner === undefined ? undefined : `${key}.${inner}`;
}

function nodeOfState(state: string): AnyStateNode | undefined {
  let node: AnyStateNode | undefined = callSessionMachine.root;
  for (const key of state.split('.')) node = node?.states[key] as AnyStateNode | undefined;
  return node;
}

function contains(ancestor: AnyStateNode, node: AnyStateNode): boolean {
  for (let at: AnyStateNode | undefined = node; at; at = at.parent) if (at === ancestor) return true;
  return false;
}

/** The chart's transition from `from` on `eventType` that lands in `to`, or none. */
function inferTransition(from: string, to: string, eventType: string): string | undefined {
  const source = nodeOfState(from);
  const target = nodeOfState(to);
  if (!source || !target) return undefined;
  for (let node: AnyStateNode | undefined = source; node; node = node.parent) {
    const candidates = node.transitions.get(eventType) ?? [];
    for (const [index, transition] of candidates.entries()) {
      const targets: readonly AnyStateNode[] = transition.target ?? [];
      const lands =
        targets.length === 0
          ? from === to
          : targets.some((candidate) =>
              candidate.type === 'history' ? contains(candidate.parent!, target) : contains(candidate, target),
            );
      if (lands) return transitionKey(node.id, eventType, index);
    }
  }
  return undefined;
}

function listOf(context: Record<string, unknown> | undefined): Participant[] {
  const roster = context?.roster;
  return Array.isArray(roster)
    ? (roster.filter((entry) => typeof entry === 'object' && entry !== null) as Participant[])
    : [];
}

/**
 * A reader for one WebSocket connection's `@statelyai/inspect` messages: each
 * `@xstate.snapshot` of a `callSession` actor becomes an {@link InspectorStep}; every
 * other message (other machines, `@xstate.event`, anything unknown) gives `undefined`.
 */
export function createStatelyConverter(): (message: unknown) => InspectorStep | undefined {
  const callSessionActors = new Set<string>();
  const previous = new Map<
    string,
    { state: string; value: unknown; json: string; participants: Participant[]; seq: number }
  >();
  return (raw) => {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const message = raw as StatelyMessage;
    if (typeof message.sessionId !== 'string') return undefined;
    if (message.type === '@xstate.actor') {
      if (message.name === 'callSession') callSessionActors.add(message.sessionId);
      return undefined;
    }
    if (message.type !== '@xstate.snapshot' || !callSessionActors.has(message.sessionId)) return undefined;
    const snapshot = message.snapshot;
    const to = stateString(snapshot?.value);
    const context = snapshot?.context as (Partial<CallSessionContext> & Record<string, unknown>) | undefined;
    const settings = context?.settings;
    if (!to || !context || typeof settings !== 'object' || settings === null) return undefined;
    const event = { ...message.event, type: typeof message.event?.type === 'string' ? message.event.type : '' };
    const before = previous.get(message.sessionId);
    const json = JSON.stringify([snapshot?.value, context, snapshot?.status]);
    const participants = listOf(context);
    const ignored = before !== undefined && before.json === json;
    const callbacks: string[] = [];
    if (before && !ignored) {
      const status = statusCallbackBetween(before, { value: snapshot?.value });
      if (status) callbacks.push(status);
      const had = new Set(before.participants.map(identityOf));
      const has = new Set(participants.map(identityOf));
      const joined = participants.filter((participant) => !had.has(identityOf(participant)));
      const left = before.participants.filter((participant) => !has.has(identityOf(participant)));
      for (const participant of joined) callbacks.push(`onParticipantJoined(${nameOf(participant)})`);
      for (const participant of left) callbacks.push(`onParticipantLeft(${nameOf(participant)})`);
      if (JSON.stringify(before.participants) !== JSON.stringify(participants))
        callbacks.push(`onParticipantListChanged[${participants.length}]`);
    }
    const taken = before && !ignored ? inferTransition(before.state, to, event.type) : undefined;
    const seq = before ? before.seq + 1 : 0;
    previous.set(message.sessionId, { state: to, value: snapshot!.value, json, participants, seq });
    const at = Number(message.createdAt);
    return {
      type: STEP_MESSAGE_TYPE,
      version: PROTOCOL_VERSION,
      actor: message.sessionId,
      sessionId: typeof context.sessionId === 'string' ? context.sessionId : null,
      seq,
      at: Number.isFinite(at) ? at : Date.now(),
      clock: 'real',
      event: { type: event.type, label: describeEvent(event) },
      from: before ? before.state : null,
      to,
      ignored,
      transitions: taken ? [taken] : [],
      callbacks,
      participants: participants.slice(0, 100).map(({ uid, pid, name }) => ({
        ...(uid !== undefined && { uid }),
        ...(pid !== undefined && { pid }),
        ...(name !== undefined && { name }),
      })),
      participantCount: participants.length,
      countdowns: COUNTDOWNS.map((spec) => ({
        key: spec.key,
        label: spec.label,
        deadline: spec.deadline(context as CallSessionContext) ?? null,
        period: spec.period(settings),
      })),
      settings,
      endReason: typeof context.endReason === 'string' ? context.endReason : null,
      status: typeof snapshot?.status === 'string' ? snapshot.status : 'active',
    };
  };
}
