// An inspection observer is a debugging aid (SPEC §3 `inspect`): one that throws is
// reported to onListenerError and the session goes on, as with a throwing listener.
// Without isolation XState's mailbox never recovers from an observer error: later
// events and timers are dropped while `can()` still says true.
import { SimulatedClock, type InspectionEvent } from 'xstate';
import { describe, expect, test } from 'vitest';
import { createCallSession, createTraceInspector, SessionSettingsBuilder } from '../src/index.js';
import { recordStatus } from './support/status.js';

const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(0).setReconnectTimeoutPeriod(10).build();

describe('a throwing inspector is isolated', () => {
  test('a trace writer that throws once (EPIPE) on the reconnect timer event: the session still closes, and goes on tracing', () => {
    const clock = new SimulatedClock();
    const lines: string[] = [];
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    let thrown = false;
    const write = (line: string) => {
      if (!thrown && line.includes('after reconnectTimeoutPeriod')) {
        thrown = true;
        throw epipe;
      }
      lines.push(line);
    };
    const errors: unknown[] = [];
    const session = createCallSession({
      clock,
      settings,
      inspect: createTraceInspector(write),
      onListenerError: (error) => errors.push(error),
    });
    const calls = recordStatus(session);
    session.join('s');
    session.send({ type: 'session.joined', participants: [{ uid: 'bob' }] });
    session.send({ type: 'connection.lost' });
    for (let i = 0; i < 10; i++) clock.increment(1000);

    expect(thrown).toBe(true);
    expect(errors).toEqual([epipe]);
    expect(session.state).toBe('closed');
    expect(session.endReason).toBe('reconnectTimeout');
    expect(calls).toEqual([
      'onSessionJoined@joined.accompanied',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
    expect(session.can({ type: 'connection.restored' })).toBe(false);
  });

  test('an inspector that throws on every event: each event is still handled, each error reported', () => {
    const clock = new SimulatedClock();
    const errors: unknown[] = [];
    const session = createCallSession({
      clock,
      settings,
      inspect: () => {
        throw new Error('inspector down');
      },
      onListenerError: (error) => errors.push(error),
    });
    const calls = recordStatus(session);
    session.join('s');
    session.send({ type: 'session.joined' });
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored' });
    session.send({ type: 'connection.lost' });
    for (let i = 0; i < 10; i++) clock.increment(1000);
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionClosed@closed',
    ]);
    expect(errors.length).toBeGreaterThanOrEqual(6);
    expect(errors.every((error) => error instanceof Error && error.message === 'inspector down')).toBe(true);
  });

  test('an observer object whose next throws is isolated too, and a throwing onListenerError falls back to the console', () => {
    const clock = new SimulatedClock();
    const seen: string[] = [];
    const session = createCallSession({
      clock,
      settings,
      inspect: {
        next(event: InspectionEvent) {
          if (event.type === '@xstate.event') seen.push(event.event.type);
          if (event.type === '@xstate.event' && event.event.type === 'session.joined') throw new Error('observer down');
        },
      },
      onListenerError: () => {
        throw new Error('reporter down too');
      },
    });
    const original = console.error;
    const consoleErrors: unknown[][] = [];
    console.error = (...args: unknown[]) => consoleErrors.push(args);
    try {
      session.join('s');
      session.send({ type: 'session.joined' });
      session.leave();
    } finally {
      console.error = original;
    }
    expect(session.state).toBe('left');
    expect(seen).toContain('session.leave');
    expect(consoleErrors.length).toBe(1);
    expect((consoleErrors[0]![1] as Error).message).toBe('reporter down too');
  });
});
