// @vitest-environment happy-dom
// Hot module replacement, through Vue's own HMR runtime (the __VUE_HMR_RUNTIME__ that
// Vite's and webpack's Vue plugins call in development): a template-only edit re-renders
// and keeps the session; a script edit makes Vue remount the component, resetting its
// state as it does for every ref, so useCreateCallSession disposes the session and makes
// a new one. A session owned above the edited component survives its reload.
import { mount } from '@vue/test-utils';
import { defineComponent, h, nextTick, type ComponentOptions, type PropType } from 'vue';
import { expect, test } from 'vitest';
import type { CallSession } from 'call-session-machine';
import { useCallSession, useCreateCallSession, type CallSessionView } from 'call-session-machine/vue';
import { SessionCounter } from './support.js';

interface HmrRuntime {
  createRecord(id: string, component: unknown): boolean;
  rerender(id: string, render: () => unknown): void;
  reload(id: string, component: unknown): void;
}

const hmr = (globalThis as { __VUE_HMR_RUNTIME__?: HmrRuntime }).__VUE_HMR_RUNTIME__!;

test('Vue’s development build has its HMR runtime here', () => {
  expect(typeof hmr?.reload).toBe('function');
});

test('a template edit keeps the session; a script edit disposes it and makes a new one', async () => {
  const counter = new SessionCounter();
  const sessions: CallSession[] = [];
  const screen = (label: string) =>
    ({
      __hmrId: 'hot-screen',
      setup() {
        const session = useCreateCallSession({ inspect: counter.inspect });
        sessions.push(session);
        if (session.state === 'idle') session.join('hot');
        return { view: useCallSession(session) };
      },
      // A render option beside setup, as the SFC compiler makes in development, so that
      // a template edit can replace it alone.
      render(this: { view: CallSessionView }) {
        return h('p', `${label} ${this.view.state}`);
      },
    }) as ComponentOptions;
  const Screen = screen('v1');
  hmr.createRecord('hot-screen', Screen);
  // Mounted under a parent of our own: a reload asks the parent to re-render.
  const wrapper = mount(defineComponent({ render: () => h(Screen) }));
  expect(wrapper.text()).toBe('v1 joining');

  hmr.rerender('hot-screen', function (this: { view: CallSessionView }) {
    return h('p', `v2 template ${this.view.state}`);
  });
  await nextTick();
  expect(wrapper.text()).toBe('v2 template joining');
  expect(sessions).toHaveLength(1);
  expect(counter.live).toEqual([sessions[0]!.actor]);

  hmr.reload('hot-screen', screen('v3'));
  await nextTick();
  expect(wrapper.text()).toBe('v3 joining');
  expect(sessions).toHaveLength(2);
  expect(sessions[0]!.actor.getSnapshot().status).toBe('stopped');
  expect(counter.live).toEqual([sessions[1]!.actor]);
  wrapper.unmount();
  expect(counter.live).toHaveLength(0);
});

test('a session made above the edited component survives its reload, and is read again', async () => {
  const counter = new SessionCounter();
  const screen = (label: string) =>
    ({
      __hmrId: 'hot-child',
      props: { session: { type: Object as PropType<CallSession>, required: true } },
      setup(props: { session: CallSession }) {
        const view = useCallSession(() => props.session);
        return () => h('p', `${label} ${view.value.state}`);
      },
    }) as unknown as ComponentOptions;
  const Child = screen('v1');
  hmr.createRecord('hot-child', Child);
  let held: CallSession | undefined;
  const App = defineComponent({
    setup() {
      const session = useCreateCallSession({ inspect: counter.inspect });
      held = session;
      return () => h(Child, { session });
    },
  });
  const wrapper = mount(App);
  held!.join('kept');
  held!.send({ type: 'session.joined' });
  await nextTick();
  expect(wrapper.text()).toBe('v1 joined.alone');
  hmr.reload('hot-child', screen('v2'));
  await nextTick();
  expect(wrapper.text()).toBe('v2 joined.alone');
  expect(counter.actors.size).toBe(1);
  expect(held!.actor.getSnapshot().status).toBe('active');
  held!.send({ type: 'participant.joined', participant: { uid: 'ana' } });
  await nextTick();
  expect(wrapper.text()).toBe('v2 joined.accompanied');
  wrapper.unmount();
});
