import { SimulatedClock } from 'xstate';
import { describe, expect, test } from 'vitest';
import {
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type CallSessionEvent,
  type Participant,
} from '../src/index.js';

// Participants (SPEC §2 "Participants", §3 participant lists): identity, local
// participants, duplicates, unknown leaves, callback order, frozen lists, resyncs.

/** How a participant shows in the log: its identity, plus its name when it has one. */
function label(participant: Participant): string {
  const id = participant.pid !== undefined ? `pid:${participant.pid}` : `uid:${participant.uid ?? '?'}`;
  return participant.name === undefined ? id : `${id}(${participant.name})`;
}

/** Records every status and participant callback, in order, into one log. */
function record(session: CallSession, log: string[] = []): string[] {
  session.addSessionStatusListener({
    onSessionJoined: () => log.push('onSessionJoined'),
    onSessionLeft: () => log.push('onSessionLeft'),
    onSessionTimedOut: () => log.push('onSessionTimedOut'),
    onConnectionLost: () => log.push('onConnectionLost'),
    onConnectionRestored: () => log.push('onConnectionRestored'),
    onConnectionClosed: () => log.push('onConnectionClosed'),
  });
  session.addParticipantEventListener({
    onParticipantJoined: (p) => log.push(`joined ${label(p)}`),
    onParticipantLeft: (p) => log.push(`left ${label(p)}`),
    onParticipantListChanged: (list) => log.push(`list [${list.map(label).join(', ')}]`),
  });
  return log;
}

function newSession(): { session: CallSession; clock: SimulatedClock } {
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(10).setReconnectTimeoutPeriod(30).build();
  return { session: createCallSession({ settings, clock }), clock };
}

/** A session in `joined.*`, with the given initial list, and a log started after joining. */
function joinedSession(participants?: readonly Participant[]): {
  session: CallSession;
  clock: SimulatedClock;
  log: string[];
} {
  const { session, clock } = newSession();
  session.join('s1');
  session.send(participants === undefined ? { type: 'session.joined' } : { type: 'session.joined', participants });
  return { session, clock, log: record(session) };
}

const alice: Participant = { uid: 'alice', name: 'Alice' };
const bob: Participant = { uid: 'bob', name: 'Bob' };
const carol: Participant = { uid: 'carol', name: 'Carol' };
const me: Participant = { uid: 'me', name: 'Me', isLocal: true };

const joinedEvent = (participant: Participant): CallSessionEvent => ({ type: 'participant.joined', participant });
const leftEvent = (participant: Participant): CallSessionEvent => ({ type: 'participant.left', participant });

describe('identity: pid when present, else uid', () => {
  test('a pid-carrying participant is matched by pid even if its uid differs', () => {
    const { session, log } = joinedSession();
    session.send(joinedEvent({ uid: 'u1', pid: 'p1', name: 'Phone' }));
    session.send(joinedEvent({ uid: 'u2', pid: 'p1', name: 'Renamed' }));
    expect(session.participants).toEqual([{ uid: 'u2', pid: 'p1', name: 'Renamed' }]);
    expect(log).toEqual(['joined pid:p1(Phone)', 'list [pid:p1(Phone)]', 'list [pid:p1(Renamed)]']);

    log.length = 0;
    session.send(leftEvent({ uid: 'someone-else', pid: 'p1' }));
    expect(session.participants).toEqual([]);
    expect(session.state).toBe('joined.alone');
    expect(log).toEqual(['left pid:p1(Renamed)', 'list []']);
  });

  test('a uid-only participant is matched by uid', () => {
    const { session, log } = joinedSession();
    session.send(joinedEvent({ uid: 'u1', name: 'One' }));
    session.send(leftEvent({ uid: 'u1' }));
    expect(session.participants).toEqual([]);
    expect(session.state).toBe('joined.alone');
    expect(log).toEqual(['joined uid:u1(One)', 'list [uid:u1(One)]', 'left uid:u1(One)', 'list []']);
  });

  test('leaving with the same uid but no pid does not remove a participant that joined with a pid', () => {
    const { session, log } = joinedSession();
    session.send(joinedEvent({ uid: 'u1', pid: 'p1' }));
    const before = session.participants;
    log.length = 0;
    expect(session.can(leftEvent({ uid: 'u1' }))).toBe(false);
    session.send(leftEvent({ uid: 'u1' }));
    expect(session.participants).toBe(before);
    expect(session.participants).toEqual([{ uid: 'u1', pid: 'p1' }]);
    expect(session.state).toBe('joined.accompanied');
    expect(log).toEqual([]);
  });

  test('one user on two devices (two pids, one uid) is two participants', () => {
    const { session } = joinedSession();
    session.send(joinedEvent({ uid: 'u1', pid: 'phone' }));
    session.send(joinedEvent({ uid: 'u1', pid: 'laptop' }));
    expect(session.participants.map((p) => p.pid)).toEqual(['phone', 'laptop']);
    session.send(leftEvent({ uid: 'u1', pid: 'phone' }));
    expect(session.participants.map((p) => p.pid)).toEqual(['laptop']);
    expect(session.state).toBe('joined.accompanied');
  });

  test('pid "x" and uid "x" are different identities', () => {
    const { session } = joinedSession();
    session.send(joinedEvent({ pid: 'x', name: 'by pid' }));
    session.send(joinedEvent({ uid: 'x', name: 'by uid' }));
    expect(session.participants).toEqual([
      { pid: 'x', name: 'by pid' },
      { uid: 'x', name: 'by uid' },
    ]);
    session.send(leftEvent({ uid: 'x' }));
    expect(session.participants).toEqual([{ pid: 'x', name: 'by pid' }]);
    expect(session.state).toBe('joined.accompanied');
  });
});

describe('local participants are never listed and never counted', () => {
  test('session.joined with only the local participant: alone, no participant callback', () => {
    const { session } = newSession();
    const log = record(session);
    session.join('s1');
    session.send({ type: 'session.joined', participants: [me] });
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    expect(log).toEqual(['onSessionJoined']);
  });

  test('session.joined with the local and a remote participant lists only the remote one', () => {
    const { session } = newSession();
    const log = record(session);
    session.join('s1');
    session.send({ type: 'session.joined', participants: [me, alice] });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([alice]);
    expect(log).toEqual(['onSessionJoined', 'joined uid:alice(Alice)', 'list [uid:alice(Alice)]']);
  });

  test('participant.joined of a local participant is ignored: alone stays alone, the idle countdown runs on', () => {
    const { session, clock, log } = joinedSession();
    clock.increment(4_000);
    expect(session.can(joinedEvent(me))).toBe(false);
    const before = session.participants;
    session.send(joinedEvent(me));
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toBe(before);
    expect(log).toEqual([]);
    // The countdown started at join (10 s) was neither stopped nor restarted.
    clock.increment(5_999);
    expect(session.state).toBe('joined.alone');
    clock.increment(1);
    expect(session.state).toBe('timedOut');
    expect(log).toEqual(['onSessionTimedOut']);
  });

  test('participant.joined of a local participant while accompanied changes nothing', () => {
    const { session, log } = joinedSession([alice]);
    const before = session.participants;
    session.send(joinedEvent(me));
    expect(session.participants).toBe(before);
    expect(session.state).toBe('joined.accompanied');
    expect(log).toEqual([]);
  });

  test('a resync holding only the local participant leaves the session alone', () => {
    const { session, log } = joinedSession([alice]);
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored', participants: [me] });
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    expect(log).toEqual(['onConnectionLost', 'onConnectionRestored', 'left uid:alice(Alice)', 'list []']);
  });

  test('a resync with the local and remote participants lists only the remote ones', () => {
    const { session, log } = joinedSession();
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored', participants: [bob, me] });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([bob]);
    expect(log).toEqual(['onConnectionLost', 'onConnectionRestored', 'joined uid:bob(Bob)', 'list [uid:bob(Bob)]']);
  });
});

describe('joining twice with one identity is an update', () => {
  test('counts once; the second time only onParticipantListChanged fires', () => {
    const { session, log } = joinedSession();
    session.send(joinedEvent(alice));
    session.send(joinedEvent(alice));
    expect(session.participants).toHaveLength(1);
    expect(log).toEqual(['joined uid:alice(Alice)', 'list [uid:alice(Alice)]', 'list [uid:alice(Alice)]']);
    // Counted once: one leave makes the session alone.
    session.send(leftEvent(alice));
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
  });

  test('the entry is replaced in place, keeping its position', () => {
    const { session, log } = joinedSession([alice, bob, carol]);
    const before = session.participants;
    session.send(joinedEvent({ uid: 'bob', name: 'Robert', avatar: 'bob.png' }));
    expect(session.participants).not.toBe(before);
    expect(session.participants).toEqual([alice, { uid: 'bob', name: 'Robert', avatar: 'bob.png' }, carol]);
    expect(session.state).toBe('joined.accompanied');
    expect(log).toEqual(['list [uid:alice(Alice), uid:bob(Robert), uid:carol(Carol)]']);
    // The old list is untouched.
    expect(before).toEqual([alice, bob, carol]);
  });

  test('an update with identical fields still gives a new frozen list', () => {
    const { session } = joinedSession([alice]);
    const lists: (readonly Participant[])[] = [];
    session.addParticipantEventListener({ onParticipantListChanged: (list) => lists.push(list) });
    const before = session.participants;
    session.send(joinedEvent({ ...alice }));
    expect(lists).toHaveLength(1);
    expect(lists[0]).not.toBe(before);
    expect(lists[0]).toBe(session.participants);
    expect(Object.isFrozen(lists[0])).toBe(true);
    expect(session.participants).toEqual([alice]);
  });

  test('a repeated identity inside the initial list is counted once', () => {
    const { session } = newSession();
    const log = record(session);
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice, { uid: 'alice', name: 'Alice 2' }] });
    expect(session.participants).toHaveLength(1);
    expect(session.participants[0]?.uid).toBe('alice');
    expect(log.filter((line) => line.startsWith('joined '))).toHaveLength(1);
    expect(log.filter((line) => line.startsWith('list '))).toHaveLength(1);
  });
});

describe('a participant.left for someone not present is ignored', () => {
  test('while accompanied: no callback, same state, same array, can() false', () => {
    const { session, log } = joinedSession([alice]);
    const before = session.participants;
    expect(session.can(leftEvent(bob))).toBe(false);
    session.send(leftEvent(bob));
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toBe(before);
    expect(log).toEqual([]);
  });

  test('while alone: no callback, the idle countdown is not restarted', () => {
    const { session, clock, log } = joinedSession();
    const before = session.participants;
    clock.increment(6_000);
    expect(session.can(leftEvent(bob))).toBe(false);
    session.send(leftEvent(bob));
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toBe(before);
    expect(log).toEqual([]);
    clock.increment(4_000);
    expect(session.state).toBe('timedOut');
  });

  test('someone who already left cannot leave again', () => {
    const { session, log } = joinedSession([alice, bob]);
    session.send(leftEvent(alice));
    log.length = 0;
    const before = session.participants;
    expect(session.can(leftEvent(alice))).toBe(false);
    session.send(leftEvent(alice));
    expect(session.participants).toBe(before);
    expect(session.state).toBe('joined.accompanied');
    expect(log).toEqual([]);
  });
});

describe('session.joined with an initial list', () => {
  test('goes to joined.accompanied; onSessionJoined, each onParticipantJoined in list order, then one list change', () => {
    const { session } = newSession();
    const log = record(session);
    const states: string[] = [];
    session.addParticipantEventListener({ onParticipantJoined: () => states.push(session.state) });
    session.join('s1');
    expect(log).toEqual([]);
    session.send({ type: 'session.joined', participants: [carol, alice, bob] });
    expect(session.state).toBe('joined.accompanied');
    expect(log).toEqual([
      'onSessionJoined',
      'joined uid:carol(Carol)',
      'joined uid:alice(Alice)',
      'joined uid:bob(Bob)',
      'list [uid:carol(Carol), uid:alice(Alice), uid:bob(Bob)]',
    ]);
    // Inside callbacks the state is already the new one.
    expect(states).toEqual(['joined.accompanied', 'joined.accompanied', 'joined.accompanied']);
  });

  test('the list given to onParticipantListChanged is session.participants', () => {
    const { session } = newSession();
    const lists: (readonly Participant[])[] = [];
    session.addParticipantEventListener({ onParticipantListChanged: (list) => lists.push(list) });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    expect(lists).toHaveLength(1);
    expect(lists[0]).toBe(session.participants);
  });

  test('an empty initial list fires no participant callback', () => {
    const { session } = newSession();
    const log = record(session);
    const before = session.participants;
    session.join('s1');
    session.send({ type: 'session.joined', participants: [] });
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toBe(before);
    expect(log).toEqual(['onSessionJoined']);
  });
});

describe('participants joining and leaving', () => {
  test('a remote participant joining makes the session accompanied', () => {
    const { session, log } = joinedSession();
    expect(session.state).toBe('joined.alone');
    session.send(joinedEvent(alice));
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([alice]);
    expect(log).toEqual(['joined uid:alice(Alice)', 'list [uid:alice(Alice)]']);
  });

  test('the last remote participant leaving makes the session alone', () => {
    const { session, log } = joinedSession([alice]);
    session.send(leftEvent(alice));
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    expect(log).toEqual(['left uid:alice(Alice)', 'list []']);
  });

  test('a participant leaving while others remain keeps the session accompanied', () => {
    const { session, log } = joinedSession([alice, bob]);
    session.send(leftEvent(alice));
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([bob]);
    expect(log).toEqual(['left uid:alice(Alice)', 'list [uid:bob(Bob)]']);
  });

  test('the participant given to onParticipantLeft is the listed entry, not the leave payload', () => {
    const { session } = joinedSession([alice]);
    const left: Participant[] = [];
    session.addParticipantEventListener({ onParticipantLeft: (p) => left.push(p) });
    session.send(leftEvent({ uid: 'alice' }));
    expect(left).toEqual([alice]);
  });

  test('participants are listed in arrival order', () => {
    const { session } = joinedSession([bob]);
    session.send(joinedEvent(carol));
    session.send(joinedEvent(alice));
    session.send(leftEvent(carol));
    session.send(joinedEvent(carol));
    expect(session.participants.map((p) => p.uid)).toEqual(['bob', 'alice', 'carol']);
  });

  test('participant events while reconnecting are ignored', () => {
    const { session, log } = joinedSession([alice]);
    session.send({ type: 'connection.lost' });
    log.length = 0;
    const before = session.participants;
    expect(session.can(joinedEvent(bob))).toBe(false);
    expect(session.can(leftEvent(alice))).toBe(false);
    session.send(joinedEvent(bob));
    session.send(leftEvent(alice));
    expect(session.state).toBe('reconnecting');
    expect(session.participants).toBe(before);
    expect(log).toEqual([]);
  });
});

describe('callback order for one event', () => {
  test('status listeners first, then per change every participant listener, then the list change to each', () => {
    const { session } = newSession();
    const log: string[] = [];
    session.addSessionStatusListener({ onSessionJoined: () => log.push('S1 onSessionJoined') });
    session.addParticipantEventListener({
      onParticipantJoined: (p) => log.push(`P1 joined ${label(p)}`),
      onParticipantListChanged: (list) => log.push(`P1 list ${list.length}`),
    });
    session.addSessionStatusListener({ onSessionJoined: () => log.push('S2 onSessionJoined') });
    session.addParticipantEventListener({
      onParticipantJoined: (p) => log.push(`P2 joined ${label(p)}`),
      onParticipantListChanged: (list) => log.push(`P2 list ${list.length}`),
    });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice, bob] });
    expect(log).toEqual([
      'S1 onSessionJoined',
      'S2 onSessionJoined',
      'P1 joined uid:alice(Alice)',
      'P2 joined uid:alice(Alice)',
      'P1 joined uid:bob(Bob)',
      'P2 joined uid:bob(Bob)',
      'P1 list 2',
      'P2 list 2',
    ]);
  });

  test('a resync: onConnectionRestored, then joined ones, then left ones, then one list change', () => {
    const { session } = joinedSession([alice, bob]);
    const log: string[] = [];
    session.addParticipantEventListener({
      onParticipantJoined: (p) => log.push(`P1 joined ${label(p)}`),
      onParticipantLeft: (p) => log.push(`P1 left ${label(p)}`),
      onParticipantListChanged: (list) => log.push(`P1 list [${list.map(label).join(', ')}]`),
    });
    session.addSessionStatusListener({
      onConnectionLost: () => log.push('S onConnectionLost'),
      onConnectionRestored: () => log.push(`S onConnectionRestored in ${session.state}`),
    });
    session.addParticipantEventListener({
      onParticipantJoined: (p) => log.push(`P2 joined ${label(p)}`),
      onParticipantLeft: (p) => log.push(`P2 left ${label(p)}`),
      onParticipantListChanged: (list) => log.push(`P2 list [${list.map(label).join(', ')}]`),
    });
    session.send({ type: 'connection.lost' });
    const dave: Participant = { pid: 'dave-1', name: 'Dave' };
    session.send({ type: 'connection.restored', participants: [carol, bob, dave] });
    expect(log).toEqual([
      'S onConnectionLost',
      'S onConnectionRestored in joined.accompanied',
      'P1 joined uid:carol(Carol)',
      'P2 joined uid:carol(Carol)',
      'P1 joined pid:dave-1(Dave)',
      'P2 joined pid:dave-1(Dave)',
      'P1 left uid:alice(Alice)',
      'P2 left uid:alice(Alice)',
      'P1 list [uid:bob(Bob), uid:carol(Carol), pid:dave-1(Dave)]',
      'P2 list [uid:bob(Bob), uid:carol(Carol), pid:dave-1(Dave)]',
    ]);
  });
});

describe('participant lists are frozen and compared by identity', () => {
  test('session.participants is frozen, also when empty', () => {
    const { session } = newSession();
    expect(Object.isFrozen(session.participants)).toBe(true);
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    expect(Object.isFrozen(session.participants)).toBe(true);
    expect(() => (session.participants as Participant[]).push(bob)).toThrow(TypeError);
    expect(session.participants).toEqual([alice]);
  });

  test('the same array between events that do not change it', () => {
    const { session, clock } = joinedSession([alice]);
    const list = session.participants;
    expect(session.participants).toBe(list);
    session.send({ type: 'connection.lost' });
    expect(session.participants).toBe(list);
    clock.increment(1_000);
    session.send({ type: 'connection.restored' });
    expect(session.participants).toBe(list);
    session.send({ type: 'session.joined' }); // not accepted while joined
    session.send(leftEvent(bob)); // not present
    expect(session.participants).toBe(list);
  });

  test('a new array when the list changes, the old one untouched', () => {
    const { session } = joinedSession([alice]);
    const first = session.participants;
    session.send(joinedEvent(bob));
    const second = session.participants;
    expect(second).not.toBe(first);
    expect(first).toEqual([alice]);
    expect(second).toEqual([alice, bob]);
    session.send(leftEvent(alice));
    expect(session.participants).not.toBe(second);
    expect(second).toEqual([alice, bob]);
    expect(Object.isFrozen(session.participants)).toBe(true);
  });

  test('the list given to onParticipantListChanged is the frozen session.participants of that moment', () => {
    const { session } = joinedSession();
    const seen: { list: readonly Participant[]; current: readonly Participant[] }[] = [];
    session.addParticipantEventListener({
      onParticipantListChanged: (list) => seen.push({ list, current: session.participants }),
    });
    session.send(joinedEvent(alice));
    session.send(joinedEvent(bob));
    session.send(leftEvent(alice));
    expect(seen).toHaveLength(3);
    for (const { list, current } of seen) {
      expect(list).toBe(current);
      expect(Object.isFrozen(list)).toBe(true);
    }
    expect(seen[2]?.list).toBe(session.participants);
    expect(new Set(seen.map(({ list }) => list)).size).toBe(3);
  });

  test('participant objects are frozen copies: mutating the original after sending changes nothing', () => {
    const { session } = joinedSession();
    const original: { uid: string; name: string; avatar?: string } = { uid: 'zed', name: 'Zed' };
    let given: Participant | undefined;
    session.addParticipantEventListener({ onParticipantJoined: (p) => (given = p) });
    session.send({ type: 'participant.joined', participant: original });
    original.name = 'Mutated';
    original.avatar = 'evil.png';
    expect(session.participants).toEqual([{ uid: 'zed', name: 'Zed' }]);
    expect(session.participants[0]).not.toBe(original);
    expect(Object.isFrozen(session.participants[0])).toBe(true);
    expect(given).toEqual({ uid: 'zed', name: 'Zed' });
    expect(Object.isFrozen(given)).toBe(true);
  });

  test('an initial list is copied too: mutating the caller array or its objects changes nothing', () => {
    const { session } = newSession();
    session.join('s1');
    const person: { uid: string; name: string } = { uid: 'amy', name: 'Amy' };
    const list: Participant[] = [person];
    session.send({ type: 'session.joined', participants: list });
    list.push(bob);
    person.name = 'Changed';
    expect(session.participants).not.toBe(list);
    expect(session.participants).toEqual([{ uid: 'amy', name: 'Amy' }]);
  });
});

describe('resync (connection.restored with participants)', () => {
  test('fires joined for the new, left for the missing, and one list change', () => {
    const { session, log } = joinedSession([alice, bob]);
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored', participants: [bob, carol] });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toEqual([bob, carol]);
    expect(log).toEqual([
      'onConnectionLost',
      'onConnectionRestored',
      'joined uid:carol(Carol)',
      'left uid:alice(Alice)',
      'list [uid:bob(Bob), uid:carol(Carol)]',
    ]);
  });

  test('an identical list fires nothing participant-related and keeps the same array', () => {
    const { session, log } = joinedSession([alice, bob]);
    const before = session.participants;
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored', participants: [{ ...alice }, { ...bob }] });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants).toBe(before);
    expect(log).toEqual(['onConnectionLost', 'onConnectionRestored']);
  });

  test('a list in another order is the same list: nothing participant-related, arrival order kept', () => {
    const { session, log } = joinedSession([alice, bob]);
    const before = session.participants;
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored', participants: [bob, alice] });
    expect(session.participants).toBe(before);
    expect(session.participants).toEqual([alice, bob]);
    expect(log).toEqual(['onConnectionLost', 'onConnectionRestored']);
  });

  test('an empty list while accompanied: everyone leaves, the session is alone', () => {
    const { session, log } = joinedSession([alice, bob]);
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored', participants: [] });
    expect(session.state).toBe('joined.alone');
    expect(session.participants).toEqual([]);
    expect(log).toEqual([
      'onConnectionLost',
      'onConnectionRestored',
      'left uid:alice(Alice)',
      'left uid:bob(Bob)',
      'list []',
    ]);
  });

  test('a changed name for someone present: only the list change fires, position kept', () => {
    const { session, log } = joinedSession([alice, bob]);
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored', participants: [{ uid: 'alice', name: 'Alicia' }, bob] });
    expect(log).toEqual(['onConnectionLost', 'onConnectionRestored', 'list [uid:alice(Alicia), uid:bob(Bob)]']);
  });

  test('connection.restored without a list fires no participant callback', () => {
    const { session, log } = joinedSession([alice]);
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored' });
    expect(session.state).toBe('joined.accompanied');
    expect(log).toEqual(['onConnectionLost', 'onConnectionRestored']);
  });
});

describe('no participant callbacks on entering a final state', () => {
  test.each([
    ['leave', { type: 'session.leave' }, 'left', 'onSessionLeft'],
    ['removed', { type: 'session.removed' }, 'left', 'onSessionLeft'],
    ['connection.closed', { type: 'connection.closed' }, 'closed', 'onConnectionClosed'],
  ] as const)('%s with participants present', (_name, event, finalState, callback) => {
    const { session, log } = joinedSession([alice, bob]);
    session.send(event);
    expect(session.state).toBe(finalState);
    expect(log).toEqual([callback]);
  });

  test('the reconnect bound expiring with participants present', () => {
    const { session, clock, log } = joinedSession([alice]);
    session.send({ type: 'connection.lost' });
    clock.increment(30_000);
    expect(session.state).toBe('closed');
    expect(log).toEqual(['onConnectionLost', 'onConnectionClosed']);
  });

  test('after a final state, participant events are ignored', () => {
    const { session, log } = joinedSession([alice]);
    session.leave();
    log.length = 0;
    const before = session.participants;
    expect(session.can(joinedEvent(bob))).toBe(false);
    session.send(joinedEvent(bob));
    session.send(leftEvent(alice));
    expect(session.participants).toBe(before);
    expect(log).toEqual([]);
  });
});
