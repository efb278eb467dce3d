// Ending calls in which someone was left alone too long, from any number of processes on
// one Redis: each process runs this, receives some of the webhooks, and fires some of
// the deadlines. `REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/durable/aloneTooLong.ts`
import { SessionSettingsBuilder } from 'call-session-machine';
import { createDurableFleet } from 'call-session-machine/durable';

const fleet = await createDurableFleet({
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(120).setIdleWarningPeriod(30).build(),
});
fleet.addSessionStatusListener({
  // Runs once, in the process that stored the timeout: end the room here.
  onSessionTimedOut: (room) => console.log(`${room}: alone for 120 s, ending the call`),
  onIdleTimeoutWarning: (room, secondsLeft) => console.log(`${room}: ${secondsLeft} s left`),
});

/** What a webhook receiver does with "the host joined room X" (the room may be new). */
export async function hostJoined(room: string): Promise<void> {
  await fleet.add(room).catch((error: unknown) => {
    if (!(error instanceof RangeError)) throw error; // RangeError: another process added it
  });
  await fleet.join(room);
  const { session } = await fleet.send(room, { type: 'session.joined' });
  console.log(`${room}: ${session.state}, deadline ${session.idleDeadline}`); // a BullMQ job now
}

process.once('SIGTERM', () => void fleet.close());
