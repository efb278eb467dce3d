// SPEC §4: bad input gets a clear, synchronous error and changes nothing.
import { SimulatedClock } from 'xstate';
import { afterEach, describe, expect, test } from 'vitest';
import {
  CallSession,
  createCallSession,
  SessionSettingsBuilder,
  SessionType,
  type CallSessionEvent,
  type Participant,
  type ParticipantEventListener,
  type SessionSettings,
  type SessionStatusListener,
  type SessionTypeValue,
} from '../src/index.js';
import { STATUS_CALLBACKS } from './support/status.js';

const MAX = 2_147_483;

/** Values typed loosely on purpose: the point is to pass what the types forbid. */
const loose = <T>(value: unknown): T => value as T;

const sessions: CallSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

describe('SessionSettingsBuilder', () => {
  const setters = [
    ['idleTimeoutPeriod', (b: SessionSettingsBuilder, v: number) => b.setIdleTimeoutPeriod(v)],
    ['reconnectTimeoutPeriod', (b: SessionSettingsBuilder, v: number) => b.setReconnectTimeoutPeriod(v)],
  ] as const;

  const notNumbers: [string, unknown][] = [
    ['a numeric string', '5'],
    ['null', null],
    ['undefined', undefined],
    ['an object', {}],
    ['a bigint', 5n],
  ];
  const outOfRange: [string, number][] = [
    ['a fraction', 1.5],
    ['a negative', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['one above the largest timer delay', MAX + 1],
  ];

  describe.each(setters)('%s', (name, set) => {
    test.each(notNumbers)('%s is a TypeError naming the setting and the range', (_label, value) => {
      const builder = new SessionSettingsBuilder();
      let error: unknown;
      try {
        set(builder, loose<number>(value));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect(error).not.toBeInstanceOf(RangeError);
      expect((error as Error).message).toContain(name);
      expect((error as Error).message).toContain('2147483');
    });

    test.each(outOfRange)('%s is a RangeError naming the setting and the range', (_label, value) => {
      const builder = new SessionSettingsBuilder();
      let error: unknown;
      try {
        set(builder, value);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toContain(name);
      expect((error as Error).message).toContain('2147483');
    });

    test('0 and 2_147_483 are accepted', () => {
      const builder = new SessionSettingsBuilder();
      expect(set(builder, 0)).toBe(builder);
      expect(builder.build()[name]).toBe(0);
      expect(set(builder, MAX)).toBe(builder);
      expect(builder.build()[name]).toBe(MAX);
    });

    test('a setter that throws leaves the previous value in place', () => {
      const builder = new SessionSettingsBuilder();
      set(builder, 17);
      for (const [, value] of notNumbers) expect(() => set(builder, loose<number>(value))).toThrow(TypeError);
      for (const [, value] of outOfRange) expect(() => set(builder, value)).toThrow(RangeError);
      expect(builder.build()[name]).toBe(17);
    });
  });

  test.each([['video'], ['SCREEN'], [undefined], [null], [0], [{}]])('setType(%j) is a TypeError', (value) => {
    const builder = new SessionSettingsBuilder().setType(SessionType.AUDIO);
    expect(() => builder.setType(loose<SessionTypeValue>(value))).toThrow(TypeError);
    expect(builder.build().type).toBe('AUDIO');
  });

  test('SessionType is VIDEO and AUDIO', () => {
    expect({ ...SessionType }).toEqual({ VIDEO: 'VIDEO', AUDIO: 'AUDIO' });
  });

  test('build() returns frozen settings with the defaults 300 / 60 / VIDEO', () => {
    const settings = new SessionSettingsBuilder().build();
    expect(Object.isFrozen(settings)).toBe(true);
    expect({ ...settings }).toEqual({
      idleTimeoutPeriod: 300,
      reconnectTimeoutPeriod: 60,
      idleWarningPeriod: 0,
      type: 'VIDEO',
    });
  });

  test('build() reflects every setter', () => {
    const settings = new SessionSettingsBuilder()
      .setIdleTimeoutPeriod(12)
      .setReconnectTimeoutPeriod(34)
      .setType(SessionType.AUDIO)
      .build();
    expect(Object.isFrozen(settings)).toBe(true);
    expect({ ...settings }).toEqual({
      idleTimeoutPeriod: 12,
      reconnectTimeoutPeriod: 34,
      idleWarningPeriod: 0,
      type: 'AUDIO',
    });
  });
});

describe('createCallSession options', () => {
  const good = new SessionSettingsBuilder().build();
  const badSettings: [string, unknown, typeof TypeError | typeof RangeError][] = [
    ['null settings', null, TypeError],
    ['a string as settings', 'fast', TypeError],
    ['a string idleTimeoutPeriod', { ...good, idleTimeoutPeriod: '5' }, TypeError],
    ['a fractional idleTimeoutPeriod', { ...good, idleTimeoutPeriod: 1.5 }, RangeError],
    ['a negative reconnectTimeoutPeriod', { ...good, reconnectTimeoutPeriod: -1 }, RangeError],
    ['an infinite reconnectTimeoutPeriod', { ...good, reconnectTimeoutPeriod: Number.POSITIVE_INFINITY }, RangeError],
    ['a too large idleTimeoutPeriod', { ...good, idleTimeoutPeriod: MAX + 1 }, RangeError],
    ['an unknown type', { ...good, type: 'SCREEN' }, TypeError],
  ];
  test.each(badSettings)('%s is rejected', (_label, settings, ErrorType) => {
    expect(() => createCallSession({ settings: loose<SessionSettings>(settings) })).toThrow(ErrorType);
  });

  const badClocks: [string, unknown][] = [
    ['null', null],
    ['a number', 42],
    ['an empty object', {}],
    ['no clearTimeout', { setTimeout: () => 0 }],
    ['no setTimeout', { clearTimeout: () => undefined }],
    ['a non-function setTimeout', { setTimeout: 1, clearTimeout: () => undefined }],
    ['a non-function now', { setTimeout: () => 0, clearTimeout: () => undefined, now: 5 }],
  ];
  test.each(badClocks)('a clock that is %s is a TypeError', (_label, clock) => {
    expect(() => createCallSession({ clock: loose<SimulatedClock>(clock) })).toThrow(TypeError);
  });

  test('a rejected createCallSession changes nothing: getInstance() still returns the previous session', () => {
    const previous = createCallSession({ clock: new SimulatedClock() });
    sessions.push(previous);
    expect(() => createCallSession({ settings: loose<SessionSettings>({ ...good, idleTimeoutPeriod: -1 }) })).toThrow(
      RangeError,
    );
    expect(() => createCallSession({ clock: loose<SimulatedClock>({}) })).toThrow(TypeError);
    expect(CallSession.getInstance() === previous, 'getInstance() is previous').toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Events

type Start = 'idle' | 'joining' | 'joined.alone' | 'joined.accompanied' | 'reconnecting';

const ALICE: Participant = { uid: 'alice', name: 'Alice' };

interface Harness {
  session: CallSession;
  clock: SimulatedClock;
  calls: string[];
}

function recorder(calls: string[]): SessionStatusListener & ParticipantEventListener {
  const listener: SessionStatusListener & ParticipantEventListener = {
    onParticipantJoined: (p) => calls.push(`onParticipantJoined:${p.pid ?? p.uid}`),
    onParticipantLeft: (p) => calls.push(`onParticipantLeft:${p.pid ?? p.uid}`),
    onParticipantListChanged: (list) => calls.push(`onParticipantListChanged:${list.length}`),
  };
  for (const name of STATUS_CALLBACKS) listener[name] = () => calls.push(name);
  return listener;
}

/** A session in `start` (alone with a 10 s idle countdown; accompanied by Alice), listened to. */
function sessionIn(start: Start): Harness {
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(10).setReconnectTimeoutPeriod(30).build();
  const session = createCallSession({ settings, clock });
  sessions.push(session);
  if (start !== 'idle') session.join('s1');
  if (start === 'joined.alone' || start === 'reconnecting') session.send({ type: 'session.joined' });
  if (start === 'joined.accompanied') session.send({ type: 'session.joined', participants: [ALICE] });
  if (start === 'reconnecting') session.send({ type: 'connection.lost' });
  expect(session.state).toBe(start);
  const calls: string[] = [];
  const listener = recorder(calls);
  session.addSessionStatusListener(listener);
  session.addParticipantEventListener(listener);
  return { session, clock, calls };
}

/** A well-formed next step from `start` and the callbacks it must fire: proof the listeners are still there. */
function continueFrom(start: Start, { session }: Harness): string[] {
  switch (start) {
    case 'idle':
      session.join('s2');
      session.send({ type: 'session.joined' });
      return ['onSessionJoined'];
    case 'joining':
      session.send({ type: 'session.joined' });
      return ['onSessionJoined'];
    case 'joined.alone':
      session.send({ type: 'participant.joined', participant: { uid: 'bob' } });
      return ['onParticipantJoined:bob', 'onParticipantListChanged:1'];
    case 'joined.accompanied':
      session.send({ type: 'participant.left', participant: { uid: 'alice' } });
      return ['onParticipantLeft:alice', 'onParticipantListChanged:0'];
    case 'reconnecting':
      session.send({ type: 'connection.restored' });
      return ['onConnectionRestored'];
  }
}

function expectRejected(
  start: Start,
  bad: unknown,
  send: (h: Harness) => void = (h) => h.session.send(loose(bad)),
): void {
  const harness = sessionIn(start);
  const { session, calls } = harness;
  const participants = session.participants;
  expect(session.can(loose<CallSessionEvent>(bad))).toBe(false);
  expect(() => send(harness)).toThrow(TypeError);
  expect(session.state).toBe(start);
  expect(session.participants).toBe(participants);
  expect(session.endReason).toBeNull();
  expect(calls).toEqual([]);
  const expected = continueFrom(start, harness);
  expect(calls).toEqual(expected);
}

describe('events that are not events', () => {
  const notObjects: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a string', 'session.join'],
    ['a number', 42],
    ['an array', []],
    ['an array holding an event', [{ type: 'connection.lost' }]],
  ];
  const badTypes: [string, unknown][] = [
    ['no type', {}],
    ['no type but a payload', { sessionId: 's1' }],
    ['a numeric type', { type: 42 }],
    ['an unknown type', { type: 'session.unknown' }],
    ['a type differing in case', { type: 'Connection.Lost' }],
    ['a prototype key as type', { type: 'constructor' }],
    ['__proto__ as type', { type: '__proto__' }],
    ['an xstate internal type', { type: 'xstate.stop' }],
    ['a wildcard type', { type: '*' }],
  ];
  const starts: Start[] = ['idle', 'joined.alone', 'reconnecting'];
  for (const start of starts) {
    describe(`in ${start}`, () => {
      test.each(notObjects)('%s is a TypeError and changes nothing', (_label, bad) => expectRejected(start, bad));
      test.each(badTypes)('%s is a TypeError and changes nothing', (_label, bad) => expectRejected(start, bad));
    });
  }
});

describe('session.join', () => {
  const bad: [string, unknown][] = [
    ['no sessionId', { type: 'session.join' }],
    ['an empty sessionId', { type: 'session.join', sessionId: '' }],
    ['a numeric sessionId', { type: 'session.join', sessionId: 42 }],
    ['a null sessionId', { type: 'session.join', sessionId: null }],
    ['an object sessionId', { type: 'session.join', sessionId: { id: 's1' } }],
  ];
  test.each(bad)('%s is a TypeError and changes nothing', (_label, event) => expectRejected('idle', event));

  test.each([[''], [undefined], [42], [null]])('join(%j) is a TypeError and changes nothing', (sessionId) =>
    expectRejected('idle', { type: 'session.join', sessionId }, ({ session }) =>
      session.join(loose<string>(sessionId)),
    ),
  );
});

const badParticipants: [string, unknown][] = [
  ['null', null],
  ['a string', 'alice'],
  ['a number', 42],
  ['an array', []],
  ['an empty object', {}],
  ['empty uid and pid', { uid: '', pid: '' }],
  ['an empty uid only', { uid: '' }],
  ['an empty pid only', { pid: '' }],
  ['only a name', { name: 'Bob' }],
  ['a numeric uid', { uid: 42 }],
  ['a numeric uid beside a valid pid', { uid: 42, pid: 'p1' }],
  ['a numeric pid', { pid: 7 }],
  ['a numeric pid beside a valid uid', { uid: 'bob', pid: 7 }],
  ['a numeric name', { uid: 'bob', name: 5 }],
  ['an object avatar', { uid: 'bob', avatar: {} }],
  ['a string isLocal', { uid: 'bob', isLocal: 'true' }],
  ['a numeric isLocal', { uid: 'bob', isLocal: 1 }],
];

describe.each(['participant.joined', 'participant.left'])('%s', (type) => {
  test('without a participant is a TypeError and changes nothing', () => {
    expectRejected('joined.accompanied', { type });
    expectRejected('joined.alone', { type });
  });
  test.each(badParticipants)(
    'with a participant that is %s is a TypeError and changes nothing',
    (_label, participant) => {
      expectRejected('joined.accompanied', { type, participant });
      expectRejected('joined.alone', { type, participant });
    },
  );
});

describe.each([
  ['session.joined', 'joining'],
  ['connection.restored', 'reconnecting'],
] as const)('%s', (type, start) => {
  const notLists: [string, unknown][] = [
    ['null', null],
    ['a string', 'alice'],
    ['a participant object', { uid: 'alice' }],
    ['a number', 3],
  ];
  test.each(notLists)('with participants that is %s is a TypeError and changes nothing', (_label, participants) =>
    expectRejected(start, { type, participants }),
  );
  test.each(badParticipants)(
    'with a list holding a participant that is %s (after a good one) is a TypeError and changes nothing',
    (_label, participant) => expectRejected(start, { type, participants: [{ uid: 'carol' }, participant] }),
  );
});

test('bad input does not restart or stop the idle countdown', () => {
  const { session, clock, calls } = sessionIn('joined.alone');
  clock.increment(6_000);
  expect(() => session.send(loose({ type: 'participant.joined', participant: {} }))).toThrow(TypeError);
  expect(() => session.send(loose({ type: 'session.joined', participants: 'x' }))).toThrow(TypeError);
  expect(() => session.send(loose(null))).toThrow(TypeError);
  clock.increment(3_999);
  expect(session.state).toBe('joined.alone');
  clock.increment(1);
  expect(session.state).toBe('timedOut');
  expect(calls).toEqual(['onSessionTimedOut']);
});

describe('can() never throws', () => {
  test('not even for an event whose type getter throws', () => {
    const { session } = sessionIn('joined.alone');
    const hostile = {
      get type(): string {
        throw new Error('boom');
      },
    };
    expect(session.can(loose<CallSessionEvent>(hostile))).toBe(false);
    expect(session.state).toBe('joined.alone');
  });

  test('nor for a Proxy that throws on every access', () => {
    const { session } = sessionIn('joined.alone');
    const trap = (): never => {
      throw new Error('trap');
    };
    const hostile = new Proxy(
      {},
      { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap },
    );
    expect(session.can(loose<CallSessionEvent>(hostile))).toBe(false);
  });

  test('and is true for the well-formed counterparts (so the false answers above mean something)', () => {
    expect(sessionIn('idle').session.can({ type: 'session.join', sessionId: 's1' })).toBe(true);
    expect(sessionIn('joining').session.can({ type: 'session.joined', participants: [{ uid: 'c' }] })).toBe(true);
    expect(sessionIn('joined.alone').session.can({ type: 'participant.joined', participant: { uid: 'b' } })).toBe(true);
    expect(
      sessionIn('joined.accompanied').session.can({ type: 'participant.left', participant: { uid: 'alice' } }),
    ).toBe(true);
    expect(sessionIn('reconnecting').session.can({ type: 'connection.restored', participants: [{ pid: 'p' }] })).toBe(
      true,
    );
  });
});

describe('prototype safety and copying', () => {
  const SPEC_FIELDS = ['uid', 'pid', 'name', 'avatar', 'isLocal'];

  function expectNoPollution(): void {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(Object.hasOwn(Object.prototype, 'isLocal')).toBe(false);
  }

  function expectCleanCopy(stored: Participant | undefined, expected: Participant): void {
    expect(stored).toBeDefined();
    for (const key of Reflect.ownKeys(stored!)) expect(SPEC_FIELDS).toContain(key);
    expect((stored as Record<string, unknown>).polluted).toBeUndefined();
    expect(stored!.isLocal).not.toBe(true);
    expect({ ...stored }).toEqual(expected);
  }

  test('a __proto__ key in participant.joined reaches no prototype; the participant counts as remote', () => {
    const { session, calls } = sessionIn('joined.alone');
    const event = JSON.parse(
      '{"type":"participant.joined","participant":{"uid":"a","__proto__":{"isLocal":true,"polluted":1}}}',
    ) as CallSessionEvent;
    expect(session.can(event)).toBe(true);
    const joined: Participant[] = [];
    session.addParticipantEventListener({ onParticipantJoined: (p) => joined.push(p) });
    session.send(event);
    expectNoPollution();
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toHaveLength(1);
    expectCleanCopy(session.participants[0], { uid: 'a' });
    expectCleanCopy(joined[0], { uid: 'a' });
    expect(calls).toEqual(['onParticipantJoined:a', 'onParticipantListChanged:1']);
  });

  test('a __proto__ key in a session.joined list reaches no prototype', () => {
    const { session } = sessionIn('joining');
    const event = JSON.parse(
      '{"type":"session.joined","participants":[{"pid":"p1","__proto__":{"isLocal":true,"polluted":1}}]}',
    ) as CallSessionEvent;
    session.send(event);
    expectNoPollution();
    expect(session.state).toBe('joined.accompanied');
    expectCleanCopy(session.participants[0], { pid: 'p1' });
  });

  test('a __proto__ key in a connection.restored list reaches no prototype', () => {
    const { session } = sessionIn('reconnecting');
    const event = JSON.parse(
      '{"type":"connection.restored","participants":[{"uid":"r","__proto__":{"polluted":1}}],"__proto__":{"polluted":2}}',
    ) as CallSessionEvent;
    session.send(event);
    expectNoPollution();
    expect(session.state).toBe('joined.accompanied');
    expectCleanCopy(session.participants[0], { uid: 'r' });
  });

  test('fields beyond the spec (e.g. role) are dropped', () => {
    const { session } = sessionIn('joined.alone');
    session.send(
      loose({ type: 'participant.joined', participant: { uid: 'b', name: 'Bob', role: 'host', extra: { deep: 1 } } }),
    );
    expectCleanCopy(session.participants[0], { uid: 'b', name: 'Bob' });
    expect(Object.keys(session.participants[0]!).sort()).toEqual(['name', 'uid']);
  });

  test('the payload is copied: changing it afterwards changes nothing', () => {
    const { session } = sessionIn('joined.alone');
    const participant = { uid: 'b', name: 'Bob' };
    const list = [{ uid: 'c' }];
    session.send({ type: 'participant.joined', participant });
    participant.name = 'Mallory';
    participant.uid = 'm';
    expect(session.participants[0]).not.toBe(participant);
    expect({ ...session.participants[0] }).toEqual({ uid: 'b', name: 'Bob' });

    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored', participants: list });
    list.push({ uid: 'd' });
    list[0]!.uid = 'z';
    expect(session.participants.map((p) => p.uid)).toEqual(['c']);
  });
});
