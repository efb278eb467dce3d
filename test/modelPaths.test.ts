import { describe, expect, test } from 'vitest';
import { SimulatedClock } from 'xstate';
import {
  chartTransitions,
  getLifecyclePaths,
  replayLifecyclePath,
  SESSION_STATES,
  type LifecyclePath,
  type LifecycleStep,
} from '../src/testing/index.js';
import { SessionSettingsBuilder, type SessionSettings } from '../src/index.js';
import { advance, initialModel, step as oracleStep } from './oracle.js';

/**
 * The kit derives each step's expected state and callbacks from the chart's own
 * traversal; this walks the same steps through the independent oracle (test/oracle.ts,
 * written from SPEC §2) and says where the two differ.
 */
function oracleDisagreements(path: LifecyclePath, settings: SessionSettings): string[] {
  let model = initialModel(settings, 0);
  const problems: string[] = [];
  path.steps.forEach((step, index) => {
    const result = step.kind === 'send' ? oracleStep(model, step.event) : advance(model, step.ms);
    model = result.model;
    const callbacks = result.callbacks.map((callback) => callback.split(':')[0]);
    if (model.state !== step.expectedState || callbacks.join() !== step.expectedCallbacks.join()) {
      problems.push(
        `${path.description}, step ${index}: kit ${step.expectedState} [${step.expectedCallbacks.join()}], oracle ${model.state} [${callbacks.join()}]`,
      );
    }
  });
  return problems;
}

function coverage(paths: readonly LifecyclePath[]) {
  const states = new Set(['idle', ...paths.flatMap((path) => path.steps.map((step) => step.expectedState))]);
  const transitions = new Set(paths.flatMap((path) => path.steps.flatMap((step) => step.transitions)));
  return { states, transitions };
}

describe.each(['shortest', 'simple'] as const)('%s paths over the chart', (strategy) => {
  const paths = getLifecyclePaths({ strategy });

  test('cover every state and every transition of the chart', () => {
    const { states, transitions } = coverage(paths);
    const all = chartTransitions();
    console.log(
      `${strategy} paths: ${paths.length} paths, ${paths.reduce((n, p) => n + p.steps.length, 0)} steps, ` +
        `states ${states.size}/${SESSION_STATES.length}, transitions ${transitions.size}/${all.length}`,
    );
    expect([...states].sort()).toEqual([...SESSION_STATES].sort());
    expect(all.filter((key) => !transitions.has(key))).toEqual([]);
  });

  test('every step expects what the independent SPEC §2 oracle says', () => {
    const problems = paths.flatMap((path) => oracleDisagreements(path, path.settings));
    expect(problems).toEqual([]);
  });

  test('replay on a CallSession with a SimulatedClock: state, callbacks and timer timing match at every step', () => {
    for (const path of paths) replayLifecyclePath(path);
  });
});

test('paths with unequal periods replay too, and every timer waits its own period', () => {
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(7).setReconnectTimeoutPeriod(3).build();
  const paths = getLifecyclePaths({ settings });
  const timerSteps = paths.flatMap((path) => path.steps.filter((step) => step.kind === 'advance'));
  expect(timerSteps.map((step) => (step.kind === 'advance' ? step.ms : 0)).sort()).toContain(7000);
  expect(timerSteps.map((step) => (step.kind === 'advance' ? step.ms : 0))).toContain(3000);
  for (const path of paths) replayLifecyclePath(path);
});

test('a replay catches a session that does not do what the path expects', () => {
  const path = getLifecyclePaths().find((p) => {
    const last = p.steps.at(-1);
    return last?.kind === 'advance' && last.timer === 'idleTimeout';
  })!;
  const last = path.steps.at(-1)!;
  const withLast = (changed: LifecycleStep): LifecyclePath => ({
    ...path,
    steps: [...path.steps.slice(0, -1), changed],
  });
  if (last.kind !== 'advance') throw new Error('unreachable');
  expect(() => replayLifecyclePath(withLast({ ...last, ms: last.ms + 1000 }))).toThrow(/fired early/);
  expect(() => replayLifecyclePath(withLast({ ...last, ms: last.ms - 1 }))).toThrow(/expected state/);
  expect(() => replayLifecyclePath(withLast({ ...last, expectedCallbacks: ['onSessionLeft'] }))).toThrow(
    /expected callbacks \[onSessionLeft\]/,
  );
  expect(() => replayLifecyclePath(path)).not.toThrow();
});

test('the user hooks see the session before the first step and after every step', () => {
  const [path] = getLifecyclePaths();
  const seen: string[] = [];
  replayLifecyclePath(path!, {
    onSession: (session, clock) => seen.push(`start:${session.state}:${clock instanceof SimulatedClock}`),
    onStep: (step, session) => seen.push(`${step.expectedState}=${session.state}`),
  });
  expect(seen[0]).toBe('start:idle:true');
  expect(seen).toHaveLength(path!.steps.length + 1);
  for (const entry of seen.slice(1)) expect(entry.split('=')[0]).toBe(entry.split('=')[1]);
});

test('a replay catches an idle warning that does not come, or comes 1 ms early', () => {
  const path = getLifecyclePaths().find(
    (p) => p.steps.at(-1)?.kind === 'advance' && p.description.endsWith('after idleWarningPeriod'),
  )!;
  const last = path.steps.at(-1)!;
  if (last.kind !== 'advance') throw new Error('unreachable');
  const withLast = (changed: LifecycleStep): LifecyclePath => ({
    ...path,
    steps: [...path.steps.slice(0, -1), changed],
  });
  expect(() => replayLifecyclePath(withLast({ ...last, ms: last.ms + 1 }))).toThrow(/idleWarning fired early/);
  expect(() => replayLifecyclePath(withLast({ ...last, ms: last.ms - 1 }))).toThrow(
    /expected callbacks \[onIdleTimeoutWarning\], got \[\]/,
  );
  expect(() => replayLifecyclePath(path)).not.toThrow();
});
