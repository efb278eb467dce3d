import { createActor, SimulatedClock } from 'xstate';
import { expect, test } from 'vitest';
import { callSessionMachine, createCallSession, SessionSettingsBuilder } from '../src/index.js';

test('a session joins, is left alone, and times out after the idle period', () => {
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(10).build();
  const session = createCallSession({ settings, clock });
  const calls: string[] = [];
  session.addSessionStatusListener({
    onSessionJoined: () => calls.push(`joined:${session.state}`),
    onSessionTimedOut: () => calls.push(`timedOut:${session.state}`),
  });
  session.join('s1');
  session.send({ type: 'session.joined' });
  clock.increment(9_999);
  expect(session.state).toBe('joined.alone');
  clock.increment(1);
  expect(calls).toEqual(['joined:joined.alone', 'timedOut:timedOut']);
  expect(session.endReason).toBe('idleTimeout');
});

test('createActor(callSessionMachine) needs no input and runs on the default settings (300 s idle)', () => {
  const clock = new SimulatedClock();
  const actor = createActor(callSessionMachine, { clock }).start();
  actor.send({ type: 'session.join', sessionId: 's1' });
  actor.send({ type: 'session.joined' });
  for (let i = 0; i < 299; i++) clock.increment(1000);
  clock.increment(999);
  expect(actor.getSnapshot().value).toEqual({ joined: 'alone' });
  clock.increment(1);
  expect(actor.getSnapshot().value).toBe('timedOut');
  expect(actor.getSnapshot().output).toEqual({ endReason: 'idleTimeout' });
});
