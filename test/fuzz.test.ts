// SPEC §4 under fuzzing: random non-conforming values (fast-check's `anything` with every
// option, huge strings, deep, cyclic and `__proto__`-laden objects, hostile getters) as
// whole events, payload fields, settings and createCallSession options. Each one either
// throws the error SPEC §4 names (TypeError for events and non-number settings,
// RangeError for numbers out of range) and changes nothing, or is valid and is accepted.
// No other error type ever escapes, `can()` never throws, and no prototype is polluted.
// The validity oracles below are written from SPEC §2-4, not from src/.
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  CallSession,
  createCallSession,
  MAX_PERIOD_SECONDS,
  SessionSettingsBuilder,
  type CallSessionEvent,
  type CallSessionOptions,
  type PersistedCallSession,
  type SessionTypeValue,
} from '../src/index.js';
import { restoreCallSession } from '../src/persistence/restore.js';

const MAX = 2_147_483;
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

/** Values typed loosely on purpose: the point is to pass what the types forbid. */
const loose = <T>(value: unknown): T => value as T;

const sessions: CallSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

// ---------------------------------------------------------------------------
// Prototype pollution canary

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
let ownKeysBefore: PropertyKey[][] = [];
beforeAll(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  ownKeysBefore = PROTOTYPES.map((proto) => Reflect.ownKeys(proto));
});

function expectUnpolluted(): void {
  const probe = {} as Record<string, unknown>;
  if (probe.polluted !== undefined || probe.isLocal !== undefined || probe.uid !== undefined || 'polluted' in []) {
    throw new Error('Object.prototype or Array.prototype was polluted');
  }
  PROTOTYPES.forEach((proto, i) => {
    const keys = Reflect.ownKeys(proto);
    const before = ownKeysBefore[i]!;
    if (keys.length !== before.length || keys.some((key, j) => key !== before[j])) {
      expect(keys).toEqual(before);
    }
  });
}
afterAll(expectUnpolluted);

// ---------------------------------------------------------------------------
// Oracles from the SPEC

const EVENT_TYPES = [
  'session.join',
  'session.joined',
  'session.joinFailed',
  'session.leave',
  'session.removed',
  'participant.joined',
  'participant.left',
  'connection.lost',
  'connection.restored',
  'connection.closed',
] as const;
const SPEC_FIELDS = ['uid', 'pid', 'name', 'avatar', 'isLocal'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmptyString = (value: unknown): boolean => typeof value === 'string' && value.length > 0;

/** SPEC §2: `{uid?, pid?, name?, avatar?: string, isLocal?: boolean}` with a non-empty uid or pid. */
function isValidParticipant(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const field of ['uid', 'pid', 'name', 'avatar']) {
    if (value[field] !== undefined && typeof value[field] !== 'string') return false;
  }
  if (value.isLocal !== undefined && typeof value.isLocal !== 'boolean') return false;
  return nonEmptyString(value.uid) || nonEmptyString(value.pid);
}

function isValidList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!isValidParticipant(value[i])) return false;
  return true;
}

/** SPEC §2 and §4: an object with a known type and the fields that type needs. */
function isValidEvent(value: unknown): boolean {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'session.join':
      return nonEmptyString(value.sessionId);
    case 'session.joined':
    case 'connection.restored':
      return value.participants === undefined || isValidList(value.participants);
    case 'participant.joined':
    case 'participant.left':
      return isValidParticipant(value.participant);
    case 'session.joinFailed':
    case 'session.leave':
    case 'session.removed':
    case 'connection.lost':
    case 'connection.closed':
      return true;
    default:
      return false;
  }
}

type ErrorClass = typeof TypeError | typeof RangeError;

/** SPEC §4 for one period setting: undefined → default, non-number → TypeError, else range. */
function periodError(value: unknown): ErrorClass | null {
  if (value === undefined) return null;
  if (typeof value !== 'number') return TypeError;
  return Number.isInteger(value) && value >= 0 && value <= MAX ? null : RangeError;
}

/** Runs `act`; returns the error it threw, or `undefined`. */
function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error ?? new Error('threw a nullish value');
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Arbitraries

const KEYS = fc.oneof(
  fc.constantFrom(
    'type',
    'sessionId',
    'participant',
    'participants',
    'error',
    ...SPEC_FIELDS,
    '__proto__',
    'constructor',
    'prototype',
    'polluted',
    'toString',
    'valueOf',
    'idleTimeoutPeriod',
    'reconnectTimeoutPeriod',
  ),
  fc.string({ maxLength: 8 }),
);

const LEAVES: fc.Arbitrary<unknown>[] = [
  fc.constantFrom<unknown>(
    ...EVENT_TYPES,
    '',
    'a',
    'alice',
    'VIDEO',
    'AUDIO',
    '__proto__',
    true,
    false,
    0,
    -0,
    1,
    MAX,
    MAX + 1,
  ),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.bigInt(),
  fc.constant(null),
  fc.constant(undefined),
];

const ANYTHING = fc.anything({
  key: KEYS,
  values: LEAVES,
  maxDepth: 3,
  maxKeys: 6,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  withUnicodeString: true,
});

/** Re-parsed through JSON: `__proto__` keys become own data properties, as from a server. */
const JSON_PARSED = fc
  .object({ key: KEYS, values: [fc.constantFrom<unknown>(...EVENT_TYPES, '', 'a', true, 1, null)], maxDepth: 3 })
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** A payload field: mostly plausible strings (so that many events are valid), sometimes anything. */
const FIELD = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>('a', 'b', 'alice', undefined, undefined, '') },
  { weight: 2, arbitrary: fc.string({ maxLength: 4 }) },
  { weight: 1, arbitrary: ANYTHING },
);

const PARTICIPANT = fc.oneof(
  { weight: 1, arbitrary: ANYTHING },
  { weight: 1, arbitrary: JSON_PARSED },
  {
    weight: 6,
    arbitrary: fc.record(
      {
        uid: FIELD,
        pid: FIELD,
        name: FIELD,
        avatar: FIELD,
        isLocal: fc.oneof({ weight: 3, arbitrary: fc.constantFrom<unknown>(false, true, undefined) }, ANYTHING),
        role: ANYTHING,
        ['__proto__']: ANYTHING,
      },
      { requiredKeys: [] },
    ),
  },
);

const EVENT_WITH_PAYLOAD = fc.record(
  {
    type: fc.constantFrom(...EVENT_TYPES),
    sessionId: FIELD,
    participant: PARTICIPANT,
    participants: fc.oneof(ANYTHING, fc.array(PARTICIPANT, { maxLength: 4 })),
    error: ANYTHING,
    ['__proto__']: ANYTHING,
  },
  { requiredKeys: ['type'] },
);

const NULL_PROTO_EVENT = EVENT_WITH_PAYLOAD.map((event) => Object.assign(Object.create(null) as object, event));

// ---------------------------------------------------------------------------
// Sessions in each non-final state, listened to

type Start = 'idle' | 'joining' | 'joined.alone' | 'joined.accompanied' | 'reconnecting';
const STARTS: Start[] = ['idle', 'joining', 'joined.alone', 'joined.accompanied', 'reconnecting'];

interface Harness {
  session: CallSession;
  clock: SimulatedClock;
  calls: string[];
}

function sessionIn(start: Start): Harness {
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(10).setReconnectTimeoutPeriod(30).build();
  const session = createCallSession({ settings, clock });
  sessions.push(session);
  if (start !== 'idle') session.join('s1');
  if (start === 'joined.alone' || start === 'reconnecting') session.send({ type: 'session.joined' });
  if (start === 'joined.accompanied') session.send({ type: 'session.joined', participants: [{ uid: 'alice' }] });
  if (start === 'reconnecting') session.send({ type: 'connection.lost' });
  const calls: string[] = [];
  session.addSessionStatusListener(new Proxy({}, { get: (_target, name) => () => calls.push(String(name)) }));
  session.addParticipantEventListener({
    onParticipantJoined: () => calls.push('onParticipantJoined'),
    onParticipantLeft: () => calls.push('onParticipantLeft'),
    onParticipantListChanged: () => calls.push('onParticipantListChanged'),
  });
  return { session, clock, calls };
}

/** Every stored participant is a frozen, clean copy holding only SPEC fields of the right types. */
function expectSaneParticipants(session: CallSession): void {
  const list = session.participants;
  expect(Object.isFrozen(list)).toBe(true);
  for (const p of list) {
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    for (const key of Reflect.ownKeys(p)) expect(SPEC_FIELDS).toContain(key);
    for (const field of ['uid', 'pid', 'name', 'avatar'] as const) {
      if (p[field] !== undefined) expect(typeof p[field]).toBe('string');
    }
    expect(p.isLocal === undefined || p.isLocal === false).toBe(true);
    expect(nonEmptyString(p.uid) || nonEmptyString(p.pid)).toBe(true);
  }
}

/**
 * Sends `value` to a session in `start`. Invalid per the oracle: a TypeError, and
 * nothing changed (state, participants, endReason, persisted snapshot, callbacks).
 * Valid: accepted without a throw. `can()` never throws, and is false for invalid input.
 */
function checkEvent(start: Start, value: unknown): void {
  const harness = sessionIn(start);
  const { session, calls } = harness;
  const state = session.state;
  const participants = session.participants;
  const persisted = JSON.stringify(session.getPersistedSnapshot());
  let can: unknown;
  expect(() => (can = session.can(loose<CallSessionEvent>(value)))).not.toThrow();
  expect(typeof can).toBe('boolean');
  const error = thrownBy(() => session.send(loose<CallSessionEvent>(value)));
  if (!isValidEvent(value)) {
    expect(can).toBe(false);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(RangeError);
    expect(session.state).toBe(state);
    expect(session.participants).toBe(participants);
    expect(session.endReason).toBeNull();
    expect(JSON.stringify(session.getPersistedSnapshot())).toBe(persisted);
    expect(calls).toEqual([]);
  } else {
    expect(error).toBeUndefined();
    if (can === false) {
      expect(session.state).toBe(state);
      expect(session.participants).toBe(participants);
      expect(calls).toEqual([]);
    }
  }
  expectSaneParticipants(session);
  expect(session.actor.getSnapshot().status === 'error').toBe(false);
  expectUnpolluted();
}

const START = fc.constantFrom(...STARTS);

describe('fuzzed events', () => {
  test('fc.anything() as a whole event', () => {
    fc.assert(fc.property(START, fc.oneof(ANYTHING, JSON_PARSED), checkEvent), { numRuns: RUNS });
  });

  test('known types with fuzzed payload fields (sessionId, participant, participants, error)', () => {
    fc.assert(fc.property(START, EVENT_WITH_PAYLOAD, checkEvent), { numRuns: RUNS * 2 });
  });

  test('the same with null-prototype events', () => {
    fc.assert(fc.property(START, NULL_PROTO_EVENT, checkEvent), { numRuns: RUNS / 2 });
  });

  test('join(anything): a non-empty string is taken, anything else is a TypeError in idle', () => {
    fc.assert(
      fc.property(fc.oneof(ANYTHING, fc.string()), (sessionId) => {
        const { session, calls } = sessionIn('idle');
        const error = thrownBy(() => session.join(loose<string>(sessionId)));
        if (nonEmptyString(sessionId)) {
          expect(error).toBeUndefined();
          expect(session.state).toBe('joining');
        } else {
          expect(error).toBeInstanceOf(TypeError);
          expect(session.state).toBe('idle');
        }
        expect(calls).toEqual([]);
      }),
      { numRuns: RUNS / 2 },
    );
  });
});

describe('fuzzed settings', () => {
  const NUMBERISH = fc.oneof(
    ANYTHING,
    fc.double(),
    fc.integer({ min: -10, max: MAX + 10 }),
    fc.integer({ min: MAX - 10, max: MAX + 10 }),
    fc.bigInt(),
    fc.constantFrom<unknown>(
      0,
      -0,
      MAX,
      MAX + 1,
      2 ** 31,
      2 ** 53,
      1e21,
      Number.MIN_VALUE,
      Number.EPSILON,
      '5',
      new Number(5),
    ),
  );

  test.each([
    ['setIdleTimeoutPeriod', 'idleTimeoutPeriod'],
    ['setReconnectTimeoutPeriod', 'reconnectTimeoutPeriod'],
  ] as const)('%s(anything): TypeError for a non-number, RangeError out of range, else taken', (setter, field) => {
    fc.assert(
      fc.property(NUMBERISH, (value) => {
        const builder = new SessionSettingsBuilder()[setter](17);
        const expected = periodError(value);
        const error = thrownBy(() => builder[setter](loose<number>(value)));
        if (value === undefined) {
          // Not a number: the setter has no default to fall back on.
          expect(error).toBeInstanceOf(TypeError);
          expect(builder.build()[field]).toBe(17);
        } else if (expected === null) {
          expect(error).toBeUndefined();
          expect(builder.build()[field]).toBe(value);
        } else {
          expect(error).toBeInstanceOf(expected);
          if (expected === TypeError) expect(error).not.toBeInstanceOf(RangeError);
          expect((error as Error).message).toContain(field);
          expect(builder.build()[field]).toBe(17);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('setType(anything): VIDEO and AUDIO are taken, anything else is a TypeError', () => {
    fc.assert(
      fc.property(
        fc.oneof(ANYTHING, fc.constantFrom<unknown>('VIDEO', 'AUDIO', 'video', new String('VIDEO'))),
        (value) => {
          const builder = new SessionSettingsBuilder().setType('AUDIO');
          const error = thrownBy(() => builder.setType(loose<SessionTypeValue>(value)));
          if (value === 'VIDEO' || value === 'AUDIO') {
            expect(error).toBeUndefined();
            expect(builder.build().type).toBe(value);
          } else {
            expect(error).toBeInstanceOf(TypeError);
            expect(builder.build().type).toBe('AUDIO');
          }
        },
      ),
      { numRuns: RUNS / 2 },
    );
  });
});

// null settings fields are left to a dedicated test below.
const SETTING = fc.oneof(
  ANYTHING.filter((value) => value !== null),
  fc.integer({ min: -3, max: MAX + 3 }),
  fc.constantFrom<unknown>(0, 1, 300, MAX, MAX + 1, 1.5, -1, Number.NaN),
);
const SETTINGS_RECORD = fc.record(
  {
    idleTimeoutPeriod: SETTING,
    reconnectTimeoutPeriod: SETTING,
    type: fc.oneof(
      fc.constantFrom<unknown>('VIDEO', 'AUDIO'),
      ANYTHING.filter((value) => value !== null),
    ),
  },
  { requiredKeys: [] },
);

describe('fuzzed createCallSession options', () => {
  const SETTINGS = fc.oneof(ANYTHING, SETTINGS_RECORD);
  const GOOD_CLOCK = fc.constant(null).map(() => new SimulatedClock());
  const OPTIONS = fc.oneof(
    ANYTHING,
    fc.record(
      {
        settings: SETTINGS,
        clock: fc.oneof(GOOD_CLOCK, ANYTHING),
        onListenerError: fc.oneof(
          fc.constant(() => undefined),
          ANYTHING,
        ),
        inspect: ANYTHING,
        snapshot: ANYTHING,
      },
      { requiredKeys: [] },
    ),
  );

  /** The errors SPEC §3-4 allow for `options`; `mayPass` when an unchecked field leaves it open. */
  function expectation(options: unknown): { errors: Set<ErrorClass>; mayPass: boolean } {
    const errors = new Set<ErrorClass>();
    let mayPass = true;
    if (options === undefined) return { errors, mayPass };
    if (typeof options !== 'object' || options === null) return { errors: new Set([TypeError]), mayPass: false };
    const { settings, clock, onListenerError, inspect, snapshot } = options as Record<string, unknown>;
    if (settings !== undefined) {
      if (typeof settings !== 'object' || settings === null) errors.add(TypeError);
      else {
        const s = settings as Record<string, unknown>;
        for (const field of ['idleTimeoutPeriod', 'reconnectTimeoutPeriod']) {
          const error = periodError(s[field]);
          if (error) errors.add(error);
        }
        if (s.type !== undefined && s.type !== 'VIDEO' && s.type !== 'AUDIO') errors.add(TypeError);
      }
    }
    if (clock !== undefined && !(clock instanceof SimulatedClock)) errors.add(TypeError);
    if (onListenerError !== undefined && typeof onListenerError !== 'function') errors.add(TypeError);
    // fast-check builds no persisted session by chance: any snapshot here is foreign.
    if (snapshot !== undefined) errors.add(TypeError);
    if (errors.size > 0) mayPass = false;
    // SPEC is silent on inspect: a value that is no observer (null too) may be refused with a TypeError.
    if (inspect !== undefined && typeof inspect !== 'function') errors.add(TypeError);
    return { errors, mayPass };
  }

  test('either the error SPEC §4 names, with nothing created, or a working session', () => {
    fc.assert(
      fc.property(OPTIONS, (options) => {
        const previous = createCallSession({ clock: new SimulatedClock() });
        sessions.push(previous);
        const { errors, mayPass } = expectation(options);
        let created: CallSession | undefined;
        const error = thrownBy(() => (created = createCallSession(loose<CallSessionOptions>(options))));
        if (created) sessions.push(created);
        if (error === undefined) {
          expect(mayPass).toBe(true);
          expect(created!.state).toBe('idle');
          expect(CallSession.getInstance()).toBe(created);
          expect(() => created!.can(loose<CallSessionEvent>(options))).not.toThrow();
        } else {
          expect([...errors].some((ErrorType) => error instanceof ErrorType)).toBe(true);
          expect(CallSession.getInstance()).toBe(previous);
        }
        expectUnpolluted();
      }),
      { numRuns: RUNS },
    );
  });

  test.each([
    ['idleTimeoutPeriod', { idleTimeoutPeriod: null }],
    ['reconnectTimeoutPeriod', { reconnectTimeoutPeriod: null }],
  ])('settings with %s: null is a non-number, so a TypeError (not silently the default)', (_field, settings) => {
    expect(() => createCallSession({ clock: new SimulatedClock(), settings: loose(settings) })).toThrow(TypeError);
  });
});

describe('fuzzed persisted snapshots', () => {
  /** Real persisted sessions in each state, made on a SimulatedClock. */
  function persistedIn(state: string): PersistedCallSession {
    const clock = new SimulatedClock();
    const session = createCallSession({ clock });
    sessions.push(session);
    const steps: Record<string, () => void> = {
      idle: () => undefined,
      joining: () => session.join('s1'),
      'joined.alone': () => {
        session.join('s1');
        session.send({ type: 'session.joined' });
      },
      'joined.accompanied': () => {
        session.join('s1');
        session.send({ type: 'session.joined', participants: [{ uid: 'a', name: 'A' }] });
      },
      reconnecting: () => {
        session.join('s1');
        session.send({ type: 'session.joined', participants: [{ pid: 'p' }] });
        session.send({ type: 'connection.lost' });
      },
      left: () => {
        session.join('s1');
        session.send({ type: 'session.joined' });
        session.leave();
      },
    };
    steps[state]!();
    return session.getPersistedSnapshot();
  }
  const STATES = ['idle', 'joining', 'joined.alone', 'joined.accompanied', 'reconnecting', 'left'];
  const FIELDS = [
    'format',
    'version',
    'state',
    'resumeTo',
    'sessionId',
    'participants',
    'settings',
    'idleDeadline',
    'reconnectDeadline',
    'endReason',
  ] as const;

  test('fc.anything() as a snapshot is a TypeError', () => {
    fc.assert(
      fc.property(ANYTHING, (snapshot) => {
        const error = thrownBy(() => restoreCallSession(loose(snapshot), { clock: new SimulatedClock() }));
        if (snapshot === undefined) return;
        expect(error).toBeInstanceOf(TypeError);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  test('one field of a real snapshot replaced by anything: a TypeError, or a sane restored session', () => {
    const bases = new Map(STATES.map((state) => [state, persistedIn(state)]));
    fc.assert(
      fc.property(
        fc.constantFrom(...STATES),
        fc.constantFrom(...FIELDS),
        fc.option(
          fc.oneof(
            ANYTHING,
            SETTINGS_RECORD,
            PARTICIPANT.map((p) => [p]),
            fc.constantFrom<unknown>(...STATES, 0, 1e13, -1e13),
          ),
          { nil: undefined },
        ),
        (state, field, value) => {
          const snapshot = { ...bases.get(state)!, [field]: value };
          const clock = new SimulatedClock();
          let restored: CallSession | undefined;
          const error = thrownBy(() => (restored = restoreCallSession(loose(snapshot), { clock })));
          if (restored) sessions.push(restored);
          if (error !== undefined) {
            // Malformed → TypeError (addendum); saved settings out of range give the settings' RangeError.
            if (field === 'settings' && error instanceof RangeError) return;
            expect(error).toBeInstanceOf(TypeError);
            return;
          }
          const session = restored!;
          expect([
            'idle',
            'joining',
            'joined.alone',
            'joined.accompanied',
            'reconnecting',
            'left',
            'timedOut',
            'closed',
          ]).toContain(session.state);
          expectSaneParticipants(session);
          expect(() => session.can(loose<CallSessionEvent>(value))).not.toThrow();
          expect(() => clock.increment(1_000)).not.toThrow();
          expect(() => session.send({ type: 'connection.lost' })).not.toThrow();
          expect(session.actor.getSnapshot().status === 'error').toBe(false);
          expectUnpolluted();
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('a deadline further away than its period is refused, and the snapshot is left as it was', () => {
    const original = createCallSession();
    sessions.push(original);
    original.join('s1');
    original.send({ type: 'session.joined' });
    const snapshot = { ...original.getPersistedSnapshot(), idleDeadline: Date.now() + 1e13 };
    original.dispose();
    const before = JSON.stringify(snapshot);
    const error = thrownBy(() => sessions.push(restoreCallSession(snapshot)));
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/idleDeadline/);
    expect(JSON.stringify(snapshot)).toBe(before);
  });

  test('a countdown of the longest period a timer holds does not fire at once (real timers)', async () => {
    // Node fires a delay over 2^31-1 ms after 1 ms: the longest allowed period must stay under it.
    const session = createCallSession({
      settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(MAX_PERIOD_SECONDS).build(),
    });
    sessions.push(session);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    session.join('s1');
    session.send({ type: 'session.joined' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    warn.mockRestore();
    expect(session.state).toBe('joined.alone');
    expect(session.deadlines.idle! - Date.now()).toBeGreaterThan(2_147_000_000);
  });
});

// ---------------------------------------------------------------------------
// Extreme values, one by one

/** Nested `depth` levels deep: `{ a: { a: … } }`, or `[[…]]`. */
function deepObject(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
function deepArray(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('extreme values', () => {
  const HUGE = 'x'.repeat(1_000_000);

  test('a 1e6-character sessionId and uid are accepted and kept whole', () => {
    const { session } = sessionIn('idle');
    session.join(HUGE);
    expect(session.getPersistedSnapshot().sessionId).toHaveLength(1_000_000);
    session.send({ type: 'session.joined', participants: [{ uid: HUGE, name: HUGE }] });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants[0]!.uid).toHaveLength(1_000_000);
    session.send({ type: 'participant.left', participant: { uid: HUGE } });
    expect(session.state).toBe('joined.alone');
  });

  test('a 1e6-character type is a TypeError with a short message', () => {
    const { session } = sessionIn('joined.alone');
    const error = thrownBy(() => session.send(loose({ type: HUGE })));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message.length).toBeLessThan(1_000);
    expect(session.can(loose({ type: HUGE }))).toBe(false);
  });

  test('a 1e6-character uid of the wrong type message stays short; a huge key is ignored', () => {
    const { session } = sessionIn('joined.alone');
    const error = thrownBy(() =>
      session.send(loose({ type: 'participant.joined', participant: { uid: 'a', name: [HUGE] } })),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message.length).toBeLessThan(1_000);
    session.send(loose({ type: 'participant.joined', participant: { uid: 'a', [HUGE]: 1 } }));
    expect(Object.keys(session.participants[0]!)).toEqual(['uid']);
  });

  test.each([
    ['a whole event', () => deepObject(1000)],
    ['a participant', () => ({ type: 'participant.joined', participant: deepObject(1000) })],
    ['a participant name', () => ({ type: 'participant.joined', participant: { uid: 'a', name: deepObject(1000) } })],
    ['a participants list', () => ({ type: 'connection.restored', participants: deepArray(1000) })],
    ['a sessionId', () => ({ type: 'session.join', sessionId: deepArray(1000) })],
  ])('a 1000-deep object as %s is a TypeError', (_label, make) => {
    const { session, calls } = sessionIn('reconnecting');
    const value = make();
    expect(session.can(loose(value))).toBe(false);
    expect(thrownBy(() => session.send(loose(value)))).toBeInstanceOf(TypeError);
    expect(session.state).toBe('reconnecting');
    expect(calls).toEqual([]);
  });

  test('a 1000-deep error payload and extra field are accepted', () => {
    const { session } = sessionIn('joining');
    session.send(loose({ type: 'session.joinFailed', error: deepObject(1000), extra: deepArray(1000) }));
    expect(session.state).toBe('idle');
    expect(() => JSON.stringify(session.getPersistedSnapshot())).not.toThrow();
  });

  test('cyclic objects: a self-referencing participant is copied; a cyclic event or list is a TypeError', () => {
    const { session } = sessionIn('joined.alone');
    const participant: Record<string, unknown> = { uid: 'a' };
    participant.self = participant;
    session.send(loose({ type: 'participant.joined', participant }));
    expect({ ...session.participants[0] }).toEqual({ uid: 'a' });
    expect(() => JSON.stringify(session.getPersistedSnapshot())).not.toThrow();

    const event: Record<string, unknown> = { type: 'participant.joined' };
    event.participant = event;
    expect(thrownBy(() => session.send(loose(event)))).toBeInstanceOf(TypeError);
    const list: unknown[] = [{ uid: 'b' }];
    list.push(list);
    session.send({ type: 'connection.lost' });
    expect(thrownBy(() => session.send(loose({ type: 'connection.restored', participants: list })))).toBeInstanceOf(
      TypeError,
    );
    expect(session.state).toBe('reconnecting');
    const error: Record<string, unknown> = {};
    error.cause = error;
    expect(thrownBy(() => session.send(loose({ type: 'connection.closed', error })))).toBeUndefined();
    expect(session.state).toBe('closed');
  });

  test('__proto__ in object literals sets the caller object prototype only; the stored copy is plain', () => {
    const { session } = sessionIn('joined.alone');
    const inherited = { uid: 'a', name: 'From the prototype', polluted: 1 };
    session.send(loose({ type: 'participant.joined', participant: { __proto__: inherited, pid: 'p' } }));
    const stored = session.participants[0]!;
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    for (const key of Reflect.ownKeys(stored)) expect(SPEC_FIELDS).toContain(key);
    expect((stored as Record<string, unknown>).polluted).toBeUndefined();
    expect(stored.pid).toBe('p');
    session.send(loose({ __proto__: { polluted: 1 }, type: 'participant.left', participant: { pid: 'p' } }));
    expect(session.state).toBe('joined.alone');
    expectUnpolluted();
  });

  test('__proto__, constructor and prototype keys from JSON.parse reach no prototype', () => {
    const { session } = sessionIn('joined.alone');
    const texts = [
      '{"type":"participant.joined","__proto__":{"polluted":1},"participant":{"uid":"a","__proto__":{"polluted":1,"isLocal":true}}}',
      '{"type":"participant.joined","participant":{"uid":"b","constructor":{"prototype":{"polluted":1}}}}',
      '{"type":"participant.joined","participant":{"__proto__":{"uid":"c"}}}',
      '{"type":"connection.lost","constructor":{"prototype":{"polluted":1}},"prototype":{"polluted":1}}',
      '{"type":"connection.restored","participants":[{"pid":"d","__proto__":{"polluted":1}}],"__proto__":[]}',
    ];
    const errors = texts.map((text) => thrownBy(() => session.send(JSON.parse(text) as CallSessionEvent)));
    expect(errors.map((error) => (error === undefined ? 'ok' : (error as Error).name))).toEqual([
      'ok',
      'ok',
      'TypeError', // the uid is an own "__proto__" key's field, not the participant's
      'ok',
      'ok',
    ]);
    expect(session.participants.map((p) => p.pid ?? p.uid)).toEqual(['d']);
    expectSaneParticipants(session);
    expectUnpolluted();
  });
});

// ---------------------------------------------------------------------------
// Hostile payloads: getters and proxies

/**
 * Runs `act` with setTimeout faked: XState reports an error thrown inside the chart by
 * rethrowing it from a timer, which would crash the run; here it stays pending, and
 * is counted.
 */
function withTrappedAsyncErrors(act: () => void): { asyncErrors: number } {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    act();
    return { asyncErrors: vi.getTimerCount() };
  } finally {
    vi.clearAllTimers();
    vi.useRealTimers();
  }
}

/** After a hostile send: the session must still work (no actor in error, later events handled). */
function expectStillWorking(session: CallSession): void {
  expect(session.actor.getSnapshot().status).toBe('active');
  session.send({ type: 'connection.lost' });
  expect(session.state).toBe('reconnecting');
}

describe('hostile payloads', () => {
  test('a getter that throws on the event type: the send throws, nothing changes, can() is false', () => {
    const { session, calls } = sessionIn('joined.alone');
    const event = {
      get type(): string {
        throw new Error('boom');
      },
    };
    expect(session.can(loose(event))).toBe(false);
    const { asyncErrors } = withTrappedAsyncErrors(() =>
      expect(thrownBy(() => session.send(loose(event)))).toBeDefined(),
    );
    expect(asyncErrors).toBe(0);
    expect(session.state).toBe('joined.alone');
    expect(calls).toEqual([]);
    expectStillWorking(session);
  });

  test('a getter that throws on the first read of uid: the send throws, nothing changes', () => {
    const { session, calls } = sessionIn('joined.alone');
    const participant = {
      get uid(): string {
        throw new Error('boom');
      },
    };
    expect(session.can(loose({ type: 'participant.joined', participant }))).toBe(false);
    const { asyncErrors } = withTrappedAsyncErrors(() =>
      expect(thrownBy(() => session.send(loose({ type: 'participant.joined', participant })))).toBeDefined(),
    );
    expect(asyncErrors).toBe(0);
    expect(session.participants).toEqual([]);
    expect(calls).toEqual([]);
    expectStillWorking(session);
  });

  test('a uid getter that throws only after it was checked: the session is not broken', () => {
    const { session } = sessionIn('joined.alone');
    let reads = 0;
    const participant = {
      get uid(): string {
        if (++reads > 2) throw new Error('late boom');
        return 'a';
      },
    };
    let error: unknown;
    const { asyncErrors } = withTrappedAsyncErrors(() => {
      error = thrownBy(() => session.send(loose({ type: 'participant.joined', participant })));
    });
    // Either refused synchronously or taken as checked; never an error escaping later, from a timer.
    expect(asyncErrors).toBe(0);
    if (error === undefined) expect(session.participants.map((p) => p.uid)).toEqual(['a']);
    else expect(session.participants).toEqual([]);
    expectStillWorking(session);
  });

  test('a uid getter that answers a string when checked and a number later: no number is stored', () => {
    const { session } = sessionIn('joined.alone');
    let reads = 0;
    const participant = {
      get uid(): string {
        return loose<string>(++reads === 1 ? 'a' : 42);
      },
    };
    const error = thrownBy(() => session.send(loose({ type: 'participant.joined', participant })));
    if (error !== undefined) expect(error).toBeInstanceOf(TypeError);
    expectSaneParticipants(session);
  });

  test('a list entry that is a participant when checked and 42 later: no identity-less entry is stored', () => {
    const { session } = sessionIn('reconnecting');
    let reads = 0;
    const list: unknown[] = [];
    Object.defineProperty(list, 0, { enumerable: true, get: () => (++reads === 1 ? { uid: 'a' } : 42) });
    const error = thrownBy(() => session.send(loose({ type: 'connection.restored', participants: list })));
    if (error !== undefined) expect(error).toBeInstanceOf(TypeError);
    expectSaneParticipants(session);
  });

  test('a Proxy event that throws on every trap: send throws synchronously, nothing changes', () => {
    const { session, calls } = sessionIn('joined.accompanied');
    const trap = (): never => {
      throw new Error('trap');
    };
    const hostile = new Proxy(
      {},
      { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap },
    );
    const { asyncErrors } = withTrappedAsyncErrors(() =>
      expect(thrownBy(() => session.send(loose(hostile)))).toBeDefined(),
    );
    expect(asyncErrors).toBe(0);
    expect(session.state).toBe('joined.accompanied');
    expect(calls).toEqual([]);
    expectStillWorking(session);
  });

  test('a revoked Proxy as participant: send throws synchronously, nothing changes', () => {
    const { session, calls } = sessionIn('joined.alone');
    const { proxy, revoke } = Proxy.revocable({ uid: 'a' }, {});
    revoke();
    expect(session.can(loose({ type: 'participant.joined', participant: proxy }))).toBe(false);
    expect(thrownBy(() => session.send(loose({ type: 'participant.joined', participant: proxy })))).toBeInstanceOf(
      TypeError,
    );
    expect(session.participants).toEqual([]);
    expect(calls).toEqual([]);
    expectStillWorking(session);
  });
});
