// @vitest-environment happy-dom
// Bad input to the Vue composables: a clear error at the call, and nothing started or
// lost (the session a ref followed before a bad value is still followed).
import { effectScope, shallowRef } from 'vue';
import { expect, test, vi } from 'vitest';
import { createCallSession, type CallSession } from 'call-session-machine';
import { useCallSession, useCountdown } from 'call-session-machine/vue';
import { newSession } from './support.js';

const inScope = <T>(run: () => T): T => effectScope().run(run)!;

test.each([
  ['undefined', undefined, /got undefined/],
  ['null', null, /got null/],
  ['a session id', 'standup', /got "standup"/],
  ['a plain object', { state: 'idle' }, /got object/],
  ['a ref of nothing', shallowRef(undefined), /got undefined/],
  ['a getter of a number', () => 42, /got 42$/],
  ['a promise of a session', Promise.resolve(createCallSession()), /got object/],
])('useCallSession(%s) is a TypeError naming what it got', (_, value, got) => {
  const call = () => inScope(() => useCallSession(value as never));
  expect(call).toThrow(TypeError);
  expect(call).toThrow(/^useCallSession: expected a CallSession/);
  expect(call).toThrow(got);
});

// In development Vue rethrows a watcher getter's error to the assignment; in production
// it only logs it. Either way the view keeps the session it had.
test('a ref that turns into a non-session: Vue reports the error, and the old session is still followed', () => {
  const { session } = newSession();
  const source = shallowRef<CallSession>(session);
  const view = inScope(() => useCallSession(source));
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  expect(() => (source.value = 'oops' as never)).toThrow(/^useCallSession: expected a CallSession .*; got "oops"$/);
  session.join('kept');
  expect(view.value.state).toBe('joining');
  const next = newSession().session;
  source.value = next;
  next.join('next');
  expect(view.value).toMatchObject({ state: 'joining' });
  session.send({ type: 'session.joined' });
  expect(view.value.state).toBe('joining');
  vi.restoreAllMocks();
});

test('outside an effect scope each composable refuses, saying where to call it', () => {
  const { session } = newSession();
  expect(() => useCallSession(session)).toThrow(
    /call-session-machine\/vue: useCallSession must be called in a component's setup\(\) or inside an effectScope\(\)/,
  );
  expect(() => useCountdown(null)).toThrow(/useCountdown must be called/);
});

test.each([
  ['a string', 'TypeError', '2026-12-03', TypeError],
  ['undefined', 'TypeError', undefined, TypeError],
  ['a Date', 'TypeError', new Date(), TypeError],
  ['NaN', 'RangeError', Number.NaN, RangeError],
  ['Infinity', 'RangeError', Number.POSITIVE_INFINITY, RangeError],
])('useCountdown(%s) is a %s, in the words of React’s useCountdown', (_, __, deadline, kind) => {
  const call = () => inScope(() => useCountdown(deadline as never));
  expect(call).toThrow(kind);
  expect(call).toThrow(/^useCountdown: deadline must be a finite number of milliseconds or null, got /);
});

test('useCountdown with a now that is not a function is a TypeError', () => {
  expect(() => inScope(() => useCountdown(0, { now: 42 as never }))).toThrow(
    /^useCountdown: options.now must be a function returning milliseconds, got number$/,
  );
});
