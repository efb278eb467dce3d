// Many concurrent events for ONE session through two real processes on one Redis: every
// event either applies at a version of its own or is ignored, none is lost, and the
// order the versions give, replayed through the SPEC §2 oracle (test/oracle.ts), gives
// the final session and every callback of both processes.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeList, initialModel, step, type OracleEvent, type OracleModel } from '../oracle.js';
import { RedisServer, describeWithRedis } from '../support/redisServer.js';
import { FleetProcess } from './processes.js';
import { callbacksOf, RedisView, settingsOf } from './support.js';

const PREFIX = 'conc';
const PER_PROCESS = 300;
const POOL = [{ uid: 'ana' }, { uid: 'bo', name: 'Bo' }, { pid: 'p1', uid: 'cy' }];

/** Events that keep the session joined, so that all of them have something to do. */
function eventAt(i: number): OracleEvent {
  const p = POOL[i % POOL.length]!;
  switch ((i * 7) % 6) {
    case 0:
      return { type: 'participant.joined', participant: p };
    case 1:
      return { type: 'participant.left', participant: p };
    case 2:
      return { type: 'connection.lost' };
    case 3:
      return i % 2 ? { type: 'connection.restored' } : { type: 'connection.restored', participants: [p] };
    case 4:
      return { type: 'idle.extend' };
    default:
      return { type: 'participant.joined', participant: POOL[(i + 1) % POOL.length]! };
  }
}

describeWithRedis('durable: concurrent events for one session through two processes', () => {
  let server: RedisServer;
  let view: RedisView;
  const processes: FleetProcess[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
    view = new RedisView(server.url, PREFIX);
    const init = { url: server.url, prefix: PREFIX, settings: settingsOf(300, 300, 30), listeners: ['S0', 'P0'] as const };
    processes.push(...(await Promise.all([FleetProcess.start('A', init), FleetProcess.start('B', init)])));
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.close()));
    await view?.close();
    await server?.stop();
  });

  test(`${2 * PER_PROCESS} events at once, half through each process: none lost, the oracle's final state and callbacks`, async () => {
    const [a, b] = processes as [FleetProcess, FleetProcess];
    await a.add('room');
    await a.send('room', { type: 'session.join', sessionId: 'room' });
    const joined = await b.send('room', { type: 'session.joined' });
    const events = Array.from({ length: 2 * PER_PROCESS }, (_, i) => eventAt(i));
    // Sent without waiting: each process has hundreds of updates of one key racing.
    const results = await Promise.all(events.map((event, i) => (i % 2 ? b : a).send('room', event)));

    const applied = results
      .map((result, i) => ({ result, event: events[i]! }))
      .filter(({ result }) => result.changed)
      .sort((x, y) => x.result.version - y.result.version);
    // Each applied event has a version of its own, one after another: no update was lost.
    expect(applied.map(({ result }) => result.version)).toEqual(
      applied.map((_, i) => joined.version + 1 + i),
    );
    let model: OracleModel = initialModel({ idleTimeoutPeriod: 300, reconnectTimeoutPeriod: 300, idleWarningPeriod: 30 });
    const expected: string[] = [];
    const models = new Map<number, OracleModel>();
    for (const event of [{ type: 'session.join', sessionId: 'room' } as const, { type: 'session.joined' } as const]) {
      const out = step(model, event);
      model = out.model;
      expected.push(...out.callbacks.map((c) => (c.startsWith('onParticipant') ? `P0:${c}` : `S0:${c}`)));
    }
    models.set(joined.version, model);
    for (const { event } of applied) {
      const out = step(model, event);
      expect(out.accepted, `the oracle takes ${JSON.stringify(event)} in ${model.state}`).toBe(true);
      model = out.model;
      models.set(models.size + joined.version, model);
      expected.push(...out.callbacks.map((c) => (c.startsWith('onParticipant') ? `P0:${c}` : `S0:${c}`)));
    }
    // An ignored event was ignored by the session as it was at the version it read.
    for (const [i, result] of results.entries()) {
      if (result.changed) continue;
      const at = models.get(result.version);
      expect(at, `version ${result.version} was stored`).toBeDefined();
      expect(step(at!, events[i]!).accepted, `${JSON.stringify(events[i])} ignored at ${at!.state}`).toBe(false);
    }

    const stored = await view.record('room');
    expect(stored?.version).toBe(joined.version + applied.length);
    expect(stored?.persisted.state).toBe(model.state);
    expect(describeList(stored!.persisted.participants)).toBe(describeList(model.participants));
    expect(stored?.persisted.idleDeadline === null).toBe(model.idleDeadline === null);
    expect(stored?.persisted.reconnectDeadline === null).toBe(model.reconnectDeadline === null);
    expect(stored?.persisted.resumeTo).toBe(model.resumeTo);
    // The callbacks of both processes, in stored order, are the oracle's.
    await Promise.all(processes.map((p) => p.request({ op: 'settled' })));
    expect(callbacksOf(processes, 'room').map((c) => c.entry.replace(/^(S0|P0):/, '$1:'))).toEqual(expected);
    // Each process ran only the callbacks of what it stored, and both did some.
    expect(processes.every((p) => p.callbacks.length > 0)).toBe(true);
    // Every countdown that runs has its delayed job.
    const states = await view.timerJobStates('room');
    expect(states.length).toBe((model.idleDeadline === null ? 0 : 2) + (model.reconnectDeadline === null ? 0 : 1));
    expect(states.every((state) => state === 'delayed')).toBe(true);
    expect(processes.flatMap((p) => p.errors)).toEqual([]);
  });
});
