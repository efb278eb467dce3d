import { assign, setup, type Snapshot } from 'xstate';
import { ParticipantRoster } from './participantRoster.js';
import { checkParticipantList, expected, isRemote, type Participant } from './participants.js';
import { checkSettings, idleCountdownSettings, reconnectBoundSettings } from './settings.js';
import { clockNow, restoringThrough, type AnyActorSystem } from './xstateInternals.js';
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

/**
 * The time left until `deadline`, capped at the period the countdown started with: a
 * countdown never outlasts its period from any instant (docs/semantics.md, "One rule
 * for time"), so a clock stepped backwards (a wall clock corrected by NTP, a custom
 * clock) cannot stretch it, nor push a delay past what a timer holds, which Node runs
 * after 1 ms; and new settings given at a restore cannot cut it.
 */
function msUntil(deadline: number | null, periodSeconds: number, system: AnyActorSystem): number {
  return deadline === null ? NO_TIMER : Math.min(periodSeconds * 1000, Math.max(0, deadline - clockNow(system)));
}

/**
 * The time until the idle warning: the idle timer's delay less the warning period, so
 * the two stay exactly that far apart even when the idle delay is capped. A countdown
 * that has run out (a stored one restored late) ends without a warning: its warning
 * timer is set after the timeout's, whose transition leaves the state and cancels it.
 * After by 2 ms where the timeout's is under 2 ms: Node runs a 0 ms timer after 1 ms, so
 * 0 and 1 would come due together, and the warning, set first, would fire first.
 */
/** Under this, a countdown counts as run out: no timer tells it from one already due. */
const RUN_OUT_MS = 2;

function msUntilIdleWarning(context: CallSessionContext, system: AnyActorSystem) {
  const { idleDeadline, idleWarningAt } = context;
  const settings = idleCountdownSettings(context);
  if (idleDeadline === null || idleWarningAt !== null || settings.idleWarningPeriod === 0) return NO_TIMER;
  const idleMs = msUntil(idleDeadline, settings.idleTimeoutPeriod, system);
  return idleMs < RUN_OUT_MS ? idleMs + RUN_OUT_MS : Math.max(0, idleMs - settings.idleWarningPeriod * 1000);
}

function deadlineAfter(seconds: number, system: AnyActorSystem): number | null {
  return seconds > 0 ? clockNow(system) + seconds * 1000 : null;
}

/** The list an event carries (`session.joined`, `connection.restored`), as a guard's or action's params. */
function listedParticipants({ event }: { event: { participants?: readonly Participant[] } }) {
  return { participants: event.participants };
}

/** The participant an event names (`participant.joined`, `participant.left`), as params. */
function namedParticipant({ event }: { event: { participant: Participant } }) {
  return { participant: event.participant };
}

// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- the machine's input type, see setup()
function initialContext({ input }: { input: CallSessionInput | void }): CallSessionContext {
  if (input !== undefined && (typeof input !== 'object' || input === null)) {
    throw new TypeError(expected('callSessionMachine input must be an object like { settings }', input));
  }
  // Checked as the builder checks them: an out-of-range period must fail the actor,
  // not become a countdown that fires at once or never.
  const settings = input?.settings;
  return {
    settings: settings === undefined ? DEFAULT_SESSION_SETTINGS : checkSettings(settings),
    sessionId: null,
    roster: ParticipantRoster.empty,
    idleDeadline: null,
    idleWarningAt: null,
    reconnectDeadline: null,
    idleSettings: null,
    reconnectSettings: null,
    endReason: null,
  };
}

function sessionOutput({ context }: { context: CallSessionContext }): CallSessionOutput {
  return { endReason: context.endReason as EndReason };
}

const chart = setup({
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
    hasRemoteParticipant: (_, { participants }: { participants?: readonly Participant[] }) =>
      participants?.some(isRemote) ?? false,
    hasNoParticipantList: (_, { participants }: { participants?: readonly Participant[] }) =>
      participants === undefined,
    isRemoteParticipant: (_, { participant }: { participant: Participant }) => isRemote(participant),
    isPresentParticipant: ({ context }, { participant }: { participant: Participant }) =>
      context.roster.has(participant),
    isLastRemoteParticipant: ({ context }, { participant }: { participant: Participant }) =>
      context.roster.size === 1 && context.roster.has(participant),
    isIdleCountdownRunning: ({ context }) => context.idleDeadline !== null,
    // Once per countdown. On one instant with the reconnect deadline, the session closes
    // unwarned: compared by deadlines, so whichever timer the clock runs first.
    isIdleWarningDue: ({ context }) => {
      const { idleDeadline, idleWarningAt, reconnectDeadline } = context;
      const warningMs = idleCountdownSettings(context).idleWarningPeriod * 1000;
      return (
        idleDeadline !== null &&
        idleWarningAt === null &&
        warningMs > 0 &&
        (reconnectDeadline === null || idleDeadline - warningMs < reconnectDeadline)
      );
    },
    isReconnectBounded: ({ context }) => context.reconnectDeadline !== null,
    // Both deadlines on one instant: SPEC §2 says the session timed out. Comparing the
    // deadlines, not the clock, keeps this independent of which timer the clock runs first.
    isIdleDeadlineNoLater: ({ context }) =>
      context.idleDeadline !== null &&
      context.reconnectDeadline !== null &&
      context.idleDeadline <= context.reconnectDeadline,
  },
  actions: {
    recordSessionId: assign((_, { sessionId }: { sessionId: string }) => ({ sessionId })),
    forgetSessionId: assign({ sessionId: null }),
    resyncParticipants: assign(({ context }, { participants }: { participants?: readonly Participant[] }) => ({
      roster: context.roster.resync(participants ?? []),
    })),
    recordParticipant: assign(({ context }, { participant }: { participant: Participant }) => ({
      roster: context.roster.join(participant),
    })),
    forgetParticipant: assign(({ context }, { participant }: { participant: Participant }) => ({
      roster: context.roster.leave(participant),
    })),
    startIdleCountdown: assign({
      idleDeadline: ({ context, system }) => deadlineAfter(context.settings.idleTimeoutPeriod, system),
      idleWarningAt: null,
      idleSettings: null,
    }),
    // A countdown that runs on keeps its warning; one started here has none yet.
    continueIdleCountdown: assign({
      idleDeadline: ({ context, system }) =>
        context.idleDeadline ?? deadlineAfter(context.settings.idleTimeoutPeriod, system),
    }),
    stopIdleCountdown: assign({ idleDeadline: null, idleWarningAt: null, idleSettings: null }),
    recordIdleWarning: assign({ idleWarningAt: ({ system }) => clockNow(system) }),
    startReconnectBound: assign({
      reconnectDeadline: ({ context, system }) => deadlineAfter(context.settings.reconnectTimeoutPeriod, system),
      reconnectSettings: null,
    }),
    stopReconnectBound: assign({ reconnectDeadline: null, reconnectSettings: null }),
    endSession: assign((_, { reason }: { reason: EndReason }) => ({
      endReason: reason,
      idleDeadline: null,
      idleWarningAt: null,
      reconnectDeadline: null,
      idleSettings: null,
      reconnectSettings: null,
    })),
  },
  delays: {
    idleTimeoutPeriod: ({ context, system }) =>
      msUntil(context.idleDeadline, idleCountdownSettings(context).idleTimeoutPeriod, system),
    idleWarningPeriod: ({ context, system }) => msUntilIdleWarning(context, system),
    reconnectTimeoutPeriod: ({ context, system }) =>
      msUntil(context.reconnectDeadline, reconnectBoundSettings(context).reconnectTimeoutPeriod, system),
  },
}).createMachine({
  id: 'callSession',
  context: initialContext,
  output: sessionOutput,
  initial: 'idle',
  states: {
    idle: {
      on: {
        'session.join': {
          target: 'joining',
          actions: { type: 'recordSessionId', params: ({ event }) => ({ sessionId: event.sessionId }) },
        },
      },
    },
    joining: {
      on: {
        'session.joined': [
          {
            guard: { type: 'hasRemoteParticipant', params: listedParticipants },
            target: 'joined.accompanied',
            actions: { type: 'resyncParticipants', params: listedParticipants },
          },
          {
            target: 'joined.alone',
            actions: [{ type: 'resyncParticipants', params: listedParticipants }, 'startIdleCountdown'],
          },
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
            // The warning changes no state: a targetless transition, so no timer restarts.
            idleWarningPeriod: { guard: 'isIdleWarningDue', actions: 'recordIdleWarning' },
            idleTimeoutPeriod: {
              guard: 'isIdleCountdownRunning',
              target: '#callSession.timedOut',
              actions: { type: 'endSession', params: { reason: 'idleTimeout' } },
            },
          },
          on: {
            // "Stay": re-entered, so that both idle timers are set again from the new deadline.
            'idle.extend': {
              guard: 'isIdleCountdownRunning',
              target: 'alone',
              reenter: true,
              actions: 'startIdleCountdown',
            },
          },
        },
        accompanied: {},
        // Where a reconnect without a resync list returns to.
        previous: { type: 'history', target: 'alone' },
      },
      on: {
        'participant.joined': {
          guard: { type: 'isRemoteParticipant', params: namedParticipant },
          target: '.accompanied',
          actions: ['stopIdleCountdown', { type: 'recordParticipant', params: namedParticipant }],
        },
        'participant.left': [
          {
            guard: { type: 'isLastRemoteParticipant', params: namedParticipant },
            target: '.alone',
            actions: [{ type: 'forgetParticipant', params: namedParticipant }, 'startIdleCountdown'],
          },
          {
            guard: { type: 'isPresentParticipant', params: namedParticipant },
            actions: { type: 'forgetParticipant', params: namedParticipant },
          },
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
        idleWarningPeriod: { guard: 'isIdleWarningDue', actions: 'recordIdleWarning' },
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
          {
            guard: { type: 'hasNoParticipantList', params: listedParticipants },
            target: 'joined.previous',
            actions: 'stopReconnectBound',
          },
          {
            guard: { type: 'hasRemoteParticipant', params: listedParticipants },
            target: 'joined.accompanied',
            actions: [
              'stopReconnectBound',
              'stopIdleCountdown',
              { type: 'resyncParticipants', params: listedParticipants },
            ],
          },
          {
            target: 'joined.alone',
            actions: [
              'stopReconnectBound',
              'continueIdleCountdown',
              { type: 'resyncParticipants', params: listedParticipants },
            ],
          },
        ],
        // Re-entered for the same reason as in joined.alone; the reconnect bound's timer is
        // set again from its unchanged deadline, so it keeps its time.
        'idle.extend': {
          guard: 'isIdleCountdownRunning',
          target: 'reconnecting',
          reenter: true,
          actions: 'startIdleCountdown',
        },
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

/**
 * XState's own persistence (`getPersistedSnapshot`, then `JSON.stringify`) stores the
 * roster as its JSON form, a plain list; restoring turns that list back into a roster,
 * checked like an event's list, so the chart alone survives a JSON round trip.
 */
function withRevivedRoster<S extends Snapshot<unknown>>(snapshot: S): S {
  const context = (snapshot as { context?: CallSessionContext }).context;
  if (!context || context.roster instanceof ParticipantRoster) return snapshot;
  const list = checkParticipantList(context.roster, 'context.roster');
  const { idleSettings, reconnectSettings } = context as Partial<CallSessionContext>;
  return {
    ...snapshot,
    context: {
      ...context,
      settings: checkSettings(context.settings),
      roster: ParticipantRoster.fromList(list),
      // Absent from snapshots saved before these fields existed.
      idleSettings: idleSettings == null ? null : checkSettings(idleSettings),
      reconnectSettings: reconnectSettings == null ? null : checkSettings(reconnectSettings),
    },
  };
}

/**
 * The call-session statechart of SPEC §2, for `createActor`, inspectors and graph tools;
 * `createCallSession` wraps it with listener callbacks.
 *
 * Top-level states: `idle`, `joining`, `joined` (substates `alone`, `accompanied`),
 * `reconnecting`, and the final `left`, `timedOut`, `closed`. Its timers are the delays
 * `idleTimeoutPeriod`, `idleWarningPeriod` (a warning that changes no state) and
 * `reconnectTimeoutPeriod`, computed from absolute deadlines in the context (see
 * docs/semantics.md for why) and never longer than their period. The input is optional (`createActor(callSessionMachine)` runs on the default
 * settings) and checked: a bad setting fails the actor with a `TypeError` or
 * `RangeError`. A snapshot from `getPersistedSnapshot()` survives `JSON.stringify`.
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
export const callSessionMachine = restoringThrough(chart, withRevivedRoster);
