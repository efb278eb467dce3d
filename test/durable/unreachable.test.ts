// createDurableFleet against a Redis that is not there (a closed loopback port), run as
// a real process: the promise rejects within connectTimeoutMs naming the connection
// error, the retries are not reported one by one, and nothing keeps the process alive.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('an unreachable Redis: createDurableFleet rejects in time, reports no retry, and the process exits', async () => {
  const port = await closedPort();
  const script = `
    import { createDurableFleet } from './src/durable/index.ts';
    const started = Date.now();
    const errors = [];
    try {
      await createDurableFleet({ connection: 'redis://127.0.0.1:${port}', connectTimeoutMs: 1500, onError: (e) => errors.push(e) });
      console.log(JSON.stringify({ resolved: true }));
    } catch (error) {
      console.log(JSON.stringify({ message: error.message, ms: Date.now() - started, onError: errors.length }));
    }
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(killer);
  expect(code, `the process must exit by itself; stderr: ${err}`).toBe(0);
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { message: string; ms: number; onError: number };
  expect(result.message).toMatch(/Redis not reachable within 1500 ms; last error: .*ECONNREFUSED/);
  expect(result.ms).toBeGreaterThanOrEqual(1400);
  expect(result.onError).toBe(0);
});

test('connectTimeoutMs that is not a positive number is a RangeError, before any connection', async () => {
  const { createDurableFleet } = await import('../../src/durable/index.js');
  for (const bad of [0, -1, Number.NaN, Infinity, '100'])
    await expect(
      createDurableFleet({ connection: 'redis://127.0.0.1:1', connectTimeoutMs: bad as never }),
    ).rejects.toThrow(/connectTimeoutMs must be a positive number/);
});
