/**
 * `npm run bench:durable`: node --expose-gc --import tsx bench/durable.ts
 *
 * The durable runtime (call-session-machine/durable) on a real redis-server this script
 * starts (AOF on, appendfsync always, as the docs require) and stops, beside the
 * in-memory fleet on the same workload:
 *
 * - events/s through one process and through two at once (separate processes, one Redis),
 *   for events that move no countdown and for events that start or stop one (and so add or
 *   remove BullMQ jobs);
 * - deadlines/s: a burst of idle timeouts all due at one instant, fired by one process;
 * - lateness (p50/p99) of idle timeouts due at a fixed rate (default 1,000/s for 10 s),
 *   with BullMQ alone (a no-op job at the same rate) beside it, which is its floor;
 * - Redis memory per session (INFO memory before and after N sessions), idle and with a
 *   running countdown (its two delayed jobs included).
 *
 *   DURABLE_SECONDS   seconds per events run (default 5)
 *   DURABLE_RATE      deadlines due per second in the lateness run (default 1000)
 *   DURABLE_BURST     deadlines in the burst run (default 5000)
 *   DURABLE_SESSIONS  sessions in the memory run (default 10000)
 *   DURABLE_PARTS     which runs (default ops,events,everysec,fleet,burst,rate,floor,memory)
 *
 * Prints each figure with its target and the 1-minute load average. Exits 0 whatever the figures.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createDurableFleet, type DurableCallSessionFleet } from '../src/durable/index.js';
import { createCallSessionFleet } from '../src/fleet/index.js';
import { SessionSettingsBuilder, type CallSessionEvent, type PersistedCallSession } from '../src/index.js';
import { RedisServer } from '../test/support/redisServer.js';
import { quantileOfSorted, sortedCopy } from './stats.js';

const SECONDS = Number(process.env.DURABLE_SECONDS ?? 5);
const RATE = Number(process.env.DURABLE_RATE ?? 1000);
const BURST = Number(process.env.DURABLE_BURST ?? 5000);
const SESSIONS = Number(process.env.DURABLE_SESSIONS ?? 10_000);
const ALL_PARTS = 'ops,events,everysec,fleet,burst,rate,floor,memory';
const PARTS = new Set((process.env.DURABLE_PARTS ?? ALL_PARTS).split(','));
/** Updates in flight per process, each on its own session: no compare-and-set conflicts. */
const IN_FLIGHT = 64;
const TARGET = { eventsPerS: 2000, p99Ms: 100, bytesPerSession: 2048 };

const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(300).setIdleWarningPeriod(30).build();
const ana = { uid: 'ana' };
const bo = { uid: 'bo' };

/** The two workloads: each session loops through its events, always joined. */
const WORKLOADS: Record<string, { setup: CallSessionEvent[]; loop: CallSessionEvent[] }> = {
  // Accompanied by Ana throughout: Bo comes and goes, no countdown moves.
  'no countdown moves': {
    setup: [{ type: 'session.joined', participants: [ana] }],
    loop: [
      { type: 'participant.joined', participant: bo },
      { type: 'participant.left', participant: bo },
    ],
  },
  // Alone, then not: every event starts or stops the idle countdown and its warning (2 jobs).
  'each event starts or stops a countdown': {
    setup: [{ type: 'session.joined' }],
    loop: [
      { type: 'participant.joined', participant: ana },
      { type: 'participant.left', participant: ana },
    ],
  },
};

interface EventsResult {
  events: number;
  seconds: number;
  /** CPU time of this process per event, µs. */
  cpuUs: number;
}

async function eventsRun(url: string, prefix: string, workload: string, seconds: number): Promise<EventsResult> {
  const fleet = await createDurableFleet({ connection: url, prefix, settings, worker: false });
  const { setup, loop } = WORKLOADS[workload]!;
  try {
    const ids = Array.from({ length: IN_FLIGHT }, (_, i) => `${prefix}-${i}`);
    for (const id of ids) {
      await fleet.add(id);
      await fleet.join(id);
      for (const event of setup) await fleet.send(id, event);
    }
    let events = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
      ids.map(async (id) => {
        for (let i = 0; performance.now() < until; i++) {
          await fleet.send(id, loop[i % loop.length]!);
          events++;
        }
      }),
    );
    const used = process.cpuUsage(cpu);
    return { events, seconds: (performance.now() - started) / 1000, cpuUs: (used.user + used.system) / events };
  } finally {
    await fleet.close();
  }
}

function runChild(args: string[]): Promise<EventsResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'child', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as EventsResult)
        : reject(new Error(`child ${code}`)),
    );
  });
}

/** A joined.alone session whose idle countdown ends at `deadline`, for `add({ snapshot })`. */
function aloneUntil(deadline: number, idleSeconds: number): PersistedCallSession {
  return {
    format: 'call-session-machine/session',
    version: 2,
    state: 'joined.alone',
    resumeTo: null,
    sessionId: 's',
    participants: [],
    settings: { idleTimeoutPeriod: idleSeconds, reconnectTimeoutPeriod: 60, idleWarningPeriod: 0, type: 'VIDEO' },
    idleDeadline: deadline,
    idleWarningAt: null,
    reconnectDeadline: null,
    endReason: null,
  };
}

async function addAll(
  fleet: DurableCallSessionFleet,
  count: number,
  snapshotOf: (i: number) => PersistedCallSession,
  prefix: string,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        const i = next++;
        await fleet.add(`${prefix}${i}`, { snapshot: snapshotOf(i) });
      }
    }),
  );
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const load = () => loadavg()[0]!.toFixed(2);

async function main(): Promise<void> {
  const server = await RedisServer.start();
  const admin = new Redis(server.url);
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  try {
    say(
      `durable bench · redis-server ${(await admin.info('server')).match(/redis_version:(\S+)/)?.[1]} (appendonly yes, appendfsync always) · node ${process.version}`,
    );

    const redisCpuUs = async (): Promise<number> => {
      const info = await admin.info('cpu');
      const field = (name: string) => Number(info.match(new RegExp(`${name}:([0-9.]+)`))![1]) * 1e6;
      return field('used_cpu_user') + field('used_cpu_sys');
    };
    // ---- what one operation costs alone: sequential round trips
    if (PARTS.has('ops')) {
      const fleet = await createDurableFleet({ connection: server.url, prefix: 'ops', settings, worker: false });
      const opsConnection = new Redis(server.url, { maxRetriesPerRequest: null });
      const queue = new Queue('ops', { connection: opsConnection, prefix: 'ops' });
      const time = async (name: string, n: number, op: (i: number) => Promise<unknown>) => {
        const started = performance.now();
        for (let i = 0; i < n; i++) await op(i);
        return `${name} ${fmt(((performance.now() - started) * 1000) / n)} µs`;
      };
      await fleet.add('o');
      await fleet.join('o');
      await fleet.send('o', { type: 'session.joined', participants: [ana] });
      const parts = [
        await time('GET', 500, () => admin.get('ops:s:o')),
        await time('SET (fsync)', 500, () => admin.set('ops:probe', 'x')),
        await time('send (no countdown moves)', 500, (i) =>
          fleet.send('o', { type: i % 2 ? 'participant.left' : 'participant.joined', participant: bo }),
        ),
        await time('BullMQ add of a delayed job', 500, (i) =>
          queue.add('d', { i }, { jobId: `j${i}x`, delay: 600_000 }),
        ),
        await time('BullMQ remove', 500, (i) => queue.remove(`j${i}x`)),
      ];
      say(`one operation at a time: ${parts.join(' · ')} · load ${load()}`);
      await queue.close();
      opsConnection.disconnect();
      await fleet.close();
    }

    // ---- events/s
    if (PARTS.has('events'))
      for (const workload of Object.keys(WORKLOADS)) {
        const redisBefore = await redisCpuUs();
        const one = await eventsRun(server.url, `e1${workload.length}`, workload, SECONDS);
        const redisPerEvent = ((await redisCpuUs()) - redisBefore) / one.events;
        const oneRate = one.events / one.seconds;
        say(
          `events/s, 1 process, ${workload}: ${fmt(oneRate)} (target ≥ ${fmt(TARGET.eventsPerS)}) ${verdict(oneRate >= TARGET.eventsPerS)}; CPU per event: node ${fmt(one.cpuUs)} µs, redis-server ${fmt(redisPerEvent)} µs · load ${load()}`,
        );
        const two = await Promise.all(
          ['a', 'b'].map((p) => runChild([server.url, `e2${p}${workload.length}`, workload, String(SECONDS)])),
        );
        const rates = two.map((r) => r.events / r.seconds);
        say(
          `events/s, 2 processes, ${workload}: ${rates.map((r) => fmt(r)).join(' + ')} = ${fmt(rates[0]! + rates[1]!)} (per process target ≥ ${fmt(TARGET.eventsPerS)}) ${verdict(Math.min(...rates) >= TARGET.eventsPerS)} · load ${load()}`,
        );
      }
    // The cost of fsync on every write: the countdown workload again with appendfsync everysec.
    if (PARTS.has('everysec')) {
      await admin.config('SET', 'appendfsync', 'everysec');
      const workload = 'each event starts or stops a countdown';
      const run = await eventsRun(server.url, 'e3', workload, SECONDS);
      say(
        `events/s, 1 process, ${workload}, appendfsync everysec (for comparison only): ${fmt(run.events / run.seconds)} · load ${load()}`,
      );
      await admin.config('SET', 'appendfsync', 'always');
    }
    // The in-memory fleet on the same workload, for scale.
    if (PARTS.has('fleet'))
      for (const workload of Object.keys(WORKLOADS)) {
        const fleet = createCallSessionFleet({ settings });
        const { setup, loop } = WORKLOADS[workload]!;
        for (let i = 0; i < IN_FLIGHT; i++) {
          fleet.add(`m${i}`);
          fleet.join(`m${i}`);
          for (const event of setup) fleet.send(`m${i}`, event);
        }
        let events = 0;
        const started = performance.now();
        while (performance.now() - started < 1000) {
          for (let i = 0; i < IN_FLIGHT; i++) fleet.send(`m${i}`, loop[events % loop.length]!);
          events += IN_FLIGHT;
        }
        say(
          `events/s, in-memory fleet (1 process, no Redis), ${workload}: ${fmt(events / ((performance.now() - started) / 1000))}`,
        );
        fleet.dispose();
      }

    // ---- deadlines/s: a burst all due at one instant
    if (PARTS.has('burst')) {
      const fleet = await createDurableFleet({ connection: server.url, prefix: 'burst', concurrency: 64 });
      let fired = 0;
      let last = 0;
      fleet.addSessionStatusListener({
        onSessionTimedOut: () => {
          fired++;
          last = Date.now();
        },
      });
      const due = Date.now() + 20_000;
      await addAll(fleet, BURST, () => aloneUntil(due, 300), 'b');
      const wait = due - Date.now();
      process.stderr.write(`burst: ${BURST} deadlines due in ${fmt(wait / 1000, 1)} s …\n`);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
      const cpu = process.cpuUsage();
      const redisBefore = await redisCpuUs();
      while (fired < BURST && Date.now() - due < 120_000) await new Promise((resolve) => setTimeout(resolve, 20));
      const used = process.cpuUsage(cpu);
      const redisPer = ((await redisCpuUs()) - redisBefore) / BURST;
      const seconds = (last - due) / 1000;
      say(
        `deadlines/s, 1 process (worker concurrency 64), burst of ${fmt(BURST)} due at one instant: ${fmt(BURST / seconds)} (all fired ${fmt(seconds, 2)} s after the instant); CPU per deadline: node ${fmt((used.user + used.system) / BURST)} µs, redis-server ${fmt(redisPer)} µs · load ${load()}`,
      );
      await fleet.close();
    }

    // ---- lateness at a fixed rate
    if (PARTS.has('rate')) {
      const count = RATE * 10;
      const fleet = await createDurableFleet({ connection: server.url, prefix: 'rate', concurrency: 64 });
      const dueOf = new Map<string, number>();
      const late: number[] = [];
      fleet.addSessionStatusListener({ onSessionTimedOut: (id) => late.push(Date.now() - dueOf.get(id)!) });
      const start = Date.now() + 30_000;
      await addAll(
        fleet,
        count,
        (i) => {
          const due = start + Math.floor((i * 1000) / RATE);
          dueOf.set(`r${i}`, due);
          return aloneUntil(due, 300);
        },
        'r',
      );
      process.stderr.write(
        `rate: ${count} deadlines at ${RATE}/s from ${fmt((start - Date.now()) / 1000, 1)} s on …\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, start - Date.now() + 10_000)));
      while (late.length < count && Date.now() - start < 60_000)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const sorted = sortedCopy(late);
      const p50 = quantileOfSorted(sorted, 0.5);
      const p99 = quantileOfSorted(sorted, 0.99);
      say(
        `lateness at ${fmt(RATE)} deadlines/s for 10 s, 1 process: p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms, max ${fmt(sorted[sorted.length - 1] ?? NaN)} ms (target p99 ≤ ${TARGET.p99Ms} ms) ${verdict(p99 <= TARGET.p99Ms)}; ${late.length}/${count} fired · load ${load()}`,
      );
      await fleet.close();
    }
    // BullMQ alone: delayed no-op jobs at the same rate, its lateness floor.
    if (PARTS.has('floor')) {
      const count = RATE * 10;
      const connection = new Redis(server.url, { maxRetriesPerRequest: null });
      const queue = new Queue('floor', { connection, prefix: 'floor' });
      const late: number[] = [];
      const worker = new Worker(
        'floor',
        async (job) => void late.push(Date.now() - (job.data as { due: number }).due),
        {
          connection: new Redis(server.url, { maxRetriesPerRequest: null }),
          prefix: 'floor',
          concurrency: 64,
        },
      );
      const start = Date.now() + 20_000;
      for (let i = 0; i < count; i += 500) {
        const batch = Array.from({ length: Math.min(500, count - i) }, (_, j) => {
          const due = start + Math.floor(((i + j) * 1000) / RATE);
          return { name: 'n', data: { due }, opts: { delay: due - Date.now(), removeOnComplete: true } };
        });
        await queue.addBulk(batch);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, start - Date.now() + 10_000)));
      while (late.length < count && Date.now() - start < 60_000)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const sorted = sortedCopy(late);
      say(
        `lateness of BullMQ alone (no-op jobs, concurrency 64) at ${fmt(RATE)}/s: p50 ${fmt(quantileOfSorted(sorted, 0.5))} ms, p99 ${fmt(quantileOfSorted(sorted, 0.99))} ms · load ${load()}`,
      );
      await worker.close();
      await queue.close();
      connection.disconnect();
    }

    // ---- Redis memory per session
    if (PARTS.has('memory')) {
      // Redis's default keeps a hash compact (a listpack) only while every value is at most
      // 64 bytes; a BullMQ job's `opts` is longer, so each job is a full hash table.
      for (const listpackValue of [undefined, 512]) {
        await admin.flushall();
        if (listpackValue !== undefined) await admin.config('SET', 'hash-max-listpack-value', String(listpackValue));
        const config = listpackValue === undefined ? 'default config' : `hash-max-listpack-value ${listpackValue}`;
        const used = async () => Number((await admin.info('memory')).match(/used_memory:(\d+)/)![1]);
        const fleet = await createDurableFleet({ connection: server.url, prefix: 'mem', settings, worker: false });
        const before = await used();
        let next = 0;
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            while (next < SESSIONS) await fleet.add(`room-${next++}`);
          }),
        );
        const idle = await used();
        next = 0;
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            while (next < SESSIONS) {
              const id = `room-${next++}`;
              await fleet.join(id);
              await fleet.send(id, { type: 'session.joined' });
            }
          }),
        );
        const alone = await used();
        const perIdle = (idle - before) / SESSIONS;
        const perAlone = (alone - before) / SESSIONS;
        say(
          `Redis memory per session (${fmt(SESSIONS)} sessions, INFO used_memory, ${config}): idle ${fmt(perIdle)} B; joined alone with its idle countdown and warning (2 delayed jobs) ${fmt(perAlone)} B (target ≤ ${fmt(TARGET.bytesPerSession)} B) ${verdict(perAlone <= TARGET.bytesPerSession)}`,
        );
        const jobKey = (await admin.keys('mem:deadlines:room-0.*'))[0];
        say(
          `  of which: one stored session ${(await admin.get('mem:s:room-0'))!.length} B of text, MEMORY USAGE ${await admin.memory('USAGE', 'mem:s:room-0')} B; one delayed job's hash MEMORY USAGE ${jobKey ? await admin.memory('USAGE', jobKey) : '?'} B`,
        );
        await fleet.close();
      }
    }
  } finally {
    admin.disconnect();
    await server.stop();
  }
}

if (process.argv[2] === 'child') {
  const [, , , url, prefix, workload, seconds] = process.argv;
  const result = await eventsRun(url!, prefix!, workload!, Number(seconds));
  console.log(JSON.stringify(result));
  process.exit(0);
} else {
  await main();
  process.exit(0);
}
