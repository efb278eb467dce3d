// The idle warning's tie rule 2 (docs/semantics.md, "The idle warning and Stay") on
// Node's own timers, which SimulatedClock does not model: Node runs a 0 ms timeout after
// 1 ms, so a warning set 1 ms after a countdown that has run out would come due with it.
import { afterEach, expect, test } from 'vitest';
import { createCallSession, SessionSettingsBuilder, type CallSession } from '../src/index.js';
import { restoreCallSession } from '../src/persistence/restore.js';

const sessions: CallSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(2).setIdleWarningPeriod(1).build();

function storedAlone(idleDeadlineFromNow: number) {
  const original = createCallSession({ settings });
  original.join('stored');
  original.send({ type: 'session.joined' });
  const snapshot = { ...original.getPersistedSnapshot(), idleDeadline: Date.now() + idleDeadlineFromNow };
  original.dispose();
  return snapshot;
}

function restoredWithLog(snapshot: ReturnType<typeof storedAlone>) {
  const log: string[] = [];
  const session = restoreCallSession(snapshot);
  sessions.push(session);
  session.addSessionStatusListener({
    onIdleTimeoutWarning: (secondsLeft) => log.push(`warning ${secondsLeft}`),
    onSessionTimedOut: () => log.push('timedOut'),
  });
  return { session, log };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 40));

test.each([
  ['passed 500 ms ago', -500],
  ['passing right now', 0],
  ['1 ms away', 1],
])('a countdown restored with its idle deadline %s times out without a warning', async (_, fromNow) => {
  const { session, log } = restoredWithLog(storedAlone(fromNow));
  await settle();
  expect(session.state).toBe('timedOut');
  expect(log).toEqual(['timedOut']);
});

test('a countdown restored with less than the warning period left warns at once, then times out', async () => {
  const { session, log } = restoredWithLog(storedAlone(300));
  await settle();
  expect(log).toEqual(['warning 1']);
  expect(session.state).toBe('joined.alone');
  await new Promise((resolve) => setTimeout(resolve, 320));
  expect(log).toEqual(['warning 1', 'timedOut']);
});
