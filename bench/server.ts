// npm run bench:server: `call-session-machine serve --provider livekit` as its own process,
// fed signed LiveKit webhooks over loopback from this one (signed beforehand with
// livekit-server-sdk, so signing costs the server nothing it would not pay in production):
//   1. throughput: as fast as 32 keep-alive connections take them;
//   2. response time at a fixed 1,000 webhooks/s for 10 s (open loop: a late answer does
//      not slow the sender);
//   3. lateness of the end action: 2,000 people alone at once, DeleteRoom's arrival at the
//      LiveKit stand-in minus the deadline.
// In memory, then with --redis on a real redis-server (skipped, saying so, without one).
// Targets (issue 20): >= 3,000 webhooks/s in memory; p99 <= 20 ms at 1,000/s.
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { REDIS_INSTALL_HINT, REDIS_SERVER, RedisServer } from '../test/support/redisServer.js';
import {
  LIVEKIT_KEY,
  LIVEKIT_SECRET,
  liveKitWebhook,
  startLiveKitStandIn,
  webhookPoster,
  type StandIn,
} from '../test/support/serverStandIns.js';

const BIN = fileURLToPath(new URL(`../.tmp/bench-server/bin.mjs`, import.meta.url));
const THROUGHPUT_WEBHOOKS = Number(process.env.WEBHOOKS ?? 30_000);
const RATE = 1000;
const RATE_SECONDS = 10;
const LONELY = 2000;

type Signed = { body: string; headers: Record<string, string> };

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function startServe(api: StandIn, idle: number, redis?: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--provider',
      'livekit',
      '--port',
      '0',
      '--idle',
      String(idle),
      '--warning',
      '0',
      ...(redis ? ['--redis', redis] : []),
    ],
    {
      env: { ...process.env, LIVEKIT_API_KEY: LIVEKIT_KEY, LIVEKIT_API_SECRET: LIVEKIT_SECRET, LIVEKIT_URL: api.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const first = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
    child.once('exit', () => reject(new Error('serve exited before listening')));
  });
  // Drain the log lines so the pipe never fills.
  child.stdout!.resume();
  return { child, port: Number(new URL(first.slice('listening '.length)).port) };
}

async function stop(child: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}

/** Rooms of two: ann joins, bob joins, bob leaves (ann alone: a countdown), ann leaves. */
async function signRooms(count: number, tag: string): Promise<Signed[]> {
  const signed: Signed[] = [];
  for (let i = 0; i < count; i++) {
    const room = `${tag}-${i}`;
    signed.push(await liveKitWebhook({ event: 'participant_joined', room, identity: 'ann' }));
    signed.push(await liveKitWebhook({ event: 'participant_joined', room, identity: 'bob' }));
    signed.push(await liveKitWebhook({ event: 'participant_left', room, identity: 'bob' }));
    signed.push(await liveKitWebhook({ event: 'participant_left', room, identity: 'ann' }));
  }
  return signed;
}

async function throughput(port: number, signed: Signed[]): Promise<number> {
  const { send, close } = webhookPoster(port, 32);
  // Each room's webhooks in order (as LiveKit sends them per resource), 32 rooms at a time.
  const rooms: Signed[][] = [];
  for (let i = 0; i < signed.length; i += 4) rooms.push(signed.slice(i, i + 4));
  let next = 0;
  let failed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < rooms.length) {
        for (const webhook of rooms[next++]!) if ((await send(webhook)) !== 200) failed++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  close();
  if (failed) throw new Error(`${failed} webhooks were not answered 200`);
  return signed.length / seconds;
}

async function atRate(port: number, signed: Signed[]): Promise<number[]> {
  const { send, close } = webhookPoster(port, 256);
  const times: number[] = [];
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < signed.length; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAt = performance.now();
    pending.push(send(signed[i]!).then(() => void times.push(performance.now() - sentAt)));
  }
  await Promise.all(pending);
  close();
  return times.sort((a, b) => a - b);
}

async function lateness(port: number, api: StandIn, idle: number): Promise<number[]> {
  const signed: Signed[] = [];
  for (let i = 0; i < LONELY; i++)
    signed.push(await liveKitWebhook({ event: 'participant_joined', room: `alone-${i}`, identity: 'ann' }));
  for (let i = 0; i < LONELY; i++) api.rooms.set(`alone-${i}`, [{ identity: 'ann' }]);
  const { send, close } = webhookPoster(port, 32);
  const deadlines = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < LONELY) {
        const i = next++;
        const sentAt = Date.now();
        await send(signed[i]!);
        // The countdown started between the send and the answer: the send is the earliest deadline.
        deadlines.set(`alone-${i}`, sentAt + idle * 1000);
      }
    }),
  );
  close();
  const startWait = Date.now();
  while (
    api.calls.filter((c) => c.method === 'DeleteRoom' && String(c.body.room).startsWith('alone-')).length < LONELY
  ) {
    if (Date.now() - startWait > idle * 1000 + 60_000) throw new Error('not every lonely call was ended');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return api.calls
    .filter((c) => c.method === 'DeleteRoom' && String(c.body.room).startsWith('alone-'))
    .map((c) => c.at - deadlines.get(String(c.body.room))!)
    .sort((a, b) => a - b);
}

async function run(label: string, redis?: string): Promise<void> {
  const api = await startLiveKitStandIn();
  const idle = 5;
  // Throughput and response time on a server whose countdowns never come due during the run.
  const quiet = await startServe(api, 3600, redis);
  const signed = await signRooms(Math.ceil(THROUGHPUT_WEBHOOKS / 4), `${label}-t`);
  // Warm-up: the server's code paths compiled before the measured run.
  await throughput(quiet.port, await signRooms(500, `${label}-w`));
  const perSecond = await throughput(quiet.port, signed);
  const rated = await atRate(quiet.port, await signRooms((RATE * RATE_SECONDS) / 4, `${label}-r`));
  await stop(quiet.child);
  const timed = await startServe(api, idle, redis);
  const late = await lateness(timed.port, api, idle);
  await stop(timed.child);
  await api.close();
  console.log(`\n${label}`);
  console.log(
    `  throughput: ${Math.round(perSecond)} signed webhooks/s (${signed.length} webhooks, 32 connections, rooms in order)`,
  );
  console.log(
    `  at ${RATE}/s for ${RATE_SECONDS} s: p50 ${quantile(rated, 0.5).toFixed(1)} ms, p99 ${quantile(rated, 0.99).toFixed(1)} ms, max ${rated.at(-1)!.toFixed(1)} ms`,
  );
  console.log(
    `  end action lateness (${LONELY} alone at once, DeleteRoom at the stand-in minus the deadline): p50 ${quantile(late, 0.5)} ms, p99 ${quantile(late, 0.99)} ms, max ${late.at(-1)} ms`,
  );
}

await build({
  entryPoints: [fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: BIN,
  logLevel: 'silent',
});
console.log(
  `bench:server on Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await run('in memory');
if (REDIS_SERVER === undefined) {
  console.log(`\nwith --redis: skipped, ${REDIS_INSTALL_HINT}`);
} else {
  const redis = await RedisServer.start();
  // AOF on, fsynced once a second (Redis's default with appendonly yes; SPEC §11's docs):
  // BENCH_FSYNC=always measures an fsync per write.
  const fsync = process.env.BENCH_FSYNC ?? 'everysec';
  const { Redis } = await import('ioredis');
  const admin = new Redis(redis.url);
  await admin.config('SET', 'appendfsync', fsync);
  await admin.quit();
  try {
    await run(`with --redis (redis-server on loopback, AOF, appendfsync ${fsync})`, redis.url);
  } finally {
    await redis.stop();
  }
}
console.log('\ntargets: >= 3,000 webhooks/s in memory; p99 <= 20 ms at 1,000/s');
