// CallSession.getInstance() (SPEC §3): the most recently created session while it is
// neither final nor disposed.
import { describe, expect, test } from 'vitest';
import { CallSession } from '../src/index.js';
import { newSession } from './support/listenerLogs.js';

describe('CallSession.getInstance()', () => {
  test('returns the most recently created session', () => {
    const { session: first } = newSession();
    expect(CallSession.getInstance()).toBe(first);
    const { session: second } = newSession();
    expect(CallSession.getInstance()).toBe(second);
    first.join('s1');
    expect(CallSession.getInstance()).toBe(second);
    second.join('s2');
    second.send({ type: 'session.joined' });
    expect(CallSession.getInstance()).toBe(second);
  });

  test('null after the latest session is disposed, even if an older one lives', () => {
    const { session: older } = newSession();
    const { session: latest } = newSession();
    latest.dispose();
    expect(CallSession.getInstance()).toBeNull();
    expect(older.state).toBe('idle');
    // Disposing an older session does not affect a newer one.
    const { session: newest } = newSession();
    older.dispose();
    expect(CallSession.getInstance()).toBe(newest);
  });

  test.each([
    ['left', (s: CallSession) => s.leave()],
    ['left', (s: CallSession) => s.send({ type: 'session.removed' })],
    ['closed', (s: CallSession) => s.send({ type: 'connection.closed' })],
  ] as const)('null once the session reaches the final state %s', (finalState, end) => {
    const { session } = newSession();
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(CallSession.getInstance()).toBe(session);
    end(session);
    expect(session.state).toBe(finalState);
    expect(CallSession.getInstance()).toBeNull();
  });

  test('null once the idle timeout ends the session', () => {
    const { session, clock } = newSession();
    session.join('s1');
    session.send({ type: 'session.joined' });
    clock.increment(9_999);
    expect(CallSession.getInstance()).toBe(session);
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(CallSession.getInstance()).toBeNull();
  });

  test('a session that went back to idle (leave while joining) is still the instance', () => {
    const { session } = newSession();
    session.join('s1');
    session.leave();
    expect(session.state).toBe('idle');
    expect(CallSession.getInstance()).toBe(session);
  });
});
