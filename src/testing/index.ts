/**
 * Test helpers for code built on call-session-machine: lifecycle paths generated from
 * the chart with `xstate/graph`, each with the state and callbacks SPEC §2 promises
 * after every step, and a replayer that runs a path on a real `CallSession` with a
 * `SimulatedClock` and throws at the first difference.
 *
 * @example
 * ```ts
 * import { getLifecyclePaths, replayLifecyclePath } from 'call-session-machine/testing';
 *
 * for (const path of getLifecyclePaths()) replayLifecyclePath(path);
 * ```
 *
 * @module call-session-machine/testing
 */
export {
  chartTransitions,
  getLifecyclePaths,
  PATH_PARTICIPANTS,
  type CallbackName,
  type LifecyclePath,
  type LifecyclePathOptions,
  type LifecycleStep,
  type LifecycleTimer,
} from './lifecyclePaths.js';
export { SESSION_STATES } from '../session/callSession.js';
export { LifecycleMismatchError, replayLifecyclePath, type ReplayOptions } from './replay.js';
