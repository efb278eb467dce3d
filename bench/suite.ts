/**
 * The benchmark suite: measurement only, through the public API, `session.actor` and
 * `callSessionMachine`. `runBench()` returns rows; bench/run.ts prints them, and
 * test/benchSmoke.test.ts runs the quick variant in CI. Nothing here asserts anything
 * about time: targets are reported as PASS/FAIL, never enforced.
 */
import { build } from 'esbuild';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createActor, SimulatedClock } from 'xstate';
import {
  callSessionMachine,
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type CallSessionEvent,
  type Participant,
  type PersistedCallSession,
} from '../src/index.js';
import { formatNumber, getGc, median, minMax, quantileOfSorted, sortedCopy, waitAtMost } from './stats.js';
import { SwitchCallSession } from './switchFsm.js';
import { restoreCallSession } from '../src/persistence/restore.js';

export type BenchUnit = 'events/s' | 'B' | 'µs' | 'ms' | 's' | '×';

export interface BenchSpread {
  /** `min–max` over rounds, or the `p99 · max` of a latency distribution. */
  readonly kind: 'min–max' | 'p99 · max';
  readonly low: number;
  readonly high: number;
}

export interface BenchTarget {
  readonly comparison: '≥' | '≤';
  readonly value: number;
}

export interface BenchRow {
  /** Stable name, the same in quick and full runs. */
  readonly id: string;
  readonly measure: string;
  readonly unit: BenchUnit;
  readonly median: number;
  readonly spread: BenchSpread | null;
  readonly target: BenchTarget | null;
  readonly note?: string;
}

export interface BenchEnvironment {
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly date: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews the figures. */
  readonly load: readonly [number, number];
  readonly quick: boolean;
}

export interface BenchReport {
  readonly environment: BenchEnvironment;
  readonly rows: readonly BenchRow[];
  readonly seconds: number;
}

export interface BenchOptions {
  /** A short smoke run (a few thousand events, small n); default: `BENCH_QUICK=1` in the environment. */
  readonly quick?: boolean;
  /** Progress lines; default none. */
  readonly log?: (line: string) => void;
}

interface Config {
  readonly rounds: number;
  readonly warmups: number;
  /** Each contender's round runs the event sequence until at least this long. */
  readonly throughputRoundMs: number;
  /** Full collections before each timed round and around heap counts; a smoke run skips the extra ones. */
  readonly thoroughGc: boolean;
  readonly heapInstances: number;
  readonly heapRounds: number;
  readonly createBatch: number;
  readonly createSamples: number;
  readonly pairSampleMs: number;
  readonly pairSamples: number;
  readonly rosterSizes: readonly [number, number, number];
  readonly stormSize: number;
  readonly stormRounds: number;
  readonly stormBudgetMs: number;
  readonly latenessSessions: number;
}

const FULL: Config = {
  rounds: 15,
  warmups: 2,
  throughputRoundMs: 400,
  thoroughGc: true,
  heapInstances: 20_000,
  heapRounds: 5,
  createBatch: 500,
  createSamples: 21,
  pairSampleMs: 40,
  pairSamples: 7,
  rosterSizes: [10, 1_000, 10_000],
  stormSize: 100_000,
  stormRounds: 3,
  stormBudgetMs: 60_000,
  latenessSessions: 10_000,
};

const QUICK: Config = {
  rounds: 3,
  warmups: 1,
  throughputRoundMs: 0,
  thoroughGc: false,
  heapInstances: 1_000,
  heapRounds: 1,
  createBatch: 100,
  createSamples: 5,
  pairSampleMs: 2,
  pairSamples: 3,
  rosterSizes: [10, 1_000, 10_000],
  stormSize: 1_000,
  stormRounds: 1,
  stormBudgetMs: 3_000,
  latenessSessions: 300,
};

/** Events in one throughput sequence: 1,000 × (join, leave, lost, restored). */
const SEQUENCE_LENGTH = 4_000;
const SESSION_ID = 'bench';
const JOIN: CallSessionEvent = { type: 'session.join', sessionId: SESSION_ID };
const JOINED: CallSessionEvent = { type: 'session.joined' };

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

let sink = 0;

function participant(prefix: string, i: number): Participant {
  return { uid: `${prefix}${i}`, name: `${prefix} ${i}` };
}

function participants(prefix: string, n: number): Participant[] {
  return Array.from({ length: n }, (_, i) => participant(prefix, i));
}

/**
 * From `joined.alone`, every event transitions and the sequence returns there:
 * participant X joins (→ accompanied) and leaves (→ alone, idle countdown restarts),
 * the connection drops (→ reconnecting) and comes back (→ joined.alone by history).
 */
export function throughputSequence(length = SEQUENCE_LENGTH): CallSessionEvent[] {
  const cast = participants('guest', 64);
  const events: CallSessionEvent[] = [];
  for (let i = 0; events.length < length; i++) {
    const guest = cast[i % cast.length]!;
    events.push(
      { type: 'participant.joined', participant: guest },
      { type: 'participant.left', participant: guest },
      { type: 'connection.lost' },
      { type: 'connection.restored' },
    );
  }
  return events;
}

function joinedSession(clock?: SimulatedClock): CallSession {
  const session = createCallSession(clock ? { clock } : undefined);
  session.join(SESSION_ID);
  session.send(JOINED);
  return session;
}

function joinedActor(clock?: SimulatedClock) {
  // The same input CallSession passes when no settings are given.
  const actor = createActor(callSessionMachine, { input: {}, ...(clock && { clock }) }).start();
  actor.send(JOIN);
  actor.send(JOINED);
  return actor;
}

type BareActor = ReturnType<typeof joinedActor>;

/**
 * The process's CPU time in ms (user + system): on a machine shared with other work, wall
 * time also counts the time the OS gave to other processes, CPU time does not.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// One loop per contender, so that each call site sees one target.
function runSession(session: CallSession, events: readonly CallSessionEvent[], repeats: number): number {
  const start = cpuMs();
  for (let r = 0; r < repeats; r++) for (let i = 0; i < events.length; i++) session.send(events[i]!);
  return cpuMs() - start;
}

function runActor(actor: BareActor, events: readonly CallSessionEvent[], repeats: number): number {
  const start = cpuMs();
  for (let r = 0; r < repeats; r++) for (let i = 0; i < events.length; i++) actor.send(events[i]!);
  return cpuMs() - start;
}

function runSwitch(fsm: SwitchCallSession, events: readonly CallSessionEvent[], repeats: number): number {
  const start = cpuMs();
  for (let r = 0; r < repeats; r++) for (let i = 0; i < events.length; i++) fsm.send(events[i]!);
  return cpuMs() - start;
}

function expectState(what: string, actual: unknown, expected: string): void {
  if (actual !== expected)
    throw new Error(`bench: ${what} ended in ${String(actual)}, not ${expected}; the sequence is wrong`);
}

function actorState(actor: BareActor): string {
  const value = actor.getSnapshot().value;
  return typeof value === 'string' ? value : `joined.${value.joined}`;
}

interface Throughput {
  session: number[];
  actor: number[];
  fsm: number[];
  repeats: { session: number; actor: number; fsm: number };
}

function measureThroughput(config: Config, gc: () => void): Throughput {
  const events = throughputSequence();
  const session = joinedSession(new SimulatedClock());
  const actor = joinedActor(new SimulatedClock());
  const fsm = new SwitchCallSession();
  fsm.send(JOIN);
  fsm.send(JOINED);
  const runs = {
    session: (repeats: number) => runSession(session, events, repeats),
    actor: (repeats: number) => runActor(actor, events, repeats),
    fsm: (repeats: number) => runSwitch(fsm, events, repeats),
  };
  const names = ['session', 'actor', 'fsm'] as const;
  const repeats = { session: 1, actor: 1, fsm: 1 };
  for (let w = 0; w < config.warmups; w++) for (const name of names) runs[name](1);
  if (config.throughputRoundMs > 0) {
    for (const name of names) {
      const once = Math.max(runs[name](1), 0.05);
      repeats[name] = Math.max(1, Math.ceil(config.throughputRoundMs / once));
    }
    // A warm-up at the round's real length, so that the first round is not the one that optimises.
    for (const name of names) runs[name](repeats[name]);
  }
  const result: Throughput = { session: [], actor: [], fsm: [], repeats };
  for (let round = 0; round < config.rounds; round++) {
    // Rotate the order, so that no contender always runs right after another's garbage.
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      if (config.thoroughGc) gc();
      const ms = runs[name](repeats[name]);
      result[name].push((events.length * repeats[name] * 1000) / ms);
    }
  }
  expectState('session', session.state, 'joined.alone');
  expectState('bare actor', actorState(actor), 'joined.alone');
  expectState('switch FSM', fsm.state, 'joined.alone');
  session.dispose();
  actor.stop();
  return result;
}

/** Retained heap per instance: n of them kept alive, measured after full collections. */
function heapPerInstance<T>(
  n: number,
  create: () => T,
  dispose: (instance: T) => void,
  gc: () => void,
  thorough: boolean,
): number {
  const keep = new Array<T | undefined>(n).fill(undefined);
  gc();
  if (thorough) gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) keep[i] = create();
  gc();
  if (thorough) gc();
  const after = process.memoryUsage().heapUsed;
  for (const instance of keep) dispose(instance!);
  return (after - before) / n;
}

/** Listener objects shared by every session, so that only the session's own bookkeeping is counted. */
const SHARED_STATUS_LISTENER = { onSessionJoined() {} };
const SHARED_PARTICIPANT_LISTENER = { onParticipantJoined() {} };

function listenedSession(): CallSession {
  const session = createCallSession();
  session.addSessionStatusListener(SHARED_STATUS_LISTENER);
  session.addParticipantEventListener(SHARED_PARTICIPANT_LISTENER);
  session.join(SESSION_ID);
  session.send(JOINED);
  return session;
}

function measureHeap(
  config: Config,
  gc: () => void,
): { session: number[]; actor: number[]; ratio: number[]; listened: number[]; listenedRatio: number[] } {
  const session: number[] = [];
  const actor: number[] = [];
  const ratio: number[] = [];
  const listened: number[] = [];
  const listenedRatio: number[] = [];
  // Default (real) clock: each instance holds the pending 300 s idle timer, as in production.
  const newSession = () => joinedSession();
  const newActor = () => joinedActor();
  const thorough = config.thoroughGc;
  if (thorough) {
    heapPerInstance(1_000, newSession, (s) => s.dispose(), gc, thorough);
    heapPerInstance(1_000, newActor, (a) => a.stop(), gc, thorough);
  }
  for (let round = 0; round < config.heapRounds; round++) {
    const s = heapPerInstance(config.heapInstances, newSession, (x) => x.dispose(), gc, thorough);
    const a = heapPerInstance(config.heapInstances, newActor, (x) => x.stop(), gc, thorough);
    const l = heapPerInstance(config.heapInstances, listenedSession, (x) => x.dispose(), gc, thorough);
    session.push(s);
    actor.push(a);
    ratio.push(s / a);
    listened.push(l);
    listenedRatio.push(l / a);
  }
  return { session, actor, ratio, listened, listenedRatio };
}

/** µs to create, start and join one session (createCallSession + join + joined), per sample. */
function measureCreateJoin(config: Config): number[] {
  const samples: number[] = [];
  const batch = new Array<CallSession | undefined>(config.createBatch).fill(undefined);
  for (let sample = -2; sample < config.createSamples; sample++) {
    const start = performance.now();
    for (let i = 0; i < batch.length; i++) {
      const session = createCallSession();
      session.join(SESSION_ID);
      session.send(JOINED);
      batch[i] = session;
    }
    const ms = performance.now() - start;
    for (const session of batch) session!.dispose();
    if (sample >= 0) samples.push((ms * 1000) / batch.length);
  }
  return samples;
}

/** µs per participant join + leave with `present` others in the roster. */
function measurePairCost(present: number, withListener: boolean, config: Config): number[] {
  const session = createCallSession({ clock: new SimulatedClock() });
  session.join(SESSION_ID);
  session.send({ type: 'session.joined', participants: participants('present', present) });
  if (withListener) {
    session.addParticipantEventListener({
      onParticipantListChanged(list) {
        sink += list.length;
      },
    });
  }
  const visitor = participant('visitor', 0);
  const join: CallSessionEvent = { type: 'participant.joined', participant: visitor };
  const leave: CallSessionEvent = { type: 'participant.left', participant: visitor };
  const run = (pairs: number) => {
    const start = performance.now();
    for (let i = 0; i < pairs; i++) {
      session.send(join);
      session.send(leave);
    }
    return performance.now() - start;
  };
  let pairs = 1;
  let ms = run(pairs);
  while (ms < config.pairSampleMs / 4 && pairs < 1 << 22) {
    pairs *= 2;
    ms = run(pairs);
  }
  const perSample = Math.max(1, Math.ceil((pairs * config.pairSampleMs) / Math.max(ms, 0.001)));
  run(perSample); // warm-up at the sample's length
  const samples: number[] = [];
  for (let sample = 0; sample < config.pairSamples; sample++) samples.push((run(perSample) * 1000) / perSample);
  if (session.participants.length !== present) throw new Error('bench: the visitor did not leave');
  session.dispose();
  return samples;
}

interface Storm {
  ms: number;
  joined: number;
}

/** Total ms for `n` participants joining one session one by one; stops early past `budgetMs`. */
function measureStorm(n: number, withListener: boolean, budgetMs: number): Storm {
  const events: CallSessionEvent[] = participants('storm', n).map((p) => ({
    type: 'participant.joined',
    participant: p,
  }));
  const session = joinedSession(new SimulatedClock());
  if (withListener) {
    session.addParticipantEventListener({
      onParticipantListChanged(list) {
        sink += list.length;
      },
    });
  }
  const start = performance.now();
  let joined = n;
  for (let i = 0; i < n; i++) {
    session.send(events[i]!);
    if ((i & 255) === 255 && performance.now() - start > budgetMs) {
      joined = i + 1;
      break;
    }
  }
  const ms = performance.now() - start;
  if (session.participants.length !== joined) throw new Error('bench: the storm lost participants');
  session.dispose();
  return { ms, joined };
}

interface Lateness {
  /** Ascending lateness in ms of each onSessionTimedOut after the shared deadline. */
  sorted: Float64Array;
  sessions: number;
  overran: boolean;
}

/**
 * `n` joined.alone sessions whose idle countdowns all end at one instant, on the real
 * clock. Joined sessions' deadlines are whole seconds after their join, so to share one
 * deadline they are restored from one persisted snapshot (public API) whose
 * `idleDeadline` lies after the creation ends; lateness = when `onSessionTimedOut`
 * runs − that deadline.
 */
export async function measureLateness(n: number, gc: () => void): Promise<Lateness> {
  // Long enough that the shared deadline, set after all creations end, lies within one
  // period of every restore: a delay is capped at its period (SPEC §6).
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(3_600).build();
  const template = createCallSession({ settings });
  template.join(SESSION_ID);
  template.send(JOINED);
  const persisted = template.getPersistedSnapshot();
  template.dispose();
  // How long creating them takes, so that the deadline lies after it.
  const probes = Math.min(200, n);
  const probeStart = performance.now();
  const probeSnapshot: PersistedCallSession = { ...persisted, idleDeadline: Date.now() + 60_000 };
  for (let i = 0; i < probes; i++) restoreCallSession(probeSnapshot).dispose();
  const estimateMs = ((performance.now() - probeStart) / probes) * n;
  const deadline = Math.ceil(Date.now() + 3 * estimateMs + 1_000);
  const snapshot: PersistedCallSession = { ...persisted, idleDeadline: deadline };

  // The deadline on the monotonic clock timers run on, so that a step of the wall
  // clock (NTP, a paused VM) while waiting does not count as lateness.
  const monotonicDeadline = deadline - Date.now() + performance.now();
  const late = new Float64Array(n);
  let fired = 0;
  let allFired: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allFired = resolve));
  // One listener object shared by every session.
  const listener = {
    onSessionTimedOut() {
      late[fired++] = performance.now() - monotonicDeadline;
      if (fired === n) allFired();
    },
  };
  const sessions: CallSession[] = [];
  for (let i = 0; i < n; i++) {
    const session = restoreCallSession(snapshot);
    session.addSessionStatusListener(listener);
    sessions.push(session);
  }
  gc();
  const overran = Date.now() >= deadline;
  await waitAtMost(done, Math.max(0, deadline - Date.now()) + 30_000);
  for (const session of sessions) {
    if (session.state !== 'timedOut') throw new Error(`bench: a session is ${session.state}, not timedOut`);
    session.dispose();
  }
  return { sorted: sortedCopy(late.subarray(0, fired)), sessions: n, overran };
}

/**
 * What an app pays: a file that imports only `createCallSession` and
 * `SessionSettingsBuilder` from the main entry, bundled and tree-shaken (esbuild, xstate
 * external); and the whole main entry for comparison.
 */
const APP_IMPORTS = `import { createCallSession, SessionSettingsBuilder } from './src/index.js';
createCallSession({ settings: new SessionSettingsBuilder().build() }).join('bench');`;

async function measureBundle(app: boolean): Promise<{ min: number; gzip: number }> {
  const result = await build({
    ...(app
      ? { stdin: { contents: APP_IMPORTS, resolveDir: REPO_ROOT, sourcefile: 'app.ts', loader: 'ts' as const } }
      : { entryPoints: [`${REPO_ROOT}src/index.ts`] }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['xstate'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

function spreadOf(values: readonly number[]): BenchSpread {
  return { kind: 'min–max', ...minMax(values) };
}

function row(
  id: string,
  measure: string,
  unit: BenchUnit,
  values: readonly number[],
  target: BenchTarget | null = null,
  note?: string,
): BenchRow {
  return {
    id,
    measure,
    unit,
    median: median(values),
    spread: values.length > 1 ? spreadOf(values) : null,
    target,
    ...(note !== undefined && { note }),
  };
}

function pairwise(a: readonly number[], b: readonly number[], f: (x: number, y: number) => number): number[] {
  return a.map((x, i) => f(x, b[i]!));
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function environment(quick: boolean, startedAt: Date, loadAtStart: number): BenchEnvironment {
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    date: startedAt.toISOString(),
    load: [loadAtStart, loadavg()[0]!],
    quick,
  };
}

export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick ?? process.env.BENCH_QUICK === '1';
  const log = options.log ?? (() => undefined);
  const config = quick ? QUICK : FULL;
  const gc = getGc();
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const startedAt = new Date();
  const rows: BenchRow[] = [];

  log('throughput…');
  const t = measureThroughput(config, gc);
  const perRound = (name: keyof Throughput['repeats']) =>
    `${count(SEQUENCE_LENGTH)} events × ${t.repeats[name]} per round, ${config.rounds} rounds, on CPU time`;
  rows.push(
    row(
      'throughput.session',
      'events/s, session.send (no listeners)',
      'events/s',
      t.session,
      null,
      perRound('session'),
    ),
    row('throughput.actor', 'events/s, bare actor.send', 'events/s', t.actor, null, perRound('actor')),
    row('throughput.switch', 'events/s, switch FSM (floor)', 'events/s', t.fsm, null, perRound('fsm')),
    row(
      'throughput.ratio.session',
      'session.send ÷ bare actor',
      '×',
      pairwise(t.session, t.actor, (s, a) => s / a),
      { comparison: '≥', value: 0.9 },
      'per-round ratios',
    ),
    row(
      'throughput.ratio.switch',
      'switch FSM ÷ bare actor',
      '×',
      pairwise(t.fsm, t.actor, (s, a) => s / a),
    ),
  );

  log('heap…');
  const heap = measureHeap(config, gc);
  const heapNote = `${count(config.heapInstances)} kept alive, ${config.heapRounds} rounds, real clock`;
  rows.push(
    row('heap.session', 'heap per joined.alone session', 'B', heap.session, null, heapNote),
    row('heap.actor', 'heap per bare actor, joined.alone', 'B', heap.actor, null, heapNote),
    row(
      'heap.ratio',
      'session ÷ bare actor heap',
      '×',
      heap.ratio,
      { comparison: '≤', value: 1.25 },
      'per-round ratios',
    ),
    row(
      'heap.listened',
      'heap per session with a status and a participant listener',
      'B',
      heap.listened,
      null,
      heapNote,
    ),
    row(
      'heap.listened.ratio',
      'listened session ÷ bare actor heap',
      '×',
      heap.listenedRatio,
      { comparison: '≤', value: 1.25 },
      'listener objects shared, so only the bookkeeping counts',
    ),
  );

  log('create + join…');
  rows.push(
    row(
      'create.join',
      'createCallSession + join + joined',
      'µs',
      measureCreateJoin(config),
      null,
      `batches of ${count(config.createBatch)}, real clock`,
    ),
  );

  log('participant join + leave…');
  const [small, mid, large] = config.rosterSizes;
  // A full collection first, so that no sample pays for the previous section's garbage.
  const pairCost = (n: number, withListener: boolean) => {
    if (config.thoroughGc) gc();
    return measurePairCost(n, withListener, config);
  };
  pairCost(small, false); // warm-up: the first measurement would also pay for compiling the path
  const bare = config.rosterSizes.map((n) => pairCost(n, false));
  const listened = config.rosterSizes.map((n) => pairCost(n, true));
  config.rosterSizes.forEach((n, i) => {
    rows.push(row(`pair.noListener.${i}`, `join+leave, ${count(n)} present`, 'µs', bare[i]!));
  });
  rows.push(
    row(
      'pair.ratio',
      `join+leave at ${count(large)} ÷ at ${count(small)}`,
      '×',
      pairwise(bare[2]!, bare[0]!, (l, s) => l / s),
      { comparison: '≤', value: 2 },
      `no listener; ${count(mid)} present: ${formatNumber(median(bare[1]!))} µs`,
    ),
  );
  config.rosterSizes.forEach((n, i) => {
    rows.push(row(`pair.listener.${i}`, `join+leave, ${count(n)} present, list listener`, 'µs', listened[i]!));
  });

  log('join storms…');
  const storms: Storm[] = [];
  for (let round = 0; round < config.stormRounds; round++) {
    gc();
    storms.push(measureStorm(config.stormSize, false, Infinity));
  }
  rows.push(
    row(
      'storm.noListener',
      `join storm, ${count(config.stormSize)} participants`,
      'ms',
      storms.map((s) => s.ms),
      null,
      `${config.stormRounds} run(s)`,
    ),
  );
  gc();
  const listenedStorm = measureStorm(config.stormSize, true, config.stormBudgetMs);
  const capped = listenedStorm.joined < config.stormSize;
  rows.push(
    row(
      'storm.listener',
      capped
        ? `join storm with list listener, CAPPED at ${count(listenedStorm.joined)} of ${count(config.stormSize)}`
        : `join storm, ${count(config.stormSize)} participants, list listener`,
      'ms',
      [listenedStorm.ms],
      null,
      capped
        ? `stopped after ${formatNumber(config.stormBudgetMs / 1000)} s budget; O(n²) by nature (a new list per event)`
        : '1 run; O(n²) by nature (a new list per event)',
    ),
  );

  log('idle-timeout lateness (real clock)…');
  gc();
  const lateness = await measureLateness(config.latenessSessions, gc);
  rows.push({
    id: 'lateness',
    measure: `idle-timeout lateness p50, ${count(lateness.sessions)} due at once`,
    unit: 'ms',
    median: quantileOfSorted(lateness.sorted, 0.5),
    spread: {
      kind: 'p99 · max',
      low: quantileOfSorted(lateness.sorted, 0.99),
      high: quantileOfSorted(lateness.sorted, 1),
    },
    target: null,
    note:
      `min ${formatNumber(quantileOfSorted(lateness.sorted, 0))} ms; restored from one snapshot with a shared deadline; ${count(lateness.sorted.length)} fired` +
      (lateness.overran ? '; creation OVERRAN the deadline' : ''),
  });

  log('bundle…');
  const whole = await measureBundle(false);
  const app = await measureBundle(true);
  rows.push(
    row('bundle.min', 'bundle src/index.ts, minified (xstate external)', 'B', [whole.min]),
    row('bundle.whole.gzip', 'bundle src/index.ts, minified + gzip', 'B', [whole.gzip], undefined, 'every export'),
    row('bundle.app.min', 'app using createCallSession + SessionSettingsBuilder, minified', 'B', [app.min]),
    row(
      'bundle.gzip',
      'app using createCallSession + SessionSettingsBuilder, min + gzip',
      'B',
      [app.gzip],
      { comparison: '≤', value: 5000 },
      'esbuild tree-shaken, gzip -9',
    ),
  );

  if (!Number.isFinite(sink)) throw new Error('unreachable');
  return {
    environment: environment(quick, startedAt, loadAtStart),
    rows,
    seconds: (performance.now() - started) / 1000,
  };
}

export function verdict(benchRow: BenchRow): 'PASS' | 'FAIL' | '' {
  const { target, median: value } = benchRow;
  if (!target) return '';
  const ok = target.comparison === '≥' ? value >= target.value : value <= target.value;
  return ok ? 'PASS' : 'FAIL';
}

function withUnit(value: number, unit: BenchUnit): string {
  switch (unit) {
    case '×':
      return `${formatNumber(value)}×`;
    case 'events/s':
      return formatNumber(value);
    default:
      return `${formatNumber(value)} ${unit}`;
  }
}

function spreadText(benchRow: BenchRow): string {
  const { spread, unit } = benchRow;
  if (!spread) return '—';
  if (spread.kind === 'p99 · max') return `p99 ${withUnit(spread.low, unit)} · max ${withUnit(spread.high, unit)}`;
  return `${withUnit(spread.low, unit)} – ${withUnit(spread.high, unit)}`;
}

function targetText(benchRow: BenchRow): string {
  const { target, unit } = benchRow;
  return target ? `${target.comparison} ${withUnit(target.value, unit)}` : '';
}

/** The report as a plain-text table with a header of environment lines. */
export function formatReport(report: BenchReport): string {
  const { environment: env } = report;
  const header = [
    `call-session-machine benchmarks${env.quick ? ' (BENCH_QUICK=1: smoke run, figures not meaningful)' : ''}`,
    `Node ${env.node} · ${env.cpu} × ${env.cores} · ${env.date}`,
    `1-min load average ${env.load[0].toFixed(2)} at start, ${env.load[1].toFixed(2)} at end (other processes skew the figures)`,
    '',
  ];
  const table = [
    ['Measure', 'Median', 'Spread', 'Target', 'Result', 'Note'],
    ...report.rows.map((r) => [
      r.measure,
      withUnit(r.median, r.unit),
      spreadText(r),
      targetText(r),
      verdict(r),
      r.note ?? '',
    ]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((cells) => cells[column]!.length)));
  const lines = table.map((cells) =>
    cells
      .map((cell, column) => (column === 1 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const failed = report.rows.filter((r) => verdict(r) === 'FAIL').map((r) => r.id);
  return [
    ...header,
    ...lines,
    '',
    `Targets: ${failed.length === 0 ? 'all PASS' : `FAIL: ${failed.join(', ')}`} · ${formatNumber(report.seconds)} s`,
  ].join('\n');
}
