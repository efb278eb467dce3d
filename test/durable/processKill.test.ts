// A process killed with SIGKILL mid-countdown loses no deadline: BullMQ holds the job in
// Redis, so another process's worker fires it at its time, once; and so does a process
// started only after the kill. A kill in the middle of a burst of events leaves every
// running countdown with its job and every acknowledged event stored.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RedisServer, describeWithRedis } from '../support/redisServer.js';
import { FleetProcess } from './processes.js';
import { RedisView, settingsOf, sleep, waitFor } from './support.js';

/**
 * "At its time": not before its deadline, and well before the 30 s after which BullMQ
 * would recover a job through its stalled-lock check. Wide, for a loaded CI machine;
 * how late deadlines are is measured by `npm run bench:durable`, not here.
 */
const LATE_BOUND_MS = 5_000;

describeWithRedis('durable: a process killed with SIGKILL mid-countdown', () => {
  let server: RedisServer;
  const started: FleetProcess[] = [];
  const views: RedisView[] = [];
  const start = async (name: string, prefix: string, idle = 2): Promise<FleetProcess> => {
    const process = await FleetProcess.start(name, {
      url: server.url,
      prefix,
      settings: settingsOf(idle, 60),
      listeners: ['S0'],
    });
    started.push(process);
    return process;
  };
  const view = (prefix: string): RedisView => {
    const v = new RedisView(server.url, prefix);
    views.push(v);
    return v;
  };
  const timedOut = (processes: readonly FleetProcess[], id: string) =>
    processes.flatMap((p) => p.callbacks.filter((c) => c.id === id && c.entry === 'S0:onSessionTimedOut'));

  beforeAll(async () => {
    server = await RedisServer.start();
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.close()));
    await Promise.all(views.map((v) => v.close()));
    await server?.stop();
  });

  test.concurrent('another process fires the idle timeout at its deadline, once', async () => {
    const [a, b] = await Promise.all([start('A', 'kill1'), start('B', 'kill1')]);
    await a.add('room');
    await a.send('room', { type: 'session.join', sessionId: 'room' });
    const { session } = await a.send('room', { type: 'session.joined' });
    const deadline = session.idleDeadline!;
    await sleep(300);
    await a.kill();
    await waitFor(() => timedOut([b], 'room').length > 0, 10_000, 'B to time the session out');
    await sleep(500);
    const fired = timedOut([b], 'room');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBeGreaterThanOrEqual(deadline);
    expect(fired[0]!.at - deadline).toBeLessThan(LATE_BOUND_MS);
    const stored = await view('kill1').record('room');
    expect([stored?.persisted.state, stored?.persisted.endReason]).toEqual(['timedOut', 'idleTimeout']);
  });

  test.concurrent('a process started after the kill fires it at its deadline, once', async () => {
    // Long enough for a process to start on a loaded machine.
    const a = await start('A2', 'kill2', 6);
    await a.add('room');
    await a.send('room', { type: 'session.join', sessionId: 'room' });
    const { session } = await a.send('room', { type: 'session.joined' });
    const deadline = session.idleDeadline!;
    await a.kill();
    // Nothing runs a worker on this prefix now; the deadline is only a job in Redis.
    const c = await start('C', 'kill2', 6);
    expect(Date.now()).toBeLessThan(deadline);
    await waitFor(() => timedOut([c], 'room').length > 0, 10_000, 'C to time the session out');
    await sleep(500);
    const fired = timedOut([c], 'room');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBeGreaterThanOrEqual(deadline);
    expect(fired[0]!.at - deadline).toBeLessThan(LATE_BOUND_MS);
    expect((await view('kill2').record('room'))?.persisted.state).toBe('timedOut');
  });

  test.concurrent(
    'killed in the middle of a burst of events: every acknowledged event is stored, every running countdown has its job',
    async () => {
      const [a, b] = await Promise.all([start('A3', 'kill3'), start('B3', 'kill3')]);
      const v = view('kill3');
      const ids = ['s0', 's1', 's2', 's3'];
      for (const id of ids) {
        await a.add(id);
        await a.send(id, { type: 'session.join', sessionId: id });
        await a.send(id, { type: 'session.joined' });
      }
      const acknowledged = new Map<string, number>();
      const burst = ids.map(async (id) => {
        // Joined and left again and again: each one starts or stops the idle countdown.
        for (let i = 0; ; i++) {
          const event =
            i % 3 === 2
              ? { type: 'idle.extend' }
              : { type: i % 3 === 0 ? 'participant.joined' : 'participant.left', participant: { uid: 'ana' } };
          const { version } = await a.send(id, event).catch(() => ({ version: -1 }));
          if (version < 0) return;
          acknowledged.set(id, version);
        }
      });
      await sleep(400);
      await a.kill();
      await Promise.all(burst);
      for (const id of ids) {
        const record = await v.record(id);
        expect(record!.version).toBeGreaterThanOrEqual(acknowledged.get(id)!);
        const states = await v.timerJobStates(id);
        expect(states.length).toBe(record!.timers.length);
        expect(states.every((state) => state === 'delayed' || state === 'waiting' || state === 'active')).toBe(true);
      }
      expect([...acknowledged.values()].every((version) => version > 3)).toBe(true);
      // And B takes over: every session left alone times out at its deadline.
      const alone: string[] = [];
      for (const id of ids) if ((await v.record(id))!.persisted.state === 'joined.alone') alone.push(id);
      await waitFor(
        async () => {
          for (const id of alone) if ((await v.record(id))!.persisted.state !== 'timedOut') return false;
          return true;
        },
        10_000,
        'B to time out the sessions left alone',
      );
      await b.request({ op: 'settled' });
      for (const id of alone) expect(timedOut([b], id)).toHaveLength(1);
    },
  );
});
