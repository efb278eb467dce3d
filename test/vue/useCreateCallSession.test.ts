// @vitest-environment happy-dom
// useCreateCallSession (Vue): one session for an effect scope's life, disposed when the
// scope stops (a component unmounting, scope.stop()), refused outside a scope, made and
// then disposed on a server render, and marked raw so reactive state keeps it as is.
// Sessions are counted through the public `inspect` option.
import { mount } from '@vue/test-utils';
import { defineComponent, effectScope, h, nextTick, reactive, ref, type PropType } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { describe, expect, test } from 'vitest';
import { SimulatedClock } from 'xstate';
import { CallSession } from 'call-session-machine';
import { useCallSession, useCreateCallSession } from 'call-session-machine/vue';
import { SessionCounter, settings } from './support.js';

describe('useCreateCallSession (Vue)', () => {
  test('one session for the component’s life, disposed on unmount', async () => {
    const counter = new SessionCounter();
    const clock = new SimulatedClock();
    let held: CallSession | undefined;
    const Screen = defineComponent({
      setup() {
        const session = useCreateCallSession({ settings, clock, inspect: counter.inspect });
        held = session;
        const view = useCallSession(session);
        return () => h('p', view.value.state);
      },
    });
    const wrapper = mount(Screen);
    expect(counter.actors.size).toBe(1);
    expect(CallSession.getInstance()).toBe(held);
    held!.join('life');
    held!.send({ type: 'session.joined' });
    await nextTick();
    expect(wrapper.text()).toBe('joined.alone');
    // A re-render makes no new session.
    await wrapper.setProps({});
    wrapper.vm.$forceUpdate();
    await nextTick();
    expect(counter.actors.size).toBe(1);
    wrapper.unmount();
    expect(counter.disposed).toHaveLength(1);
    expect(counter.live).toHaveLength(0);
    expect(CallSession.getInstance()).toBeNull();
    // Its idle timer was cancelled with it: nothing runs after the unmount.
    clock.increment(60_000);
    expect(held!.state).toBe('joined.alone');
  });

  test('an effect scope’s stop disposes the session; each scope has its own', () => {
    const counter = new SessionCounter();
    const first = effectScope();
    const second = effectScope();
    const a = first.run(() => useCreateCallSession({ inspect: counter.inspect }))!;
    const b = second.run(() => useCreateCallSession({ inspect: counter.inspect }))!;
    expect(a).not.toBe(b);
    first.stop();
    expect(a.actor.getSnapshot().status).toBe('stopped');
    expect(b.actor.getSnapshot().status).toBe('active');
    second.stop();
    expect(counter.live).toHaveLength(0);
  });

  test('a nested scope’s session goes with its parent scope', () => {
    const parent = effectScope();
    const session = parent.run(() => effectScope().run(() => useCreateCallSession())!)!;
    parent.stop();
    expect(session.actor.getSnapshot().status).toBe('stopped');
  });

  test('a new key mounts a new component, and a new session; the old one is disposed', async () => {
    const counter = new SessionCounter();
    const sessions: CallSession[] = [];
    const Screen = defineComponent({
      props: { callId: { type: String, required: true } },
      setup(props) {
        const session = useCreateCallSession({ inspect: counter.inspect });
        sessions.push(session);
        session.join(props.callId);
        return () => h('p', props.callId);
      },
    });
    const Host = defineComponent({
      props: { callId: { type: String, required: true } },
      setup(props) {
        return () => h(Screen, { key: props.callId, callId: props.callId });
      },
    });
    const wrapper = mount(Host, { props: { callId: 'one' } });
    await wrapper.setProps({ callId: 'two' });
    expect(sessions).toHaveLength(2);
    expect(sessions[0]!.actor.getSnapshot().status).toBe('stopped');
    expect(sessions[1]!.state).toBe('joining');
    expect(counter.live).toEqual([sessions[1]!.actor]);
    wrapper.unmount();
    expect(counter.live).toHaveLength(0);
  });

  test('the session is marked raw: reactive state holds the session itself', () => {
    const scope = effectScope();
    const session = scope.run(() => useCreateCallSession())!;
    const store = reactive({ session });
    const held = ref(session);
    // Compared as booleans: a failed toBe would compare deeply, through a proxy.
    expect(store.session === session).toBe(true);
    expect(held.value === session).toBe(true);
    session.join('raw');
    expect(store.session.state).toBe('joining');
    scope.stop();
  });

  test('on a server render the session is live during setup and render, then disposed', async () => {
    const counter = new SessionCounter();
    let held: CallSession | undefined;
    const Screen = defineComponent({
      setup() {
        const session = useCreateCallSession({ inspect: counter.inspect });
        held = session;
        session.join('ssr');
        const view = useCallSession(session);
        return () => h('p', view.value.state);
      },
    });
    const html = await renderToString(h(Screen));
    expect(html).toBe('<p>joining</p>');
    await Promise.resolve();
    expect(counter.actors.size).toBe(1);
    expect(counter.live).toHaveLength(0);
    expect(held!.state).toBe('joining');
    expect(CallSession.getInstance()).toBeNull();
  });

  test('bad options throw in setup, and no session is made', () => {
    const counter = new SessionCounter();
    const scope = effectScope();
    expect(() =>
      scope.run(() =>
        useCreateCallSession({
          inspect: counter.inspect,
          clock: { setTimeout: 42 } as never,
        }),
      ),
    ).toThrow(TypeError);
    expect(() => scope.run(() => useCreateCallSession('settings' as never))).toThrow(TypeError);
    expect(counter.actors.size).toBe(0);
    scope.stop();
  });

  test('outside an effect scope it refuses, and no session is made', () => {
    const counter = new SessionCounter();
    expect(() => useCreateCallSession({ inspect: counter.inspect })).toThrow(
      /useCreateCallSession must be called in a component's setup\(\) or inside an effectScope\(\)/,
    );
    expect(counter.actors.size).toBe(0);
  });

  test('a session passed down from the component that made it is the child’s to read, not to dispose', async () => {
    const Child = defineComponent({
      props: { session: { type: Object as PropType<CallSession>, required: true } },
      setup(props) {
        const view = useCallSession(() => props.session);
        return () => h('span', view.value.state);
      },
    });
    const showChild = ref(true);
    let held: CallSession | undefined;
    const Parent = defineComponent({
      setup() {
        const session = useCreateCallSession();
        held = session;
        return () => h('div', showChild.value ? [h(Child, { session })] : []);
      },
    });
    const wrapper = mount(Parent);
    held!.join('child');
    await nextTick();
    expect(wrapper.text()).toBe('joining');
    showChild.value = false;
    await nextTick();
    expect(held!.actor.getSnapshot().status).toBe('active');
    wrapper.unmount();
    expect(held!.actor.getSnapshot().status).toBe('stopped');
  });
});
