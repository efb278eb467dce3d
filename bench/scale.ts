/**
 * `npm run bench:scale`: node --max-old-space-size=12288 --max-semi-space-size=64 --expose-gc --import tsx bench/scale.ts
 *
 * A million sessions in one process, the fleet (call-session-machine/fleet) and
 * createCallSession side by side on the same schedule. Each measurement runs in a fresh
 * process with the same node flags (bench/scaleRun.ts, which says what each does), one
 * after the other, so that neither the other's heap nor its CPU weighs on it.
 *
 *   SCALE_SESSIONS   sessions (default 1,000,000; 100000 for a quick run)
 *   SCALE_RATE       idle timeouts due per second in the window run (default 20,000)
 *   SCALE_BURST      timeouts due within one second in the burst run (default 100,000)
 *   SCALE_CONTENDERS fleet,session (default both)
 *
 * Prints every figure with its target and the 1-minute load average of each run (other
 * work on the machine skews them); writes the raw results to .tmp/scale.json. Exits 0
 * whatever the figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Contender, GcSummary, Phase, RunResult } from './scaleRun.js';
import { formatBytes, formatNumber } from './stats.js';

const SESSIONS = Number(process.env.SCALE_SESSIONS ?? 1_000_000);
const CONTENDERS = (process.env.SCALE_CONTENDERS ?? 'fleet,session').split(',') as Contender[];

/** The targets for the fleet at 1,000,000 sessions. */
const TARGET = { createS: 30, heapBytes: 1.5 * 1024 ** 3, p99Ms: 50, usPerTimeout: 20 };

const RUN = fileURLToPath(new URL('./scaleRun.ts', import.meta.url));

/**
 * V8 decides per allocation site whether to allocate straight into the old generation
 * ("pretenuring") when most objects from it survive. Restoring a million snapshots makes
 * XState's snapshot sites look long-lived, so for a while afterwards every transition's
 * garbage goes to the old generation; this flag turns that off (docs/performance.md).
 */
const NO_PRETENURING = '--no-allocation-site-pretenuring';

type FlaggedResult = RunResult & { readonly flags: readonly string[] };

function run(contender: Contender, phase: Phase, extraFlags: readonly string[] = []): FlaggedResult | null {
  const flags = [...process.execArgv, ...extraFlags];
  process.stderr.write(`\n— ${contender} ${phase} ${extraFlags.join(' ')} (load ${loadavg()[0]!.toFixed(2)}) —\n`);
  const child = spawnSync(process.execPath, [...flags, RUN, contender, phase], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const last = child.stdout.toString().trim().split('\n').at(-1);
  if (child.status !== 0 || !last) {
    console.log(`${contender} ${phase}: the run failed (exit ${child.status}, signal ${child.signal})`);
    return null;
  }
  return { ...(JSON.parse(last) as RunResult), flags: extraFlags };
}

const ms = (value: number) => `${formatNumber(value)} ms`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const gcLine = (gc: GcSummary | undefined) =>
  gc
    ? `${gc.count} pauses, ${ms(gc.totalMs)} in all, longest ${ms(gc.maxMs)} (${gc.majorCount} mark-compact, ${ms(gc.majorMs)})`
    : '—';
const load = (result: RunResult) => `load ${result.load[0].toFixed(2)} → ${result.load[1].toFixed(2)}`;

console.log(`call-session-machine scale benchmark: ${SESSIONS.toLocaleString('en-US')} sessions`);
console.log(
  `Node ${process.version} · ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} · ${formatBytes(totalmem())} · ${new Date().toISOString()}`,
);
console.log(`flags: ${process.execArgv.join(' ')} · 1-min load average at start ${loadavg()[0]!.toFixed(2)}`);

const results: FlaggedResult[] = [];
for (const contender of CONTENDERS) {
  for (const phase of ['create', 'window', 'burst'] as const) {
    const result = run(contender, phase);
    if (result) results.push(result);
  }
  if (contender === 'fleet') {
    for (const phase of ['window', 'burst'] as const) {
      const result = run(contender, phase, [NO_PRETENURING]);
      if (result) results.push(result);
    }
  }
}
if (CONTENDERS.includes('fleet')) {
  const result = run('fleet', 'shard');
  if (result) results.push(result);
}
mkdirSync('.tmp', { recursive: true });
writeFileSync('.tmp/scale.json', JSON.stringify(results, null, 2));

const find = (contender: Contender, phase: Phase, flags: readonly string[] = []) =>
  results.find(
    (result) => result.contender === contender && result.phase === phase && result.flags.join() === flags.join(),
  );
const isFleet = (contender: Contender) => contender === 'fleet';
const title = (contender: Contender) => (isFleet(contender) ? 'fleet' : 'createCallSession');

console.log('');
for (const contender of CONTENDERS) {
  const create = find(contender, 'create');
  const window = find(contender, 'window');
  const burst = find(contender, 'burst');
  const windowNoPretenuring = find(contender, 'window', [NO_PRETENURING]);
  const burstNoPretenuring = find(contender, 'burst', [NO_PRETENURING]);
  console.log(`## ${title(contender)}`);
  if (create) {
    const perSession = create.heapBytes! / create.sessions;
    console.log(
      `created ${create.sessions.toLocaleString('en-US')} (add/createCallSession + join + session.joined, alone, 1 h idle period) in ${formatNumber(create.createS!)} s ` +
        `(${formatNumber((create.createS! * 1e6) / create.sessions)} µs each; ${formatNumber(create.createCpuS!)} s of CPU)` +
        (isFleet(contender) ? `   target ≤ ${TARGET.createS} s  ${verdict(create.createS! <= TARGET.createS)}` : '') +
        `   [${load(create)}]`,
    );
    console.log(
      `  heap ${formatBytes(create.heapBytes!)} (${formatNumber(perSession)} B per session), off-heap ${formatBytes(create.externalBytes!)}` +
        (isFleet(contender)
          ? `   target ≤ ${formatBytes(TARGET.heapBytes)}  ${verdict(create.heapBytes! + create.externalBytes! <= TARGET.heapBytes)}`
          : ''),
    );
    console.log(`  GC while creating: ${gcLine(create.gcCreate)}`);
  }
  for (const [name, result] of [
    ['window', window],
    ['burst', burst],
    [`window, ${NO_PRETENURING}`, windowNoPretenuring],
    [`burst, ${NO_PRETENURING}`, burstNoPretenuring],
  ] as const) {
    if (!result) continue;
    const isWindow = name.startsWith('window');
    const late = result.lateness!;
    const spread = isWindow
      ? `${result.sessions.toLocaleString('en-US')} idle timeouts due at a fixed ${result.rate!.toLocaleString('en-US')} a second, spread over a ${formatNumber(result.windowS!)} s window`
      : `${result.sessions.toLocaleString('en-US')} idle timeouts due within the same second`;
    console.log(`${name}: ${spread}   [${load(result)}]`);
    console.log(
      `  sessions restored alone from a persisted snapshot with the chosen deadline: ${formatNumber(result.createS!)} s, ` +
        `heap ${formatBytes(result.heapBytes!)} (${formatNumber(result.heapBytes! / result.sessions)} B each)` +
        (result.createdAfterFirstDeadlineMs! > 0
          ? `; WARNING: restoring ended ${ms(result.createdAfterFirstDeadlineMs!)} after the first deadline`
          : ''),
    );
    console.log(
      `  fired ${result.fired!.toLocaleString('en-US')}; lateness p50 ${ms(late.p50)} · p99 ${ms(late.p99)} · max ${ms(late.max)}` +
        (isFleet(contender) && isWindow
          ? `   target p99 ≤ ${TARGET.p99Ms} ms  ${verdict(result.fired === result.sessions && late.p99 <= TARGET.p99Ms)}`
          : ''),
    );
    console.log(
      `  ${formatNumber(result.usPerTimeout!)} µs per timeout (main-thread event-loop busy time while they fire ÷ timeouts; wall time, so it also counts time the OS ran other processes)` +
        (isFleet(contender) && isWindow
          ? `   target ≤ ${TARGET.usPerTimeout} µs  ${verdict(result.usPerTimeout! <= TARGET.usPerTimeout)}`
          : ''),
    );
    console.log(
      `  ${formatNumber(result.cpuUsPerTimeout!)} µs of process CPU per timeout (all threads: GC helpers and compilers too)`,
    );
    console.log(`  GC while firing: ${gcLine(result.gcFire)}`);
    console.log(
      `  the OS took the CPU from the process ${result.involuntarySwitches} times meanwhile (involuntary context switches)`,
    );
    console.log(`  p99/max lateness (ms) by tenth of the deadlines: ${late.tenths.join(' · ')}`);
    console.log(`  wall clock moved ${ms(result.driftMs!)} against the monotonic clock`);
  }
  console.log('');
}
const sharded = find('fleet', 'shard');
if (sharded) {
  console.log(`## fleet, sharded: two worker_threads, each creating ${formatNumber(sharded.sessions / 2)} sessions`);
  console.log(
    `created ${sharded.sessions.toLocaleString('en-US')} in ${formatNumber(sharded.createS!)} s (both shards, started together; ` +
      sharded
        .shards!.map((s, i) => `shard ${i + 1}: ${formatNumber(s.createS)} s, ${formatBytes(s.heapBytes)}`)
        .join('; ') +
      `)   [${load(sharded)}]`,
  );
}
console.log(`\n1-min load average at end ${loadavg()[0]!.toFixed(2)}`);
process.exit(0);
