import { SimulatedClock } from 'xstate';
import { expect, test } from 'vitest';
import { createCallSession, SessionSettingsBuilder } from '../src/index.js';

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
