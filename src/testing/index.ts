export {
  chartTransitions,
  getLifecyclePaths,
  PATH_PARTICIPANTS,
  SESSION_STATES,
  type CallbackName,
  type LifecyclePath,
  type LifecyclePathOptions,
  type LifecycleStep,
} from './lifecyclePaths.js';
export { LifecycleMismatchError, replayLifecyclePath, type ReplayOptions } from './replay.js';
