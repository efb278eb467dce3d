// @vitest-environment happy-dom
// useCountdown (Vue): whole seconds left until an absolute deadline, rounded up as
// onIdleTimeoutWarning counts them, ticking each second on the global timers (faked
// here), null for a null deadline, restarted by a moved deadline, its timer cleared
// when the scope stops.
import { mount } from '@vue/test-utils';
import { defineComponent, effectScope, h, nextTick, shallowRef } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCallSession } from 'call-session-machine';
import { useCallSession, useCountdown } from 'call-session-machine/vue';
import { settings } from './support.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function countdown(deadline: Parameters<typeof useCountdown>[0], options?: Parameters<typeof useCountdown>[1]) {
  const scope = effectScope();
  const left = scope.run(() => useCountdown(deadline, options))!;
  return { scope, left };
}

test('null for a null deadline, with no timer', () => {
  const { left, scope } = countdown(null);
  expect(left.value).toBeNull();
  expect(vi.getTimerCount()).toBe(0);
  scope.stop();
});

test('ticks each second down to 0, then stops', () => {
  const { left } = countdown(Date.now() + 3_000);
  expect(left.value).toBe(3);
  vi.advanceTimersByTime(999);
  expect(left.value).toBe(3);
  vi.advanceTimersByTime(1);
  expect(left.value).toBe(2);
  vi.advanceTimersByTime(1_000);
  expect(left.value).toBe(1);
  vi.advanceTimersByTime(1_000);
  expect(left.value).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
});

test('started half-way through a second, it still changes on the second', () => {
  const { left } = countdown(Date.now() + 2_500);
  expect(left.value).toBe(3);
  vi.advanceTimersByTime(499);
  expect(left.value).toBe(3);
  vi.advanceTimersByTime(1);
  expect(left.value).toBe(2);
});

test('a deadline already passed is 0, with no timer', () => {
  const { left } = countdown(Date.now() - 5_000);
  expect(left.value).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
});

test('a moved deadline (a ref) restarts it; null stops it; the old timer is cleared', () => {
  const deadline = shallowRef<number | null>(Date.now() + 5_000);
  const { left } = countdown(deadline);
  vi.advanceTimersByTime(3_000);
  expect(left.value).toBe(2);
  deadline.value = Date.now() + 10_000;
  expect(left.value).toBe(10);
  expect(vi.getTimerCount()).toBe(1);
  deadline.value = null;
  expect(left.value).toBeNull();
  expect(vi.getTimerCount()).toBe(0);
});

test('a stopped scope clears its timer', () => {
  const { scope, left } = countdown(Date.now() + 60_000);
  expect(vi.getTimerCount()).toBe(1);
  scope.stop();
  expect(vi.getTimerCount()).toBe(0);
  vi.advanceTimersByTime(5_000);
  expect(left.value).toBe(60);
});

test('on a session’s deadline: the warning counts 10 down, "Stay" sets it back to 20', async () => {
  const clock = new SimulatedClock();
  clock.set(Date.now());
  const session = createCallSession({ settings, clock });
  const Screen = defineComponent({
    setup() {
      const view = useCallSession(session);
      const left = useCountdown(() => view.value.deadlines.idle, { now: () => clock.now() });
      return () => h('p', `${view.value.idleWarningActive ? 'warning ' : ''}${left.value ?? '-'}`);
    },
  });
  const wrapper = mount(Screen);
  expect(wrapper.text()).toBe('-');
  session.join('countdown');
  session.send({ type: 'session.joined' });
  await nextTick();
  expect(wrapper.text()).toBe('20');
  // Both clocks move: the session's (its timers) and the global one (the countdown's).
  for (let second = 0; second < 10; second++) {
    clock.increment(1_000);
    vi.advanceTimersByTime(1_000);
  }
  await nextTick();
  expect(wrapper.text()).toBe('warning 10');
  clock.increment(1_000);
  vi.advanceTimersByTime(1_000);
  await nextTick();
  expect(wrapper.text()).toBe('warning 9');
  session.extendIdleTimeout();
  await nextTick();
  expect(wrapper.text()).toBe('20');
  wrapper.unmount();
  expect(vi.getTimerCount()).toBe(0);
});

test('on a server render it shows the seconds and starts no timer', async () => {
  const Screen = defineComponent({
    setup() {
      const left = useCountdown(Date.now() + 42_000);
      return () => h('p', String(left.value));
    },
  });
  expect(await renderToString(h(Screen))).toBe('<p>42</p>');
  expect(vi.getTimerCount()).toBe(0);
});
