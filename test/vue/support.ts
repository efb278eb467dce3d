// Shared by the Vue composable tests: a session on a SimulatedClock, a component that
// shows the view and records every value it rendered, and a session counter.
import { defineComponent, h, type PropType } from 'vue';
import { SimulatedClock, type InspectionEvent } from 'xstate';
import {
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type CallSessionActor,
} from 'call-session-machine';
import { useCallSession, type CallSessionView } from 'call-session-machine/vue';

export const ana = { uid: 'ana', name: 'Ana' };
export const bo = { uid: 'bo', name: 'Bo' };

export const settings = new SessionSettingsBuilder()
  .setIdleTimeoutPeriod(20)
  .setIdleWarningPeriod(10)
  .setReconnectTimeoutPeriod(30)
  .build();

export function newSession() {
  const clock = new SimulatedClock();
  return { session: createCallSession({ settings, clock }), clock };
}

/** The text a viewer renders for a view: state, names, end reason, warning. */
export function describeView(view: CallSessionView): string {
  return [
    view.state,
    view.participants.map((p) => p.name).join(','),
    view.endReason ?? '-',
    view.idleWarningActive ? 'warning' : '',
  ].join(' ');
}

/** A component that shows the view of its `session` prop and records each view it rendered with. */
export function viewer() {
  const rendered: CallSessionView[] = [];
  const Viewer = defineComponent({
    props: { session: { type: Object as PropType<CallSession>, required: true } },
    setup(props) {
      const view = useCallSession(() => props.session);
      return () => {
        rendered.push(view.value);
        return h('p', { 'data-testid': 'view' }, describeView(view.value));
      };
    },
  });
  return { Viewer, rendered, last: () => rendered.at(-1)! };
}

/**
 * Every session made with `inspect: counter.inspect` is counted here, through the
 * public `inspect` option. `live` are those whose actor runs; `disposed` those stopped.
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
