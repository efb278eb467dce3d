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

/** A participant as a step shows it: its ids and name, nothing else the app's context held. */
function shownParticipant({ uid, pid, name }: Participant): Participant {
  return {
    ...(typeof uid === 'string' && { uid }),
    ...(typeof pid === 'string' && { pid }),
    ...(typeof name === 'string' && { name }),
  } as Participant;
}

/** The callbacks a move from `before` fired, as the recorder names them: the status one, then joins and leaves. */
function callbacksSince(
  before: Remembered,
  value: unknown,
  participants: readonly Participant[],
  json: string,
): string[] {
  const callbacks: string[] = [];
  const status = statusCallbackBetween(before, { value });
  if (status) callbacks.push(status);
  const had = new Set(before.participants.map(identityOf));
  const has = new Set(participants.map(identityOf));
  for (const participant of participants)
    if (!had.has(identityOf(participant))) callbacks.push(`onParticipantJoined(${nameOf(participant)})`);
  for (const participant of before.participants)
    if (!has.has(identityOf(participant))) callbacks.push(`onParticipantLeft(${nameOf(participant)})`);
  if (before.participantsJson !== json) callbacks.push(`onParticipantListChanged[${participants.length}]`);
  return callbacks;
}

/**
 * What a converter remembers, per app connection: the `callSession` actors announced and
 * each one's last snapshot, both bounded (the oldest forgotten first), since an app may
 * announce any number of actors.
 */
class Memory {
  readonly #actors = new Set<string>();
  readonly #last = new Map<string, Remembered>();
  #size = 0;

  announce(actor: string): void {
    this.#actors.delete(actor);
    this.#actors.add(actor);
    for (const oldest of this.#actors) {
      if (this.#actors.size <= MAX_ACTORS) break;
      this.#actors.delete(oldest);
    }
  }

  isCallSession(actor: string): boolean {
    return this.#actors.has(actor);
  }

  last(actor: string): Remembered | undefined {
    return this.#last.get(actor);
  }

  remember(actor: string, entry: Remembered): void {
    const before = this.#last.get(actor);
    if (before) this.#size -= before.size;
    this.#last.delete(actor);
    this.#last.set(actor, entry);
    this.#size += entry.size;
    for (const [oldest, kept] of this.#last) {
      if ((this.#size <= MAX_REMEMBERED && this.#last.size <= MAX_ACTORS) || oldest === actor) break;
      this.#last.delete(oldest);
      this.#size -= kept.size;
    }
  }
}

/**
 * A reader for one WebSocket connection's `@statelyai/inspect` messages: each
 * `@xstate.snapshot` of a `callSession` actor becomes an {@link InspectorStep}; every
 * other message (other machines, `@xstate.event`, anything unknown) gives `undefined`.
 */
export function createStatelyConverter(): (message: unknown) => InspectorStep | undefined {
  const memory = new Memory();
  return (raw) => {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const message = raw as StatelyMessage;
    const actor = message.sessionId;
    if (typeof actor !== 'string' || actor.length > MAX_ACTOR_ID) return undefined;
    if (message.type === '@xstate.actor') {
      if (message.name === 'callSession') memory.announce(actor);
      return undefined;
    }
    if (message.type !== '@xstate.snapshot' || !memory.isCallSession(actor)) return undefined;
    const snapshot = message.snapshot;
    const to = stateString(snapshot?.value);
    const context = snapshot?.context as (Partial<CallSessionContext> & Record<string, unknown>) | undefined;
    const settings = context?.settings;
    if (!to || !context || typeof settings !== 'object' || settings === null) return undefined;
    const event = { ...message.event, type: typeof message.event?.type === 'string' ? message.event.type : '' };
    const before = memory.last(actor);
    // A digest, not the JSON itself: an app's context may be large, and one is kept per actor.
    const digest = createHash('sha1')
      .update(JSON.stringify([snapshot?.value, context, snapshot?.status]))
      .digest('base64');
    const participants = listOf(context).map(shownParticipant);
    const participantsJson = JSON.stringify(participants);
    const ignored = before !== undefined && before.digest === digest;
    const moved = before && !ignored ? before : undefined;
    const seq = before ? before.seq + 1 : 0;
    const size = participantsJson.length + to.length + 64;
    memory.remember(actor, { state: to, value: stateValueOf(to), digest, participants, participantsJson, seq, size });
    const at = Number(message.createdAt);
    const taken = moved ? inferTransition(moved.state, to, event.type) : undefined;
    return {
      type: STEP_MESSAGE_TYPE,
      version: PROTOCOL_VERSION,
      actor,
      sessionId: typeof context.sessionId === 'string' ? context.sessionId : null,
      seq,
      at: Number.isFinite(at) ? at : Date.now(),
      clock: 'real',
      event: { type: event.type, label: describeEvent(event) },
      from: before ? before.state : null,
      to,
      ignored,
      transitions: taken ? [taken] : [],
      callbacks: moved ? callbacksSince(moved, snapshot?.value, participants, participantsJson) : [],
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
