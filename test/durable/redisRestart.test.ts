// Redis killed with SIGKILL and started again mid-countdown, reading its append-only file
// back (appendfsync always): the session, every event acknowledged before the kill and
// the deadline's delayed job survive, and the deadline still fires, once.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createDurableFleet, type DurableCallSessionFleet } from '../../src/durable/index.js';
import { RedisServer, describeWithRedis } from '../support/redisServer.js';
import { RedisView, settingsOf, sleep, waitFor } from './support.js';

/**
 * "At its time": not before its deadline, and well before the 30 s after which BullMQ
 * would recover a job through its stalled-lock check. Wide, for a loaded CI machine;
 * how late deadlines are is measured by `npm run bench:durable`, not here.
 */
const LATE_BOUND_MS = 5_000;

describeWithRedis('durable: Redis killed and restarted mid-countdown', () => {
  let server: RedisServer;
  let fleet: DurableCallSessionFleet;
  const errors: unknown[] = [];
  const timedOut: { id: string; at: number }[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
    fleet = await createDurableFleet({
      connection: { host: '127.0.0.1', port: server.port },
      prefix: 'restart',
      settings: settingsOf(3, 60),
      // Connection errors while Redis is down are expected here.
      onError: (error) => errors.push(error),
    });
    fleet.addSessionStatusListener({ onSessionTimedOut: (id) => timedOut.push({ id, at: Date.now() }) });
  });

  afterAll(async () => {
    await fleet?.close();
    await server?.stop();
  });

  test('the acknowledged events and the delayed job survive, and the idle timeout fires at its deadline, once', async () => {
    await fleet.add('room');
    await fleet.join('room');
    await fleet.send('room', { type: 'session.joined', participants: [{ uid: 'ana' }] });
    // Ana leaves: alone, the 3 s countdown starts; acknowledged, so on disk.
    const left = await fleet.send('room', { type: 'participant.left', participant: { uid: 'ana' } });
    const deadline = left.session.idleDeadline!;
    expect(left.session.state).toBe('joined.alone');

    await server.kill();
    await sleep(300);
    await server.restart();

    const view = new RedisView(server.url, 'restart');
    try {
      const record = await view.record('room');
      expect(record?.version).toBe(left.version);
      expect(await view.timerJobStates('room')).toEqual(['delayed']);
      await waitFor(() => timedOut.length > 0, 10_000, 'the idle timeout after the restart');
      await sleep(500);
      expect(timedOut.map((t) => t.id)).toEqual(['room']);
      expect(timedOut[0]!.at).toBeGreaterThanOrEqual(deadline);
      expect(timedOut[0]!.at - deadline).toBeLessThan(LATE_BOUND_MS);
      expect((await view.record('room'))?.persisted.endReason).toBe('idleTimeout');
    } finally {
      await view.close();
    }
  });
});
