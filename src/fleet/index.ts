/**
 * Many call sessions in one process, for servers: a million sessions on the same
 * `callSessionMachine`, each a snapshot moved on by the machine's pure transition, with
 * every deadline in one timer heap behind one real timer (docs/scaling.md). The
 * callbacks are a `CallSession`'s, with the session id first.
 *
 * @example
 * ```ts
 * import { createCallSessionFleet } from 'call-session-machine/fleet';
 *
 * const fleet = createCallSessionFleet();
 * fleet.addSessionStatusListener({ onSessionTimedOut: (room) => console.log(`${room}: alone too long`) });
 * fleet.add('room-42');
 * fleet.join('room-42');
 * fleet.send('room-42', { type: 'session.joined' }); // alone: the 300 s idle countdown starts
 * ```
 *
 * @module call-session-machine/fleet
 */
export {
  CallSessionFleet,
  createCallSessionFleet,
  type CallSessionFleetOptions,
  type FleetParticipantListener,
  type FleetSessionOptions,
  type FleetStatusListener,
  type PersistedCallSessionFleet,
} from './fleet.js';
export type { WithId } from '../core/listeners.js';
