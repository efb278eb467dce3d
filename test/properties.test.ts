// Property-based test: random sequences of SPEC §2 events and clock moves, checked
// step by step against invariants and against a small reference model written from
// SPEC §2 (and the brief's decisions), not from the chart.
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
const STATUS_CALLBACKS = [
  'onSessionJoined',
  'onSessionLeft',
  'onSessionTimedOut',
  'onConnectionLost',
  'onConnectionRestored',
  'onConnectionClosed',
] as const;

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

function identity(p: Participant): string {
  return p.pid ? `pid:${p.pid}` : `uid:${p.uid}`;
}

function sameFields(a: Participant, b: Participant): boolean {
  return a.uid === b.uid && a.pid === b.pid && a.name === b.name && a.avatar === b.avatar && a.isLocal === b.isLocal;
}

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
  readonly steps: readonly Step[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  idleSeconds: fc.constantFrom(0, 1, 2, 5),
  reconnectSeconds: fc.constantFrom(0, 1, 3),
  steps: fc.tuple(prefix, fc.array(step, { maxLength: 40, size: 'max' })).map(([head, tail]) => [...head, ...tail]),
});

// ---------------------------------------------------------------------------
// The reference model: SPEC §2 rules, with absolute deadlines in clock ms.
class Model {
  state: State = 'idle';
  roster: Participant[] = [];
  /** Substate `connection.lost` left, for a restore without a list (history). */
  leftFrom: 'joined.alone' | 'joined.accompanied' = 'joined.alone';
  idleDeadline: number | null = null;
  reconnectDeadline: number | null = null;
  now = 0;

  constructor(
    readonly idleMs: number,
    readonly reconnectMs: number,
  ) {}

  get isJoined(): boolean {
    return this.state === 'joined.alone' || this.state === 'joined.accompanied';
  }

  get isFinal(): boolean {
    return FINAL_STATES.includes(this.state);
  }

  freshIdleDeadline(): number | null {
    return this.idleMs > 0 ? this.now + this.idleMs : null;
  }

  end(state: State, callback: string): string[] {
    this.state = state;
    this.idleDeadline = null;
    this.reconnectDeadline = null;
    return [callback];
  }

  /** Replaces the roster by a server list; returns the participant callbacks it makes. */
  resync(list: readonly Participant[]): string[] {
    const remote = list.filter((p) => p.isLocal !== true);
    const next = [...this.roster];
    const joined: string[] = [];
    let changed = false;
    for (const p of remote) {
      const at = next.findIndex((q) => identity(q) === identity(p));
      if (at < 0) {
        next.push(p);
        joined.push(`joined:${identity(p)}`);
        changed = true;
      } else if (!sameFields(next[at]!, p)) {
        next[at] = p;
        changed = true;
      }
    }
    const listed = new Set(remote.map(identity));
    const left = next.filter((p) => !listed.has(identity(p))).map((p) => `left:${identity(p)}`);
    this.roster = next.filter((p) => listed.has(identity(p)));
    return changed || left.length > 0 ? [...joined, ...left.sort(), 'listChanged'] : [];
  }

  /** Applies an event; returns the expected callbacks, or null when the event is not taken. */
  apply(e: CallSessionEvent): string[] | null {
    const s = this.state;
    switch (e.type) {
      case 'session.join':
        if (s !== 'idle') return null;
        this.state = 'joining';
        return [];
      case 'session.joined': {
        if (s !== 'joining') return null;
        const participants = this.resync(e.participants ?? []);
        this.state = this.roster.length > 0 ? 'joined.accompanied' : 'joined.alone';
        this.idleDeadline = this.state === 'joined.alone' ? this.freshIdleDeadline() : null;
        return ['onSessionJoined', ...participants];
      }
      case 'session.joinFailed':
        if (s !== 'joining') return null;
        this.state = 'idle';
        return [];
      case 'session.leave':
        if (s === 'joining') {
          this.state = 'idle';
          return [];
        }
        return this.isJoined || s === 'reconnecting' ? this.end('left', 'onSessionLeft') : null;
      case 'session.removed':
        return this.isJoined || s === 'reconnecting' ? this.end('left', 'onSessionLeft') : null;
      case 'connection.closed':
        return this.isJoined || s === 'reconnecting' ? this.end('closed', 'onConnectionClosed') : null;
      case 'participant.joined': {
        if (!this.isJoined || e.participant.isLocal === true) return null;
        const at = this.roster.findIndex((q) => identity(q) === identity(e.participant));
        const callbacks: string[] = [];
        if (at < 0) {
          this.roster.push(e.participant);
          callbacks.push(`joined:${identity(e.participant)}`);
        } else {
          this.roster[at] = e.participant;
        }
        this.state = 'joined.accompanied';
        this.idleDeadline = null;
        return [...callbacks, 'listChanged'];
      }
      case 'participant.left': {
        if (!this.isJoined) return null;
        const at = this.roster.findIndex((q) => identity(q) === identity(e.participant));
        if (at < 0) return null;
        this.roster.splice(at, 1);
        if (this.roster.length === 0) {
          this.state = 'joined.alone';
          this.idleDeadline = this.freshIdleDeadline();
        }
        return [`left:${identity(e.participant)}`, 'listChanged'];
      }
      case 'connection.lost':
        if (!this.isJoined) return null;
        this.leftFrom = s as 'joined.alone' | 'joined.accompanied';
        this.state = 'reconnecting';
        // The idle countdown, if one runs, keeps running.
        this.reconnectDeadline = this.reconnectMs > 0 ? this.now + this.reconnectMs : null;
        return ['onConnectionLost'];
      case 'connection.restored': {
        if (s !== 'reconnecting') return null;
        this.reconnectDeadline = null;
        if (e.participants === undefined) {
          this.state = this.leftFrom;
          return ['onConnectionRestored'];
        }
        const participants = this.resync(e.participants);
        if (this.roster.length > 0) {
          this.state = 'joined.accompanied';
          this.idleDeadline = null;
        } else {
          this.state = 'joined.alone';
          this.idleDeadline ??= this.freshIdleDeadline();
        }
        return ['onConnectionRestored', ...participants];
      }
    }
  }

  /** Moves the clock; returns the expected callbacks of a timer that expired. */
  advanceTo(now: number): string[] {
    this.now = now;
    const idleDue = this.idleDeadline !== null && this.idleDeadline <= now;
    if (this.state === 'joined.alone' && idleDue) return this.end('timedOut', 'onSessionTimedOut');
    if (this.state === 'reconnecting') {
      const reconnectDue = this.reconnectDeadline !== null && this.reconnectDeadline <= now;
      // Both deadlines on one instant: timedOut.
      if (idleDue && (this.reconnectDeadline === null || this.idleDeadline! <= this.reconnectDeadline)) {
        return this.end('timedOut', 'onSessionTimedOut');
      }
      if (reconnectDue) return this.end('closed', 'onConnectionClosed');
    }
    return [];
  }

  /** Whether SPEC §2 says an idle countdown runs now. */
  get idleCountdownRuns(): boolean {
    return this.idleDeadline !== null && (this.state === 'joined.alone' || this.state === 'reconnecting');
  }

  get reconnectBoundRuns(): boolean {
    return this.reconnectDeadline !== null && this.state === 'reconnecting';
  }
}

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
  session.addSessionStatusListener(status);
  session.addParticipantEventListener({
    onParticipantJoined: (p) => calls.push({ name: `joined:${identity(p)}`, stateInside: session.state }),
    onParticipantLeft: (p) => calls.push({ name: `left:${identity(p)}`, stateInside: session.state }),
    onParticipantListChanged: (list) => calls.push({ name: 'listChanged', stateInside: session.state, list }),
  });
  return calls;
}

function pendingTimers(session: CallSession, delay: string): number {
  const scheduled = Object.values(session.actor.system.getSnapshot()._scheduledEvents) as { event: { type: string } }[];
  return scheduled.filter((s) => s.event.type.startsWith(`xstate.after.${delay}`)).length;
}

/** Normalises one step's calls: the order inside a block of `left:` entries is not specified. */
function names(calls: readonly Call[]): string[] {
  const out = calls.map((c) => c.name);
  const firstLeft = out.findIndex((n) => n.startsWith('left:'));
  if (firstLeft < 0) return out;
  let end = firstLeft;
  while (end < out.length && out[end]!.startsWith('left:')) end++;
  return [...out.slice(0, firstLeft), ...out.slice(firstLeft, end).sort(), ...out.slice(end)];
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

function run({ idleSeconds, reconnectSeconds, steps }: Scenario): void {
  const settings = new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(idleSeconds)
    .setReconnectTimeoutPeriod(reconnectSeconds)
    .build();
  const clock = new SimulatedClock();
  const listenerErrors: unknown[] = [];
  const session = createCallSession({ settings, clock, onListenerError: (error) => listenerErrors.push(error) });
  const calls = recordCalls(session);
  const model = new Model(idleSeconds * 1000, reconnectSeconds * 1000);
  let finalReachedAt: number | null = null; // calls.length when the final state was reached

  const check = (where: string, before: number, expected: string[]): void => {
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
    const idleExpected = model.idleCountdownRuns ? 1 : 0;
    verify(idleTimers === idleExpected, () => expect(idleTimers, `${where}: pending idle timers`).toBe(idleExpected));
    const reconnectTimers = pendingTimers(session, 'reconnectTimeoutPeriod');
    const reconnectExpected = model.reconnectBoundRuns ? 1 : 0;
    verify(reconnectTimers === reconnectExpected, () =>
      expect(reconnectTimers, `${where}: pending reconnect timers`).toBe(reconnectExpected),
    );
    // 5. the callbacks the step made: status first, then participants, then the list once;
    //    inside each one the state is already the new state
    const madeNames = names(made);
    verify(sameStrings(madeNames, expected), () => expect(madeNames, `${where}: callbacks`).toEqual(expected));
    for (const c of made) {
      verify(c.stateInside === state, () => expect(c.stateInside, `${where}: state inside ${c.name}`).toBe(state));
    }
    // participants: the model's list, frozen, and what the last onParticipantListChanged was given
    const list = session.participants;
    verify(list.length === model.roster.length && list.every((p, i) => sameFields(p, model.roster[i]!)), () =>
      expect(list, `${where}: participants`).toEqual(model.roster),
    );
    verify(Object.isFrozen(list), () => expect(Object.isFrozen(list), `${where}: participants frozen`).toBe(true));
    const lastList = made.filter((c) => c.name === 'listChanged').at(-1);
    verify(!lastList || lastList.list === list, () => expect(lastList?.list, `${where}: list given`).toBe(list));
  };

  try {
    let afterFinal = 0;
    steps.forEach((s, i) => {
      if (model.isFinal && afterFinal++ >= STEPS_AFTER_FINAL) return;
      tally.steps++;
      const before = calls.length;
      if ('advance' in s) {
        let left = s.advance;
        let tick = 0;
        do {
          const ms = Math.min(left, MAX_TICK_MS);
          left -= ms;
          const tickStart = calls.length;
          clock.increment(ms);
          tally.ticks++;
          check(`step ${i} (advance ${s.advance}, tick ${tick++})`, tickStart, model.advanceTo(clock.now()));
        } while (left > 0);
        return;
      }
      const where = `step ${i} (${JSON.stringify(s.event)})`;
      const stateBefore = session.state;
      const listBefore = session.participants;
      const can = session.can(s.event);
      session.send(s.event);
      const expected = model.apply(s.event);
      const changed = session.state !== stateBefore || session.participants !== listBefore || calls.length > before;
      // can() agrees with whether the event changed anything, and with the spec
      verify(can === changed, () => expect(can, `${where}: can() vs change`).toBe(changed));
      verify(can === (expected !== null), () => expect(can, `${where}: can() vs SPEC`).toBe(expected !== null));
      check(where, before, expected ?? []);
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
