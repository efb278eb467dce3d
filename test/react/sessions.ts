import type { InspectionEvent } from 'xstate';
import type { CallSessionActor } from 'call-session-machine';

/**
 * Every session made with `inspect: sessions.inspect` is counted here, through the
 * public `inspect` option: each session's actor announces itself with `@xstate.actor`.
 * `live` are those whose actor runs (neither disposed nor final).
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
