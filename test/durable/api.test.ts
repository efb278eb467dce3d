// The durable fleet's API on one real redis-server: what each method does, bad input
// refused with a clear error and nothing changed, a throwing listener isolated.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createDurableFleet, type DurableCallSessionFleet } from '../../src/durable/index.js';
import { deadlineOfJobId, jobIdOf } from '../../src/durable/record.js';
import { RedisServer, describeWithRedis } from '../support/redisServer.js';
import { RedisView, settingsOf } from './support.js';

test('a deadline job id says which deadline it is, for any session id', () => {
  for (const id of ['room-42', 'a:b', '100%', 'x.y.z', '%3A', ':', 'ü 🎉']) {
    const timer = { k: 4, v: 7, due: 1_764_780_000_123 };
    const jobId = jobIdOf(id, 'k3v9x0a1', timer);
    expect(jobId).not.toContain(':');
    expect(deadlineOfJobId(jobId)).toEqual({ i: id, n: 'k3v9x0a1', k: 4, v: 7, d: timer.due });
  }
  expect(deadlineOfJobId('42')).toBeUndefined();
  expect(deadlineOfJobId('a.b.nope.1.2')).toBeUndefined();
});

describeWithRedis('durable: the API', () => {
  let server: RedisServer;
  let fleet: DurableCallSessionFleet;
  let view: RedisView;
  const listenerErrors: unknown[] = [];
  const log: string[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
    fleet = await createDurableFleet({
      connection: server.url,
      prefix: 'api',
      settings: settingsOf(60, 30, 10),
      onListenerError: (error) => listenerErrors.push(error),
    });
    view = new RedisView(server.url, 'api');
  });

  afterAll(async () => {
    await fleet?.close();
    await view?.close();
    await server?.stop();
  });

  test('bad options are refused before anything connects', async () => {
    await expect(createDurableFleet(undefined as never)).rejects.toThrow(TypeError);
    await expect(createDurableFleet({} as never)).rejects.toThrow(/connection must be a Redis URL/);
    await expect(createDurableFleet({ connection: server.url, prefix: 'a b' })).rejects.toThrow(/prefix/);
    await expect(createDurableFleet({ connection: server.url, concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(
      createDurableFleet({ connection: server.url, settings: { idleTimeoutPeriod: -1 } as never }),
    ).rejects.toThrow(RangeError);
  });

  test('add, send, get, state, has, remove; a running countdown is its delayed jobs, removed with the session', async () => {
    await fleet.add('room');
    expect(await fleet.has('room')).toBe(true);
    expect(await fleet.state('room')).toBe('idle');
    const join = await fleet.join('room', 'call-7');
    expect([join.changed, join.version, join.session.sessionId]).toEqual([true, 2, 'call-7']);
    const joined = await fleet.send('room', { type: 'session.joined' });
    expect(joined.session.state).toBe('joined.alone');
    // The idle countdown and its warning: one delayed job each.
    expect(await view.timerJobStates('room')).toEqual(['delayed', 'delayed']);
    const ignored = await fleet.send('room', { type: 'connection.restored' });
    expect([ignored.changed, ignored.version]).toEqual([false, joined.version]);
    expect((await fleet.get('room'))?.version).toBe(joined.version);
    const jobs = (await view.record('room'))!;
    expect(await fleet.remove('room')).toBe(true);
    expect(await fleet.remove('room')).toBe(false);
    expect(await fleet.get('room')).toBeUndefined();
    expect(await fleet.has('room')).toBe(false);
    expect(jobs.timers).toHaveLength(2);
    expect(await view.queue.getDelayedCount()).toBe(0);
  });

  test('bad input: a clear error, and nothing changes', async () => {
    await fleet.add('kept');
    await fleet.join('kept');
    const before = await view.redis.get('api:s:kept');
    await expect(fleet.add('kept')).rejects.toThrow(/already holds a durable session "kept"/);
    await expect(fleet.send('kept', { type: 'session.explode' } as never)).rejects.toThrow(TypeError);
    await expect(fleet.send('kept', { type: 'participant.joined' } as never)).rejects.toThrow(TypeError);
    expect(await view.redis.get('api:s:kept')).toBe(before);
    await expect(fleet.send('nobody', { type: 'session.leave' })).rejects.toThrow(/holds no durable session "nobody"/);
    await expect(fleet.state('nobody')).rejects.toThrow(RangeError);
    expect(await view.redis.exists('api:s:nobody')).toBe(0);
    await expect(fleet.add('')).rejects.toThrow(/non-empty string/);
    await expect(fleet.add('bad', { snapshot: { format: 'something else' } as never })).rejects.toThrow(
      /Not a persisted call session/,
    );
    await expect(fleet.add('bad', { settings: { idleTimeoutPeriod: 1.5 } as never })).rejects.toThrow(RangeError);
    expect(await fleet.has('bad')).toBe(false);
  });

  test('a session restored from a snapshot gets its countdowns back as jobs', async () => {
    const saved = (await fleet.get('kept'))!.session;
    await fleet.send('kept', { type: 'session.joined' });
    const alone = (await fleet.get('kept'))!.session;
    await fleet.add('copy', { snapshot: JSON.parse(JSON.stringify(alone)) as typeof alone });
    const copy = (await view.record('copy'))!;
    expect(copy.persisted.idleDeadline).toBe(alone.idleDeadline);
    expect(copy.timers.map((t) => t.due).sort()).toEqual([alone.idleDeadline! - 10_000, alone.idleDeadline!]);
    expect(await view.timerJobStates('copy')).toEqual(['delayed', 'delayed']);
    expect(saved.state).toBe('joining');
  });

  test('a throwing listener is reported and isolated: the state is stored, the next listener still runs', async () => {
    const remove = fleet.addSessionStatusListener({
      onSessionLeft: () => {
        throw new Error('listener bug');
      },
    });
    const after = fleet.addSessionStatusListener({ onSessionLeft: (id) => log.push(`left:${id}`) });
    try {
      const left = await fleet.leave('kept');
      expect(left.session.state).toBe('left');
      expect(log).toEqual(['left:kept']);
      expect(listenerErrors.map(String)).toEqual(['Error: listener bug']);
      expect(await fleet.state('kept')).toBe('left');
      expect(await view.timerJobStates('kept')).toEqual([]);
    } finally {
      remove();
      after();
    }
  });

  test('removeOnEnd deletes an ended session in the step that ends it, after which its callbacks run', async () => {
    const ending = await createDurableFleet({
      connection: server.url,
      prefix: 'api',
      removeOnEnd: true,
      worker: false,
    });
    const seen: string[] = [];
    ending.addSessionStatusListener({ onSessionLeft: (id) => seen.push(id) });
    try {
      await ending.add('short');
      await ending.join('short');
      await ending.send('short', { type: 'session.joined' });
      await ending.leave('short');
      expect(seen).toEqual(['short']);
      expect(await ending.has('short')).toBe(false);
      expect(await view.timerJobStates('short')).toEqual([]);
    } finally {
      await ending.close();
    }
    await expect(ending.send('x', { type: 'session.leave' })).rejects.toThrow(/closed/);
    await expect(ending.add('x')).rejects.toThrow(/closed/);
  });
});
