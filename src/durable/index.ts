/**
 * Call sessions whose snapshots and deadlines live in Redis, shared by any number of
 * processes (SPEC §11, docs/durable.md): each session is its persisted snapshot with a
 * version, updated by compare-and-set; each running deadline is a BullMQ delayed job,
 * re-checked against the stored session when it comes due. `bullmq` and `ioredis` are
 * optional peers, imported when a fleet is created.
 *
 * @example
 * ```ts
 * import { createDurableFleet } from 'call-session-machine/durable';
 *
 * const fleet = await createDurableFleet({ connection: 'redis://127.0.0.1:6379' });
 * fleet.addSessionStatusListener({ onSessionTimedOut: (room) => console.log(`${room}: alone too long`) });
 * await fleet.add('room-42');
 * await fleet.join('room-42');
 * await fleet.send('room-42', { type: 'session.joined' }); // alone: the 300 s countdown is a BullMQ job
 * ```
 *
 * @module call-session-machine/durable
 */
export {
  createDurableFleet,
  DurableCallSessionFleet,
  type DurableFleetOptions,
  type DurableRedisOptions,
  type DurableSendResult,
  type DurableSession,
  type DurableSessionOptions,
} from './durableFleet.js';
export type { FleetParticipantListener, FleetStatusListener } from '../fleet/fleet.js';
