// @vitest-environment happy-dom
// useCountdown: whole seconds left until an absolute deadline, rounded up as
// onIdleTimeoutWarning counts them, ticking each second on the global timers (faked
// here), null for a null deadline, its timer cleared on unmount.
import { act, cleanup, render } from '@testing-library/react';
import { Component, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCallSession, SessionSettingsBuilder, type CallSession } from 'call-session-machine';
import { useCallSession, useCountdown, type CountdownOptions } from 'call-session-machine/react';
import { modes } from './support.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function countdown(options?: CountdownOptions) {
  const shown: (number | null)[] = [];
  function Countdown({ deadline }: { deadline: number | null }) {
    const secondsLeft = useCountdown(deadline, options);
    shown.push(secondsLeft);
    return <p data-testid="left">{secondsLeft === null ? 'none' : secondsLeft}</p>;
  }
  return { Countdown, shown, last: () => shown.at(-1) };
}

const advance = (ms: number) => act(() => vi.advanceTimersByTime(ms));

describe.each(modes)('useCountdown %s', (_, Mode) => {
  test('null for a null deadline, with no timer', () => {
    const { Countdown, last } = countdown();
    render(
      <Mode>
        <Countdown deadline={null} />
      </Mode>,
    );
    expect(last()).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  test('ticks each second down to 0, then stops', () => {
    const { Countdown, last } = countdown();
    const { getByTestId } = render(
      <Mode>
        <Countdown deadline={Date.now() + 3_000} />
      </Mode>,
    );
    expect(getByTestId('left').textContent).toBe('3');
    advance(999);
    expect(last()).toBe(3);
    advance(1);
    expect(getByTestId('left').textContent).toBe('2');
    advance(1_000);
    expect(last()).toBe(1);
    advance(1_000);
    expect(last()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    advance(5_000);
    expect(last()).toBe(0);
  });

  test('rounds up, and changes on the countdown’s own seconds', () => {
    const { Countdown, shown } = countdown();
    render(
      <Mode>
        <Countdown deadline={Date.now() + 2_500} />
      </Mode>,
    );
    expect(shown.at(-1)).toBe(3);
    advance(499);
    expect(shown.at(-1)).toBe(3);
    advance(1);
    expect(shown.at(-1)).toBe(2);
    advance(1_000);
    expect(shown.at(-1)).toBe(1);
  });

  test('a past deadline shows 0', () => {
    const { Countdown, last } = countdown();
    render(
      <Mode>
        <Countdown deadline={Date.now() - 5_000} />
      </Mode>,
    );
    expect(last()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('a moved deadline restarts the count; the old timer is cleared', () => {
    const { Countdown, last } = countdown();
    const start = Date.now();
    const { rerender } = render(
      <Mode>
        <Countdown deadline={start + 10_000} />
      </Mode>,
    );
    advance(7_000);
    expect(last()).toBe(3);
    rerender(
      <Mode>
        <Countdown deadline={Date.now() + 10_000} />
      </Mode>,
    );
    expect(last()).toBe(10);
    expect(vi.getTimerCount()).toBe(1);
    advance(1_000);
    expect(last()).toBe(9);
    rerender(
      <Mode>
        <Countdown deadline={null} />
      </Mode>,
    );
    expect(last()).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  test('unmounting clears the timer', () => {
    const { Countdown } = countdown();
    const { unmount } = render(
      <Mode>
        <Countdown deadline={Date.now() + 60_000} />
      </Mode>,
    );
    expect(vi.getTimerCount()).toBe(1);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });

  test('`now` sets the time base: a session on a SimulatedClock, its warning and a stay', () => {
    // The SimulatedClock starts at 0, far from Date.now(): only `now` makes the count right.
    const clock = new SimulatedClock();
    const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(20).setIdleWarningPeriod(10).build();
    const session = createCallSession({ settings, clock });
    const now = () => clock.now();
    function Warning({ session }: { session: CallSession }) {
      const { deadlines, idleWarningActive } = useCallSession(session);
      const secondsLeft = useCountdown(deadlines.idle, { now });
      return (
        <p data-testid="warning">
          {idleWarningActive ? 'warning ' : ''}
          {secondsLeft ?? 'none'}
        </p>
      );
    }
    const { getByTestId } = render(
      <Mode>
        <Warning session={session} />
      </Mode>,
    );
    const text = () => getByTestId('warning').textContent;
    expect(text()).toBe('none');
    act(() => {
      session.join('countdown');
      session.send({ type: 'session.joined' });
    });
    expect(text()).toBe('20');
    const tick = (seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        act(() => {
          clock.increment(1_000);
          vi.advanceTimersByTime(1_000);
        });
      }
    };
    tick(9);
    expect(text()).toBe('11');
    tick(1);
    expect(text()).toBe('warning 10');
    tick(3);
    expect(text()).toBe('warning 7');
    act(() => session.extendIdleTimeout());
    expect(text()).toBe('20');
    tick(20);
    expect(session.state).toBe('timedOut');
    expect(text()).toBe('none');
  });
});

describe('a deadline that is not a finite number or null (fault 7)', () => {
  class Boundary extends Component<{ children: ReactNode; caught: unknown[] }, { failed: boolean }> {
    override state = { failed: false };
    static getDerivedStateFromError() {
      return { failed: true };
    }
    override componentDidCatch(error: unknown) {
      this.props.caught.push(error);
    }
    override render() {
      return this.state.failed ? <p>failed</p> : this.props.children;
    }
  }

  const bad: [label: string, deadline: unknown, type: typeof TypeError | typeof RangeError][] = [
    ['undefined', undefined, TypeError],
    ['a string', '1000', TypeError],
    ['NaN', NaN, RangeError],
    ['Infinity', Infinity, RangeError],
    ['-Infinity', -Infinity, RangeError],
  ];
  test.each(bad)('%s: a clear error naming the hook, and no timer left running', (label, deadline, type) => {
    const caught: unknown[] = [];
    const { Countdown, shown } = countdown();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      render(
        <Boundary caught={caught}>
          <Countdown deadline={deadline as number} />
        </Boundary>,
      );
    } finally {
      consoleError.mockRestore();
    }
    expect(caught, label).toHaveLength(1);
    expect(caught[0]).toBeInstanceOf(type);
    expect((caught[0] as Error).message).toMatch(/^useCountdown: deadline must be a finite number .* or null, got /);
    expect(shown.filter((value) => typeof value === 'number' && Number.isNaN(value))).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('options.now that is not a function is a TypeError naming the hook', () => {
    const caught: unknown[] = [];
    const { Countdown } = countdown({ now: 5 as never });
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      render(
        <Boundary caught={caught}>
          <Countdown deadline={Date.now() + 1_000} />
        </Boundary>,
      );
    } finally {
      consoleError.mockRestore();
    }
    expect(caught[0]).toBeInstanceOf(TypeError);
    expect((caught[0] as Error).message).toMatch(/^useCountdown: options\.now must be a function/);
  });
});
