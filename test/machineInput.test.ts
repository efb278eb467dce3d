// The bare chart's input (SPEC §6: "callSessionMachine's input is checked like the
// builder's settings"): an out-of-range or mistyped setting fails the actor with a
// RangeError or TypeError, never a countdown that fires at once or never.
import { createActor, SimulatedClock } from 'xstate';
import { describe, expect, test } from 'vitest';
import { callSessionMachine, MAX_PERIOD_SECONDS, type SessionSettings } from '../src/index.js';

function errorOf(input: unknown): unknown {
  const actor = createActor(callSessionMachine, { input: input as { settings: SessionSettings } });
  let reported: unknown;
  actor.subscribe({ error: (error) => (reported = error) });
  actor.start();
  expect(actor.getSnapshot().status).toBe('error');
  expect(actor.getSnapshot().error).toBe(reported);
  return reported;
}

const valid = { idleTimeoutPeriod: 300, reconnectTimeoutPeriod: 60, type: 'VIDEO' };

describe('callSessionMachine input', () => {
  test.each([
    [
      'an idle period beyond what a timer holds',
      { ...valid, idleTimeoutPeriod: 3e6 },
      RangeError,
      /idleTimeoutPeriod must be an integer from 0 to 2147483/,
    ],
    ['a negative idle period', { ...valid, idleTimeoutPeriod: -1 }, RangeError, /idleTimeoutPeriod/],
    ['a fractional reconnect period', { ...valid, reconnectTimeoutPeriod: 1.5 }, RangeError, /reconnectTimeoutPeriod/],
    ['NaN', { ...valid, reconnectTimeoutPeriod: Number.NaN }, RangeError, /reconnectTimeoutPeriod/],
    ['a string period', { ...valid, idleTimeoutPeriod: '300' }, TypeError, /idleTimeoutPeriod must be a number/],
    ['null for a period', { ...valid, idleTimeoutPeriod: null }, TypeError, /idleTimeoutPeriod/],
    ['an unknown type', { ...valid, type: 'HOLOGRAM' }, TypeError, /type must be SessionType/],
    [
      'a warning period not shorter than the idle period',
      { ...valid, idleWarningPeriod: 300 },
      RangeError,
      /idleWarningPeriod \(300 s\) must be shorter than idleTimeoutPeriod \(300 s\)/,
    ],
    ['a negative warning period', { ...valid, idleWarningPeriod: -5 }, RangeError, /idleWarningPeriod/],
    ['settings that are not an object', 300, TypeError, /settings must be an object/],
  ])('%s fails the actor', (_, settings, kind, message) => {
    const error = errorOf({ settings });
    expect(error).toBeInstanceOf(kind);
    expect((error as Error).message).toMatch(message);
  });

  test('an input that is not an object fails the actor with a TypeError', () => {
    expect(errorOf('fast')).toBeInstanceOf(TypeError);
  });

  test('an idle period of 3e6 s does not time out after 1 ms: the actor never runs a countdown', () => {
    const clock = new SimulatedClock();
    const actor = createActor(callSessionMachine, {
      clock,
      input: { settings: { ...valid, idleTimeoutPeriod: 3e6 } as SessionSettings },
    });
    actor.subscribe({ error: () => {} });
    actor.start();
    actor.send({ type: 'session.join', sessionId: 's' });
    actor.send({ type: 'session.joined' });
    clock.increment(1);
    expect(actor.getSnapshot().status).toBe('error');
    expect(actor.getSnapshot().value).not.toBe('timedOut');
  });

  test('the largest period and partial settings are taken, with defaults for what is missing', () => {
    const actor = createActor(callSessionMachine, {
      input: { settings: { idleTimeoutPeriod: MAX_PERIOD_SECONDS } as SessionSettings },
    }).start();
    expect(actor.getSnapshot().status).toBe('active');
    expect(actor.getSnapshot().context.settings).toEqual({
      idleTimeoutPeriod: MAX_PERIOD_SECONDS,
      reconnectTimeoutPeriod: 60,
      idleWarningPeriod: 0,
      type: 'VIDEO',
    });
    expect(Object.isFrozen(actor.getSnapshot().context.settings)).toBe(true);
  });

  test('no input, or an input without settings, runs on the defaults', () => {
    expect(createActor(callSessionMachine).start().getSnapshot().context.settings.idleTimeoutPeriod).toBe(300);
    expect(
      createActor(callSessionMachine, { input: {} }).start().getSnapshot().context.settings.reconnectTimeoutPeriod,
    ).toBe(60);
  });
});
