/**
 * Messages of `@statelyai/inspect`'s WebSocket inspector (`createWebSocketInspector`),
 * read as inspector steps, so that an app already wired to the Stately inspector shows
 * here too. They carry less than `connectInspector`'s: no clock time (the time the app
 * sent it stands in, so countdowns are right only for apps on the real clock) and no
 * transition (it is inferred from the chart: the first transition for that event from
 * the state before whose target holds the state after).
 */
import { createHash } from 'node:crypto';
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

/** The chart nests three levels; a snapshot value deeper than this is not ours. */
const MAX_STATE_DEPTH = 8;
/** At most this many actors remembered per app connection (the oldest forgotten first). */
const MAX_ACTORS = 1_000;
/** At most this many characters of the actors' last participants remembered per app connection. */
const MAX_REMEMBERED = 1 << 20;
/** An actor id longer than this is not an XState session id. */
const MAX_ACTOR_ID = 256;

interface StatelyMessage {
  type: string;
  sessionId?: string;
  name?: string;
  createdAt?: string;
  event?: { type?: string; [key: string]: unknown };
  snapshot?: { value?: unknown; context?: Record<string, unknown>; status?: string };
}

/** `{ joined: 'alone' }` as `joined.alone`; a loop, so that no nesting overflows the stack. */
function stateString(value: unknown): string | undefined {
  const keys: string[] = [];
  let at = value;
  while (typeof at === 'object' && at !== null) {
    const [key] = Object.keys(at);
    if (key === undefined || keys.length >= MAX_STATE_DEPTH) return undefined;
    keys.push(key);
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'string' ? [...keys, at].join('.') : undefined;
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

/** What a converter keeps of an actor's last snapshot. */
interface Remembered {
  readonly state: string;
  /** The state as XState's value (`{ joined: 'alone' }`), rebuilt from `state`, for the status callback. */
  readonly value: unknown;
  readonly digest: string;
  readonly participants: readonly Participant[];
  readonly participantsJson: string;
  readonly seq: number;
  /** About how many characters it holds. */
  readonly size: number;
}

/** `joined.alone` as `{ joined: 'alone' }`. */
function stateValueOf(state: string): unknown {
  const keys = state.split('.');
  let value: unknown = keys.pop()!;
  while (keys.length) value = { [keys.pop()!]: value };
  return value;
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
  const previous = new Map<string, Remembered>();
  let remembered = 0;
  const remember = (actor: string, entry: Remembered) => {
    const before = previous.get(actor);
    if (before) remembered -= before.size;
    previous.delete(actor);
    previous.set(actor, entry);
    remembered += entry.size;
    for (const [oldest, kept] of previous) {
      if (remembered <= MAX_REMEMBERED && previous.size <= MAX_ACTORS) break;
      if (oldest === actor) break;
      previous.delete(oldest);
      remembered -= kept.size;
    }
  };
  return (raw) => {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const message = raw as StatelyMessage;
    if (typeof message.sessionId !== 'string' || message.sessionId.length > MAX_ACTOR_ID) return undefined;
    if (message.type === '@xstate.actor') {
      if (message.name === 'callSession') {
        callSessionActors.delete(message.sessionId);
        callSessionActors.add(message.sessionId);
        for (const oldest of callSessionActors) {
          if (callSessionActors.size <= MAX_ACTORS) break;
          callSessionActors.delete(oldest);
        }
      }
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
    // A digest, not the JSON itself: an app's context may be large, and one is kept per actor.
    const digest = createHash('sha1')
      .update(JSON.stringify([snapshot?.value, context, snapshot?.status]))
      .digest('base64');
    const participants = listOf(context).map(({ uid, pid, name }) => ({
      ...(typeof uid === 'string' && { uid }),
      ...(typeof pid === 'string' && { pid }),
      ...(typeof name === 'string' && { name }),
    }));
    const participantsJson = JSON.stringify(participants);
    const ignored = before !== undefined && before.digest === digest;
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
      if (before.participantsJson !== participantsJson)
        callbacks.push(`onParticipantListChanged[${participants.length}]`);
    }
    const taken = before && !ignored ? inferTransition(before.state, to, event.type) : undefined;
    const seq = before ? before.seq + 1 : 0;
    remember(message.sessionId, {
      state: to,
      value: stateValueOf(to),
      digest,
      participants,
      participantsJson,
      seq,
      size: participantsJson.length + to.length + 64,
    });
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
      participants: participants.slice(0, 100),
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
