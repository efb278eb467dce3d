// The one oracle harness, shared by test/oracle.test.ts, test/fleet/oracle.test.ts and
// scripts/soak.ts: random sequences of events, clock moves, listener changes and
// persist/restore round trips, run on either runtime (CallSessions, or one fleet) on one
// SimulatedClock, each session compared with its own copy of the SPEC §2 oracle
// (test/oracle.ts) after every step.
//
// Many sequences can run interleaved: the clock is shared, so a time advance of one
// sequence is time passing for all of them (every oracle advances by it, and every
// session's callbacks during it are checked against its own oracle). Listeners belong
// to the runtime: adding or removing one is seen by every session (for CallSessions the
// harness adds it to each, bound to its id). A restore step saves the sequence's session,
// drops it and restores it from JSON (a fleet by `add` or by `restore`, alternately), and
// every third one moves every session through JSON into a new runtime.
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import {
  createCallSessionFleet,
  type CallSessionFleet,
  type FleetParticipantListener,
  type FleetStatusListener,
  type PersistedCallSessionFleet,
} from '../src/fleet/index.js';
import {
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type CallSessionEvent,
  type ListenerOptions,
  type PersistedCallSession,
  type SessionSettings,
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
// The runtimes, behind one interface.

export interface RunStats {
  sequences: number;
  /** Events sent plus time advances. */
  events: number;
  steps: number;
}

export function newStats(): RunStats {
  return { sequences: 0, events: 0, steps: 0 };
}

export type RuntimeName = 'session' | 'fleet';

type Kind = 'status' | 'participant';
/** A listener as the harness writes it: every callback takes the session id first (a fleet's form). */
type IdListener = Record<string, (id: string, ...args: never[]) => void>;

/** What the harness drives: sessions by id, listeners for all of them, restores. */
interface Runtime {
  has(id: string): boolean;
  state(id: string): string;
  endReason(id: string): string | null;
  participants(id: string): readonly object[];
  deadlines(id: string): { idle: number | null; reconnect: number | null };
  idleWarningActive(id: string): boolean;
  persisted(id: string): PersistedCallSession;
  can(id: string, event: CallSessionEvent): boolean;
  send(id: string, event: CallSessionEvent): void;
  add(kind: Kind, listener: IdListener, options?: ListenerOptions): () => void;
  remove(kind: Kind, listener: IdListener): void;
  /** Saves session `id`, drops it and restores it from JSON; a problem, or null. */
  restoreOne(id: string, variant: number): string | null;
  /** Saves every session, disposes this runtime (checking it reacts no more) and restores them into a new one, with no listener. */
  restoreAll(): string | null;
  dispose(): void;
}

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function fleetRuntime(clock: SimulatedClock, onListenerError: (error: unknown) => void, lanes: Lanes): Runtime {
  let fleet: CallSessionFleet = createCallSessionFleet({ clock, onListenerError });
  for (const [id, settings] of lanes) fleet.add(id, { settings });
  return {
    has: (id) => fleet.has(id),
    state: (id) => fleet.state(id),
    endReason: (id) => fleet.endReason(id),
    participants: (id) => fleet.participants(id),
    deadlines: (id) => fleet.deadlines(id),
    idleWarningActive: (id) => fleet.idleWarningActive(id),
    persisted: (id) => fleet.getPersistedSnapshot(id),
    can: (id, event) => fleet.can(id, event),
    send: (id, event) => fleet.send(id, event),
    add: (kind, listener, options) =>
      kind === 'status'
        ? fleet.addSessionStatusListener(listener as FleetStatusListener, options)
        : fleet.addParticipantEventListener(listener as FleetParticipantListener, options),
    remove: (kind, listener) =>
      kind === 'status'
        ? fleet.removeSessionStatusListener(listener as FleetStatusListener)
        : fleet.removeParticipantEventListener(listener as FleetParticipantListener),
    restoreOne(id, variant) {
      const saved = roundTrip(fleet.getPersistedSnapshot(id));
      fleet.remove(id);
      if (fleet.has(id)) return `${id} is still there after remove`;
      if (variant % 2 === 0) fleet.add(id, { snapshot: saved });
      else fleet.restore([[id, saved]]);
      return null;
    },
    restoreAll() {
      const stored = roundTrip(fleet.persist()) as PersistedCallSessionFleet;
      const old = fleet;
      const [first] = lanes[0]!;
      old.dispose();
      old.send(first, { type: 'session.leave' });
      if (old.can(first, { type: 'session.leave' })) return 'the disposed fleet still reacts';
      fleet = createCallSessionFleet({ clock, onListenerError });
      if (fleet.restore(stored) !== lanes.length) return 'restore did not add every session';
      return null;
    },
    dispose: () => fleet.dispose(),
  };
}

/** One registration of the harness on every CallSession: the listener bound to each session's id. */
interface SessionRegistration {
  readonly kind: Kind;
  readonly listener: IdListener;
  readonly options: ListenerOptions | undefined;
  readonly unsubscribes: Map<string, () => void>;
}

function sessionRuntime(clock: SimulatedClock, onListenerError: (error: unknown) => void, lanes: Lanes): Runtime {
  const sessions = new Map<string, CallSession>();
  const settingsOf = new Map(lanes);
  for (const [id, settings] of lanes) sessions.set(id, createCallSession({ settings, clock, onListenerError }));
  const session = (id: string): CallSession => sessions.get(id)!;
  // One bound object per (listener, session), so that adding it twice registers it once.
  const bound = new WeakMap<IdListener, Map<string, object>>();
  const boundTo = (listener: IdListener, id: string): object => {
    let byId = bound.get(listener);
    if (!byId) bound.set(listener, (byId = new Map()));
    let object = byId.get(id);
    if (!object) {
      const callbacks: Record<string, (...args: never[]) => void> = {};
      for (const name of Object.keys(listener)) callbacks[name] = (...args) => listener[name]!(id, ...args);
      byId.set(id, (object = callbacks));
    }
    return object;
  };
  let registrations: SessionRegistration[] = [];
  const attach = (registration: SessionRegistration, id: string): void => {
    const object = boundTo(registration.listener, id);
    const target = session(id);
    registration.unsubscribes.set(
      id,
      registration.kind === 'status'
        ? target.addSessionStatusListener(object, registration.options)
        : target.addParticipantEventListener(object, registration.options),
    );
  };
  const forget = (registration: SessionRegistration): void => {
    registrations = registrations.filter((r) => r !== registration);
  };
  const restoreSession = (id: string): string | null => {
    const old = session(id);
    const saved = roundTrip(old.getPersistedSnapshot());
    const state = old.state;
    old.dispose();
    old.send({ type: 'session.leave' });
    old.send({ type: 'connection.closed' });
    if (old.state !== state || old.can({ type: 'session.leave' })) return `${id}: the disposed session still reacts`;
    sessions.set(id, restoreCallSession(saved, { clock, onListenerError }));
    return null;
  };
  return {
    has: (id) => sessions.has(id),
    state: (id) => session(id).state,
    endReason: (id) => session(id).endReason,
    participants: (id) => session(id).participants,
    deadlines: (id) => session(id).deadlines,
    idleWarningActive: (id) => session(id).idleWarningActive,
    persisted: (id) => session(id).getPersistedSnapshot(),
    can: (id, event) => session(id).can(event),
    send: (id, event) => session(id).send(event),
    add(kind, listener, options) {
      const existing = registrations.find((r) => r.listener === listener);
      if (existing) {
        // Registered once: adding it again changes nothing, on every session.
        for (const id of sessions.keys()) attach({ ...existing, unsubscribes: new Map() }, id);
        return () => this.remove(kind, listener);
      }
      const registration: SessionRegistration = { kind, listener, options, unsubscribes: new Map() };
      registrations.push(registration);
      options?.signal?.addEventListener('abort', () => forget(registration), { once: true });
      for (const id of sessions.keys()) attach(registration, id);
      // The unsubscribe each session returned, called on every one of them.
      return () => {
        for (const unsubscribe of registration.unsubscribes.values()) unsubscribe();
        forget(registration);
      };
    },
    remove(kind, listener) {
      for (const id of sessions.keys()) {
        const object = boundTo(listener, id);
        if (kind === 'status') session(id).removeSessionStatusListener(object);
        else session(id).removeParticipantEventListener(object);
      }
      const registration = registrations.find((r) => r.listener === listener);
      if (registration) forget(registration);
    },
    restoreOne(id) {
      const problem = restoreSession(id);
      // The runtime's listeners, in the order added, on the restored session.
      for (const registration of registrations) attach(registration, id);
      return problem;
    },
    restoreAll() {
      for (const id of settingsOf.keys()) {
        const problem = restoreSession(id);
        if (problem !== null) return problem;
      }
      registrations = [];
      return null;
    },
    dispose: () => {
      for (const s of sessions.values()) s.dispose();
    },
  };
}

type Lanes = readonly (readonly [id: string, settings: SessionSettings])[];

// ---------------------------------------------------------------------------
// The runner.

/** Sequences to run interleaved on one runtime, and the order their steps are taken in. */
export interface Interleaving {
  readonly sequences: readonly Sequence[];
  /** Which sequence takes the next step: `picks[k] % (sequences with steps left)`; round robin after the last pick. */
  readonly picks: readonly number[];
}

export const interleavingArb = (maxSequences = 6): fc.Arbitrary<Interleaving> =>
  fc.record({
    sequences: fc.array(sequenceArb, { minLength: 1, maxLength: maxSequences }),
    picks: fc.array(fc.nat({ max: 1000 }), { maxLength: 300 }),
  });

export function formatInterleaving({ sequences, picks }: Interleaving): string {
  return [
    ...sequences.map((sequence, i) => `sequence q${i}: ${formatSequence(sequence)}`),
    `picks: ${JSON.stringify(picks)}`,
  ].join('\n');
}

interface Lane {
  readonly id: string;
  readonly sequence: Sequence;
  next: number;
  model: OracleModel;
  readonly log: string[];
  stateBeforeStep: string;
}

interface Handle {
  readonly unsubscribe: () => void;
  readonly controller: AbortController | null;
}

const describeStep = (lane: Lane, s: Step): string => `${lane.id} step ${lane.next - 1} ${JSON.stringify(s)}`;

/** Runs one sequence on one CallSession against the oracle: null when they agree at every step, else the first difference. */
export function runSequence(sequence: Sequence, stats?: RunStats): string | null {
  return runInterleaved({ sequences: [sequence], picks: [] }, 'session', stats);
}

/**
 * Runs the sequences interleaved on one runtime (CallSessions or one fleet) on one clock,
 * each session against its own oracle. Returns null when every session agrees with its
 * oracle at every step, else the first difference.
 */
export function runInterleaved(
  { sequences, picks }: Interleaving,
  runtimeName: RuntimeName = 'fleet',
  stats?: RunStats,
): string | null {
  const clock = new SimulatedClock();
  const listenerErrors: unknown[] = [];
  const onListenerError = (error: unknown): void => {
    listenerErrors.push(error);
  };
  const lanes: Lane[] = sequences.map((sequence, i) => ({
    id: `q${i}`,
    sequence,
    next: 0,
    model: initialModel({
      idleTimeoutPeriod: sequence.idle,
      reconnectTimeoutPeriod: sequence.reconnect,
      idleWarningPeriod: sequence.warning,
    }),
    log: [],
    stateBeforeStep: '',
  }));
  const laneSettings: Lanes = lanes.map((lane) => [
    lane.id,
    new SessionSettingsBuilder()
      .setIdleTimeoutPeriod(lane.sequence.idle)
      .setReconnectTimeoutPeriod(lane.sequence.reconnect)
      .setIdleWarningPeriod(lane.sequence.warning)
      .build(),
  ]);
  const runtime = (runtimeName === 'fleet' ? fleetRuntime : sessionRuntime)(clock, onListenerError, laneSettings);
  const laneOf = new Map(lanes.map((lane) => [lane.id, lane]));
  const where = (id: string): string => `@${runtime.state(id)}/${String(runtime.endReason(id))}`;
  const logOf = (id: string): string[] => laneOf.get(id)?.log ?? [`callback for an unknown session ${id}`];
  const objects = new Map<ListenerId, IdListener>();
  for (const listenerId of LISTENER_IDS) {
    const object: Record<string, (id: string, ...args: never[]) => void> = {};
    for (const name of CALLBACKS_OF[listenerId]) {
      if (name === 'onParticipantJoined' || name === 'onParticipantLeft') {
        object[name] = (id: string, p: object) =>
          logOf(id).push(`${listenerId}:${name}:${describeParticipant(p)}${where(id)}`);
      } else if (name === 'onParticipantListChanged') {
        object[name] = (id: string, l: readonly object[]) => {
          const current = l === runtime.participants(id) && Object.isFrozen(l) ? '' : ' (not the frozen participants)';
          logOf(id).push(`${listenerId}:${name}:${describeList(l)}${current}${where(id)}`);
        };
      } else if (name === 'onIdleTimeoutWarning') {
        object[name] = (id: string, secondsLeft: number) =>
          logOf(id).push(`${listenerId}:${name}:${secondsLeft}${where(id)}`);
      } else {
        object[name] = (id: string) => logOf(id).push(`${listenerId}:${name}${where(id)}`);
      }
    }
    objects.set(listenerId, object);
  }
  const kindOf = (listenerId: ListenerId): Kind => (isStatusId(listenerId) ? 'status' : 'participant');

  // Registration order per kind, as the runtime should keep it.
  const registered: ListenerId[] = [];
  const handles = new Map<ListenerId, Handle>();
  const register = (listenerId: ListenerId, withSignal: boolean): void => {
    const controller = withSignal ? new AbortController() : null;
    const options = controller ? { signal: controller.signal } : undefined;
    const unsubscribe = runtime.add(kindOf(listenerId), objects.get(listenerId)!, options);
    handles.set(listenerId, { unsubscribe, controller });
  };
  const removeByMethod = (listenerId: ListenerId): void => runtime.remove(kindOf(listenerId), objects.get(listenerId)!);
  for (const listenerId of ['S0', 'P0'] as const) {
    register(listenerId, false);
    registered.push(listenerId);
  }

  // The warning changes no state: inside it, the state is the one before the step,
  // even when a timeout follows in the same stretch of time.
  const expectedLog = (lane: Lane, callbacks: readonly string[]): string[] => {
    const after = `@${lane.model.state}/${String(lane.model.endReason)}`;
    const expected: string[] = [];
    for (const callback of callbacks) {
      const name = callback.split(':', 1)[0]!;
      const at = name === 'onIdleTimeoutWarning' ? lane.stateBeforeStep : after;
      const status = !name.startsWith('onParticipant');
      for (const listenerId of registered) {
        if (isStatusId(listenerId) === status && CALLBACKS_OF[listenerId].includes(name))
          expected.push(`${listenerId}:${callback}${at}`);
      }
    }
    return expected;
  };

  const compare = (lane: Lane, callbacks: readonly string[], previousList: readonly unknown[] | null): string[] => {
    const { id, model } = lane;
    const problems: string[] = [];
    if (!runtime.has(id)) return [`the ${runtimeName} lost session ${id}`];
    const state = runtime.state(id);
    if (state !== model.state) problems.push(`state: ${runtimeName} ${state}, oracle ${model.state}`);
    if (runtime.endReason(id) !== model.endReason) {
      problems.push(`endReason: ${runtimeName} ${String(runtime.endReason(id))}, oracle ${String(model.endReason)}`);
    }
    const participants = runtime.participants(id);
    const got = describeList(participants);
    const want = describeList(model.participants);
    if (got !== want) problems.push(`participants: ${runtimeName} ${got}, oracle ${want}`);
    if (!Object.isFrozen(participants)) problems.push('participants: not frozen');
    if (previousList !== null) {
      const changed = callbacks.some((c) => c.startsWith('onParticipantListChanged'));
      if (changed && participants === previousList)
        problems.push('participants: the list changed but the array is the same');
      if (!changed && participants !== previousList)
        problems.push('participants: a new array but the list did not change');
    }
    const expected = expectedLog(lane, callbacks);
    const { log } = lane;
    if (log.length !== expected.length || log.some((entry, i) => entry !== expected[i])) {
      problems.push(`callbacks:\n    ${runtimeName} ${JSON.stringify(log)}\n    oracle ${JSON.stringify(expected)}`);
    }
    const saved = runtime.persisted(id);
    if (saved.sessionId !== model.sessionId)
      problems.push(`sessionId: ${runtimeName} ${String(saved.sessionId)}, oracle ${String(model.sessionId)}`);
    if (saved.idleDeadline !== model.idleDeadline || saved.reconnectDeadline !== model.reconnectDeadline) {
      problems.push(
        `persisted deadlines: ${runtimeName} ${saved.idleDeadline}/${saved.reconnectDeadline}, oracle ${model.idleDeadline}/${model.reconnectDeadline}`,
      );
    }
    const { idle, reconnect } = runtime.deadlines(id);
    if (idle !== model.idleDeadline || reconnect !== model.reconnectDeadline) {
      problems.push(
        `deadlines: ${runtimeName} ${idle}/${reconnect}, oracle ${model.idleDeadline}/${model.reconnectDeadline}`,
      );
    }
    if (runtime.idleWarningActive(id) !== model.idleWarned) {
      problems.push(`idleWarningActive: ${runtimeName} ${runtime.idleWarningActive(id)}, oracle ${model.idleWarned}`);
    }
    if (saved.resumeTo !== model.resumeTo)
      problems.push(`resumeTo: ${runtimeName} ${String(saved.resumeTo)}, oracle ${String(model.resumeTo)}`);
    return problems.map((problem) => `${id}: ${problem}`);
  };

  let restores = 0;
  let pick = 0;
  let roundRobin = 0;
  try {
    for (;;) {
      const live = lanes.filter((lane) => lane.next < lane.sequence.steps.length);
      if (live.length === 0) return null;
      const lane = pick < picks.length ? live[picks[pick++]! % live.length]! : live[roundRobin++ % live.length]!;
      const s = lane.sequence.steps[lane.next++]!;
      if (stats) stats.steps++;
      const previousLists = new Map(lanes.map((l) => [l.id, runtime.participants(l.id) as readonly unknown[] | null]));
      for (const l of lanes) {
        l.log.length = 0;
        l.stateBeforeStep = `@${l.model.state}/${String(l.model.endReason)}`;
      }
      const callbacks = new Map<string, readonly string[]>();
      switch (s.kind) {
        case 'event': {
          if (stats) stats.events++;
          const result = oracleStep(lane.model, s.event);
          const can = runtime.can(lane.id, s.event);
          if (can !== result.accepted) {
            return `${describeStep(lane, s)}: can() is ${can}, oracle says ${result.accepted ? 'taken' : 'ignored'} in ${lane.model.state}`;
          }
          runtime.send(lane.id, s.event);
          lane.model = result.model;
          callbacks.set(lane.id, result.callbacks);
          break;
        }
        case 'advance': {
          if (stats) stats.events++;
          for (const l of lanes) {
            const result = advance(l.model, s.ms);
            l.model = result.model;
            callbacks.set(l.id, result.callbacks);
          }
          let left = s.ms;
          do {
            const tick = Math.min(1000, left);
            clock.increment(tick);
            left -= tick;
          } while (left > 0);
          break;
        }
        case 'add':
          if (registered.includes(s.listener)) {
            // Registered once: a second add changes nothing (its own handle is not kept).
            runtime.add(kindOf(s.listener), objects.get(s.listener)!);
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
          restores++;
          const whole = restores % 3 === 0;
          const problem = whole ? runtime.restoreAll() : runtime.restoreOne(lane.id, restores);
          if (problem !== null) return `${describeStep(lane, s)}: ${problem}`;
          if (lanes.some((l) => l.log.length > 0)) return `${describeStep(lane, s)}: a callback during the restore`;
          if (whole) {
            for (const listenerId of registered) register(listenerId, handles.get(listenerId)?.controller != null);
            for (const l of lanes) previousLists.set(l.id, null);
          } else {
            previousLists.set(lane.id, null);
          }
          break;
        }
      }
      const problems = lanes.flatMap((l) => compare(l, callbacks.get(l.id) ?? [], previousLists.get(l.id)!));
      if (listenerErrors.length > 0) problems.push(`a listener threw: ${String(listenerErrors[0])}`);
      if (problems.length > 0) return `${describeStep(lane, s)} (clock ${clock.now()}):\n  ${problems.join('\n  ')}`;
    }
  } finally {
    runtime.dispose();
    if (stats) stats.sequences += lanes.length;
  }
}

/** A readable listing of a sequence, for a divergence report. */
export function formatSequence(sequence: Sequence): string {
  return [
    `settings: idle ${sequence.idle} s, reconnect ${sequence.reconnect} s, warning ${sequence.warning} s`,
    ...sequence.steps.map((s, i) => `  ${i}: ${JSON.stringify(s)}`),
  ].join('\n');
}
