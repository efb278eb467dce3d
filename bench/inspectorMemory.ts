/**
 * `npm run bench:inspector-memory`: the peak memory (VmHWM) of `call-session-machine
 * inspect` (live, a real process) while pages stall and an app floods it. A stalled page is
 * an `/events` reader that never reads its socket; the app sends valid steps over one
 * WebSocket as fast as the server takes them. Printed: the peak RSS (garbage included: V8
 * collects when it likes) and what the process still holds after a full GC (heap used and
 * external memory, through bench/heapProbe.mjs). Cases: `steps×bytes@readers`, e.g.
 * `INSPECTOR_MEMORY=20000x5000@1,20000x5000@4,1000x1000000@0`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, STEP_MESSAGE_TYPE, type InspectorStep } from '../src/inspector/protocol.js';
import { buildInspectorForTests } from '../test/support/inspectorBuild.js';

const cases = (process.env.INSPECTOR_MEMORY ?? '20000x5000@1,20000x5000@4,1000x1000000@0,1000x1000000@4')
  .split(',')
  .map((spec) => {
    const [, steps, bytes, readers] = /^(\d+)x(\d+)@(\d+)$/.exec(spec)!;
    return { steps: Number(steps), bytes: Number(bytes), readers: Number(readers) };
  });

/** A valid step of about `bytes` bytes: the size is in participants' names. */
function stepOf(seq: number, bytes: number): string {
  const step: InspectorStep = {
    type: STEP_MESSAGE_TYPE,
    version: PROTOCOL_VERSION,
    actor: 'x:0',
    sessionId: 'flood',
    seq,
    at: seq * 1000,
    clock: 'simulated',
    event: { type: 'participant.joined', label: 'participant.joined(p)' },
    from: 'joined.accompanied',
    to: 'joined.accompanied',
    ignored: false,
    transitions: ['callSession.joined#participant.joined#0'],
    callbacks: ['onParticipantJoined(p)', 'onParticipantListChanged[100]'],
    participants: [],
    participantCount: 100,
    countdowns: [{ key: 'idle', label: 'idle timeout', deadline: null, period: 300_000 }],
    settings: { idleTimeoutPeriod: 300, reconnectTimeoutPeriod: 60, idleWarningPeriod: 0, type: 'VIDEO' },
    endReason: null,
    status: 'active',
  };
  const base = JSON.stringify(step).length;
  const each = Math.max(1, Math.floor((bytes - base) / 100) - 30);
  const name = 'n'.repeat(each);
  return JSON.stringify({ ...step, participants: Array.from({ length: 100 }, (_, i) => ({ uid: `u${i}`, name })) });
}

function kib(status: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
}

const { bin } = await buildInspectorForTests('memory-bench');
const probe = new URL('heapProbe.mjs', import.meta.url).pathname;
console.log('steps    bytes/step   stalled readers   peak RSS MiB   held after GC MiB   send s');
for (const { steps, bytes, readers } of cases) {
  const child = spawn(process.execPath, ['--expose-gc', '--import', probe, bin, 'inspect', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  let probed = '';
  child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (probed += chunk.toString('utf8')));
  let port: string | undefined;
  while (!(port = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(printed)?.[1])) await new Promise((r) => setTimeout(r, 20));
  const stalled = Array.from({ length: readers }, () => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    socket.pause();
    return socket;
  });
  const app = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve) => app.once('open', resolve));
  const started = performance.now();
  const template = stepOf(0, bytes);
  for (let seq = 0; seq < steps; seq++) {
    app.send(template.replace('"seq":0', `"seq":${seq}`));
    while (app.bufferedAmount > 8 << 20) await new Promise((r) => setTimeout(r, 1));
  }
  while (app.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 5));
  const sent = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 1_000));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  child.kill('SIGUSR2');
  let held: { heapUsed: number; external: number } | undefined;
  while (!(held = JSON.parse(/heap-probe (.*)\n/.exec(probed)?.[1] ?? 'null') as typeof held))
    await new Promise((r) => setTimeout(r, 20));
  const mib = (value: number) => (value / 1024).toFixed(0).padStart(12);
  console.log(
    `${String(steps).padEnd(8)} ${String(bytes).padEnd(12)} ${String(readers).padEnd(17)} ${mib(kib(status, 'VmHWM'))}   ${mib((held.heapUsed + held.external) / 1024)}   ${sent.toFixed(1).padStart(6)}`,
  );
  app.terminate();
  for (const socket of stalled) socket.destroy();
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}
