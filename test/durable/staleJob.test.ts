// A deadline job that no longer matches the stored session (its countdown moved or
// stopped since, or it belongs to a removed session) does nothing when it comes due:
// the worker re-reads the session first. The jobs are added by hand, as a process
// killed between storing a transition and removing the old job would leave them.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createDurableFleet, type DurableCallSessionFleet } from '../../src/durable/index.js';
import { jobIdOf, type SessionRecord } from '../../src/durable/record.js';
import { RedisServer, describeWithRedis } from '../support/redisServer.js';
import { RedisView, settingsOf, sleep, waitFor } from './support.js';

describeWithRedis('durable: a stale deadline job', () => {
  let server: RedisServer;
  let fleet: DurableCallSessionFleet;
  let view: RedisView;
  let queue: Queue;
  const log: string[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
    fleet = await createDurableFleet({ connection: server.url, prefix: 'stale', settings: settingsOf(60, 60, 30) });
    fleet.addSessionStatusListener({
      onSessionTimedOut: (id) => log.push(`timedOut:${id}`),
      onIdleTimeoutWarning: (id, s) => log.push(`warning:${id}:${s}`),
    });
    view = new RedisView(server.url, 'stale');
    queue = view.queue;
  });

  afterAll(async () => {
    await fleet?.close();
    await view?.close();
    await server?.stop();
  });

  /** The jobs of `record`'s timers again, due now, as if a process had died before removing them. */
  async function replay(id: string, record: SessionRecord): Promise<string[]> {
    const ids: string[] = [];
    for (const timer of record.timers) {
      // The id says which deadline a job is; the job carries nothing else.
      const jobId = jobIdOf(id, record.incarnation, timer);
      await queue.add('d', null, { jobId, removeOnComplete: true });
      ids.push(jobId);
    }
    return ids;
  }

  async function doneWith(ids: readonly string[]): Promise<void> {
    await waitFor(
      async () => (await Promise.all(ids.map((id) => queue.getJobState(id)))).every((s) => s === 'unknown'),
      10_000,
      'the replayed jobs to be handled',
    );
    await fleet.settled();
  }

  test('a countdown moved by "Stay": the old idle and warning jobs, due now, change nothing', async () => {
    await fleet.add('moved');
    await fleet.join('moved');
    await fleet.send('moved', { type: 'session.joined' });
    const before = (await view.record('moved'))!;
    expect(before.timers).toHaveLength(2);
    const stayed = await fleet.extendIdleTimeout('moved');
    expect(stayed.changed).toBe(true);
    // The deadline that was: due, by the clock, long before its replay runs.
    const old = { ...before, timers: before.timers.map((t) => ({ ...t, due: t.due - 60_000 })) };
    const stale = await replay('moved', old);
    // Their own ids: "Stay" removed those jobs when it stored the new countdown.
    const exact = await replay('moved', before);
    await doneWith([...stale, ...exact]);
    const after = (await view.record('moved'))!;
    expect(after.version).toBe(stayed.version);
    expect(after.persisted.state).toBe('joined.alone');
    expect(after.persisted.idleWarningAt).toBeNull();
    expect(log).toEqual([]);
  });

  test('a stopped countdown (someone joined), and a removed session: their jobs change nothing', async () => {
    await fleet.add('stopped');
    await fleet.join('stopped');
    await fleet.send('stopped', { type: 'session.joined' });
    const alone = (await view.record('stopped'))!;
    const joined = await fleet.send('stopped', { type: 'participant.joined', participant: { uid: 'ana' } });
    expect(joined.session.idleDeadline).toBeNull();
    expect(await view.timerJobStates('stopped')).toEqual([]);

    await fleet.add('removed');
    await fleet.join('removed');
    await fleet.send('removed', { type: 'session.joined' });
    const removed = (await view.record('removed'))!;
    expect(await fleet.remove('removed')).toBe(true);
    // Added again under the same id: a new incarnation, which the old jobs are not.
    await fleet.add('removed');
    const readded = (await view.record('removed'))!;

    await doneWith([...(await replay('stopped', alone)), ...(await replay('removed', removed))]);
    expect((await view.record('stopped'))!.version).toBe(joined.version);
    expect((await view.record('stopped'))!.persisted.state).toBe('joined.accompanied');
    expect((await view.record('removed'))!.version).toBe(readded.version);
    expect(log).toEqual([]);
  });

  test('the job that is still current does fire: the check is not "never fire"', async () => {
    const short = await createDurableFleet({
      connection: server.url,
      prefix: 'stale',
      settings: settingsOf(1, 60),
      worker: false,
    });
    try {
      await short.add('current');
      await short.join('current');
      const { session } = await short.send('current', { type: 'session.joined' });
      await waitFor(async () => (await fleet.state('current')) === 'timedOut', 10_000, 'the current job to fire');
      await sleep(100);
      expect(log).toEqual(['timedOut:current']);
      expect(session.idleDeadline).not.toBeNull();
    } finally {
      await short.close();
    }
  });
});
