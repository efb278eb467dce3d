// Shared by the React hook tests: the two render modes, and a session counter.
import { StrictMode, type ReactNode } from 'react';
import type { InspectionEvent } from 'xstate';
import type { CallSessionActor } from 'call-session-machine';

function Plain({ children }: { children: ReactNode }) {
  return <>{children}</>;
}

/** Each hook test runs without StrictMode and under it (effects mount, unmount, mount). */
export const modes = [
  ['without StrictMode', Plain],
  ['under StrictMode', StrictMode],
] as const;

/** Lets the microtasks and the timers due now run. */
export const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Every session made with `inspect: counter.inspect` is counted here, through the
 * public `inspect` option: each session's actor announces itself with `@xstate.actor`,
 * so a session made by a render React threw away counts too. `live` are those whose
 * actor runs (neither disposed nor final); `disposed` those whose actor was stopped.
 */
export class SessionCounter {
  readonly actors = new Set<CallSessionActor>();

  readonly inspect = (event: InspectionEvent): void => {
    if (event.type === '@xstate.actor') this.actors.add(event.actorRef as CallSessionActor);
  };

  get live(): CallSessionActor[] {
    return [...this.actors].filter((actor) => actor.getSnapshot().status === 'active');
  }

  get disposed(): CallSessionActor[] {
    return [...this.actors].filter((actor) => actor.getSnapshot().status === 'stopped');
  }
}
