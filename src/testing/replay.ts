import { SimulatedClock } from 'xstate';
import { createCallSession, type CallSession } from '../session/callSession.js';
import { CALLBACK_LISTENER, type CallbackName } from '../core/listeners.js';
import type { LifecyclePath, LifecycleStep } from './lifecyclePaths.js';

/** Hooks for `replayLifecyclePath`, to check more than state and callbacks along a path. */
export interface ReplayOptions {
  /** Called once with the new session, before the first step: attach what you test here. */
  onSession?(session: CallSession, clock: SimulatedClock): void;
  /** Called after each step has been checked. */
  onStep?(step: LifecycleStep, session: CallSession, clock: SimulatedClock): void;
}

/** A replayed session did not do what its path expects. */
export class LifecycleMismatchError extends Error {
  /** `'LifecycleMismatchError'`. */
  override name = 'LifecycleMismatchError';
}

const CALLBACKS = Object.keys(CALLBACK_LISTENER) as CallbackName[];

/** A listener for every callback, logging names in firing order. */
function recordCallbacks(session: CallSession): CallbackName[] {
  const fired: CallbackName[] = [];
  const recorder = Object.fromEntries(CALLBACKS.map((name) => [name, () => fired.push(name)]));
  session.addSessionStatusListener(recorder);
  session.addParticipantEventListener(recorder);
  return fired;
}

/** Largest single clock step: one `increment` fires the timers due by its end, but not timers those firings set. */
const CLOCK_STEP_MS = 1000;

function advance(clock: SimulatedClock, ms: number): void {
  for (let left = ms; left > 0; left -= CLOCK_STEP_MS) clock.increment(Math.min(CLOCK_STEP_MS, left));
}

/**
 * Replays one lifecycle path on a new `CallSession` with a `SimulatedClock`, checking
 * after every step the state and the callbacks fired, and for a timer step that the
 * timer did not fire 1 ms early. Throws `LifecycleMismatchError` at the first difference.
 */
export function replayLifecyclePath(path: LifecyclePath, options: ReplayOptions = {}): CallSession {
  const clock = new SimulatedClock();
  const session = createCallSession({ clock, settings: path.settings });
  const fired = recordCallbacks(session);
  options.onSession?.(session, clock);
  path.steps.forEach((step, index) => {
    const where = `${path.description}, step ${index + 1}`;
    const stateBefore = session.state;
    fired.length = 0;
    if (step.kind === 'send') {
      session.send(step.event);
    } else {
      // A timer due the instant the step before ended (a tie) waits 0 ms.
      if (step.ms > 0) {
        advance(clock, step.ms - 1);
        if (session.state !== stateBefore || fired.length > 0) {
          throw new LifecycleMismatchError(
            `${where}: the ${step.timer} fired early (at ${clock.now()} ms: ${session.state}, ${fired.join(', ')})`,
          );
        }
      }
      clock.increment(step.ms > 0 ? 1 : 0);
    }
    if (session.state !== step.expectedState) {
      throw new LifecycleMismatchError(`${where}: expected state ${step.expectedState}, got ${session.state}`);
    }
    if (fired.join() !== step.expectedCallbacks.join()) {
      throw new LifecycleMismatchError(
        `${where}: expected callbacks [${step.expectedCallbacks.join(', ')}], got [${fired.join(', ')}]`,
      );
    }
    options.onStep?.(step, session, clock);
  });
  return session;
}
