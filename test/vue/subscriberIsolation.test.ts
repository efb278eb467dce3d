// @vitest-environment happy-dom
// What an app plugs into the view may throw and never takes the session down
// (docs/vue.md, "Isolation"): a sync watcher on the view runs inside the session's
// dispatch, and in development Vue rethrows an error no errorHandler took, so it would
// reach XState, which rethrows it from a setTimeout (an uncaught error that fails this
// run). A render that throws is Vue's to report, after the dispatch.
import { mount } from '@vue/test-utils';
import { defineComponent, effectScope, h, nextTick, watch } from 'vue';
import { afterEach, expect, test, vi } from 'vitest';
import { useCallSession } from 'call-session-machine/vue';
import { newSession } from './support.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Lets a timer-deferred rethrow (XState's) happen before the test ends. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

test('a sync watcher that throws is reported, and the session, its listeners and its timers go on', async () => {
  const { session, clock } = newSession();
  const status: string[] = [];
  session.addSessionStatusListener({
    onSessionJoined: () => status.push('joined'),
    onIdleTimeoutWarning: (secondsLeft) => status.push(`warning ${secondsLeft}`),
    onSessionTimedOut: () => status.push('timedOut'),
  });
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const seen: string[] = [];
  const scope = effectScope();
  const view = scope.run(() => {
    const view = useCallSession(session);
    watch(
      view,
      (value) => {
        seen.push(value.state);
        if (value.idleWarningActive) throw new Error('a watcher that cannot draw a warning');
      },
      { flush: 'sync' },
    );
    return view;
  })!;
  session.join('isolated');
  session.send({ type: 'session.joined' });
  clock.increment(10_000);
  expect(consoleError).toHaveBeenCalledWith(
    'call-session-machine: a session subscriber threw',
    expect.objectContaining({ message: 'a watcher that cannot draw a warning' }),
  );
  expect(view.value.idleWarningActive).toBe(true);
  clock.increment(10_000);
  expect(session.state).toBe('timedOut');
  expect(view.value.state).toBe('timedOut');
  expect(status).toEqual(['joined', 'warning 10', 'timedOut']);
  expect(seen).toEqual(['joining', 'joined.alone', 'joined.alone', 'timedOut']);
  await nextTask();
  scope.stop();
});

test('a render that throws on a change (taken by errorHandler) does not take the session down', async () => {
  const { session, clock } = newSession();
  const status: string[] = [];
  session.addSessionStatusListener({
    onConnectionLost: () => status.push('lost'),
    onConnectionRestored: () => status.push('restored'),
    onSessionTimedOut: () => status.push('timedOut'),
  });
  const errors: unknown[] = [];
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const Fragile = defineComponent({
    setup() {
      const view = useCallSession(session);
      return () => {
        if (view.value.state === 'reconnecting') throw new Error('this screen cannot draw a reconnect');
        return h('p', view.value.state);
      };
    },
  });
  const wrapper = mount(Fragile, { global: { config: { errorHandler: (error) => errors.push(error) } } });
  session.join('fragile');
  session.send({ type: 'session.joined' });
  await nextTick();
  expect(wrapper.text()).toBe('joined.alone');
  session.send({ type: 'connection.lost' });
  await nextTick();
  expect(errors).toEqual([expect.objectContaining({ message: 'this screen cannot draw a reconnect' })]);
  session.send({ type: 'connection.restored' });
  expect(session.state).toBe('joined.alone');
  await nextTick();
  expect(wrapper.text()).toBe('joined.alone');
  clock.increment(20_000);
  expect(session.state).toBe('timedOut');
  await nextTick();
  expect(wrapper.text()).toBe('timedOut');
  expect(status).toEqual(['lost', 'restored', 'timedOut']);
  await nextTask();
  wrapper.unmount();
});
