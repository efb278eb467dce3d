/**
 * `serve --redis`: two processes on one real redis-server (AOF on), behind no balancer
 * (each webhook goes to either), one killed with SIGKILL mid-countdown, a third started
 * later: each lonely call ends once, on time, and the warnings go out once per countdown.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisServer, describeWithRedis } from '../support/redisServer.js';
import { LIVEKIT_ENV, bundleServe, serve, type Run } from './serveProcess.js';
import { liveKitWebhook, post, startLiveKitStandIn, until, type StandIn } from '../support/serverStandIns.js';

describeWithRedis('serve --redis: several processes, one killed', () => {
  let redis: RedisServer;
  let api: StandIn;
  const runs: Run[] = [];

  beforeAll(async () => {
    [redis, api] = await Promise.all([RedisServer.start(), startLiveKitStandIn(), bundleServe()]).then(
      ([r, a]) => [r, a] as const,
    );
  });
  afterAll(async () => {
    for (const run of runs) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await Promise.all(runs.map((run) => run.exit));
    await api?.close();
    await redis?.stop();
  });

  async function start(): Promise<{ run: Run; url: string }> {
    const run = serve(['--provider', 'livekit', '--port', '0', '--idle', '3', '--warning', '1', '--redis', redis.url], {
      ...LIVEKIT_ENV,
      LIVEKIT_URL: api.url,
    });
    runs.push(run);
    const first = await run.firstLine;
    if (!first.startsWith('listening ')) throw new Error(`serve did not start: ${run.stderr.join('')}`);
    return { run, url: first.slice('listening '.length) };
  }

  it('ends each lonely call once, on time, whichever process got its webhooks and whichever died', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const send = async (url: string, init: Parameters<typeof liveKitWebhook>[0]) => {
      const answer = await post(url, '/webhooks/livekit', await liveKitWebhook(init));
      expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    };
    const rooms = ['r1', 'r2', 'r3', 'r4'];
    for (const room of rooms) api.rooms.set(room, [{ identity: 'ann' }]);
    // r1: joins at A and B, the leave at A. r2: alone from the start, at B. r3: in company
    // throughout, across A and B (never ends). r4: a replayed join at the other process.
    api.rooms.set('r3', [{ identity: 'ann' }, { identity: 'bob' }]);
    await send(a.url, { event: 'participant_joined', room: 'r1', identity: 'ann' });
    await send(b.url, { event: 'participant_joined', room: 'r1', identity: 'bob' });
    await send(a.url, { event: 'participant_joined', room: 'r3', identity: 'ann' });
    await send(b.url, { event: 'participant_joined', room: 'r3', identity: 'bob' });
    const started = Date.now();
    await send(a.url, { event: 'participant_left', room: 'r1', identity: 'bob' });
    await send(b.url, { event: 'participant_joined', room: 'r2', identity: 'ann' });
    const replayed = await liveKitWebhook({ event: 'participant_joined', room: 'r4', identity: 'ann' });
    expect((await post(a.url, '/webhooks/livekit', replayed)).json).toEqual({ ok: true, applied: true });
    expect((await post(b.url, '/webhooks/livekit', replayed)).json).toMatchObject({ replay: true });
    const sentAt = Date.now();

    // Mid-countdown, A dies without a word; C starts later.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    a.run.child.kill('SIGKILL');
    await a.run.exit;
    const c = await start();
    expect(c.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    await until(
      () =>
        ['r1', 'r2', 'r4'].every((room) =>
          api.calls.some((call) => call.method === 'DeleteRoom' && call.body.room === room),
        ),
      8000,
      'three DeleteRooms',
    );
    // Long enough for a second end or warning to show, if one were coming.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const deletes = api.calls.filter((call) => call.method === 'DeleteRoom');
    expect(deletes.map((call) => call.body.room).sort()).toEqual(['r1', 'r2', 'r4']);
    for (const call of deletes) {
      // Due 3 s after the last change (between `started` and `sentAt`): on time within a second.
      expect(call.at).toBeGreaterThanOrEqual(started + 3000 - 50);
      expect(call.at).toBeLessThanOrEqual(sentAt + 3000 + 1000);
    }
    const warnings = api.calls.filter((call) => call.method === 'SendData');
    expect(warnings.map((call) => call.body.room).sort()).toEqual(['r1', 'r2', 'r4']);
    // r3 has company: re-read never needed, never ended.
    expect(api.calls.filter((call) => call.body.room === 'r3')).toEqual([]);
    for (const run of [b.run, c.run]) run.child.kill('SIGTERM');
    expect(await Promise.all([b.run.exit, c.run.exit])).toEqual([0, 0]);
  });
});
