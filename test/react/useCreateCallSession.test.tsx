// @vitest-environment happy-dom
// useCreateCallSession (SPEC §9): one session for the component's life, disposed on
// unmount; under <StrictMode> the component never holds a disposed session and no
// session is left live but the one it holds. Sessions are counted through the public
// `inspect` option (test/react/support.tsx), so the ones a discarded render made count too.
import { act, cleanup, render } from '@testing-library/react';
import { Activity, Suspense, useEffect, useState } from 'react';
import { afterEach, describe, expect, test } from 'vitest';
import { CallSession, SessionSettingsBuilder } from 'call-session-machine';
import { useCreateCallSession } from 'call-session-machine/react';
import { modes, nextTask, SessionCounter } from './support.js';

afterEach(cleanup);

/** A component that records every session its renders and its effects were given. */
function probe(counter: SessionCounter) {
  const rendered: CallSession[] = [];
  const inEffects: { session: CallSession; live: boolean }[] = [];
  function Probe() {
    const session = useCreateCallSession({ inspect: counter.inspect });
    rendered.push(session);
    useEffect(() => {
      inEffects.push({ session, live: session.actor.getSnapshot().status === 'active' });
    }, [session]);
    return <p>{session.state}</p>;
  }
  return { Probe, rendered, inEffects, held: () => rendered.at(-1)! };
}

describe.each(modes)('useCreateCallSession %s', (_, Mode) => {
  test('the held session is live, is CallSession.getInstance(), and is the only live session', () => {
    const counter = new SessionCounter();
    const { Probe, held, inEffects } = probe(counter);
    render(
      <Mode>
        <Probe />
      </Mode>,
    );
    const session = held();
    expect(session.actor.getSnapshot().status).toBe('active');
    expect(CallSession.getInstance()).toBe(session);
    expect(counter.live).toEqual([session.actor]);
    // Every session made and not held is disposed, not merely forgotten.
    expect(counter.disposed.length).toBe(counter.actors.size - 1);
    // The component's effects never saw a disposed session.
    expect(inEffects.every((entry) => entry.live && entry.session === session)).toBe(true);
    session.join('strict');
    expect(session.state).toBe('joining');
  });

  test('one session for the component’s life: a re-render keeps it', () => {
    const counter = new SessionCounter();
    const { Probe, rendered } = probe(counter);
    function Parent() {
      const [count, setCount] = useState(0);
      return (
        <>
          <button onClick={() => setCount(count + 1)}>{count}</button>
          <Probe />
        </>
      );
    }
    const { getByRole } = render(
      <Mode>
        <Parent />
      </Mode>,
    );
    const first = rendered.at(-1)!;
    const rendersBefore = rendered.length;
    act(() => getByRole('button').click());
    act(() => getByRole('button').click());
    expect(rendered.length).toBeGreaterThan(rendersBefore);
    expect(rendered.slice(rendersBefore).every((session) => session === first)).toBe(true);
    expect(counter.live).toEqual([first.actor]);
  });

  test('an unmount in a later task disposes the session by the next microtask, before any timer', async () => {
    const counter = new SessionCounter();
    const { Probe, held } = probe(counter);
    const { unmount } = render(
      <Mode>
        <Probe />
      </Mode>,
    );
    const session = held();
    session.join('later');
    await nextTask();
    unmount();
    // Not at once: a set-up in the same run (StrictMode, Fast Refresh) would keep it.
    // By the next timer callback (the end of nextTask) it is disposed.
    await nextTask();
    expect(session.actor.getSnapshot().status).toBe('stopped');
    expect(CallSession.getInstance()).toBeNull();
    expect(counter.live).toEqual([]);
    session.send({ type: 'session.joined' });
    expect(session.state).toBe('joining');
  });

  test('an unmount in the same run as the mount disposes the session before the next timer', async () => {
    const counter = new SessionCounter();
    const { Probe, held } = probe(counter);
    const { unmount } = render(
      <Mode>
        <Probe />
      </Mode>,
    );
    const session = held();
    unmount();
    // Here it cannot yet be told from StrictMode's simulated unmount (docs/react.md).
    await nextTask();
    expect(session.actor.getSnapshot().status).toBe('stopped');
    expect(CallSession.getInstance()).toBeNull();
    expect(counter.live).toEqual([]);
  });

  test('the options reach the session', () => {
    const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(20).setIdleWarningPeriod(10).build();
    let session: CallSession | undefined;
    function WithSettings() {
      session = useCreateCallSession({ settings });
      return null;
    }
    render(
      <Mode>
        <WithSettings />
      </Mode>,
    );
    expect(session!.getPersistedSnapshot().settings).toEqual(settings);
  });

  test('two components hold two sessions; the later-made one is CallSession.getInstance()', () => {
    const counter = new SessionCounter();
    const first = probe(counter);
    const second = probe(counter);
    render(
      <Mode>
        <first.Probe />
        <second.Probe />
      </Mode>,
    );
    expect(first.held()).not.toBe(second.held());
    expect(counter.live).toHaveLength(2);
    expect(new Set(counter.live)).toEqual(new Set([first.held().actor, second.held().actor]));
    expect(CallSession.getInstance()).toBe(second.held());
  });

  test('a render that suspends before it commits leaves no live session behind', async () => {
    const counter = new SessionCounter();
    let resolve!: () => void;
    const data = new Promise<void>((done) => (resolve = done));
    let ready = false;
    void data.then(() => (ready = true));
    const held: CallSession[] = [];
    function Suspending() {
      const session = useCreateCallSession({ inspect: counter.inspect });
      if (!ready) throw data;
      held.push(session);
      return <p>{session.state}</p>;
    }
    render(
      <Mode>
        <Suspense fallback={<p>loading</p>}>
          <Suspending />
        </Suspense>
      </Mode>,
    );
    expect(counter.actors.size).toBeGreaterThan(0);
    await act(async () => {
      resolve();
      await data;
    });
    const session = held.at(-1)!;
    expect(counter.live).toEqual([session.actor]);
    expect(CallSession.getInstance()).toBe(session);
  });

  test('hidden by <Activity> the session is disposed; shown again, the component holds a new live one', async () => {
    const counter = new SessionCounter();
    const { Probe, held } = probe(counter);
    function Screen({ visible }: { visible: boolean }) {
      return (
        <Activity mode={visible ? 'visible' : 'hidden'}>
          <Probe />
        </Activity>
      );
    }
    const { rerender } = render(
      <Mode>
        <Screen visible />
      </Mode>,
    );
    const first = held();
    await nextTask();
    rerender(
      <Mode>
        <Screen visible={false} />
      </Mode>,
    );
    await nextTask();
    expect(first.actor.getSnapshot().status).toBe('stopped');
    await nextTask();
    rerender(
      <Mode>
        <Screen visible />
      </Mode>,
    );
    const second = held();
    expect(second).not.toBe(first);
    expect(second.actor.getSnapshot().status).toBe('active');
    expect(counter.live).toEqual([second.actor]);
    expect(CallSession.getInstance()).toBe(second);
  });
});
