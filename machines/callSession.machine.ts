import { assign, setup } from 'xstate';
import { clockNow, type AnyActorSystem } from './clock.js';
import { ParticipantRoster } from './participantRoster.js';
import { isRemote, type Participant } from './participants.js';
import {
  DEFAULT_SESSION_SETTINGS,
  type CallSessionContext,
  type CallSessionEvent,
  type CallSessionInput,
  type CallSessionOutput,
  type EndReason,
} from './callSession.types.js';

/**
 * XState raises a delayed event at once, with no timer, when its delay is not a
 * number. A countdown that does not run uses that: no timer is ever set for it, and
 * the transition's guard drops the event (a disabled period, or no countdown to carry
 * through a reconnect).
 */
const NO_TIMER = undefined as unknown as number;

function msUntil(deadline: number | null, system: AnyActorSystem | undefined): number {
  return deadline === null ? NO_TIMER : Math.max(0, deadline - clockNow(system));
}

function deadlineAfter(seconds: number, system: AnyActorSystem | undefined): number | null {
  return seconds > 0 ? clockNow(system) + seconds * 1000 : null;
}

function listedParticipants(event: CallSessionEvent): readonly Participant[] | undefined {
  return 'participants' in event ? event.participants : undefined;
}

function eventParticipant(event: CallSessionEvent): Participant | undefined {
  return 'participant' in event ? event.participant : undefined;
}

// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- the machine's input type, see setup()
function initialContext({ input }: { input: CallSessionInput | void }): CallSessionContext {
  return {
    settings: input?.settings ?? DEFAULT_SESSION_SETTINGS,
    sessionId: null,
    roster: ParticipantRoster.empty,
    idleDeadline: null,
    reconnectDeadline: null,
    endReason: null,
  };
}

function sessionOutput({ context }: { context: CallSessionContext }): CallSessionOutput {
  return { endReason: context.endReason as EndReason };
}

/**
 * The call-session statechart of SPEC §2, for `createActor`, inspectors and graph tools;
 * `createCallSession` wraps it with listener callbacks.
 *
 * Top-level states: `idle`, `joining`, `joined` (substates `alone`, `accompanied`),
 * `reconnecting`, and the final `left`, `timedOut`, `closed`. Its two timers are the
 * delays `idleTimeoutPeriod` and `reconnectTimeoutPeriod`, computed from absolute
 * deadlines in the context (see docs/semantics.md for why). The input is optional:
 * `createActor(callSessionMachine)` runs on the default settings.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * import { callSessionMachine, SessionSettingsBuilder } from 'call-session-machine';
 *
 * const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(120).build();
 * const actor = createActor(callSessionMachine, { input: { settings } }).start();
 * actor.send({ type: 'session.join', sessionId: 'standup' });
 * actor.send({ type: 'session.joined' });
 * actor.getSnapshot().value; // { joined: 'alone' }
 * ```
 */
export const callSessionMachine = setup({
  types: {
    context: {} as CallSessionContext,
    events: {} as CallSessionEvent,
    // `void`, not `undefined`: TypeScript drops `undefined` when it infers from an optional
    // property, which would make `createActor(callSessionMachine)` demand an input.
    // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- see above
    input: {} as CallSessionInput | void,
    output: {} as CallSessionOutput,
  },
  guards: {
    hasRemoteParticipant: ({ event }) => listedParticipants(event)?.some(isRemote) ?? false,
    hasNoParticipantList: ({ event }) => listedParticipants(event) === undefined,
    isRemoteParticipant: ({ event }) => {
      const participant = eventParticipant(event);
      return participant !== undefined && isRemote(participant);
    },
    isPresentParticipant: ({ context, event }) => {
      const participant = eventParticipant(event);
      return participant !== undefined && context.roster.has(participant);
    },
    isLastRemoteParticipant: ({ context, event }) => {
      const participant = eventParticipant(event);
      return participant !== undefined && context.roster.size === 1 && context.roster.has(participant);
    },
    isIdleCountdownRunning: ({ context }) => context.idleDeadline !== null,
    isReconnectBounded: ({ context }) => context.reconnectDeadline !== null,
    // Both deadlines on one instant: SPEC §2 says the session timed out. Comparing the
    // deadlines, not the clock, keeps this independent of which timer the clock runs first.
    isIdleDeadlineNoLater: ({ context }) =>
      context.idleDeadline !== null &&
      context.reconnectDeadline !== null &&
      context.idleDeadline <= context.reconnectDeadline,
  },
  actions: {
    recordSessionId: assign({
      sessionId: ({ event }) => (event.type === 'session.join' ? event.sessionId : null),
    }),
    forgetSessionId: assign({ sessionId: null }),
    resyncParticipants: assign({
      roster: ({ context, event }) => context.roster.resync(listedParticipants(event) ?? []),
    }),
    recordParticipant: assign({
      roster: ({ context, event }) => {
        const participant = eventParticipant(event);
        return participant ? context.roster.join(participant) : context.roster;
      },
    }),
    forgetParticipant: assign({
      roster: ({ context, event }) => {
        const participant = eventParticipant(event);
        return participant ? context.roster.leave(participant) : context.roster;
      },
    }),
    startIdleCountdown: assign({
      idleDeadline: ({ context, system }) => deadlineAfter(context.settings.idleTimeoutPeriod, system),
    }),
    continueIdleCountdown: assign({
      idleDeadline: ({ context, system }) =>
        context.idleDeadline ?? deadlineAfter(context.settings.idleTimeoutPeriod, system),
    }),
    stopIdleCountdown: assign({ idleDeadline: null }),
    startReconnectBound: assign({
      reconnectDeadline: ({ context, system }) => deadlineAfter(context.settings.reconnectTimeoutPeriod, system),
    }),
    stopReconnectBound: assign({ reconnectDeadline: null }),
    endSession: assign((_, params: { reason: EndReason }) => ({
      endReason: params.reason,
      idleDeadline: null,
      reconnectDeadline: null,
    })),
  },
  delays: {
    idleTimeoutPeriod: ({ context, system }) => msUntil(context.idleDeadline, system),
    reconnectTimeoutPeriod: ({ context, system }) => msUntil(context.reconnectDeadline, system),
  },
}).createMachine({
  id: 'callSession',
  context: initialContext,
  output: sessionOutput,
  initial: 'idle',
  states: {
    idle: {
      on: {
        'session.join': { target: 'joining', actions: 'recordSessionId' },
      },
    },
    joining: {
      on: {
        'session.joined': [
          { guard: 'hasRemoteParticipant', target: 'joined.accompanied', actions: 'resyncParticipants' },
          { target: 'joined.alone', actions: ['resyncParticipants', 'startIdleCountdown'] },
        ],
        'session.joinFailed': { target: 'idle', actions: 'forgetSessionId' },
        'session.leave': { target: 'idle', actions: 'forgetSessionId' },
      },
    },
    joined: {
      initial: 'alone',
      states: {
        alone: {
          after: {
            idleTimeoutPeriod: {
              guard: 'isIdleCountdownRunning',
              target: '#callSession.timedOut',
              actions: { type: 'endSession', params: { reason: 'idleTimeout' } },
            },
          },
        },
        accompanied: {},
        // Where a reconnect without a resync list returns to.
        previous: { type: 'history', target: 'alone' },
      },
      on: {
        'participant.joined': {
          guard: 'isRemoteParticipant',
          target: '.accompanied',
          actions: ['stopIdleCountdown', 'recordParticipant'],
        },
        'participant.left': [
          { guard: 'isLastRemoteParticipant', target: '.alone', actions: ['forgetParticipant', 'startIdleCountdown'] },
          { guard: 'isPresentParticipant', actions: 'forgetParticipant' },
        ],
        // The idle countdown, if one runs, carries on through reconnecting.
        'connection.lost': { target: 'reconnecting', actions: 'startReconnectBound' },
        'session.leave': { target: 'left', actions: { type: 'endSession', params: { reason: 'user' } } },
        'session.removed': { target: 'left', actions: { type: 'endSession', params: { reason: 'removed' } } },
        'connection.closed': { target: 'closed', actions: { type: 'endSession', params: { reason: 'server' } } },
      },
    },
    reconnecting: {
      after: {
        idleTimeoutPeriod: {
          guard: 'isIdleCountdownRunning',
          target: 'timedOut',
          actions: { type: 'endSession', params: { reason: 'idleTimeout' } },
        },
        reconnectTimeoutPeriod: [
          {
            guard: 'isIdleDeadlineNoLater',
            target: 'timedOut',
            actions: { type: 'endSession', params: { reason: 'idleTimeout' } },
          },
          {
            guard: 'isReconnectBounded',
            target: 'closed',
            actions: { type: 'endSession', params: { reason: 'reconnectTimeout' } },
          },
        ],
      },
      on: {
        'connection.restored': [
          { guard: 'hasNoParticipantList', target: 'joined.previous', actions: 'stopReconnectBound' },
          {
            guard: 'hasRemoteParticipant',
            target: 'joined.accompanied',
            actions: ['stopReconnectBound', 'stopIdleCountdown', 'resyncParticipants'],
          },
          {
            target: 'joined.alone',
            actions: ['stopReconnectBound', 'continueIdleCountdown', 'resyncParticipants'],
          },
        ],
        'session.leave': { target: 'left', actions: { type: 'endSession', params: { reason: 'user' } } },
        'session.removed': { target: 'left', actions: { type: 'endSession', params: { reason: 'removed' } } },
        'connection.closed': { target: 'closed', actions: { type: 'endSession', params: { reason: 'server' } } },
      },
    },
    left: { type: 'final' },
    timedOut: { type: 'final' },
    closed: { type: 'final' },
  },
});

