// @vitest-environment happy-dom
// useCallSession (SPEC §9): re-renders when state, participants, endReason, deadlines
// or idleWarningActive change, whether an event or a timer changed them, and returns the
// same object between changes. Sessions run on a SimulatedClock; time moves inside act().
import { act, cleanup, render } from '@testing-library/react';
import { Component, useState, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCallSession, SessionSettingsBuilder, type CallSession } from 'call-session-machine';
import { useCallSession, type CallSessionView } from 'call-session-machine/react';
import { modes } from './support.js';

afterEach(cleanup);

const ana = { uid: 'ana', name: 'Ana' };
const bo = { uid: 'bo', name: 'Bo' };

function newSession() {
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(20)
    .setIdleWarningPeriod(10)
    .setReconnectTimeoutPeriod(30)
    .build();
  return { session: createCallSession({ settings, clock }), clock };
}

/** A component that shows the view and records each view it rendered with. */
function viewer(session: CallSession) {
  const views: CallSessionView[] = [];
  function Viewer() {
    const view = useCallSession(session);
    views.push(view);
    return (
      <p data-testid="view">
        {view.state} {view.participants.map((p) => p.name).join(',')} {view.endReason ?? '-'}{' '}
        {view.idleWarningActive ? 'warning' : ''}
      </p>
    );
  }
  return { Viewer, views, last: () => views.at(-1)! };
}

describe.each(modes)('useCallSession %s', (_, Mode) => {
  test('the view is the session’s fields, frozen', () => {
    const { session, clock } = newSession();
    const { Viewer, last } = viewer(session);
    render(
      <Mode>
        <Viewer />
      </Mode>,
    );
    expect(last()).toEqual({
      state: 'idle',
      participants: [],
      endReason: null,
      deadlines: { idle: null, reconnect: null },
      idleWarningActive: false,
    });
    expect(Object.isFrozen(last())).toBe(true);
    act(() => {
      session.join('view');
      session.send({ type: 'session.joined', participants: [ana] });
    });
    expect(last().participants).toBe(session.participants);
    act(() => session.send({ type: 'participant.left', participant: ana }));
    expect(last().deadlines).toBe(session.deadlines);
    expect(last().deadlines.idle).toBe(clock.now() + 20_000);
  });

  test('events from the app re-render', () => {
    const { session } = newSession();
    const { Viewer } = viewer(session);
    const { getByTestId } = render(
      <Mode>
        <Viewer />
      </Mode>,
    );
    const text = () => getByTestId('view').textContent;
    expect(text()).toBe('idle  - ');
    act(() => session.join('events'));
    expect(text()).toBe('joining  - ');
    act(() => session.send({ type: 'session.joined', participants: [ana] }));
    expect(text()).toBe('joined.accompanied Ana - ');
    act(() => session.send({ type: 'participant.joined', participant: bo }));
    expect(text()).toBe('joined.accompanied Ana,Bo - ');
    act(() => session.send({ type: 'connection.lost' }));
    expect(text()).toBe('reconnecting Ana,Bo - ');
    act(() => session.send({ type: 'connection.restored' }));
    expect(text()).toBe('joined.accompanied Ana,Bo - ');
    act(() => session.leave());
    expect(text()).toBe('left Ana,Bo user ');
  });

  test('timers re-render with no event from the app: the warning, then the timeout', () => {
    const { session, clock } = newSession();
    const { Viewer, views } = viewer(session);
    const { getByTestId } = render(
      <Mode>
        <Viewer />
      </Mode>,
    );
    const text = () => getByTestId('view').textContent;
    act(() => {
      session.join('timers');
      session.send({ type: 'session.joined' });
    });
    expect(text()).toBe('joined.alone  - ');
    const rendered = views.length;
    act(() => clock.increment(9_999));
    expect(views.length).toBe(rendered);
    act(() => clock.increment(1));
    expect(text()).toBe('joined.alone  - warning');
    act(() => session.extendIdleTimeout());
    expect(text()).toBe('joined.alone  - ');
    act(() => clock.increment(20_000));
    expect(text()).toBe('timedOut  idleTimeout ');
  });

  test('the reconnect bound re-renders when it closes the session', () => {
    const { session, clock } = newSession();
    const { Viewer, last } = viewer(session);
    render(
      <Mode>
        <Viewer />
      </Mode>,
    );
    act(() => {
      session.join('bound');
      session.send({ type: 'session.joined', participants: [ana] });
      session.send({ type: 'connection.lost' });
    });
    expect(last().deadlines).toEqual({ idle: null, reconnect: clock.now() + 30_000 });
    act(() => clock.increment(30_000));
    expect(last()).toMatchObject({ state: 'closed', endReason: 'reconnectTimeout' });
    expect(last().deadlines).toEqual({ idle: null, reconnect: null });
  });

  test('a parent re-render returns the same view object', () => {
    const { session } = newSession();
    const { Viewer, views } = viewer(session);
    let bump!: () => void;
    function Parent() {
      const [count, setCount] = useState(0);
      bump = () => setCount(count + 1);
      return (
        <>
          <span>{count}</span>
          <Viewer />
        </>
      );
    }
    render(
      <Mode>
        <Parent />
      </Mode>,
    );
    const before = views.length;
    act(() => bump());
    act(() => bump());
    expect(views.length).toBeGreaterThan(before);
    expect(new Set(views).size).toBe(1);
  });

  test('an ignored event keeps the view and re-renders nothing; a change makes a new view', () => {
    const { session } = newSession();
    const { Viewer, views, last } = viewer(session);
    render(
      <Mode>
        <Viewer />
      </Mode>,
    );
    act(() => {
      session.join('ignored');
      session.send({ type: 'session.joined', participants: [ana] });
    });
    const view = last();
    const rendered = views.length;
    act(() => {
      // None of these is taken in joined.accompanied (SPEC §2: idempotent signals).
      session.send({ type: 'session.joined' });
      session.send({ type: 'connection.restored' });
      session.send({ type: 'participant.left', participant: bo });
      session.extendIdleTimeout();
    });
    expect(views.length).toBe(rendered);
    expect(last()).toBe(view);
    // Ana again with a new name: the list changes, and so does the view.
    act(() => session.send({ type: 'participant.joined', participant: { uid: 'ana', name: 'Ana B.' } }));
    expect(last()).not.toBe(view);
    expect(last().participants).toEqual([{ uid: 'ana', name: 'Ana B.' }]);
    expect(last().state).toBe(view.state);
  });

  test('two components reading one session get the same object', () => {
    const { session } = newSession();
    const first = viewer(session);
    const second = viewer(session);
    render(
      <Mode>
        <first.Viewer />
        <second.Viewer />
      </Mode>,
    );
    act(() => session.join('shared'));
    expect(first.last()).toBe(second.last());
  });

  test('a session made outside React survives the unmount, and nothing re-renders after it', () => {
    const { session, clock } = newSession();
    const { Viewer, views } = viewer(session);
    const { unmount } = render(
      <Mode>
        <Viewer />
      </Mode>,
    );
    act(() => {
      session.join('outside');
      session.send({ type: 'session.joined' });
    });
    unmount();
    const rendered = views.length;
    expect(session.actor.getSnapshot().status).toBe('active');
    session.send({ type: 'participant.joined', participant: ana });
    expect(session.state).toBe('joined.accompanied');
    session.send({ type: 'participant.left', participant: ana });
    clock.increment(20_000);
    expect(session.state).toBe('timedOut');
    expect(views.length).toBe(rendered);
  });

  test('after dispose() the view keeps its last value', () => {
    const { session, clock } = newSession();
    const { Viewer, views, last } = viewer(session);
    const { getByTestId } = render(
      <Mode>
        <Viewer />
      </Mode>,
    );
    act(() => {
      session.join('disposed');
      session.send({ type: 'session.joined', participants: [ana] });
    });
    const view = last();
    act(() => session.dispose());
    act(() => {
      session.send({ type: 'participant.left', participant: ana });
      clock.increment(60_000);
    });
    expect(last()).toBe(view);
    expect(getByTestId('view').textContent).toBe('joined.accompanied Ana - ');
    const rendered = views.length;
    act(() => clock.increment(60_000));
    expect(views.length).toBe(rendered);
  });

  test('a new session prop is read and subscribed to; the old one no longer re-renders', () => {
    const first = newSession();
    const second = newSession();
    const views: CallSessionView[] = [];
    function Viewer({ session }: { session: CallSession }) {
      const view = useCallSession(session);
      views.push(view);
      return null;
    }
    const { rerender } = render(
      <Mode>
        <Viewer session={first.session} />
      </Mode>,
    );
    act(() => second.session.join('second'));
    rerender(
      <Mode>
        <Viewer session={second.session} />
      </Mode>,
    );
    expect(views.at(-1)!.state).toBe('joining');
    const rendered = views.length;
    act(() => first.session.join('first'));
    expect(views.length).toBe(rendered);
    act(() => second.session.send({ type: 'session.joined' }));
    expect(views.at(-1)!.state).toBe('joined.alone');
  });

  test('renders on the server too (the server snapshot is the same view)', () => {
    const { session } = newSession();
    session.join('server');
    session.send({ type: 'session.joined', participants: [ana] });
    const { Viewer, last } = viewer(session);
    const html = renderToString(
      <Mode>
        <Viewer />
      </Mode>,
    );
    // React marks the boundaries between text parts with empty comments.
    expect(html.replaceAll('<!-- -->', '')).toBe('<p data-testid="view">joined.accompanied Ana - </p>');
    expect(last().participants).toBe(session.participants);
  });

  test('a render that throws on a change (caught by an error boundary) does not take the session down', () => {
    const { session, clock } = newSession();
    const status: string[] = [];
    session.addSessionStatusListener({
      onConnectionLost: () => status.push('lost'),
      onConnectionRestored: () => status.push('restored'),
      onSessionTimedOut: () => status.push('timedOut'),
    });
    class Boundary extends Component<{ children: ReactNode }, { failed: boolean }> {
      override state = { failed: false };
      static getDerivedStateFromError() {
        return { failed: true };
      }
      override render() {
        return this.state.failed ? <p>failed</p> : this.props.children;
      }
    }
    function Fragile() {
      const { state } = useCallSession(session);
      if (state === 'reconnecting') throw new Error('this screen cannot draw a reconnect');
      return <p>{state}</p>;
    }
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { getByText } = render(
      <Mode>
        <Boundary>
          <Fragile />
        </Boundary>
      </Mode>,
    );
    act(() => {
      session.join('fragile');
      session.send({ type: 'session.joined' });
    });
    act(() => session.send({ type: 'connection.lost' }));
    expect(getByText('failed')).toBeTruthy();
    consoleError.mockRestore();
    // The session goes on: events are taken, listeners called, timers fire.
    session.send({ type: 'connection.restored' });
    expect(session.state).toBe('joined.alone');
    clock.increment(20_000);
    expect(session.state).toBe('timedOut');
    expect(status).toEqual(['lost', 'restored', 'timedOut']);
  });
});
