// @vitest-environment happy-dom
// Binding late or again (issue 16, fault 5), Daily: a session bound again to a real
// daily-js call object is brought in step with it — who came and went while nobody
// listened, and a call object that has left the meeting ends the session. The call
// machine's messages still reach daily-js while unbound, so call.participants() and
// meetingState() are daily-js's own record of what happened.
import { describe, expect, test } from 'vitest';
import { bindDailyCall } from 'call-session-machine/daily';
import { recordedSession } from '../support/bindingSession.js';
import { createDailyCall, dailyParticipant, participantsObject, settle, spyOnLeave } from '../support/dailyCall.js';
import { pendingTimers } from '../support/status.js';

const ana = dailyParticipant('ana-session', 'Ana', 'ana');
const bo = dailyParticipant('bo-session', 'Bo', 'bo');
const cy = dailyParticipant('cy-session', 'Cy', 'cy');

async function dailyCall(remotes: ReturnType<typeof dailyParticipant>[]) {
  const { call, machine } = await createDailyCall();
  const leave = spyOnLeave(call);
  const recorded = recordedSession({ idle: 30 });
  const unbind = bindDailyCall(call, recorded.session);
  const joined = call.join({ url: 'https://example.daily.co/standup' });
  await settle();
  machine.send({ action: 'joined-meeting', participants: participantsObject(remotes) });
  await joined;
  recorded.status.length = 0;
  recorded.people.length = 0;
  return { call, machine, leave, unbind, ...recorded };
}

describe('Daily: bound again to a joined session (fault 5)', () => {
  test('people who came and went while unbound: the session lists who is there, with a callback for each change', async () => {
    const { call, machine, session, people, status, unbind } = await dailyCall([ana, bo]);
    unbind();
    machine.send({ action: 'participant-joined', participant: cy });
    machine.send({ action: 'participant-left', participant: ana });
    expect(Object.keys(call.participants()).sort()).toEqual(['bo-session', 'cy-session', 'local']);
    bindDailyCall(call, session);
    expect(session.participants.map((p) => p.pid)).toEqual(['bo-session', 'cy-session']);
    expect(people).toEqual(['left:ana-session', 'list:bo-session', 'joined:cy-session', 'list:bo-session,cy-session']);
    expect(status).toEqual([]);
    await call.destroy();
  });

  test('the call ended while unbound (error, then left-meeting): the session is closed at bind, and leave() is not called', async () => {
    const { call, machine, session, status, leave, unbind } = await dailyCall([ana]);
    unbind();
    // The app's own handler: daily-js emits `error` on an EventEmitter, which throws without one.
    call.on('error', () => {});
    machine.send({ action: 'error', errorMsg: 'exp-room', error: { type: 'exp-room', msg: 'Meeting has ended' } });
    machine.send({ action: 'left-meeting' });
    expect(call.meetingState()).toBe('error');
    bindDailyCall(call, session);
    expect(session.state).toBe('closed');
    expect(status).toEqual(['onConnectionClosed@closed']);
    await settle();
    expect(leave.calls).toBe(0);
    expect(pendingTimers(session)).toEqual([]);
  });
});
