// The durable runtime against the SPEC §2 oracle through three real processes on one
// Redis (test/durable/oracleRun.ts), CI-sized; `npm run soak:durable` runs the same for
// 100,000 events and more.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { interleavingArb, formatInterleaving } from '../oracleRun.js';
import { newStats } from '../oracleRun.js';
import { RedisServer, describeWithRedis } from '../support/redisServer.js';
import { runDurableInterleaving, type DurableOracleEnv } from './oracleRun.js';
import { FleetProcess } from './processes.js';
import { RedisView } from './support.js';

const RUNS = Number(process.env.DURABLE_ORACLE_RUNS ?? 25);
const PREFIX = 'oracle';

describeWithRedis('durable: the SPEC §2 oracle through three processes', () => {
  let server: RedisServer;
  let env: DurableOracleEnv;

  beforeAll(async () => {
    server = await RedisServer.start();
    const init = { url: server.url, prefix: PREFIX, virtualNow: 1_000_000_000 };
    const processes = await Promise.all(['A', 'B', 'C'].map((name) => FleetProcess.start(name, init)));
    env = { processes, view: new RedisView(server.url, PREFIX), now: init.virtualNow, runs: 0 };
  });

  afterAll(async () => {
    await Promise.all(env?.processes.map((p) => p.close()) ?? []);
    await env?.view.close();
    await server?.stop();
  });

  test(`${RUNS} random interleavings of up to 4 sessions, each step through the next process, agree with the oracle`, async () => {
    const stats = newStats();
    await fc.assert(
      fc.asyncProperty(interleavingArb(4), async (interleaving) => {
        const divergence = await runDurableInterleaving(interleaving, env, stats);
        if (divergence !== null) expect(divergence, formatInterleaving(interleaving)).toBeNull();
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    console.info(`durable oracle: ${stats.sequences} sequences, ${stats.events} events and time advances`);
    expect(stats.events).toBeGreaterThan(RUNS);
  });
});
