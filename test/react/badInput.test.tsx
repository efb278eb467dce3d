// @vitest-environment happy-dom
// Bad input to the React hooks that take a session: a TypeError during render that names
// the hook, never a crash later (an unmount that calls leave() on undefined would throw
// from React's commit, outside any error boundary's reach).
import { cleanup, renderHook } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { createCallSession } from 'call-session-machine';
import { useCallBinding, useCallSession } from 'call-session-machine/react';

afterEach(cleanup);

const notSessions: [string, unknown, RegExp][] = [
  ['undefined', undefined, /got undefined$/],
  ['null', null, /got null$/],
  ['a session id', 'standup', /got "standup"$/],
  ['a plain object', { state: 'idle', leave() {} }, /got object$/],
];

function renderError(hook: () => unknown): unknown {
  // React logs the error it rethrows; the test only wants the error.
  const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    renderHook(hook);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    quiet.mockRestore();
  }
}

test.each(notSessions)('useCallSession(%s) is a TypeError naming the hook', (_, value, got) => {
  const error = renderError(() => useCallSession(value as never));
  expect(error).toBeInstanceOf(TypeError);
  expect(String(error)).toMatch(/useCallSession: expected a CallSession/);
  expect(String(error)).toMatch(got);
});

test.each(notSessions)(
  'useCallBinding(%s, bind) is a TypeError naming the hook, and bind is never called',
  (_, value, got) => {
    const bind = vi.fn(() => () => undefined);
    const error = renderError(() => useCallBinding(value as never, bind));
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/useCallBinding: expected a CallSession/);
    expect(String(error)).toMatch(got);
    expect(bind).not.toHaveBeenCalled();
  },
);

test('a real session is taken by both hooks', () => {
  const session = createCallSession();
  const bind = vi.fn(() => () => undefined);
  const { result, unmount } = renderHook(() => {
    useCallBinding(session, bind);
    return useCallSession(session);
  });
  expect(result.current.state).toBe('idle');
  expect(bind).toHaveBeenCalledTimes(1);
  unmount();
  session.dispose();
});
