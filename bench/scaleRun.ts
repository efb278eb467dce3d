/**
 * One measurement of `npm run bench:scale` (bench/scale.ts runs each in a fresh process,
 * so that one contender's heap never weighs on the other's garbage collector):
 *
 *   node <flags> --import tsx bench/scaleRun.ts <fleet|session> <create|window|burst|shard>
 *
 * Progress goes to stderr; the last line on stdout is the result as JSON.
 *
 * - create: SCALE_SESSIONS sessions made the way an app makes them (fleet: add, join,
 *   session.joined; session: createCallSession, join, session.joined), alone with a
 *   one-hour idle period so that none fires; time, heap per session, GC.
 * - window: SCALE_SESSIONS sessions restored alone from a persisted snapshot whose idle
 *   deadline is chosen: session i is due at T0 + ⌊i / (SCALE_RATE / 1000)⌋ ms, a fixed
 *   rate (default 20,000 a second) whatever the creation speed, with T0 after the last
 *   one is restored (the fleet: all in one `fleet.restore` call). Then the lateness of each idle timeout, µs per timeout (event-loop
 *   busy time over the window ÷ timeouts), GC while they fire.
 * - burst: the same with SCALE_BURST (default 100,000) sessions due within one second.
 * - shard (fleet only): two worker_threads, each creating half of SCALE_SESSIONS as in
 *   `create`, started together; the time until both are done.
 *
 * Both the window and the burst runs warm up the whole firing path right before the
 * measured timeouts: 20,000 more sessions restored after the measured ones and timed
 * out at the same rate, ending 2 s before the first measured deadline, so that the
 * code is compiled for what it meets there. (A pilot restore of 5,000 sessions first
 * tells how long restoring takes, to place that deadline after it.)
 */
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createCallSessionFleet, type CallSessionFleet } from '../src/fleet/index.js';
import { restoreCallSession } from '../src/persistence/restore.js';
import {
  createCallSession,
  PERSISTED_FORMAT,
  PERSISTED_VERSION,
  SessionSettingsBuilder,
  type CallSession,
  type CallSessionEvent,
  type PersistedCallSession,
  type SessionSettings,
} from '../src/index.js';
import { GcTally, getGc, heapNow, nextTurn, quantileOfSorted, sortedCopy, waitAtMost } from './stats.js';

export type Contender = 'fleet' | 'session';
export type Phase = 'create' | 'window' | 'burst' | 'shard';

/** What one run reports (bench/scale.ts prints it). */
export interface RunResult {
  readonly contender: Contender;
  readonly phase: Phase;
  readonly sessions: number;
  readonly load: readonly [start: number, end: number];
  /** Seconds to create (or restore) the sessions. */
  readonly createS?: number;
  /** CPU seconds the process spent creating them (all threads). */
  readonly createCpuS?: number;
  /** Heap and off-heap bytes the sessions hold, after a full collection. */
  readonly heapBytes?: number;
  readonly externalBytes?: number;
  readonly gcCreate?: GcSummary;
  readonly rate?: number;
  readonly windowS?: number;
  readonly fired?: number;
  readonly lateness?: { p50: number; p99: number; max: number; tenths: readonly string[] };
  /** Event-loop busy time while the timeouts fire ÷ timeouts (wall time: counts time the OS gave to other processes). */
  readonly usPerTimeout?: number;
  /** CPU time of the process (all its threads, GC helpers included) while they fire ÷ timeouts. */
  readonly cpuUsPerTimeout?: number;
  /** Times the OS took the CPU from the process while they fired (getrusage): other work on the machine. */
  readonly involuntarySwitches?: number;
  readonly gcFire?: GcSummary;
  readonly createdAfterFirstDeadlineMs?: number;
  readonly shards?: readonly { createS: number; heapBytes: number }[];
  readonly driftMs?: number;
}

export interface GcSummary {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
  readonly majorCount: number;
  readonly majorMs: number;
}

const SESSIONS = Number(process.env.SCALE_SESSIONS ?? 1_000_000);
const RATE = Number(process.env.SCALE_RATE ?? 20_000);
const BURST = Number(process.env.SCALE_BURST ?? 100_000);
const WARMUP = 20_000;
const PILOT = 5_000;
const CHUNK = 1_000;
const HOUR_S = 3_600;
const JOINED: CallSessionEvent = { type: 'session.joined' };
const loadavg = async () => (await import('node:os')).loadavg()[0]!;

const settings: SessionSettings = new SessionSettingsBuilder().setIdleTimeoutPeriod(HOUR_S).build();

function persistedAlone(id: string, idleDeadline: number): PersistedCallSession {
  return {
    format: PERSISTED_FORMAT,
    version: PERSISTED_VERSION,
    state: 'joined.alone',
    resumeTo: null,
    sessionId: id,
    participants: [],
    settings,
    idleDeadline,
    idleWarningAt: null,
    reconnectDeadline: null,
    endReason: null,
  };
}

function* persistedEntries(
  from: number,
  count: number,
  deadlineOf: (i: number) => number,
): Generator<[string, PersistedCallSession]> {
  for (let i = from; i < from + count; i++) yield [`s${i}`, persistedAlone(`s${i}`, deadlineOf(i))];
}

/** The sessions of one contender, made and timed out through its public API only. */
interface Sessions {
  /** Adds `count` sessions from index `from`, joined alone the way an app does. */
  join(from: number, count: number): void;
  /** Adds `count` sessions from `from`, restored alone with the idle deadline `deadlineOf(i)` (Date.now() ms). */
  restore(from: number, count: number, deadlineOf: (i: number) => number): void;
  /** Drops every session. */
  clear(): void;
}

/** Fleet: one fleet; a session that ends is removed (`removeOnEnd`), as a server forgets a closed room. */
function fleetSessions(onTimedOut: (index: number) => void): Sessions {
  let fleet: CallSessionFleet = make();
  function make(): CallSessionFleet {
    const created = createCallSessionFleet({ settings, removeOnEnd: true });
    created.addSessionStatusListener({ onSessionTimedOut: (id) => onTimedOut(Number(id.slice(1))) });
    return created;
  }
  return {
    join(from, count) {
      for (let i = from; i < from + count; i++) {
        const id = `s${i}`;
        fleet.add(id);
        fleet.join(id);
        fleet.send(id, JOINED);
      }
    },
    restore(from, count, deadlineOf) {
      fleet.restore(persistedEntries(from, count, deadlineOf));
    },
    clear() {
      fleet.dispose();
      fleet = make();
    },
  };
}

/**
 * createCallSession: one actor per session, one listener object shared by all (so a
 * callback cannot tell which session fired: timers fire in deadline order, so the k-th
 * onSessionTimedOut is matched with the k-th deadline).
 */
function callSessions(onTimedOut: (index: number) => void, warmUps = 0): Sessions {
  let sessions: CallSession[] = [];
  let fired = 0;
  // The first `warmUps` timeouts are the warm-up's, reported past the measured indices.
  const listener = {
    onSessionTimedOut: () => {
      const k = fired++;
      onTimedOut(k < warmUps ? Number.MAX_SAFE_INTEGER : k - warmUps);
    },
  };
  return {
    join(from, count) {
      for (let i = from; i < from + count; i++) {
        const session = createCallSession({ settings });
        session.addSessionStatusListener(listener);
        session.join(`s${i}`);
        session.send(JOINED);
        sessions.push(session);
      }
    },
    restore(from, count, deadlineOf) {
      for (let i = from; i < from + count; i++) {
        const session = restoreCallSession(persistedAlone(`s${i}`, deadlineOf(i)));
        session.addSessionStatusListener(listener);
        sessions.push(session);
      }
    },
    clear() {
      for (const session of sessions) session.dispose();
      sessions = [];
      fired = 0;
    },
  };
}

function log(line: string): void {
  process.stderr.write(`[${(performance.now() / 1000).toFixed(1)} s] ${line}\n`);
}

async function inChunks(count: number, from: number, make: (from: number, count: number) => void): Promise<void> {
  for (let at = from; at < from + count; at += CHUNK) {
    make(at, Math.min(CHUNK, from + count - at));
    // Let the event loop turn, as a server creating sessions from requests would.
    await nextTurn();
  }
}

async function create(contender: Contender, count: number): Promise<RunResult> {
  const load0 = await loadavg();
  const gc = getGc();
  const sessions = contender === 'fleet' ? fleetSessions(() => undefined) : callSessions(() => undefined);
  // Warm-up of the creation path, then dropped.
  await inChunks(WARMUP, 0, (from, n) => sessions.join(from, n));
  sessions.clear();
  gc();
  const before = heapNow();
  const tally = new GcTally();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await inChunks(count, 0, (from, n) => sessions.join(from, n));
  const createS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const gcCreate = await tally.stop();
  gc();
  const after = heapNow();
  return {
    contender,
    phase: 'create',
    sessions: count,
    load: [load0, await loadavg()],
    createS,
    createCpuS: (cpu.user + cpu.system) / 1e6,
    heapBytes: after.heap - before.heap,
    externalBytes: after.external - before.external,
    gcCreate,
  };
}

/**
 * Restores `count` sessions: the fleet in ONE `fleet.restore` call, as a server restarting
 * restores its saved fleet (the restore is measured from when it arms its timers, so
 * however long the call takes, no timer is late for it); createCallSession one
 * `restoreCallSession` at a time, letting the event loop turn every CHUNK.
 */
async function restoreAll(
  contender: Contender,
  sessions: Sessions,
  from: number,
  count: number,
  deadlineOf: (i: number) => number,
): Promise<void> {
  if (contender === 'fleet') {
    sessions.restore(from, count, deadlineOf);
    await nextTurn();
  } else {
    await inChunks(count, from, (at, n) => sessions.restore(at, n, deadlineOf));
  }
}

/** Restores `count` sessions due at `rate` a second from T0 (after they are all restored), and waits for every timeout. */
async function fireAt(
  contender: Contender,
  count: number,
  rate: number,
  phase: 'window' | 'burst',
): Promise<RunResult> {
  const load0 = await loadavg();
  const gc = getGc();
  const firedAt = new Float64Array(count);
  let fired = 0;
  let warmFired = 0;
  let allFired: () => void = () => undefined;
  let warmedUp: () => void = () => undefined;
  // Indices 0 … count-1 are the measured sessions; the warm-up ones come after them.
  const onTimedOut = (index: number) => {
    if (index >= count) {
      if (++warmFired === WARMUP) warmedUp();
      return;
    }
    firedAt[index] = performance.now();
    if (++fired === count) allFired();
  };
  const sessions = contender === 'fleet' ? fleetSessions(onTimedOut) : callSessions(onTimedOut, WARMUP);
  const perMs = rate / 1000;
  // Deadlines on Date.now(), lateness on the monotonic clock timers run on.
  const offset = Date.now() - performance.now();
  const wallStart = Date.now();
  const monotonicStart = performance.now();

  // A pilot restore, to choose a first deadline after the last session is restored.
  const pilotStart = performance.now();
  const pilotDeadline = Date.now() + HOUR_S * 1000;
  await restoreAll(contender, sessions, count + WARMUP, PILOT, () => pilotDeadline);
  const restorePerSession = (performance.now() - pilotStart) / PILOT;
  sessions.clear();
  gc();

  const done = new Promise<void>((resolve) => (allFired = resolve));
  const warm = new Promise<void>((resolve) => (warmedUp = resolve));
  const before = heapNow();
  const warmMs = WARMUP / perMs;
  const T0 = Date.now() + Math.ceil(1.5 * restorePerSession * (count + WARMUP)) + 5_000 + warmMs + 2_000;
  const deadlineOf = (i: number) => T0 + Math.floor(i / perMs);
  log(`${contender} ${phase}: restoring ${count} sessions, first due in ${((T0 - Date.now()) / 1000).toFixed(1)} s`);
  const createTally = new GcTally();
  const start = performance.now();
  await restoreAll(contender, sessions, 0, count, deadlineOf);
  const createS = (performance.now() - start) / 1000;
  const gcCreate = await createTally.stop();
  gc();
  const after = heapNow();
  // Warm-up of the whole firing path right before the window, at the same rate, so
  // that it is compiled for what it meets in the measured run: WARMUP more sessions,
  // due from 2 s + their own spread before T0.
  const warmT0 = T0 - 2_000 - warmMs;
  await restoreAll(contender, sessions, count, WARMUP, (i) => warmT0 + Math.floor((i - count) / perMs));
  const createdAfterFirstDeadlineMs = Date.now() - T0;
  log(`${contender} ${phase}: restored in ${createS.toFixed(1)} s; warming up, then waiting for the timeouts`);
  await waitAtMost(warm, Math.max(0, T0 - Date.now()));
  log(`${contender} ${phase}: warm-up: ${warmFired} of ${WARMUP} timeouts fired`);
  const fireTally = new GcTally();
  const lastDeadline = deadlineOf(count - 1);
  await waitAtMost(new Promise((resolve) => setTimeout(resolve, Math.max(0, T0 - Date.now() - 50))), 600_000);
  // SCALE_DEBUG=1: logs every gap of more than 40 ms between 5 ms ticks, and GC pauses over 10 ms, by time since T0.
  let stallTimer: ReturnType<typeof setInterval> | undefined;
  if (process.env.SCALE_DEBUG) {
    let last = performance.now();
    const sinceT0 = (t: number) => `T0+${(t - (T0 - offset)).toFixed(0)} ms`;
    let lastCpu = process.cpuUsage();
    let lastSwitches = process.resourceUsage().involuntaryContextSwitches;
    stallTimer = setInterval(() => {
      const now = performance.now();
      const cpu = process.cpuUsage(lastCpu);
      const switches = process.resourceUsage().involuntaryContextSwitches;
      if (now - last > 40) {
        log(
          `stall ${(now - last).toFixed(0)} ms ending ${sinceT0(now)}: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms of CPU, ` +
            `${switches - lastSwitches} involuntary context switches`,
        );
      }
      last = now;
      lastCpu = process.cpuUsage();
      lastSwitches = switches;
    }, 5);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        if (entry.duration > 10) log(`gc ${entry.duration.toFixed(0)} ms at ${sinceT0(entry.startTime)}`);
    }).observe({ entryTypes: ['gc'] });
  }
  // SCALE_PROFILE=file.cpuprofile: a CPU profile of the firing only.
  const profiler = process.env.SCALE_PROFILE ? new (await import('node:inspector/promises')).Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const switches0 = process.resourceUsage().involuntaryContextSwitches;
  await waitAtMost(done, Math.max(0, lastDeadline - Date.now()) + 120_000);
  const cpu = process.cpuUsage(cpu0);
  const involuntarySwitches = process.resourceUsage().involuntaryContextSwitches - switches0;
  const elu = performance.eventLoopUtilization(elu0);
  clearInterval(stallTimer);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    (await import('node:fs')).writeFileSync(process.env.SCALE_PROFILE!, JSON.stringify(profile));
  }
  const gcFire = await fireTally.stop();
  // Fleet: firedAt[i] is session i's; createCallSession: the k-th timeout, matched with the k-th deadline.
  const lateness: number[] = [];
  for (let k = 0; k < count; k++) if (firedAt[k]! > 0) lateness.push(firedAt[k]! - (deadlineOf(k) - offset));
  const sorted = sortedCopy(lateness);
  const tenths: string[] = [];
  const n = lateness.length;
  for (let t = 0; t < 10; t++) {
    const part = sortedCopy(lateness.slice(Math.floor((t * n) / 10), Math.floor(((t + 1) * n) / 10)));
    tenths.push(`${quantileOfSorted(part, 0.99).toFixed(1)}/${quantileOfSorted(part, 1).toFixed(1)}`);
  }
  return {
    contender,
    phase,
    sessions: count,
    load: [load0, await loadavg()],
    createS,
    heapBytes: after.heap - before.heap,
    externalBytes: after.external - before.external,
    gcCreate,
    rate,
    windowS: count / rate,
    fired,
    lateness: {
      p50: quantileOfSorted(sorted, 0.5),
      p99: quantileOfSorted(sorted, 0.99),
      max: quantileOfSorted(sorted, 1),
      tenths,
    },
    usPerTimeout: (elu.active * 1000) / Math.max(1, fired),
    cpuUsPerTimeout: (cpu.user + cpu.system) / Math.max(1, fired),
    involuntarySwitches,
    gcFire,
    createdAfterFirstDeadlineMs,
    driftMs: Date.now() - wallStart - (performance.now() - monotonicStart),
  };
}

/** Two worker threads, each creating half the sessions in its own fleet, started together. */
async function shard(count: number): Promise<RunResult> {
  const load0 = await loadavg();
  const halves = [Math.ceil(count / 2), Math.floor(count / 2)];
  const workers = halves.map(
    (n) =>
      // tsx's loader hooks do not reach a worker started on a .ts file: a small ESM entry
      // registers them there, then imports this file.
      new Worker(
        new URL(
          `data:text/javascript,${encodeURIComponent(
            `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); ` +
              `await import(${JSON.stringify(import.meta.url)});`,
          )}`,
        ),
        {
          workerData: { count: n },
          // Each shard gets the main thread's heap flags: its own young generation and old space.
          resourceLimits: { maxOldGenerationSizeMb: 6_144, maxYoungGenerationSizeMb: 192 },
        },
      ),
  );
  const ready = workers.map((worker) => new Promise<void>((resolve) => worker.once('message', () => resolve())));
  await Promise.all(ready);
  const results = workers.map(
    (worker) => new Promise<{ createS: number; heapBytes: number }>((resolve) => worker.once('message', resolve)),
  );
  const start = performance.now();
  for (const worker of workers) worker.postMessage('go');
  const shards = await Promise.all(results);
  const createS = (performance.now() - start) / 1000;
  await Promise.all(workers.map((worker) => worker.terminate()));
  return { contender: 'fleet', phase: 'shard', sessions: count, load: [load0, await loadavg()], createS, shards };
}

async function shardWorker(count: number): Promise<void> {
  const gc = getGc();
  const sessions = fleetSessions(() => undefined);
  await inChunks(WARMUP, 0, (from, n) => sessions.join(from, n));
  sessions.clear();
  gc();
  parentPort!.postMessage('ready');
  await new Promise((resolve) => parentPort!.once('message', resolve));
  const before = heapNow();
  const start = performance.now();
  await inChunks(count, 0, (from, n) => sessions.join(from, n));
  const createS = (performance.now() - start) / 1000;
  gc();
  parentPort!.postMessage({ createS, heapBytes: heapNow().heap - before.heap });
}

async function main(): Promise<void> {
  const [contender, phase] = process.argv.slice(2) as [Contender, Phase];
  if (!['fleet', 'session'].includes(contender) || !['create', 'window', 'burst', 'shard'].includes(phase)) {
    throw new Error('usage: bench/scaleRun.ts <fleet|session> <create|window|burst|shard>');
  }
  if (!Number.isInteger(SESSIONS) || SESSIONS < WARMUP)
    throw new Error(`SCALE_SESSIONS must be an integer ≥ ${WARMUP}`);
  const result =
    phase === 'create'
      ? await create(contender, SESSIONS)
      : phase === 'window'
        ? await fireAt(contender, SESSIONS, RATE, 'window')
        : phase === 'burst'
          ? await fireAt(contender, BURST, BURST, 'burst')
          : await shard(SESSIONS);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // A million sessions need no teardown.
  process.exit(0);
}

if (isMainThread) await main();
else await shardWorker((workerData as { count: number }).count);
