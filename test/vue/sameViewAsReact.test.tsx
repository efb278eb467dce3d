// @vitest-environment happy-dom
// One view, two frameworks: React's useCallSession and Vue's read a session through
// the same function (src/core/callSessionView.ts), so on one page they hand out the very
// same frozen object for a session, changed by the same events and timers.
import { act, cleanup, render } from '@testing-library/react';
import { effectScope } from 'vue';
import { afterEach, expect, test } from 'vitest';
import { useCallSession as useReactView, type CallSessionView } from 'call-session-machine/react';
import { useCallSession as useVueView } from 'call-session-machine/vue';
import { ana, newSession } from './support.js';

afterEach(cleanup);

test('React and Vue show the same object for a session, after events and after a timer', () => {
  const { session, clock } = newSession();
  const fromReact: CallSessionView[] = [];
  function ReactViewer() {
    fromReact.push(useReactView(session));
    return null;
  }
  render(<ReactViewer />);
  const scope = effectScope();
  const vueView = scope.run(() => useVueView(session))!;
  expect(vueView.value).toBe(fromReact.at(-1));
  act(() => {
    session.join('both');
    session.send({ type: 'session.joined', participants: [ana] });
  });
  expect(vueView.value).toBe(fromReact.at(-1));
  expect(vueView.value.state).toBe('joined.accompanied');
  act(() => session.send({ type: 'participant.left', participant: ana }));
  act(() => clock.increment(10_000));
  expect(vueView.value.idleWarningActive).toBe(true);
  expect(vueView.value).toBe(fromReact.at(-1));
  scope.stop();
});
