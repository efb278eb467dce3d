// The SPEC §2 oracle (test/oracle.ts) against durable sessions run by two or three real
// processes on one Redis: the random interleavings of test/oracleRun.ts (events,
// time advances, listener changes, restores), each step sent to one of the processes in
// turn, every session compared with its own oracle after every step. Shared by
// test/durable/oracle.test.ts and scripts/soakDurable.ts.
//
// Time is a virtual clock the runner sets in every process. A time advance sets it,
// then promotes the BullMQ jobs of the deadlines that came due (BullMQ waits real
// milliseconds, which the virtual clock does not move) and waits until the workers of
// the processes have applied every one of them, from Redis's own records. A job that
// reaches a worker before its virtual time is put back by the worker, as one early on a
// skewed clock would be.
import type { DurableSession } from '../../src/durable/index.js';
import { jobIdOf } from '../../src/durable/record.js';
import { advance, describeList, initialModel, step as oracleStep, type OracleModel } from '../oracle.js';
import { CALLBACKS_OF, isStatusId, type ListenerId, type RunStats, type Step } from '../oracleRun.js';
import type { Interleaving } from '../oracleRun.js';
import type { FleetProcess } from './processes.js';
import { callbacksOf, settingsOf, type RedisView } from './support.js';

export interface DurableOracleEnv {
  readonly processes: readonly FleetProcess[];
  readonly view: RedisView;
  /** The virtual time, shared by all runs (the processes keep their clocks between runs). */
  now: number;
  runs: number;
}

interface Lane {
  readonly id: string;
  readonly steps: readonly Step[];
  next: number;
  model: OracleModel;
}

const FIRE_TIMEOUT_MS = 20_000;

async function setNow(env: DurableOracleEnv, now: number): Promise<void> {
  env.now = now;
  await Promise.all(env.processes.map((p) => p.request({ op: 'now', now })));
}

/** Promotes the jobs of every deadline due by now and waits until all are applied. */
async function fireDue(env: DurableOracleEnv, lanes: readonly Lane[]): Promise<string | null> {
  const started = Date.now();
  const promoted = new Set<string>();
  for (;;) {
    const due: string[] = [];
    const dueIds = async (): Promise<string[]> => {
      const ids: string[] = [];
      for (const lane of lanes) {
        const record = await env.view.record(lane.id);
        for (const timer of record?.timers ?? []) {
          if (timer.due <= env.now) ids.push(jobIdOf(lane.id, record!.incarnation, timer));
        }
      }
      return ids;
    };
    due.push(...(await dueIds()));
    if (due.length === 0) return null;
    for (const jobId of due) {
      if (promoted.has(jobId)) continue;
      const job = await env.view.queue.getJob(jobId);
      // Gone because a worker applied it since (a job completes after its session is
      // stored), or missing while the session still waits for it.
      if (job === undefined) {
        if ((await dueIds()).includes(jobId)) return `deadline job ${jobId} is due and missing`;
        continue;
      }
      // One that a worker holds or put back meanwhile: promoted again next round.
      if (
        await job.promote().then(
          () => true,
          () => false,
        )
      )
        promoted.add(jobId);
    }
    if (Date.now() - started > FIRE_TIMEOUT_MS)
      return `deadlines not applied within ${FIRE_TIMEOUT_MS} ms: ${due.join(', ')}`;
    await new Promise((resolve) => setTimeout(resolve, 2));
    // A job put back by an early worker is delayed again: promote it once more.
    for (const jobId of promoted) if ((await env.view.queue.getJobState(jobId)) === 'delayed') promoted.delete(jobId);
  }
}

function compare(lane: Lane, stored: DurableSession['session'] | undefined): string[] {
  const { model } = lane;
  if (stored === undefined) return [`${lane.id}: Redis lost the session`];
  const problems: string[] = [];
  const check = (name: string, got: unknown, want: unknown): void => {
    if (got !== want) problems.push(`${lane.id}: ${name}: durable ${String(got)}, oracle ${String(want)}`);
  };
  check('state', stored.state, model.state);
  check('endReason', stored.endReason, model.endReason);
  check('participants', describeList(stored.participants), describeList(model.participants));
  check('sessionId', stored.sessionId, model.sessionId);
  check('idleDeadline', stored.idleDeadline, model.idleDeadline);
  check('reconnectDeadline', stored.reconnectDeadline, model.reconnectDeadline);
  check('idle warned', stored.idleWarningAt !== null, model.idleWarned);
  check('resumeTo', stored.resumeTo, model.resumeTo);
  return problems;
}

/**
 * Runs one interleaving through the processes. Resolves null when every session agreed
 * with its oracle after every step, else the first difference.
 */
export async function runDurableInterleaving(
  { sequences, picks }: Interleaving,
  env: DurableOracleEnv,
  stats?: RunStats,
): Promise<string | null> {
  const { processes, view } = env;
  const run = env.runs++;
  // A fresh stretch of virtual time per run, so no deadline of an earlier run is due.
  await setNow(env, env.now + 1_000_000);
  const lanes: Lane[] = sequences.map((sequence, i) => ({
    id: `r${run}:q${i}`,
    steps: sequence.steps,
    next: 0,
    model: initialModel(
      {
        idleTimeoutPeriod: sequence.idle,
        reconnectTimeoutPeriod: sequence.reconnect,
        idleWarningPeriod: sequence.warning,
      },
      env.now,
    ),
  }));
  for (const [i, lane] of lanes.entries()) {
    const sequence = sequences[i]!;
    await processes[i % processes.length]!.add(lane.id, {
      settings: settingsOf(sequence.idle, sequence.reconnect, sequence.warning),
    });
  }
  // Every process has the same listeners, registered in the same order: S0 and P0 first.
  const registered: ListenerId[] = [];
  const listen = (listener: ListenerId, how: 'add' | 'method' | 'unsubscribe' | 'abort', withSignal = false) =>
    Promise.all(processes.map((p) => p.request({ op: 'listen', listener, how, withSignal })));
  for (const listener of ['S0', 'P0'] as const) {
    await listen(listener, 'add');
    registered.push(listener);
  }

  const expectedLog = (callbacks: readonly string[]): string[] => {
    const expected: string[] = [];
    for (const callback of callbacks) {
      const name = callback.split(':', 1)[0]!;
      const status = !name.startsWith('onParticipant');
      for (const listenerId of registered) {
        if (isStatusId(listenerId) === status && CALLBACKS_OF[listenerId].includes(name)) {
          expected.push(`${listenerId}:${callback}`);
        }
      }
    }
    return expected;
  };

  let pick = 0;
  let roundRobin = 0;
  let turn = run;
  try {
    for (;;) {
      const live = lanes.filter((lane) => lane.next < lane.steps.length);
      if (live.length === 0) return null;
      const lane = pick < picks.length ? live[picks[pick++]! % live.length]! : live[roundRobin++ % live.length]!;
      const s = lane.steps[lane.next++]!;
      const where = `${lane.id} step ${lane.next - 1} ${JSON.stringify(s)} (virtual ${env.now})`;
      const process = processes[turn++ % processes.length]!;
      if (stats) stats.steps++;
      for (const p of processes) p.callbacks.length = 0;
      const expected = new Map<string, readonly string[]>();
      const stored = new Map<string, DurableSession['session'] | undefined>();
      switch (s.kind) {
        case 'event': {
          if (stats) stats.events++;
          const result = oracleStep(lane.model, s.event);
          const sent = await process.send(lane.id, s.event);
          if (sent.changed !== result.accepted) {
            return `${where}: through ${process.name} the event ${sent.changed ? 'changed' : 'did not change'} the session; oracle says ${result.accepted ? 'taken' : 'ignored'} in ${lane.model.state}`;
          }
          lane.model = result.model;
          expected.set(lane.id, result.callbacks);
          stored.set(lane.id, sent.session);
          break;
        }
        case 'advance': {
          if (stats) stats.events++;
          for (const l of lanes) {
            const result = advance(l.model, s.ms);
            l.model = result.model;
            expected.set(l.id, result.callbacks);
          }
          await setNow(env, env.now + s.ms);
          const problem = await fireDue(env, lanes);
          if (problem !== null) return `${where}: ${problem}`;
          await Promise.all(processes.map((p) => p.request({ op: 'settled' })));
          break;
        }
        case 'add':
          await listen(s.listener, 'add', s.withSignal);
          if (!registered.includes(s.listener)) registered.push(s.listener);
          break;
        case 'remove': {
          await listen(s.listener, s.how);
          const at = registered.indexOf(s.listener);
          if (at >= 0) registered.splice(at, 1);
          break;
        }
        case 'restore': {
          const saved = await process.get(lane.id);
          if (!saved) return `${where}: the session is gone`;
          if ((await process.request({ op: 'remove', id: lane.id })) !== true) return `${where}: remove said false`;
          if ((await view.record(lane.id)) !== null) return `${where}: removed, but Redis still holds it`;
          // Restored through another process, from JSON.
          const other = processes[turn % processes.length]!;
          await other.add(lane.id, { snapshot: JSON.parse(JSON.stringify(saved.session)) as object });
          break;
        }
      }
      const problems: string[] = [];
      for (const l of lanes) {
        const session = stored.has(l.id) ? stored.get(l.id) : (await view.record(l.id))?.persisted;
        problems.push(...compare(l, session));
        const got = callbacksOf(processes, l.id).map((c) => c.entry);
        const want = expectedLog(expected.get(l.id) ?? []);
        if (got.length !== want.length || got.some((entry, i) => entry !== want[i])) {
          problems.push(`${l.id}: callbacks:\n    durable ${JSON.stringify(got)}\n    oracle  ${JSON.stringify(want)}`);
        }
      }
      const errors = processes.flatMap((p) => p.errors.map((e) => `${p.name}: ${e}`));
      if (errors.length > 0) problems.push(`errors: ${errors.join('; ')}`);
      if (problems.length > 0) return `${where}:\n  ${problems.join('\n  ')}`;
    }
  } finally {
    for (const listener of [...registered]) await listen(listener, 'method');
    for (const lane of lanes) await processes[0]!.request({ op: 'remove', id: lane.id });
    if (stats) stats.sequences += lanes.length;
  }
}
