/**
 * `npm run bench:scale`: node --max-old-space-size=12288 --max-semi-space-size=64 --expose-gc --import tsx bench/scale.ts
 *
 * One process, SCALE_SESSIONS (default 1,000,000) concurrent sessions joined alone on the
 * real clock, each with the same idle period, chosen (unless SCALE_IDLE_S is set) so that
 * the first idle timeout is due after the last session is created. Prints the time to
 * create them, the heap they hold, and how late their idle timeouts fire. Exits 0
 * whatever the figures.
 *
 * Lateness: one listener object is shared by every session, so a callback cannot tell
 * which session fired. Timers fire in deadline order, so the k-th `onSessionTimedOut`
 * is matched with the k-th earliest deadline (read from each session's snapshot).
 * Deadlines are `Date.now()` times; each is converted to the monotonic clock timers run
 * on (`performance.now()`) when its session is created, so that a step of the wall clock
 * during the run does not count as lateness (the drift is printed).
 */
import { cpus, loadavg } from 'node:os';
import { constants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { createActor } from 'xstate';
import {
  callSessionMachine,
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type CallSessionEvent,
} from '../src/index.js';
import { formatBytes, formatNumber, getGc, nextTurn, quantileOfSorted, sortedCopy, waitAtMost } from './stats.js';

const SESSIONS = Number(process.env.SCALE_SESSIONS ?? 1_000_000);
const BARE = process.env.SCALE_BARE === '1';
const BATCH = 1_000;
const TARGET_CREATE_S = 30;
const TARGET_HEAP_BYTES = 6 * 1024 ** 3;
const TARGET_P99_MS = 50;
const JOINED: CallSessionEvent = { type: 'session.joined' };

if (!Number.isInteger(SESSIONS) || SESSIONS < 1)
  throw new Error(`SCALE_SESSIONS must be a positive integer; got ${SESSIONS}`);

const gc = getGc();

/** GC pauses by phase, from perf_hooks' `gc` entries. */
interface GcTally {
  count: number;
  totalMs: number;
  maxMs: number;
  majorCount: number;
  majorMs: number;
}
const newTally = (): GcTally => ({ count: 0, totalMs: 0, maxMs: 0, majorCount: 0, majorMs: 0 });
let tally = newTally();
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    tally.count++;
    tally.totalMs += entry.duration;
    tally.maxMs = Math.max(tally.maxMs, entry.duration);
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      tally.majorCount++;
      tally.majorMs += entry.duration;
    }
  }
});

function describeGc(t: GcTally): string {
  return (
    `${t.count} pauses, ${formatNumber(t.totalMs)} ms in all, longest ${formatNumber(t.maxMs)} ms; ` +
    `${t.majorCount} mark-compact, ${formatNumber(t.majorMs)} ms`
  );
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}

function joinedSession(settings: ReturnType<SessionSettingsBuilder['build']>): CallSession {
  const session = createCallSession({ settings });
  session.join('scale');
  session.send(JOINED);
  return session;
}

/** ms per session on a small sample, to choose an idle period that outlasts creation. */
function pilotMsPerSession(): number {
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(3_600).build();
  const n = Math.min(20_000, SESSIONS);
  const pilot: CallSession[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) pilot.push(joinedSession(settings));
  const ms = performance.now() - start;
  for (const session of pilot) session.dispose();
  return ms / n;
}

async function main(): Promise<void> {
  console.log(
    `call-session-machine scale benchmark: ${SESSIONS.toLocaleString('en-US')} concurrent joined ${BARE ? 'BARE XState actors (SCALE_BARE=1)' : 'sessions'}`,
  );
  console.log(
    `Node ${process.version} · ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} · ${new Date().toISOString()}`,
  );
  console.log(`1-min load average at start ${loadavg()[0]!.toFixed(2)}`);

  const perSession = pilotMsPerSession();
  const predictedS = (perSession * SESSIONS) / 1000;
  const idleS = Number(process.env.SCALE_IDLE_S ?? Math.max(20, Math.ceil(2.5 * predictedS) + 10));
  console.log(
    `pilot: ${formatNumber(perSession * 1000)} µs per session → ~${formatNumber(predictedS)} s to create; idle period ${idleS} s`,
  );
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(idleS).build();

  const sessions = new Array<CallSession | undefined>(SESSIONS).fill(undefined);
  const bareActors = new Array<unknown>(BARE ? SESSIONS : 0);
  const deadlines = new Float64Array(SESSIONS);
  const firedAt = new Float64Array(SESSIONS);
  let fired = 0;
  let allFired: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allFired = resolve));
  // One listener object shared by every session.
  const listener = {
    onSessionTimedOut() {
      firedAt[fired++] = performance.now();
      if (fired === SESSIONS) allFired();
    },
  };

  gc();
  const wallStart = Date.now();
  const monotonicStart = performance.now();
  const heapBefore = process.memoryUsage().heapUsed;
  observer.observe({ entryTypes: ['gc'] });
  const createStart = performance.now();
  // SCALE_BARE=1: the same on bare XState actors of the same chart, to tell the
  // package's cost from XState's (one shared observer stands in for the listener).
  const onBareSnapshot = (snapshot: { status: string }) => {
    if (snapshot.status === 'done') listener.onSessionTimedOut();
  };
  for (let i = 0; i < SESSIONS; i++) {
    if (BARE) {
      const actor = createActor(callSessionMachine, { input: { settings } });
      actor.subscribe(onBareSnapshot);
      actor.start();
      actor.send({ type: 'session.join', sessionId: 'scale' });
      actor.send(JOINED);
      deadlines[i] = actor.getSnapshot().context.idleDeadline! - Date.now() + performance.now();
      bareActors[i] = actor;
    } else {
      const session = createCallSession({ settings });
      session.addSessionStatusListener(listener);
      session.join('scale');
      session.send(JOINED);
      deadlines[i] = session.actor.getSnapshot().context.idleDeadline! - Date.now() + performance.now();
      sessions[i] = session;
    }
    // Let the event loop turn, as a server creating sessions from requests would.
    if (i % BATCH === BATCH - 1) await nextTurn();
  }
  const createS = (performance.now() - createStart) / 1000;
  const createdAt = performance.now();
  await nextTurn();
  const creationGc = tally;
  tally = newTally();
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const heap = heapAfter - heapBefore;
  const rss = process.memoryUsage().rss;
  // GC entries reach the observer on a later turn.
  await nextTurn();
  await nextTurn();
  const gcAfterCreation = tally;
  tally = newTally();

  const sortedDeadlines = sortedCopy(deadlines);
  const firstDeadline = sortedDeadlines[0]!;
  const lastDeadline = sortedDeadlines[SESSIONS - 1]!;
  console.log('');
  console.log(
    `created in ${formatNumber(createS)} s (${formatNumber((createS * 1e6) / SESSIONS)} µs each)   target ≤ ${TARGET_CREATE_S} s  ${verdict(createS <= TARGET_CREATE_S)}`,
  );
  console.log(`  GC while creating: ${describeGc(creationGc)}`);
  console.log(
    `heap used by the sessions ${formatBytes(heap)} (${formatNumber(heap / SESSIONS)} B each; heapUsed ${formatBytes(heapAfter)}, rss ${formatBytes(rss)})   target ≤ 6 GiB  ${verdict(heap <= TARGET_HEAP_BYTES)}`,
  );
  if (createdAt >= firstDeadline) {
    console.log(
      `  WARNING: creation ended ${formatNumber(createdAt - firstDeadline)} ms after the first deadline; timeouts fired while creating`,
    );
  }
  console.log(
    `waiting for the idle timeouts: due from +${formatNumber((firstDeadline - createdAt) / 1000)} s to +${formatNumber((lastDeadline - createdAt) / 1000)} s…`,
  );
  await waitAtMost(done, Math.max(0, lastDeadline - performance.now()) + 120_000);
  const firingGc = tally;
  observer.disconnect();

  const lateness = new Float64Array(fired);
  for (let k = 0; k < fired; k++) lateness[k] = firedAt[k]! - sortedDeadlines[k]!;
  const sorted = sortedCopy(lateness);
  const p50 = quantileOfSorted(sorted, 0.5);
  const p99 = quantileOfSorted(sorted, 0.99);
  const max = quantileOfSorted(sorted, 1);
  console.log(`fired ${fired.toLocaleString('en-US')} of ${SESSIONS.toLocaleString('en-US')} idle timeouts`);
  console.log(
    `lateness p50 ${formatNumber(p50)} ms · p99 ${formatNumber(p99)} ms · max ${formatNumber(max)} ms   target p99 ≤ ${TARGET_P99_MS} ms  ${verdict(fired === SESSIONS && p99 <= TARGET_P99_MS)}`,
  );
  console.log(`  GC while firing: ${describeGc(firingGc)} (full gc after creation: ${describeGc(gcAfterCreation)})`);
  // Where in the firing order the late ones are.
  const tenths: string[] = [];
  for (let t = 0; t < 10; t++) {
    const part = sortedCopy(lateness.subarray(Math.floor((t * fired) / 10), Math.floor(((t + 1) * fired) / 10)));
    tenths.push(`${formatNumber(quantileOfSorted(part, 0.99))}/${formatNumber(quantileOfSorted(part, 1))}`);
  }
  console.log(`  p99/max lateness (ms) by tenth of the firing order: ${tenths.join(' · ')}`);
  const drift = Date.now() - wallStart - (performance.now() - monotonicStart);
  console.log(`  wall clock moved ${formatNumber(drift)} ms against the monotonic clock during the run`);
  let stillJoined = 0;
  if (!BARE) for (const session of sessions) if (session!.state !== 'timedOut') stillJoined++;
  if (stillJoined > 0) console.log(`  ${stillJoined} sessions did not time out`);
  console.log(`1-min load average at end ${loadavg()[0]!.toFixed(2)}`);
}

await main();
// 1,000,000 stopped actors need no teardown: exit now rather than collect them.
process.exit(0);
