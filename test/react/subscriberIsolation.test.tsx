// @vitest-environment happy-dom
// A subscriber that throws never takes the session down (docs/react.md, useCallSession,
// "Isolation"). React's own store listener does not throw, so here it is made to: the
// useSyncExternalStore the hooks import is wrapped so that its listener throws once on
// demand. The error goes to console.error; XState never sees it (it would rethrow it
// from a setTimeout, an uncaught error that fails this run), and the session, its
// listeners, its timers and the component's later renders all go on.
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCallSession, SessionSettingsBuilder } from 'call-session-machine';
import { useCallSession } from 'call-session-machine/react';

const boom = vi.hoisted(() => ({ armed: false, thrown: 0 }));

vi.mock('react', async (importOriginal) => {
  const react = await importOriginal<typeof import('react')>();
  type Subscribe = Parameters<typeof react.useSyncExternalStore>[0];
  const wrapped = new WeakMap<Subscribe, Subscribe>();
  const wrap = (subscribe: Subscribe): Subscribe => {
    let throwing = wrapped.get(subscribe);
    if (!throwing) {
      throwing = (onChange) =>
        subscribe(() => {
          if (boom.armed) {
            boom.armed = false;
            boom.thrown++;
            throw new Error('a store listener that throws');
          }
          onChange();
        });
      wrapped.set(subscribe, throwing);
    }
    return throwing;
  };
  return {
    ...react,
    useSyncExternalStore: ((subscribe, getSnapshot, getServerSnapshot) =>
      react.useSyncExternalStore(wrap(subscribe), getSnapshot, getServerSnapshot)) as typeof react.useSyncExternalStore,
  };
});

afterEach(cleanup);

test('a store listener that throws is reported, and the session and the view go on', () => {
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(20).setIdleWarningPeriod(10).build();
  const session = createCallSession({ settings, clock });
  const status: string[] = [];
  session.addSessionStatusListener({
    onSessionJoined: () => status.push('joined'),
    onIdleTimeoutWarning: (secondsLeft) => status.push(`warning ${secondsLeft}`),
    onSessionTimedOut: () => status.push('timedOut'),
  });
  function Viewer() {
    const { state, idleWarningActive } = useCallSession(session);
    return <p data-testid="view">{`${state}${idleWarningActive ? ' warning' : ''}`}</p>;
  }
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  const { getByTestId } = render(<Viewer />);
  act(() => session.join('isolated'));
  boom.armed = true;
  act(() => session.send({ type: 'session.joined' }));
  expect(boom.thrown).toBe(1);
  expect(consoleError).toHaveBeenCalledWith(
    'call-session-machine: a session subscriber threw',
    expect.objectContaining({ message: 'a store listener that throws' }),
  );
  consoleError.mockRestore();
  expect(session.state).toBe('joined.alone');
  // The next change re-renders as usual, a timer's included.
  act(() => clock.increment(10_000));
  expect(getByTestId('view').textContent).toBe('joined.alone warning');
  act(() => clock.increment(10_000));
  expect(getByTestId('view').textContent).toBe('timedOut');
  expect(status).toEqual(['joined', 'warning 10', 'timedOut']);
});
