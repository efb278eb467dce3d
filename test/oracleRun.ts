// The generator and the runner shared by test/oracle.test.ts and scripts/soak.ts: random
// sequences of events, clock moves, listener changes and persist/restore round trips,
// run against a real session on a SimulatedClock and against test/oracle.ts, compared
// after every step.
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import {
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type ParticipantEventListener,
  type SessionStatusListener,
} from '../src/index.js';
import {
  advance,
  describeList,
  describeParticipant,
  initialModel,
  step as oracleStep,
  type OracleEvent,
  type OracleModel,
  type OracleParticipant,
} from './oracle.js';
import { STATUS_CALLBACKS } from './support/status.js';
import { restoreCallSession } from '../src/persistence/restore.js';

// ---------------------------------------------------------------------------
// Listeners: three of each kind, some with only a subset of the callbacks.

const PARTICIPANT_CALLBACKS = ['onParticipantJoined', 'onParticipantLeft', 'onParticipantListChanged'] as const;

export const LISTENER_IDS = ['S0', 'S1', 'S2', 'P0', 'P1', 'P2'] as const;
export type ListenerId = (typeof LISTENER_IDS)[number];

export const CALLBACKS_OF: Readonly<Record<ListenerId, readonly string[]>> = {
  S0: [...STATUS_CALLBACKS, 'onIdleTimeoutWarning'],
  S1: STATUS_CALLBACKS,
  S2: ['onSessionJoined', 'onSessionLeft', 'onSessionTimedOut', 'onConnectionClosed'],
  P0: PARTICIPANT_CALLBACKS,
  P1: PARTICIPANT_CALLBACKS,
  P2: ['onParticipantListChanged'],
};

export function isStatusId(id: ListenerId): boolean {
  return id.startsWith('S');
}

// ---------------------------------------------------------------------------
// Steps and their generators.

export type Step =
  | { readonly kind: 'event'; readonly event: OracleEvent }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'add'; readonly listener: ListenerId; readonly withSignal: boolean }
  | { readonly kind: 'remove'; readonly listener: ListenerId; readonly how: 'method' | 'unsubscribe' | 'abort' }
  | { readonly kind: 'restore' };

export interface Sequence {
  /** Seconds; 0 disables. */
  readonly idle: number;
  /** Seconds; 0 = no bound. */
  readonly reconnect: number;
  /** Seconds before the idle timeout that it warns; 0 = no warning. Shorter than a non-zero `idle`. */
  readonly warning: number;
  readonly steps: readonly Step[];
}

const ANA: OracleParticipant = { uid: 'ana', name: 'Ana' };
const ANA_RENAMED: OracleParticipant = { uid: 'ana', name: 'Ana B.', avatar: 'ana.png' }; // same identity as ANA
const ANA_PHONE: OracleParticipant = { uid: 'ana', pid: 'p1', name: 'Ana' }; // identity p:p1, same uid
const PID_ANA: OracleParticipant = { pid: 'ana' }; // pid "ana" is not uid "ana"
const BO: OracleParticipant = { uid: 'bo', isLocal: false };
const BO_TABLET: OracleParticipant = { uid: 'bo', pid: 'p2', avatar: 'bo.png' };
const ME: OracleParticipant = { uid: 'me', name: 'Me', isLocal: true };
export const POOL: readonly OracleParticipant[] = [ANA, ANA_RENAMED, ANA_PHONE, PID_ANA, BO, BO_TABLET, ME];

/** Subsets of the pool in any order, so duplicates by identity and the local user occur. */
const list: fc.Arbitrary<readonly OracleParticipant[]> = fc.oneof(
  { arbitrary: fc.constantFrom<readonly OracleParticipant[]>([], [ME]), weight: 1 },
  { arbitrary: fc.shuffledSubarray([...POOL], { maxLength: 4 }), weight: 3 },
);
const maybeList = fc.option(list, { nil: undefined, freq: 2 });
const participant = fc.constantFrom(...POOL);

function joinedEvent(participants: readonly OracleParticipant[] | undefined): OracleEvent {
  return participants === undefined ? { type: 'session.joined' } : { type: 'session.joined', participants };
}

function restoredEvent(participants: readonly OracleParticipant[] | undefined): OracleEvent {
  return participants === undefined ? { type: 'connection.restored' } : { type: 'connection.restored', participants };
}

// Ending events are rare, so that most sequences spend a while joined.
const event: fc.Arbitrary<OracleEvent> = fc.oneof(
  {
    arbitrary: fc.constantFrom<OracleEvent>(
      { type: 'session.join', sessionId: 's1' },
      { type: 'session.join', sessionId: 's2' },
    ),
    weight: 2,
  },
  { arbitrary: maybeList.map(joinedEvent), weight: 3 },
  {
    arbitrary: fc.constantFrom<OracleEvent>(
      { type: 'session.joinFailed' },
      { type: 'session.joinFailed', error: 'busy' },
    ),
    weight: 1,
  },
  { arbitrary: fc.constant<OracleEvent>({ type: 'session.leave' }), weight: 1 },
  { arbitrary: fc.constant<OracleEvent>({ type: 'session.removed' }), weight: 1 },
  { arbitrary: participant.map((p): OracleEvent => ({ type: 'participant.joined', participant: p })), weight: 6 },
  { arbitrary: participant.map((p): OracleEvent => ({ type: 'participant.left', participant: p })), weight: 5 },
  { arbitrary: fc.constant<OracleEvent>({ type: 'connection.lost' }), weight: 5 },
  { arbitrary: maybeList.map(restoredEvent), weight: 5 },
  { arbitrary: fc.constant<OracleEvent>({ type: 'connection.closed' }), weight: 1 },
  { arbitrary: fc.constant<OracleEvent>({ type: 'idle.extend' }), weight: 3 },
);

/** Periods are 0..5 s, so these land before, on and after the deadlines. */
const advanceMs: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 3 },
  { arbitrary: fc.constantFrom(999, 1000, 1001, 1999, 2000, 2001, 2999, 3000, 3001, 4999, 5000, 5001), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 6000 }), weight: 2 },
  { arbitrary: fc.integer({ min: 6000, max: 20_000 }), weight: 1 },
);

const listenerId = fc.constantFrom(...LISTENER_IDS);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: event.map((e): Step => ({ kind: 'event', event: e })), weight: 12 },
  { arbitrary: advanceMs.map((ms): Step => ({ kind: 'advance', ms })), weight: 6 },
  {
    arbitrary: fc
      .tuple(listenerId, fc.boolean())
      .map(([id, withSignal]): Step => ({ kind: 'add', listener: id, withSignal })),
    weight: 1,
  },
  {
    arbitrary: fc
      .tuple(
        listenerId,
        fc.constantFrom('method', 'unsubscribe', 'abort') as fc.Arbitrary<'method' | 'unsubscribe' | 'abort'>,
      )
      .map(([id, how]): Step => ({ kind: 'remove', listener: id, how })),
    weight: 1,
  },
  { arbitrary: fc.constant<Step>({ kind: 'restore' }), weight: 1 },
);

const JOIN: Step = { kind: 'event', event: { type: 'session.join', sessionId: 's1' } };

/** Sometimes start joined already (alone or not), sometimes joining, sometimes idle. */
const prefix: fc.Arbitrary<readonly Step[]> = fc.oneof(
  { arbitrary: fc.constant<readonly Step[]>([]), weight: 1 },
  { arbitrary: fc.constant<readonly Step[]>([JOIN]), weight: 1 },
  { arbitrary: maybeList.map((l): readonly Step[] => [JOIN, { kind: 'event', event: joinedEvent(l) }]), weight: 4 },
);

export const sequenceArb: fc.Arbitrary<Sequence> = fc
  .record({
    idle: fc.constantFrom(0, 1, 2, 5),
    reconnect: fc.constantFrom(0, 1, 3),
    warning: fc.constantFrom(0, 1, 2, 4),
    prefix,
    rest: fc.array(stepArb, { minLength: 1, maxLength: 40, size: 'max' }),
  })
  .map(({ idle, reconnect, warning, prefix: start, rest }) => ({
    idle,
    reconnect,
    // SPEC §6: the warning comes before a non-zero idle timeout.
    warning: idle === 0 ? warning : Math.min(warning, idle - 1),
    steps: [...start, ...rest],
  }));

// ---------------------------------------------------------------------------
// The runner.

export interface RunStats {
  sequences: number;
  /** Events sent plus time advances. */
  events: number;
  steps: number;
}

export function newStats(): RunStats {
  return { sequences: 0, events: 0, steps: 0 };
}

function describeStep(s: Step): string {
  return JSON.stringify(s);
}

interface Handle {
  readonly unsubscribe: () => void;
  readonly controller: AbortController | null;
}

/**
 * Runs one sequence against a fresh session and the oracle. Returns null when they
 * agree at every step, else a description of the first difference.
 */
export function runSequence(sequence: Sequence, stats?: RunStats): string | null {
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(sequence.idle)
    .setReconnectTimeoutPeriod(sequence.reconnect)
    .setIdleWarningPeriod(sequence.warning)
    .build();
  const log: string[] = [];
  const listenerErrors: unknown[] = [];
  const onListenerError = (error: unknown): void => {
    listenerErrors.push(error);
  };
  let session: CallSession = createCallSession({ settings, clock, onListenerError });
  let model: OracleModel = initialModel({
    idleTimeoutPeriod: sequence.idle,
    reconnectTimeoutPeriod: sequence.reconnect,
    idleWarningPeriod: sequence.warning,
  });

  const where = (): string => `@${session.state}/${String(session.endReason)}`;
  const objects = new Map<ListenerId, SessionStatusListener | ParticipantEventListener>();
  for (const id of LISTENER_IDS) {
    const object: Record<string, (...args: never[]) => void> = {};
    for (const name of CALLBACKS_OF[id]) {
      if (name === 'onParticipantJoined' || name === 'onParticipantLeft') {
        object[name] = (p: object) => log.push(`${id}:${name}:${describeParticipant(p)}${where()}`);
      } else if (name === 'onParticipantListChanged') {
        object[name] = (l: readonly object[]) => {
          const current =
            l === session.participants && Object.isFrozen(l) ? '' : ' (not the frozen session.participants)';
          log.push(`${id}:${name}:${describeList(l)}${current}${where()}`);
        };
      } else if (name === 'onIdleTimeoutWarning') {
        object[name] = (secondsLeft: number) => log.push(`${id}:${name}:${secondsLeft}${where()}`);
      } else {
        object[name] = () => log.push(`${id}:${name}${where()}`);
      }
    }
    objects.set(id, object);
  }

  // Registration order per kind, as the session should keep it.
  const registered: ListenerId[] = [];
  const handles = new Map<ListenerId, Handle>();
  const register = (id: ListenerId, withSignal: boolean): void => {
    const controller = withSignal ? new AbortController() : null;
    const options = controller ? { signal: controller.signal } : undefined;
    const object = objects.get(id)!;
    const unsubscribe = isStatusId(id)
      ? session.addSessionStatusListener(object as SessionStatusListener, options)
      : session.addParticipantEventListener(object as ParticipantEventListener, options);
    handles.set(id, { unsubscribe, controller });
  };
  const removeByMethod = (id: ListenerId): void => {
    const object = objects.get(id)!;
    if (isStatusId(id)) session.removeSessionStatusListener(object as SessionStatusListener);
    else session.removeParticipantEventListener(object as ParticipantEventListener);
  };

  for (const id of ['S0', 'P0'] as const) {
    register(id, false);
    registered.push(id);
  }

  // The warning changes no state: inside it, the state is the one before the step,
  // even when a timeout follows in the same stretch of time.
  let stateBeforeStep = '';
  const expectedLog = (callbacks: readonly string[]): string[] => {
    const after = `@${model.state}/${String(model.endReason)}`;
    const expected: string[] = [];
    for (const callback of callbacks) {
      const name = callback.split(':', 1)[0]!;
      const at = name === 'onIdleTimeoutWarning' ? stateBeforeStep : after;
      const status = !name.startsWith('onParticipant');
      for (const id of registered) {
        if (isStatusId(id) === status && CALLBACKS_OF[id].includes(name)) expected.push(`${id}:${callback}${at}`);
      }
    }
    return expected;
  };

  const compare = (
    index: number,
    s: Step,
    callbacks: readonly string[],
    previousList: readonly unknown[] | null,
  ): string | null => {
    const problems: string[] = [];
    if (session.state !== model.state) problems.push(`state: session ${session.state}, oracle ${model.state}`);
    if (session.endReason !== model.endReason) {
      problems.push(`endReason: session ${String(session.endReason)}, oracle ${String(model.endReason)}`);
    }
    const got = describeList(session.participants);
    const want = describeList(model.participants);
    if (got !== want) problems.push(`participants: session ${got}, oracle ${want}`);
    if (!Object.isFrozen(session.participants)) problems.push('participants: not frozen');
    if (previousList !== null) {
      const changed = callbacks.some((c) => c.startsWith('onParticipantListChanged'));
      if (changed && session.participants === previousList)
        problems.push('participants: the list changed but the array is the same');
      if (!changed && session.participants !== previousList)
        problems.push('participants: a new array but the list did not change');
    }
    const expected = expectedLog(callbacks);
    if (log.length !== expected.length || log.some((entry, i) => entry !== expected[i])) {
      problems.push(`callbacks:\n    session ${JSON.stringify(log)}\n    oracle  ${JSON.stringify(expected)}`);
    }
    if (listenerErrors.length > 0) problems.push(`a listener threw: ${String(listenerErrors[0])}`);
    const saved = session.getPersistedSnapshot();
    if (saved.sessionId !== model.sessionId)
      problems.push(`sessionId: session ${String(saved.sessionId)}, oracle ${String(model.sessionId)}`);
    if (saved.idleDeadline !== model.idleDeadline) {
      problems.push(`idleDeadline: session ${String(saved.idleDeadline)}, oracle ${String(model.idleDeadline)}`);
    }
    if (saved.reconnectDeadline !== model.reconnectDeadline) {
      problems.push(
        `reconnectDeadline: session ${String(saved.reconnectDeadline)}, oracle ${String(model.reconnectDeadline)}`,
      );
    }
    if (session.idleWarningActive !== model.idleWarned) {
      problems.push(`idleWarningActive: session ${session.idleWarningActive}, oracle ${model.idleWarned}`);
    }
    const { idle, reconnect } = session.deadlines;
    if (idle !== model.idleDeadline || reconnect !== model.reconnectDeadline) {
      problems.push(
        `deadlines: session ${JSON.stringify(session.deadlines)}, oracle ${model.idleDeadline}/${model.reconnectDeadline}`,
      );
    }
    if (saved.resumeTo !== model.resumeTo)
      problems.push(`resumeTo: session ${String(saved.resumeTo)}, oracle ${String(model.resumeTo)}`);
    if (problems.length === 0) return null;
    return `step ${index} ${describeStep(s)} (clock ${clock.now()}):\n  ${problems.join('\n  ')}`;
  };

  try {
    for (const [index, s] of sequence.steps.entries()) {
      if (stats) stats.steps++;
      log.length = 0;
      stateBeforeStep = `@${model.state}/${String(model.endReason)}`;
      let callbacks: readonly string[] = [];
      let previousList: readonly unknown[] | null = session.participants;
      switch (s.kind) {
        case 'event': {
          if (stats) stats.events++;
          const result = oracleStep(model, s.event);
          const can = session.can(s.event);
          if (can !== result.accepted) {
            return `step ${index} ${describeStep(s)}: can() is ${can}, oracle says ${result.accepted ? 'taken' : 'ignored'} in ${model.state}`;
          }
          session.send(s.event);
          model = result.model;
          callbacks = result.callbacks;
          break;
        }
        case 'advance': {
          if (stats) stats.events++;
          const result = advance(model, s.ms);
          let left = s.ms;
          do {
            const tick = Math.min(1000, left);
            clock.increment(tick);
            left -= tick;
          } while (left > 0);
          model = result.model;
          callbacks = result.callbacks;
          break;
        }
        case 'add':
          if (registered.includes(s.listener)) {
            // Registered once: a second add changes nothing (its own handle is not kept).
            const object = objects.get(s.listener)!;
            if (isStatusId(s.listener)) session.addSessionStatusListener(object as SessionStatusListener);
            else session.addParticipantEventListener(object as ParticipantEventListener);
          } else {
            register(s.listener, s.withSignal);
            registered.push(s.listener);
          }
          break;
        case 'remove': {
          const at = registered.indexOf(s.listener);
          const handle = handles.get(s.listener);
          if (at === -1 || handle === undefined) {
            removeByMethod(s.listener); // harmless
            break;
          }
          if (s.how === 'unsubscribe') handle.unsubscribe();
          else if (s.how === 'abort' && handle.controller) handle.controller.abort();
          else removeByMethod(s.listener);
          registered.splice(at, 1);
          handles.delete(s.listener);
          break;
        }
        case 'restore': {
          const saved = JSON.parse(JSON.stringify(session.getPersistedSnapshot())) as ReturnType<
            CallSession['getPersistedSnapshot']
          >;
          const old = session;
          const oldState = old.state;
          old.dispose();
          old.send({ type: 'session.leave' });
          old.send({ type: 'connection.closed' });
          if (old.state !== oldState || old.can({ type: 'session.leave' }) || log.length > 0) {
            return `step ${index} restore: the disposed session still reacts (state ${old.state}, log ${JSON.stringify(log)})`;
          }
          session = restoreCallSession(saved, { clock, onListenerError });
          for (const id of registered) register(id, handles.get(id)?.controller != null);
          previousList = null; // a new session has its own array
          break;
        }
      }
      const problem = compare(index, s, callbacks, previousList);
      if (problem !== null) return problem;
    }
    return null;
  } finally {
    session.dispose();
    if (stats) stats.sequences++;
  }
}

/** A readable listing of a sequence, for a divergence report. */
export function formatSequence(sequence: Sequence): string {
  return [
    `settings: idle ${sequence.idle} s, reconnect ${sequence.reconnect} s, warning ${sequence.warning} s`,
    ...sequence.steps.map((s, i) => `  ${i}: ${describeStep(s)}`),
  ].join('\n');
}
