// Leak check: runs many whole session lifecycles and compares the heap, after garbage
// collection, before and after; counts the timers still pending on the clock.
//
//   node --expose-gc --import tsx scripts/leak.ts        (LEAK_CYCLES=100000 by default)
//
// Every cycle creates a session on one shared counting clock (a SimulatedClock under a
// wrapper that counts setTimeout, clearTimeout and fired timers), joins with
// participants, sends participant and connection events, and then, in turn: leaves;
// times out (the clock moves past the idle period); hits the reconnect bound; is
// disposed from inside onConnectionLost (reconnect bound pending) or onParticipantLeft
// (idle countdown just started), each time with an event queued; or is saved,
// disposed, restored and timed out. Every session is disposed at the end. One AbortSignal, never
// aborted, is shared by all listeners, so a listener that dispose() did not detach from
// it would pile up there. Exit code 1 when the heap grew by 5 MB or more, a timer is
// pending at the end or right after any dispose(), a callback came after dispose(), or
// a sampled session is still reachable.
import {
  CallSession,
  createCallSession,
  SessionSettingsBuilder,
  type Participant,
  type ParticipantEventListener,
  type SessionStatusListener,
} from '../src/index.js';
import { CountingClock } from '../test/support/countingClock.js';
import { restoreCallSession } from '../src/persistence/restore.js';

const MAX_GROWTH_MB = 5;
const CYCLES = Number(process.env.LEAK_CYCLES ?? 100_000);
if (!Number.isInteger(CYCLES) || CYCLES < 1) {
  console.error(`LEAK_CYCLES must be a positive integer; got ${process.env.LEAK_CYCLES}`);
  process.exit(2);
}

const collect = (globalThis as { gc?: () => void }).gc;
if (typeof collect !== 'function') {
  console.error('global.gc is missing: run with node --expose-gc --import tsx scripts/leak.ts');
  process.exit(2);
}

const IDLE_S = 10;
const RECONNECT_S = 5;
const settings = new SessionSettingsBuilder()
  .setIdleTimeoutPeriod(IDLE_S)
  .setReconnectTimeoutPeriod(RECONNECT_S)
  .build();
const clock = new CountingClock();
const sharedSignal = new AbortController().signal;
/** One session in SAMPLE_EVERY is watched through a WeakRef: it must be collectable at the end. */
const SAMPLE_EVERY = 100;
const sampled: WeakRef<CallSession>[] = [];
let callbacks = 0;
/** Callbacks that arrived after their session was disposed: must stay 0. */
let lateCallbacks = 0;
/**
 * Timers pending right after a dispose() (for one called from inside a callback: right
 * after the event that ran that callback returns; XState stops an actor once the event
 * it is processing is done), summed over all of them. Sessions run one at a time on the
 * shared clock, so this must be 0 each time; it is measured before a later clock move
 * could fire a leaked timer and so hide it.
 */
let pendingAfterDispose = 0;
let disposals = 0;

/** One session of a cycle: disposed through here, so its listeners can tell. */
class Run {
  disposed = false;
  constructor(readonly session: CallSession) {}

  /** `inCallback`: the timers are counted by `checkTimers()` once the dispatch is over. */
  dispose(inCallback = false): void {
    this.disposed = true;
    this.session.dispose();
    disposals++;
    if (!inCallback) this.checkTimers();
  }

  checkTimers(): void {
    if (!this.disposed) throw new Error('checkTimers() before dispose()');
    pendingAfterDispose += clock.pending;
  }
}

/** Hooks a cycle hangs on its listeners, e.g. to dispose the session from inside a callback. */
interface Hooks {
  onConnectionLost?: () => void;
  onParticipantLeft?: () => void;
}

function listenTo(run: Run, hooks: Hooks = {}): void {
  // Closures holding the session, as an app's listeners typically do.
  const count = (n = 1): void => {
    if (run.disposed) lateCallbacks++;
    callbacks += n;
  };
  const status: SessionStatusListener = {
    onSessionJoined: () => count(run.session.participants.length),
    onSessionLeft: () => count(),
    onSessionTimedOut: () => count(),
    onConnectionLost: () => {
      count();
      hooks.onConnectionLost?.();
    },
    onConnectionRestored: () => count(),
    onConnectionClosed: () => count(),
  };
  const participants: ParticipantEventListener = {
    onParticipantJoined: () => count(),
    onParticipantLeft: () => {
      count();
      hooks.onParticipantLeft?.();
    },
    onParticipantListChanged: (list) => count(list.length),
  };
  run.session.addSessionStatusListener(status, { signal: sharedSignal });
  run.session.addParticipantEventListener(participants, { signal: sharedSignal });
}

const KINDS = 6;

function cycle(i: number): void {
  const kind = i % KINDS;
  const p1: Participant = { uid: `u${i}`, name: `User ${i}` };
  const p2: Participant = { pid: `p${i}`, uid: `v${i}` };
  const p3: Participant = { uid: `w${i}`, avatar: `https://example.test/${i}.png` };
  let run = new Run(createCallSession({ settings, clock }));
  if (i % SAMPLE_EVERY === 0) sampled.push(new WeakRef(run.session));
  const hooks: Hooks = {};
  if (kind === 3) {
    // Disposed while reconnecting (reconnect bound pending), with an event queued.
    hooks.onConnectionLost = () => {
      if (run.session.participants.length < 3) return;
      run.session.leave();
      run.dispose(true);
    };
  } else if (kind === 5) {
    // Disposed as the last participant leaves (idle countdown just started), with an event queued.
    hooks.onParticipantLeft = () => {
      if (run.session.participants.length > 0) return;
      run.session.send({ type: 'connection.lost' });
      run.dispose(true);
    };
  }
  listenTo(run, hooks);
  const { session } = run;
  session.join(`s${i}`);
  session.send({ type: 'session.joined', participants: [p1, p2, { uid: 'me', isLocal: true }] });
  session.send({ type: 'participant.left', participant: p1 });
  session.send({ type: 'participant.joined', participant: { ...p2, name: 'renamed' } });
  session.send({ type: 'connection.lost' });
  session.send({ type: 'connection.restored', participants: [p2, p1] });
  session.send({ type: 'participant.joined', participant: p3 });
  switch (kind) {
    case 0:
      session.leave();
      break;
    case 1:
      for (const p of [p1, p2, p3]) session.send({ type: 'participant.left', participant: p });
      clock.increment(IDLE_S * 1_000);
      break;
    case 2:
      session.send({ type: 'connection.lost' });
      clock.increment(RECONNECT_S * 1_000);
      break;
    case 3:
      session.send({ type: 'connection.lost' }); // disposed in onConnectionLost
      run.checkTimers();
      session.send({ type: 'connection.closed' }); // ignored
      clock.increment(RECONNECT_S * 1_000);
      break;
    case 4: {
      for (const p of [p1, p2, p3]) session.send({ type: 'participant.left', participant: p });
      clock.increment(1_000);
      const saved = JSON.parse(JSON.stringify(session.getPersistedSnapshot())) as ReturnType<
        CallSession['getPersistedSnapshot']
      >;
      run.dispose();
      run = new Run(restoreCallSession(saved, { clock }));
      listenTo(run);
      clock.increment(IDLE_S * 1_000);
      break;
    }
    case 5:
      for (const p of [p1, p2, p3]) session.send({ type: 'participant.left', participant: p }); // disposed at the last
      run.checkTimers();
      clock.increment(IDLE_S * 1_000);
      break;
  }
  run.dispose();
}

async function settle(): Promise<number> {
  for (let i = 0; i < 6; i++) {
    collect!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const MB = 1024 * 1024;
const started = performance.now();
// Warm-up, so module caches and JIT state count in the baseline, not as growth.
const WARMUP = Math.min(1_000, CYCLES);
for (let i = 0; i < WARMUP; i++) cycle(-1 - i);
const heapStart = await settle();
for (let i = 0; i < CYCLES; i++) cycle(i);
const heapEnd = await settle();
const elapsed = (performance.now() - started) / 1_000;

const growth = (heapEnd - heapStart) / MB;
const alive = sampled.filter((ref) => ref.deref() !== undefined).length;
const pending = clock.pending;
const ok =
  growth < MAX_GROWTH_MB &&
  pending === 0 &&
  clock.balance === 0 &&
  pendingAfterDispose === 0 &&
  lateCallbacks === 0 &&
  alive === 0 &&
  CallSession.getInstance() === null;

console.log(`cycles                 ${CYCLES} (after ${WARMUP} warm-up cycles)`);
console.log(`heap used after GC     start ${(heapStart / MB).toFixed(2)} MB, end ${(heapEnd / MB).toFixed(2)} MB`);
console.log(`growth                 ${growth.toFixed(2)} MB (limit ${MAX_GROWTH_MB} MB)`);
console.log(
  `timers pending         ${pending} (setTimeout ${clock.setCount} - clearTimeout ${clock.clearCount} - fired ${clock.firedCount} = ${clock.balance})`,
);
console.log(`pending after dispose  ${pendingAfterDispose} (summed over ${disposals} dispose() calls)`);
console.log(`sampled sessions alive ${alive} of ${sampled.length}`);
console.log(`callbacks              ${callbacks} (after dispose: ${lateCallbacks})`);
console.log(`elapsed                ${elapsed.toFixed(1)} s`);
console.log(ok ? 'PASS' : 'FAIL');
process.exit(ok ? 0 : 1);
