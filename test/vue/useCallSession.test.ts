// @vitest-environment happy-dom
// useCallSession (Vue): a readonly shallow ref of the view React's hook returns, changed
// by the session's events and by its timers, the same object between changes, and
// unsubscribed when its effect scope stops. Sessions run on a SimulatedClock.
import { mount } from '@vue/test-utils';
import { effectScope, isReactive, isReadonly, isRef, nextTick, reactive, ref, shallowRef, watch, type Ref } from 'vue';
import { describe, expect, test } from 'vitest';
import type { CallSession } from 'call-session-machine';
import { useCallSession, type CallSessionView } from 'call-session-machine/vue';
import { ana, bo, describeView, newSession, viewer } from './support.js';

/** useCallSession in a bare effect scope, with every value its ref took, in order. */
function inScope(source: Parameters<typeof useCallSession>[0]) {
  const scope = effectScope();
  const values: CallSessionView[] = [];
  const view = scope.run(() => {
    const view = useCallSession(source);
    values.push(view.value);
    watch(view, (value) => values.push(value), { flush: 'sync' });
    return view;
  })!;
  return { scope, view, values };
}

describe('useCallSession (Vue)', () => {
  test('the value is the session’s fields, frozen, in a readonly ref', () => {
    const { session, clock } = newSession();
    const { view } = inScope(session);
    expect(isRef(view)).toBe(true);
    expect(isReadonly(view)).toBe(true);
    expect(view.value).toEqual({
      state: 'idle',
      participants: [],
      endReason: null,
      deadlines: { idle: null, reconnect: null },
      idleWarningActive: false,
    });
    expect(Object.isFrozen(view.value)).toBe(true);
    session.join('view');
    session.send({ type: 'session.joined', participants: [ana] });
    expect(view.value.participants).toBe(session.participants);
    session.send({ type: 'participant.left', participant: ana });
    expect(view.value.deadlines).toBe(session.deadlines);
    expect(view.value.deadlines.idle).toBe(clock.now() + 20_000);
  });

  test('events from the app change the value, and a component re-renders', async () => {
    const { session } = newSession();
    const { Viewer } = viewer();
    const wrapper = mount(Viewer, { props: { session } });
    const text = async () => {
      await nextTick();
      return wrapper.get('[data-testid="view"]').text();
    };
    expect(await text()).toBe('idle  -');
    session.join('events');
    expect(await text()).toBe('joining  -');
    session.send({ type: 'session.joined', participants: [ana] });
    expect(await text()).toBe('joined.accompanied Ana -');
    session.send({ type: 'participant.joined', participant: bo });
    expect(await text()).toBe('joined.accompanied Ana,Bo -');
    session.send({ type: 'connection.lost' });
    expect(await text()).toBe('reconnecting Ana,Bo -');
    session.send({ type: 'connection.restored' });
    expect(await text()).toBe('joined.accompanied Ana,Bo -');
    session.leave();
    expect(await text()).toBe('left Ana,Bo user');
    wrapper.unmount();
  });

  test('timers change the value with no event from the app: the warning, then the timeout', async () => {
    const { session, clock } = newSession();
    const { Viewer, rendered } = viewer();
    const wrapper = mount(Viewer, { props: { session } });
    session.join('timers');
    session.send({ type: 'session.joined' });
    await nextTick();
    expect(describeView(rendered.at(-1)!)).toBe('joined.alone  - ');
    const renders = rendered.length;
    clock.increment(9_999);
    await nextTick();
    expect(rendered.length).toBe(renders);
    clock.increment(1);
    await nextTick();
    expect(wrapper.text()).toBe('joined.alone  - warning');
    session.extendIdleTimeout();
    await nextTick();
    expect(wrapper.text()).toBe('joined.alone  -');
    clock.increment(20_000);
    await nextTick();
    expect(wrapper.text()).toBe('timedOut  idleTimeout');
    wrapper.unmount();
  });

  test('the reconnect bound changes the value when it closes the session', () => {
    const { session, clock } = newSession();
    const { view } = inScope(session);
    session.join('bound');
    session.send({ type: 'session.joined', participants: [ana] });
    session.send({ type: 'connection.lost' });
    expect(view.value.deadlines).toEqual({ idle: null, reconnect: clock.now() + 30_000 });
    clock.increment(30_000);
    expect(view.value).toMatchObject({ state: 'closed', endReason: 'reconnectTimeout' });
    expect(view.value.deadlines).toEqual({ idle: null, reconnect: null });
  });

  test('an ignored event keeps the value and triggers nothing; a change makes a new object', () => {
    const { session } = newSession();
    const { view, values } = inScope(session);
    session.join('ignored');
    session.send({ type: 'session.joined', participants: [ana] });
    const before = view.value;
    const count = values.length;
    // None of these is taken in joined.accompanied (SPEC §2: idempotent signals).
    session.send({ type: 'session.joined' });
    session.send({ type: 'connection.restored' });
    session.send({ type: 'participant.left', participant: bo });
    session.extendIdleTimeout();
    expect(values.length).toBe(count);
    expect(view.value).toBe(before);
    session.send({ type: 'participant.joined', participant: { uid: 'ana', name: 'Ana B.' } });
    expect(view.value).not.toBe(before);
    expect(view.value.participants).toEqual([{ uid: 'ana', name: 'Ana B.' }]);
    expect(values.length).toBe(count + 1);
  });

  test('one value per change: join, joined, two arrivals, a departure', () => {
    const { session } = newSession();
    const { values } = inScope(session);
    session.join('steps');
    session.send({ type: 'session.joined' });
    session.send({ type: 'participant.joined', participant: ana });
    session.send({ type: 'participant.joined', participant: bo });
    session.send({ type: 'participant.left', participant: ana });
    expect(values.map(describeView)).toEqual([
      'idle  - ',
      'joining  - ',
      'joined.alone  - ',
      'joined.accompanied Ana - ',
      'joined.accompanied Ana,Bo - ',
      'joined.accompanied Bo - ',
    ]);
    expect(new Set(values).size).toBe(values.length);
  });

  test('two scopes reading one session get the same object', () => {
    const { session } = newSession();
    const first = inScope(session);
    const second = inScope(session);
    session.join('shared');
    expect(first.view.value).toBe(second.view.value);
    expect(first.view.value.state).toBe('joining');
  });

  test('a stopped scope is told nothing more; the session, made outside, lives on', () => {
    const { session, clock } = newSession();
    const { scope, view, values } = inScope(session);
    session.join('outside');
    session.send({ type: 'session.joined' });
    scope.stop();
    const count = values.length;
    const last = view.value;
    session.send({ type: 'participant.joined', participant: ana });
    session.send({ type: 'participant.left', participant: ana });
    clock.increment(20_000);
    expect(session.state).toBe('timedOut');
    expect(session.actor.getSnapshot().status).toBe('done');
    expect(values.length).toBe(count);
    expect(view.value).toBe(last);
  });

  test('an unmounted component re-renders no more, and the session it read lives on', async () => {
    const { session, clock } = newSession();
    const { Viewer, rendered } = viewer();
    const wrapper = mount(Viewer, { props: { session } });
    session.join('unmount');
    session.send({ type: 'session.joined' });
    await nextTick();
    wrapper.unmount();
    const renders = rendered.length;
    session.send({ type: 'participant.joined', participant: ana });
    expect(session.state).toBe('joined.accompanied');
    session.send({ type: 'participant.left', participant: ana });
    clock.increment(20_000);
    await nextTick();
    expect(session.state).toBe('timedOut');
    expect(rendered.length).toBe(renders);
  });

  test('after dispose() the value keeps its last state', () => {
    const { session, clock } = newSession();
    const { view, values } = inScope(session);
    session.join('disposed');
    session.send({ type: 'session.joined', participants: [ana] });
    const last = view.value;
    session.dispose();
    session.send({ type: 'participant.left', participant: ana });
    clock.increment(60_000);
    expect(view.value).toBe(last);
    expect(describeView(view.value)).toBe('joined.accompanied Ana - ');
    expect(values.at(-1)).toBe(last);
  });

  test('a session that already ended, or was disposed, is shown as it ended', () => {
    const ended = newSession();
    ended.session.join('ended');
    ended.session.send({ type: 'session.joined' });
    ended.clock.increment(10_000);
    ended.clock.increment(10_000);
    expect(ended.session.actor.getSnapshot().status).toBe('done');
    const disposed = newSession().session;
    disposed.join('disposed');
    disposed.dispose();
    expect(inScope(ended.session).view.value).toMatchObject({ state: 'timedOut', endReason: 'idleTimeout' });
    expect(inScope(disposed).view.value.state).toBe('joining');
  });

  test('a ref or getter source is followed: a new session is read, the old one no longer', () => {
    const first = newSession().session;
    const second = newSession().session;
    const source = shallowRef<CallSession>(first);
    const { view, values } = inScope(source);
    second.join('second');
    source.value = second;
    expect(view.value.state).toBe('joining');
    const count = values.length;
    first.join('first');
    expect(values.length).toBe(count);
    second.send({ type: 'session.joined' });
    expect(view.value.state).toBe('joined.alone');
  });

  test('a component follows a new session prop', async () => {
    const first = newSession().session;
    const second = newSession().session;
    const { Viewer } = viewer();
    const wrapper = mount(Viewer, { props: { session: first } });
    second.join('second');
    await wrapper.setProps({ session: second });
    expect(wrapper.text()).toBe('joining  -');
    first.join('first');
    second.send({ type: 'session.joined', participants: [ana] });
    await nextTick();
    expect(wrapper.text()).toBe('joined.accompanied Ana -');
    wrapper.unmount();
  });

  test('a session kept in reactive state (a proxy) is read through to the session', () => {
    const { session } = newSession();
    // ref() and reactive() wrap a class instance in a proxy; its #private fields are not
    // readable through it, so reading session.state on the proxy would throw. (Vue's
    // types unwrap the class too, dropping its private fields: hence the casts.)
    const store = reactive({ session });
    const held = ref(session);
    // (isReactive, not .not.toBe: a failed toBe compares deeply, through the proxy.)
    expect(isReactive(store.session)).toBe(true);
    const fromStore = inScope(() => store.session as unknown as CallSession);
    const fromRef = inScope(held as unknown as Ref<CallSession>);
    session.join('proxied');
    expect(fromStore.view.value.state).toBe('joining');
    expect(fromRef.view.value).toBe(fromStore.view.value);
  });
});
