import { SimulatedClock } from 'xstate';
import { createCallSession, SessionSettingsBuilder, type CallSession, type Participant } from '../../src/index.js';
import { recordStatus } from './status.js';

/** A session on a simulated clock, with its status callbacks and participant callbacks recorded. */
export interface RecordedSession {
  readonly session: CallSession;
  readonly clock: SimulatedClock;
  /** `name@state` for each status callback (see `recordStatus`). */
  readonly status: string[];
  /** `joined:<key>`, `left:<key>`, `list:<key>,<key>` for each participant callback. */
  readonly people: string[];
  /** Moves the clock `seconds` forward in 1000 ms steps. */
  advance(seconds: number): void;
}

/** The identity the session keys a participant by (SPEC §2): `pid` when present, else `uid`. */
export function keyOf(participant: Participant): string {
  return participant.pid ?? participant.uid ?? '?';
}

export function recordedSession(periods: { idle?: number; reconnect?: number } = {}): RecordedSession {
  const clock = new SimulatedClock();
  const builder = new SessionSettingsBuilder();
  if (periods.idle !== undefined) builder.setIdleTimeoutPeriod(periods.idle);
  if (periods.reconnect !== undefined) builder.setReconnectTimeoutPeriod(periods.reconnect);
  const session = createCallSession({ clock, settings: builder.build() });
  const status = recordStatus(session);
  const people: string[] = [];
  session.addParticipantEventListener({
    onParticipantJoined: (participant) => people.push(`joined:${keyOf(participant)}`),
    onParticipantLeft: (participant) => people.push(`left:${keyOf(participant)}`),
    onParticipantListChanged: (list) => people.push(`list:${list.map(keyOf).join(',')}`),
  });
  return {
    session,
    clock,
    status,
    people,
    advance(seconds) {
      for (let i = 0; i < seconds; i++) clock.increment(1000);
    },
  };
}
