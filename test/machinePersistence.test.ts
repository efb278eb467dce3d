// The chart alone under XState's own persistence (SPEC §3: callSessionMachine is "for
// createActor, inspectors, graph tools"): `actor.getPersistedSnapshot()` through
// `JSON.stringify` / `JSON.parse` and back into `createActor` must run on exactly as
// the live actor would, participants included.
import { createActor, SimulatedClock, type SnapshotFrom } from 'xstate';
import { describe, expect, test } from 'vitest';
import { callSessionMachine, SessionSettingsBuilder } from '../src/index.js';

type Snapshot = SnapshotFrom<typeof callSessionMachine>;

const alice = { uid: 'alice', name: 'Alice' };
const bob = { uid: 'bob', name: 'Bob' };

function throughJson(actor: ReturnType<typeof createActor<typeof callSessionMachine>>): Snapshot {
  return JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as Snapshot;
}

function accompaniedActor() {
  const actor = createActor(callSessionMachine).start();
  actor.send({ type: 'session.join', sessionId: 'standup' });
  actor.send({ type: 'session.joined', participants: [alice, bob] });
  return actor;
}

describe('callSessionMachine through a JSON round trip', () => {
  test('participant.joined and participant.left after a restore update the roster, in order', () => {
    const restored = createActor(callSessionMachine, { snapshot: throughJson(accompaniedActor()) }).start();
    restored.send({ type: 'participant.joined', participant: { uid: 'carol', name: 'Carol' } });
    restored.send({ type: 'participant.left', participant: alice });
    const snapshot = restored.getSnapshot();
    expect(snapshot.status).toBe('active');
    expect(snapshot.value).toEqual({ joined: 'accompanied' });
    expect(snapshot.context.roster.list.map((p) => p.uid)).toEqual(['bob', 'carol']);
  });

  test('the last participant leaving after a restore goes to joined.alone and starts the idle countdown', () => {
    const clock = new SimulatedClock();
    const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(5).build();
    const live = createActor(callSessionMachine, { clock, input: { settings } }).start();
    live.send({ type: 'session.join', sessionId: 's' });
    live.send({ type: 'session.joined', participants: [alice] });
    const restored = createActor(callSessionMachine, { clock, snapshot: throughJson(live) }).start();
    live.stop();
    restored.send({ type: 'participant.left', participant: alice });
    expect(restored.getSnapshot().value).toEqual({ joined: 'alone' });
    for (let i = 0; i < 5; i++) clock.increment(1000);
    expect(restored.getSnapshot().value).toBe('timedOut');
    expect(restored.getSnapshot().output).toEqual({ endReason: 'idleTimeout' });
  });

  test('a resync after a restore diffs against the restored roster', () => {
    const live = accompaniedActor();
    live.send({ type: 'connection.lost' });
    const restored = createActor(callSessionMachine, { snapshot: throughJson(live) }).start();
    const before = restored.getSnapshot().context.roster;
    restored.send({ type: 'connection.restored', participants: [bob, { uid: 'dave' }] });
    const roster = restored.getSnapshot().context.roster;
    expect(before.size).toBe(2);
    expect(roster.list.map((p) => p.uid)).toEqual(['bob', 'dave']);
    expect(roster.joined.map((p) => p.uid)).toEqual(['dave']);
    expect(roster.left.map((p) => p.uid)).toEqual(['alice']);
  });

  test('a stored roster that is not a participant list fails the restore with a TypeError', () => {
    const stored = throughJson(accompaniedActor()) as unknown as { context: { roster: unknown } };
    stored.context.roster = [{ name: 'nobody' }];
    const actor = createActor(callSessionMachine, { snapshot: stored as unknown as Snapshot });
    const error = actor.getSnapshot().error;
    expect(actor.getSnapshot().status).toBe('error');
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/context\.roster\[0\] needs a non-empty uid or pid/);
  });

  test('a machine made with provide() restores the same way', () => {
    const provided = callSessionMachine.provide({});
    const restored = createActor(provided, { snapshot: throughJson(accompaniedActor()) }).start();
    restored.send({ type: 'participant.left', participant: bob });
    expect(restored.getSnapshot().context.roster.list.map((p) => p.uid)).toEqual(['alice']);
  });
});
