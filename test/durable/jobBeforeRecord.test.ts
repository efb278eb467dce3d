// A transition's deadline jobs are added BEFORE the session is stored (so that a process
// killed in between never leaves a countdown without its job). A job due at once can
// therefore reach a worker before its session holds it: the worker must hand it back
// and look again, not drop it as stale. The window is reproduced by hand here: the job
// first, the stored session some 300 ms later.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createDurableFleet, type DurableCallSessionFleet } from '../../src/durable/index.js';
import { jobIdOf, parseRecord } from '../../src/durable/record.js';
import { RedisServer, describeWithRedis } from '../support/redisServer.js';
import { RedisView, settingsOf, sleep, waitFor } from './support.js';

describeWithRedis('durable: a deadline job that arrives before its session is stored', () => {
  let server: RedisServer;
  let worker: DurableCallSessionFleet;
  let sender: DurableCallSessionFleet;
  let view: RedisView;
  const timedOut: string[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
    worker = await createDurableFleet({ connection: server.url, prefix: 'early' });
    worker.addSessionStatusListener({ onSessionTimedOut: (id) => timedOut.push(id) });
    sender = await createDurableFleet({
      connection: server.url,
      prefix: 'early',
      worker: false,
      settings: settingsOf(1, 60),
    });
    view = new RedisView(server.url, 'early');
  });

  afterAll(async () => {
    await sender?.close();
    await worker?.close();
    await view?.close();
    await server?.stop();
  });

  /** Takes `id`'s stored value and its jobs out of Redis, as they were before the step that wrote them. */
  async function unstore(id: string): Promise<{ raw: string; jobs: string[] }> {
    const raw = (await view.redis.get(`early:s:${id}`))!;
    const record = parseRecord(raw);
    const jobs = record.timers.map((t) => jobIdOf(id, record.incarnation, t));
    for (const jobId of jobs) await view.queue.remove(jobId);
    return { raw, jobs };
  }

  test('a new session whose job comes first (no session stored yet): the deadline still fires', async () => {
    await sender.add('added');
    await sender.join('added');
    await sender.send('added', { type: 'session.joined' });
    const { raw, jobs } = await unstore('added');
    await view.redis.del('early:s:added');
    await sleep(1_100);
    // The idle job, due now, with no session stored yet.
    for (const jobId of jobs) await view.queue.add('d', null, { jobId, removeOnComplete: true });
    await sleep(300);
    await view.redis.set('early:s:added', raw);
    await waitFor(() => timedOut.includes('added'), 5_000, 'the idle timeout of the session stored after its job');
    expect(await worker.state('added')).toBe('timedOut');
  });

  test('an update whose job comes first (the session still at the version before): the deadline still fires', async () => {
    await sender.add('updated');
    await sender.join('updated');
    const before = (await view.redis.get('early:s:updated'))!;
    await sender.send('updated', { type: 'session.joined' });
    const { raw, jobs } = await unstore('updated');
    // Back to the version before the countdown started; then its job, due now, first.
    await view.redis.set('early:s:updated', before);
    await sleep(1_100);
    for (const jobId of jobs) await view.queue.add('d', null, { jobId, removeOnComplete: true });
    await sleep(300);
    await view.redis.set('early:s:updated', raw);
    await waitFor(() => timedOut.includes('updated'), 5_000, 'the idle timeout of the update stored after its job');
    expect(await worker.state('updated')).toBe('timedOut');
  });
});
