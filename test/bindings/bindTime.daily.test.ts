// @vitest-environment happy-dom
// The bind-time check of the Daily binder (issue 16, fault 4), on a real daily-js call
// object where one is needed: a wrong object is a TypeError naming the binder and what is
// missing, thrown before anything changes (see bindTime.test.ts for LiveKit and Twilio).
import { describe, expect, test } from 'vitest';
import { bindDailyCall } from 'call-session-machine/daily';
import { countedEmitter, expectRefused, listenerCounts, recordedSession } from '../support/bindingSession.js';
import { callListenerCounts, createDailyCall, spyOnLeave } from '../support/dailyCall.js';

describe('bindDailyCall refuses what is not a daily-js call object', () => {
  test('a plain EventEmitter: TypeError naming the binder and the missing members, nothing changed', () => {
    const { emitter } = countedEmitter({ leave: () => Promise.resolve() });
    expectRefused(
      bindDailyCall,
      emitter,
      /^bindDailyCall: call must be a @daily-co\/daily-js call object.*participants\(\)/,
    );
  });

  test("an object with a call object's events but participants as a plain object (not a function): TypeError", async () => {
    const { call } = await createDailyCall();
    const leave = spyOnLeave(call);
    const lookalike = {
      on: call.on.bind(call),
      off: call.off.bind(call),
      leave: call.leave.bind(call),
      meetingState: call.meetingState.bind(call),
      participants: {},
    };
    const before = callListenerCounts(call);
    expectRefused(bindDailyCall, lookalike, /^bindDailyCall: .*with no participants\(\)$/);
    expect(callListenerCounts(call)).toEqual(before);
    expect(leave.calls).toBe(0);
    await call.destroy();
  });

  test('null and {}: TypeError naming the binder and the argument', () => {
    expectRefused(bindDailyCall, null, /^bindDailyCall: call must be .*, got null$/);
    expectRefused(bindDailyCall, {}, /^bindDailyCall: call must be .*with no on\(\), no off\(\)/);
  });

  test('a real call object with something that is not a session: TypeError, and no listener left on it', async () => {
    const { call } = await createDailyCall();
    const before = listenerCounts(call);
    expect(() => bindDailyCall(call, { state: 'idle' } as never)).toThrow(
      /^bindDailyCall: session must be a CallSession/,
    );
    expect(listenerCounts(call)).toEqual(before);
    expect(recordedSession().session.state).toBe('idle');
    await call.destroy();
  });
});
