/**
 * `npm run soak:durable`: test/durable/oracle.test.ts for many more events — random
 * interleavings of up to 4 sessions run through three real processes on one real
 * redis-server (AOF on), every step through the next process, every session compared
 * with the SPEC §2 oracle after every step.
 *
 *   SOAK_EVENTS=100000 npm run soak:durable     (default 100,000 events and time advances)
 *   SOAK_PROCESSES=2 …                            (default 3)
 *   SOAK_SEED=1234 …                              (to replay a run)
 *
 * Prints runs, sequences, events, divergences and elapsed seconds; exits 1 on a divergence.
 */
import fc from 'fast-check';
import { interleavingArb, formatInterleaving, type Interleaving } from '../test/oracleRun.js';
import { newStats } from '../test/oracleRun.js';
import { runDurableInterleaving, type DurableOracleEnv } from '../test/durable/oracleRun.js';
import { FleetProcess } from '../test/durable/processes.js';
import { RedisView } from '../test/durable/support.js';
import { RedisServer } from '../test/support/redisServer.js';

const targetEvents = Number(process.env.SOAK_EVENTS ?? 100_000);
const processCount = Number(process.env.SOAK_PROCESSES ?? 3);
const seed = process.env.SOAK_SEED === undefined ? Date.now() | 0 : Number(process.env.SOAK_SEED);

const server = await RedisServer.start();
const init = { url: server.url, prefix: 'soak', virtualNow: 1_000_000_000 };
const processes = await Promise.all(
  Array.from({ length: processCount }, (_, i) => FleetProcess.start(String.fromCharCode(65 + i), init)),
);
const env: DurableOracleEnv = { processes, view: new RedisView(server.url, 'soak'), now: init.virtualNow, runs: 0 };
const stats = newStats();
let divergences = 0;
let first: { divergence: string; interleaving: Interleaving } | null = null;
const started = performance.now();
let lastReport = 0;
try {
  // fast-check only generates here, a batch at a time: the runs are async, one after another.
  let batch: Interleaving[] = [];
  for (let b = 0; stats.events < targetEvents;) {
    if (batch.length === 0) batch = fc.sample(interleavingArb(4), { numRuns: 100, seed: seed + b++ });
    const interleaving = batch.pop()!;
    const divergence = await runDurableInterleaving(interleaving, env, stats);
    if (divergence !== null) {
      divergences++;
      first ??= { divergence, interleaving };
    }
    if (stats.events - lastReport >= 10_000) {
      lastReport = stats.events;
      console.error(`… ${stats.events} events, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  }
} finally {
  await Promise.all(processes.map((p) => p.close()));
  await env.view.close();
  await server.stop();
}
const elapsed = (performance.now() - started) / 1000;
console.log(`durable (${processCount} processes, one redis-server, AOF always) · seed ${seed}`);
console.log(`runs: ${env.runs}`);
console.log(`sequences: ${stats.sequences}`);
console.log(`events and time advances: ${stats.events} (${stats.steps} steps)`);
console.log(`divergences: ${divergences}`);
console.log(`elapsed: ${elapsed.toFixed(1)} s (${(stats.events / elapsed).toFixed(0)} events/s)`);
if (first) {
  console.log(`first divergence:\n${first.divergence}\n${formatInterleaving(first.interleaving)}`);
  process.exit(1);
}
