// Property-based test: random sequences of SPEC §2 events and clock moves, checked
// step by step against invariants (one terminal callback, nothing after the end, the
// state already new inside a callback, a pending timer exactly where a countdown runs)
// and against the one reference model, test/oracle.ts, written from SPEC §2 and not
// from the chart. test/oracle.test.ts drives the same oracle with listener changes and
// restores; this file checks the timers the actor system holds.
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import { expect, test, vi } from 'vitest';
import {
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type CallSessionEvent,
  type Participant,
} from '../src/index.js';
import {
  advance as oracleAdvance,
  describeList,
  describeParticipant,
  initialModel,
  isFinal,
  step as oracleStep,
  type OracleModel,
} from './oracle.js';
import { STATUS_CALLBACKS } from './support/status.js';

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
/** Steps still run after the final state, to see that they change nothing; the rest is skipped. */
const STEPS_AFTER_FINAL = 4;
/** Largest single `clock.increment`, so that timers scheduled during a flush fire too. */
const MAX_TICK_MS = 1000;

const ALL_STATES = [
  'idle',
  'joining',
  'joined.alone',
  'joined.accompanied',
  'reconnecting',
  'left',
  'timedOut',
  'closed',
] as const;
type State = (typeof ALL_STATES)[number];
const FINAL_STATES: readonly State[] = ['left', 'timedOut', 'closed'];
const TERMINAL_CALLBACKS = ['onSessionLeft', 'onSessionTimedOut', 'onConnectionClosed'];
// ---------------------------------------------------------------------------
// The pool of participants: identity is pid when present, else uid.
const ANN: Participant = { uid: 'a', name: 'Ann' };
const ANN_RENAMED: Participant = { uid: 'a', name: 'Ann B.', avatar: 'ann.png' }; // same identity as ANN
const BOB: Participant = { uid: 'b' };
const CAT_PHONE: Participant = { uid: 'c', pid: 'c1', name: 'Cat' }; // identity pid c1
const CAT_LAPTOP: Participant = { uid: 'c', pid: 'c2', name: 'Cat' }; // same user, other device
const PID_A: Participant = { pid: 'a' }; // pid "a" is not uid "a"
const ME: Participant = { uid: 'me', name: 'Me', isLocal: true };
const POOL = [ANN, ANN_RENAMED, BOB, CAT_PHONE, CAT_LAPTOP, PID_A, ME];

// ---------------------------------------------------------------------------
// Generators.
type Step = { event: CallSessionEvent } | { advance: number };

/**
 * A list of distinct identities in any order, sometimes with the local user; lists with
 * no remote participant are made often, since a resync to `joined.alone` is a rule of its own.
 */
const participantList: fc.Arbitrary<readonly Participant[]> = fc.oneof(
  fc.constantFrom<readonly Participant[]>([], [ME]),
  fc
    .tuple(fc.shuffledSubarray([ANN, BOB, CAT_PHONE, CAT_LAPTOP, PID_A, ME]), fc.boolean())
    .map(([list, renamed]) => list.map((p) => (renamed && p === ANN ? ANN_RENAMED : p))),
);
const maybeList = fc.option(participantList, { nil: undefined, freq: 2 });
const participant = fc.constantFrom(...POOL);

function withList<T extends 'session.joined' | 'connection.restored'>(
  type: T,
  participants: readonly Participant[] | undefined,
): CallSessionEvent {
  return (participants === undefined ? { type } : { type, participants }) as CallSessionEvent;
}

// Ending events are rare, so that most runs spend a while joined before they end.
const event: fc.Arbitrary<CallSessionEvent> = fc.oneof(
  { arbitrary: fc.constant({ type: 'session.join', sessionId: 's1' } as const), weight: 2 },
  { arbitrary: maybeList.map((list) => withList('session.joined', list)), weight: 3 },
  {
    arbitrary: fc.constantFrom<CallSessionEvent>(
      { type: 'session.joinFailed' },
      { type: 'session.joinFailed', error: 'busy' },
    ),
    weight: 1,
  },
  { arbitrary: fc.constant({ type: 'session.leave' } as const), weight: 1 },
  { arbitrary: fc.constant({ type: 'session.removed' } as const), weight: 1 },
  { arbitrary: participant.map((p) => ({ type: 'participant.joined', participant: p }) as const), weight: 6 },
  { arbitrary: participant.map((p) => ({ type: 'participant.left', participant: p }) as const), weight: 6 },
  { arbitrary: fc.constant({ type: 'connection.lost' } as const), weight: 6 },
  { arbitrary: maybeList.map((list) => withList('connection.restored', list)), weight: 6 },
  { arbitrary: fc.constant({ type: 'connection.closed' } as const), weight: 1 },
  { arbitrary: fc.constant({ type: 'idle.extend' } as const), weight: 3 },
);

const advance: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 5 }), // a few ms, often none (deadlines on one instant)
  fc.constantFrom(999, 1000, 1001, 1999, 2000, 2001, 2999, 3000, 3001, 4999, 5000, 5001), // around the deadlines
  fc.integer({ min: 0, max: 6000 }),
  fc.integer({ min: 6_000, max: 20_000 }), // past every deadline (periods are at most 5 s)
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: event.map((e) => ({ event: e })), weight: 2 },
  { arbitrary: advance.map((ms) => ({ advance: ms })), weight: 1 },
);

/** Sometimes start joined (alone or with someone), sometimes joining, sometimes idle. */
const JOIN: Step = { event: { type: 'session.join', sessionId: 's1' } };
const prefix: fc.Arbitrary<readonly Step[]> = fc.oneof(
  { arbitrary: fc.constant<readonly Step[]>([]), weight: 1 },
  { arbitrary: fc.constant<readonly Step[]>([JOIN]), weight: 1 },
  {
    arbitrary: maybeList.map((list): readonly Step[] => [JOIN, { event: withList('session.joined', list) }]),
    weight: 3,
  },
);

interface Scenario {
  readonly idleSeconds: number;
  readonly reconnectSeconds: number;
  readonly warningSeconds: number;
  readonly steps: readonly Step[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  idleSeconds: fc.constantFrom(0, 1, 2, 5),
  reconnectSeconds: fc.constantFrom(0, 1, 3),
  warningSeconds: fc.constantFrom(0, 1, 4),
  steps: fc.tuple(prefix, fc.array(step, { maxLength: 40, size: 'max' })).map(([head, tail]) => [...head, ...tail]),
});

// ---------------------------------------------------------------------------
// Running one scenario.
interface Call {
  readonly name: string;
  readonly stateInside: string;
  readonly list?: readonly Participant[];
}

function recordCalls(session: CallSession): Call[] {
  const calls: Call[] = [];
  const status: Record<string, () => void> = {};
  for (const name of STATUS_CALLBACKS) status[name] = () => calls.push({ name, stateInside: session.state });
  session.addSessionStatusListener({
    ...status,
    onIdleTimeoutWarning: (secondsLeft) =>
      calls.push({ name: `onIdleTimeoutWarning:${secondsLeft}`, stateInside: session.state }),
  });
  session.addParticipantEventListener({
    onParticipantJoined: (p) =>
      calls.push({ name: `onParticipantJoined:${describeParticipant(p)}`, stateInside: session.state }),
    onParticipantLeft: (p) =>
      calls.push({ name: `onParticipantLeft:${describeParticipant(p)}`, stateInside: session.state }),
    onParticipantListChanged: (list) =>
      calls.push({ name: `onParticipantListChanged:${describeList(list)}`, stateInside: session.state, list }),
  });
  return calls;
}

function pendingTimers(session: CallSession, delay: string): number {
  const scheduled = Object.values(session.actor.system.getSnapshot()._scheduledEvents) as { event: { type: string } }[];
  return scheduled.filter((s) => s.event.type.startsWith(`xstate.after.${delay}`)).length;
}

function names(calls: readonly Call[]): string[] {
  return calls.map((c) => c.name);
}

/** Whether SPEC §2 says an idle countdown runs now. */
function idleCountdownRuns(model: OracleModel): boolean {
  return model.idleDeadline !== null && (model.state === 'joined.alone' || model.state === 'reconnecting');
}

function reconnectBoundRuns(model: OracleModel): boolean {
  return model.reconnectDeadline !== null && model.state === 'reconnecting';
}

/**
 * A check made thousands of times per run: compared cheaply, and handed to `expect`
 * (for its message) only when it fails; `expect` on every step would dominate the runtime.
 */
function verify(ok: boolean, explain: () => void): void {
  if (ok) return;
  explain();
  throw new Error('verify: the check failed but its explanation passed');
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const tally = { steps: 0, ticks: 0, ends: {} as Record<string, number> };

function run({ idleSeconds, reconnectSeconds, warningSeconds: drawn, steps }: Scenario): void {
  // SPEC §6: the warning comes before a non-zero idle timeout.
  const warningSeconds = idleSeconds === 0 ? drawn : Math.min(drawn, idleSeconds - 1);
  const settings = new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(idleSeconds)
    .setReconnectTimeoutPeriod(reconnectSeconds)
    .setIdleWarningPeriod(warningSeconds)
    .build();
  const clock = new SimulatedClock();
  const listenerErrors: unknown[] = [];
  const session = createCallSession({ settings, clock, onListenerError: (error) => listenerErrors.push(error) });
  const calls = recordCalls(session);
  let model = initialModel(
    { idleTimeoutPeriod: idleSeconds, reconnectTimeoutPeriod: reconnectSeconds, idleWarningPeriod: warningSeconds },
    clock.now(),
  );
  let finalReachedAt: number | null = null; // calls.length when the final state was reached

  const check = (where: string, before: number, expected: string[], stateBefore: string): void => {
    const made = calls.slice(before);
    const state = session.state as State;
    // 3. a state of SPEC §2, and the model's one
    verify(ALL_STATES.includes(state), () => expect(ALL_STATES, where).toContain(state));
    verify(state === model.state, () => expect(state, where).toBe(model.state));
    // 1. at most one terminal callback over the whole run
    const terminal = calls.filter((c) => TERMINAL_CALLBACKS.includes(c.name)).map((c) => c.name);
    verify(terminal.length <= 1, () => expect(terminal, `${where}: terminal callbacks`).toHaveLength(1));
    // 2. nothing at all once final
    verify(finalReachedAt === null || made.length === 0, () => expect(made, `${where}: calls after final`).toEqual([]));
    if (FINAL_STATES.includes(state)) finalReachedAt ??= calls.length;
    // 4. an idle countdown is pending exactly when SPEC §2 says one runs (and likewise the reconnect bound)
    const idleTimers = pendingTimers(session, 'idleTimeoutPeriod');
    const idleExpected = idleCountdownRuns(model) ? 1 : 0;
    verify(idleTimers === idleExpected, () => expect(idleTimers, `${where}: pending idle timers`).toBe(idleExpected));
    const warningTimers = pendingTimers(session, 'idleWarningPeriod');
    const warningExpected = idleCountdownRuns(model) && warningSeconds > 0 && !model.idleWarned ? 1 : 0;
    verify(warningTimers === warningExpected, () =>
      expect(warningTimers, `${where}: pending warning timers`).toBe(warningExpected),
    );
    verify(session.idleWarningActive === model.idleWarned, () =>
      expect(session.idleWarningActive, `${where}: idleWarningActive`).toBe(model.idleWarned),
    );
    const reconnectTimers = pendingTimers(session, 'reconnectTimeoutPeriod');
    const reconnectExpected = reconnectBoundRuns(model) ? 1 : 0;
    verify(reconnectTimers === reconnectExpected, () =>
      expect(reconnectTimers, `${where}: pending reconnect timers`).toBe(reconnectExpected),
    );
    // 5. the callbacks the step made: status first, then participants, then the list once;
    //    inside each one the state is already the new state
    const madeNames = names(made);
    verify(sameStrings(madeNames, expected), () => expect(madeNames, `${where}: callbacks`).toEqual(expected));
    for (const c of made) {
      // The warning changes no state, so inside it the state is the one it fired in,
      // even when the session ends later in the same clock step.
      const inside = c.name.startsWith('onIdleTimeoutWarning') ? stateBefore : state;
      verify(c.stateInside === inside, () => expect(c.stateInside, `${where}: state inside ${c.name}`).toBe(inside));
    }
    // participants: the model's list, frozen, and what the last onParticipantListChanged was given
    const list = session.participants;
    verify(describeList(list) === describeList(model.participants), () =>
      expect(describeList(list), `${where}: participants`).toBe(describeList(model.participants)),
    );
    verify(Object.isFrozen(list), () => expect(Object.isFrozen(list), `${where}: participants frozen`).toBe(true));
    const lastList = made.filter((c) => c.list !== undefined).at(-1);
    verify(!lastList || lastList.list === list, () => expect(lastList?.list, `${where}: list given`).toBe(list));
  };

  try {
    let afterFinal = 0;
    steps.forEach((s, i) => {
      if (isFinal(model.state) && afterFinal++ >= STEPS_AFTER_FINAL) return;
      tally.steps++;
      const before = calls.length;
      if ('advance' in s) {
        let left = s.advance;
        let tick = 0;
        do {
          const ms = Math.min(left, MAX_TICK_MS);
          left -= ms;
          const tickStart = calls.length;
          const stateBeforeTick = session.state;
          clock.increment(ms);
          tally.ticks++;
          const advanced = oracleAdvance(model, ms);
          model = advanced.model;
          check(
            `step ${i} (advance ${s.advance}, tick ${tick++})`,
            tickStart,
            [...advanced.callbacks],
            stateBeforeTick,
          );
        } while (left > 0);
        return;
      }
      const where = `step ${i} (${JSON.stringify(s.event)})`;
      const stateBefore = session.state;
      const listBefore = session.participants;
      const snapshotBefore = session.actor.getSnapshot();
      const can = session.can(s.event);
      session.send(s.event);
      const result = oracleStep(model, s.event);
      model = result.model;
      const expected = result.accepted ? [...result.callbacks] : null;
      // A taken transition makes a new snapshot even when nothing a user sees differs
      // (a stay at the instant the countdown started).
      const changed =
        session.state !== stateBefore ||
        session.participants !== listBefore ||
        calls.length > before ||
        session.actor.getSnapshot() !== snapshotBefore;
      // can() agrees with whether the event changed anything, and with the spec
      verify(can === changed, () => expect(can, `${where}: can() vs change`).toBe(changed));
      verify(can === (expected !== null), () => expect(can, `${where}: can() vs SPEC`).toBe(expected !== null));
      check(where, before, expected ?? [], stateBefore);
    });
    expect(listenerErrors).toEqual([]);
    const end = session.endReason ? `${session.state}:${session.endReason}` : session.state;
    tally.ends[end] = (tally.ends[end] ?? 0) + 1;
  } finally {
    session.dispose();
  }
}

test('random event and clock sequences keep the SPEC §2 invariants', () => {
  const started = performance.now();
  // XState's development build warns on every event sent after the final state; the
  // session ignores those events as SPEC §2 asks, so the warnings are only noise here.
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    fc.assert(fc.property(scenario, run), { numRuns: NUM_RUNS });
  } finally {
    warn.mockRestore();
  }
  console.log(
    `properties: ${NUM_RUNS} runs, ${tally.steps} steps, ${tally.ticks} clock ticks, ` +
      `${Math.round(performance.now() - started)} ms; end states ${JSON.stringify(tally.ends)}`,
  );
});
