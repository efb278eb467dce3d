import { SimulatedClock } from 'xstate';
import { createCallSessionFleet, type CallSessionFleet, type CallSessionFleetOptions } from '../../src/fleet/index.js';
import type { FleetParticipantListener, FleetStatusListener } from '../../src/fleet/index.js';
import { SessionSettingsBuilder, type SessionSettings } from '../../src/index.js';
import { CountingClock } from '../support/countingClock.js';

// Fleets and logging listeners shared by the fleet tests.

export const SECOND = 1_000;

/** 10 s idle timeout, 30 s reconnect bound, no warning (as test/support/listenerLogs.ts). */
export const TEST_SETTINGS: SessionSettings = new SessionSettingsBuilder()
  .setIdleTimeoutPeriod(10)
  .setReconnectTimeoutPeriod(30)
  .build();

export function settingsOf(idle: number, reconnect: number, warning = 0): SessionSettings {
  return new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(idle)
    .setReconnectTimeoutPeriod(reconnect)
    .setIdleWarningPeriod(warning)
    .build();
}

/** A fleet on a counting SimulatedClock (which also tells how many real timers are pending). */
export function newFleet(options: Omit<CallSessionFleetOptions, 'clock'> = {}): {
  fleet: CallSessionFleet;
  clock: CountingClock;
} {
  const clock = new CountingClock(new SimulatedClock());
  return { fleet: createCallSessionFleet({ settings: TEST_SETTINGS, ...options, clock }), clock };
}

/** Moves `clock` on by `ms` in steps of at most a second, as test/oracleRun.ts does. */
export function advance(clock: CountingClock, ms: number): void {
  for (let left = ms; left > 0; left -= 1000) clock.increment(Math.min(1000, left));
}

/** Adds `id`, joins it and reports it joined (alone, or with `participants`). */
export function joinedSession(fleet: CallSessionFleet, id: string, participants?: { uid: string }[]): void {
  fleet.add(id);
  fleet.join(id);
  fleet.send(id, participants ? { type: 'session.joined', participants } : { type: 'session.joined' });
}

export const alice = { uid: 'alice' };
export const bob = { uid: 'bob' };

/** A fleet status listener logging `name:callback:id` (and secondsLeft for the warning). */
export function statusLogger(name: string, log: string[]): FleetStatusListener {
  return {
    onSessionJoined: (id) => log.push(`${name}:onSessionJoined:${id}`),
    onSessionLeft: (id) => log.push(`${name}:onSessionLeft:${id}`),
    onSessionTimedOut: (id) => log.push(`${name}:onSessionTimedOut:${id}`),
    onConnectionLost: (id) => log.push(`${name}:onConnectionLost:${id}`),
    onConnectionRestored: (id) => log.push(`${name}:onConnectionRestored:${id}`),
    onConnectionClosed: (id) => log.push(`${name}:onConnectionClosed:${id}`),
    onIdleTimeoutWarning: (id, secondsLeft) => log.push(`${name}:onIdleTimeoutWarning:${id}:${secondsLeft}`),
  };
}

/** A fleet participant listener logging `name:callback:id:who`. */
export function participantLogger(name: string, log: string[]): FleetParticipantListener {
  return {
    onParticipantJoined: (id, p) => log.push(`${name}:onParticipantJoined:${id}:${p.uid ?? p.pid}`),
    onParticipantLeft: (id, p) => log.push(`${name}:onParticipantLeft:${id}:${p.uid ?? p.pid}`),
    onParticipantListChanged: (id, list) => log.push(`${name}:onParticipantListChanged:${id}:${list.length}`),
  };
}
