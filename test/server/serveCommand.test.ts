/**
 * `call-session-machine serve` as a process: --help, exit codes, the first stdout line,
 * a missing secret named in the error, JSON log lines after it, SIGTERM draining to exit 0.
 */
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleServe, LIVEKIT_ENV, serve } from './serveProcess.js';
import { LIVEKIT_KEY, LIVEKIT_SECRET, liveKitWebhook, post, startLiveKitStandIn } from '../support/serverStandIns.js';

beforeAll(bundleServe);

describe.concurrent('call-session-machine serve', () => {
  it('prints its usage for --help and exits 0', async () => {
    const run = serve(['--help'], {});
    expect(await run.exit).toBe(0);
    const text = run.stdout.join('\n');
    expect(text).toContain('call-session-machine serve --provider livekit|daily|twilio');
    expect(text).toContain('LIVEKIT_API_SECRET');
    expect(text).toMatch(/Exit codes:/);
  });

  it('exits 1 for a bad flag or provider, naming it', async () => {
    const runs = [
      serve(['--provider', 'zoom'], LIVEKIT_ENV),
      serve(['--provider', 'livekit', '--idel', '3'], LIVEKIT_ENV),
      serve(['--provider', 'livekit', '--idle', '10', '--warning', '10'], LIVEKIT_ENV),
    ];
    expect(await Promise.all(runs.map((r) => r.exit))).toEqual([1, 1, 1]);
    expect(runs[0]!.stderr.join('')).toContain('got zoom');
    expect(runs[1]!.stderr.join('')).toContain('--idel');
    expect(runs[2]!.stderr.join('')).toContain('--warning (10) must be shorter than --idle (10)');
  });

  it('exits 1 naming the missing secret, and never prints the secrets it has', async () => {
    const run = serve(['--provider', 'livekit', '--port', '0'], {
      LIVEKIT_API_KEY: LIVEKIT_KEY,
      LIVEKIT_URL: 'http://127.0.0.1:9',
    });
    expect(await run.exit).toBe(1);
    const text = run.stderr.join('');
    expect(text).toContain('LIVEKIT_API_SECRET is not set');
    expect(text).not.toContain(LIVEKIT_KEY);
    const daily = serve(['--provider', 'daily', '--port', '0'], { DAILY_API_KEY: 'k' });
    expect(await daily.exit).toBe(1);
    expect(daily.stderr.join('')).toContain('DAILY_WEBHOOK_SECRET is not set');
  });

  it('exits 2 when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as { port: number };
    const run = serve(['--provider', 'livekit', '--port', String(port)], LIVEKIT_ENV);
    expect(await run.exit).toBe(2);
    expect(run.stderr.join('')).toContain('EADDRINUSE');
    blocker.close();
  });

  it('prints "listening http://127.0.0.1:PORT" first, one JSON line per refused request, and drains on SIGTERM to exit 0', async () => {
    const api = await startLiveKitStandIn();
    try {
      const run = serve(['--provider', 'livekit', '--port', '0', '--idle', '30', '--warning', '5'], {
        ...LIVEKIT_ENV,
        LIVEKIT_URL: api.url,
      });
      const first = await run.firstLine;
      expect(first).toMatch(/^listening http:\/\/127\.0\.0\.1:\d+$/);
      const url = first.slice('listening '.length);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(
        (
          await post(
            url,
            '/webhooks/livekit',
            await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'ann' }),
          )
        ).status,
      ).toBe(200);
      expect((await post(url, '/webhooks/livekit', { body: '{}' })).status).toBe(401);
      // A webhook under way when SIGTERM comes still gets its answer.
      const late = post(
        url,
        '/webhooks/livekit',
        await liveKitWebhook({ event: 'participant_joined', room: 'r', identity: 'bob' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      run.child.kill('SIGTERM');
      expect((await late).status).toBe(200);
      expect(await run.exit).toBe(0);
      const json = run.stdout
        .slice(1)
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(json.map((line) => line.event)).toEqual(
        expect.arrayContaining(['started', 'refused', 'draining', 'stopped']),
      );
      expect(json.find((line) => line.event === 'refused')).toMatchObject({ status: 401, path: '/webhooks/livekit' });
      expect(run.stdout.join('\n')).not.toContain(LIVEKIT_SECRET);
    } finally {
      await api.close();
    }
  });
});
