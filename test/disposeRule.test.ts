// One rule after dispose() for both runtimes (issue 18): nothing throws and nothing changes.
// Every call that would change a session or add one is ignored, can() is false, a listener
// added is never called, and what was held stays readable and can be saved.
import { describe, expect, test } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCallSessionFleet } from 'call-session-machine/fleet';
import { createCallSession, type CallSessionEvent } from 'call-session-machine';

const MALFORMED = { type: 'no.such.event' } as unknown as CallSessionEvent;
const everyCallback = (log: string[]) => ({
  onSessionJoined: () => log.push('onSessionJoined'),
  onSessionLeft: () => log.push('onSessionLeft'),
  onSessionTimedOut: () => log.push('onSessionTimedOut'),
  onParticipantJoined: () => log.push('onParticipantJoined'),
});

describe('after dispose()', () => {
  test('a CallSession: sends (even malformed), join, leave and Stay are ignored, can() is false, state and snapshot stay', () => {
    const clock = new SimulatedClock();
    const session = createCallSession({ clock });
    session.join('standup');
    session.send({ type: 'session.joined' });
    const saved = session.getPersistedSnapshot();
    session.dispose();
    const log: string[] = [];
    session.addSessionStatusListener(everyCallback(log));
    session.addParticipantEventListener(everyCallback(log));
    expect(() => {
      session.send(MALFORMED);
      session.send({ type: 'participant.joined', participant: { uid: 'bob' } });
      session.leave();
      session.join('other');
      session.extendIdleTimeout();
      session.dispose();
    }).not.toThrow();
    clock.increment(400_000);
    expect(session.can({ type: 'session.leave' })).toBe(false);
    expect(session.state).toBe('joined.alone');
    expect(session.getPersistedSnapshot()).toEqual(saved);
    expect(log).toEqual([]);
  });

  test('a fleet: the same, and add, restore and remove are ignored too (restore adds 0, remove is false)', () => {
    const clock = new SimulatedClock();
    const fleet = createCallSessionFleet({ clock });
    fleet.add('s');
    fleet.join('s');
    fleet.send('s', { type: 'session.joined' });
    const saved = fleet.persist();
    fleet.dispose();
    const log: string[] = [];
    fleet.addSessionStatusListener(everyCallback(log));
    fleet.addParticipantEventListener(everyCallback(log));
    expect(() => {
      fleet.send('s', MALFORMED);
      fleet.send('s', { type: 'participant.joined', participant: { uid: 'bob' } });
      fleet.leave('s');
      fleet.extendIdleTimeout('s');
      fleet.add('t');
      expect(fleet.restore([['u', saved[0]![1]]])).toBe(0);
      expect(fleet.remove('s')).toBe(false);
      fleet.dispose();
    }).not.toThrow();
    clock.increment(400_000);
    expect([...fleet.ids()]).toEqual(['s']);
    expect(fleet.can('s', { type: 'session.leave' })).toBe(false);
    expect(fleet.state('s')).toBe('joined.alone');
    expect(fleet.persist()).toEqual(saved);
    expect(log).toEqual([]);
  });
});
