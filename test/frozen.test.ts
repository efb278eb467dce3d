// SPEC §3: participant lists (`session.participants`, the list given to
// onParticipantListChanged) are frozen arrays, and the participants in them cannot be
// changed either. A listener that tries gets a TypeError (this file is an ES module, so
// strict mode), which is reported to onListenerError; the session is not corrupted and
// later callbacks get correct data.
import { SimulatedClock } from 'xstate';
import { afterEach, describe, expect, test } from 'vitest';
import { createCallSession, SessionSettingsBuilder, type CallSession, type Participant } from '../src/index.js';

const sessions: CallSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

function newSession(): { session: CallSession; errors: unknown[] } {
  const errors: unknown[] = [];
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(10).setReconnectTimeoutPeriod(30).build();
  const session = createCallSession({ settings, clock: new SimulatedClock(), onListenerError: (e) => errors.push(e) });
  sessions.push(session);
  return { session, errors };
}

type Writable = Record<PropertyKey, unknown>;
const asArray = (list: readonly Participant[]): Participant[] => list as Participant[];
const asWritable = (value: object): Writable => value as Writable;

/** Plain copies, to compare contents without relying on the objects under test. */
const snapshotOf = (list: readonly Participant[]): Participant[] => list.map((p) => ({ ...p }));

const ALICE: Participant = { uid: 'alice', name: 'Alice' };
const BOB: Participant = { pid: 'bob-1', uid: 'bob', name: 'Bob', avatar: 'bob.png' };

/** Every way a listener might try to change a list it was given. */
const LIST_MUTATIONS: [string, (list: Participant[]) => void][] = [
  ['push', (list) => list.push({ uid: 'mallory' })],
  ['pop', (list) => list.pop()],
  ['shift', (list) => list.shift()],
  ['unshift', (list) => list.unshift({ uid: 'mallory' })],
  ['splice', (list) => list.splice(0, 1)],
  ['index assignment', (list) => (list[0] = { uid: 'mallory' })],
  ['assignment past the end', (list) => (list[5] = { uid: 'mallory' })],
  ['sort', (list) => list.sort((a, b) => (a.uid ?? '').localeCompare(b.uid ?? '') * -1)],
  ['reverse', (list) => list.reverse()],
  ['fill', (list) => list.fill({ uid: 'mallory' })],
  ['copyWithin', (list) => list.copyWithin(0, 1)],
  ['length = 0', (list) => (list.length = 0)],
  ['delete of an index', (list) => delete list[0]],
  ['Object.defineProperty of an index', (list) => Object.defineProperty(list, 0, { value: { uid: 'mallory' } })],
  ['a new property', (list) => (asWritable(list).extra = 1)],
  ['Object.setPrototypeOf', (list) => Object.setPrototypeOf(list, {})],
  ['__proto__ assignment', (list) => (asWritable(list).__proto__ = { polluted: 1 })],
];

/** Every way a listener might try to change a participant it was given. */
const PARTICIPANT_MUTATIONS: [string, (p: Participant) => void][] = [
  ['name assignment', (p) => (asWritable(p).name = 'Mallory')],
  ['uid assignment', (p) => (asWritable(p).uid = 'mallory')],
  ['pid assignment', (p) => (asWritable(p).pid = 'mallory')],
  ['isLocal assignment', (p) => (asWritable(p).isLocal = true)],
  ['a new property', (p) => (asWritable(p).role = 'host')],
  ['delete of a field', (p) => delete asWritable(p).name],
  ['__proto__ assignment', (p) => (asWritable(p).__proto__ = { isLocal: true, polluted: 1 })],
  ['Object.setPrototypeOf', (p) => Object.setPrototypeOf(p, { isLocal: true })],
  ['Object.defineProperty of a field', (p) => Object.defineProperty(p, 'uid', { value: 'mallory' })],
  ['Object.defineProperty of a getter', (p) => Object.defineProperty(p, 'isLocal', { get: () => true })],
  ['Object.assign', (p) => Object.assign(p, { name: 'Mallory' })],
];

test('this file runs in strict mode (so a failed write throws)', () => {
  const thisOf = function (this: unknown): unknown {
    return this;
  };
  expect(thisOf()).toBeUndefined();
});

describe('lists and participants are frozen', () => {
  test('session.participants is a frozen array before joining, and holds nobody', () => {
    const { session } = newSession();
    expect(Array.isArray(session.participants)).toBe(true);
    expect(Object.isFrozen(session.participants)).toBe(true);
    expect(session.participants).toHaveLength(0);
  });

  test('session.participants, the list given to onParticipantListChanged, and each participant are frozen', () => {
    const { session } = newSession();
    const lists: (readonly Participant[])[] = [];
    const given: Participant[] = [];
    session.addParticipantEventListener({
      onParticipantJoined: (p) => given.push(p),
      onParticipantLeft: (p) => given.push(p),
      onParticipantListChanged: (list) => lists.push(list),
    });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [ALICE, BOB] });
    session.send({ type: 'participant.joined', participant: { uid: 'carol' } });
    session.send({ type: 'participant.joined', participant: { uid: 'carol', name: 'Carol' } });
    session.send({ type: 'participant.left', participant: ALICE });
    session.send({ type: 'connection.lost' });
    session.send({ type: 'connection.restored', participants: [{ uid: 'dave' }] });
    expect(lists).toHaveLength(5);
    for (const list of [...lists, session.participants]) {
      expect(Array.isArray(list)).toBe(true);
      expect(Object.isFrozen(list)).toBe(true);
      for (const p of list) expect(Object.isFrozen(p)).toBe(true);
    }
    expect(given.length).toBeGreaterThan(0);
    for (const p of given) expect(Object.isFrozen(p)).toBe(true);
    expect(lists.at(-1)).toBe(session.participants);
  });

  test('the stored participants are not the caller objects, which stay unfrozen', () => {
    const { session } = newSession();
    const alice = { uid: 'alice' };
    const list = [alice];
    session.join('s1');
    session.send({ type: 'session.joined', participants: list });
    expect(Object.isFrozen(alice)).toBe(false);
    expect(Object.isFrozen(list)).toBe(false);
    expect(session.participants).not.toBe(list);
    expect(session.participants[0]).not.toBe(alice);
  });
});

describe.each(LIST_MUTATIONS)('a listener trying %s on the list it is given', (_label, mutate) => {
  test('throws a TypeError, reported to onListenerError; the session is intact', () => {
    const { session, errors } = newSession();
    const seen: string[][] = [];
    session.addParticipantEventListener({
      onParticipantListChanged: (list) => {
        mutate(asArray(list));
      },
    });
    session.addParticipantEventListener({
      onParticipantListChanged: (list) => seen.push(list.map((p) => p.uid ?? '')),
    });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [ALICE, BOB] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
    const kept = session.participants;
    expect(snapshotOf(kept)).toEqual([{ ...ALICE }, { ...BOB }]);
    expect(Object.getPrototypeOf(kept)).toBe(Array.prototype);
    expect(seen).toEqual([['alice', 'bob']]);
    expect(session.state).toBe('joined.accompanied');

    // Later events see the right data, and the roster still works.
    session.send({ type: 'participant.left', participant: ALICE });
    expect(snapshotOf(session.participants)).toEqual([{ ...BOB }]);
    session.send({ type: 'participant.left', participant: BOB });
    expect(session.state).toBe('joined.alone');
    expect(seen).toEqual([['alice', 'bob'], ['bob'], []]);
    // On a list of one or none, some of these are no-ops that throw nothing (reverse, fill, …).
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.every((e) => e instanceof TypeError)).toBe(true);
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  test('on session.participants from a status callback: the same', () => {
    const { session, errors } = newSession();
    session.addSessionStatusListener({ onSessionJoined: () => mutate(asArray(session.participants)) });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [ALICE, BOB] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(snapshotOf(session.participants)).toEqual([{ ...ALICE }, { ...BOB }]);
    expect(session.getPersistedSnapshot().participants).toEqual([{ ...ALICE }, { ...BOB }]);
  });
});

describe.each(PARTICIPANT_MUTATIONS)('a listener trying %s on a participant', (_label, mutate) => {
  test('in onParticipantJoined: TypeError reported; the participant is unchanged, later callbacks see it so', () => {
    const { session, errors } = newSession();
    const laterSeen: Participant[] = [];
    session.addParticipantEventListener({ onParticipantJoined: (p) => mutate(p) });
    session.addParticipantEventListener({
      onParticipantJoined: (p) => laterSeen.push({ ...p }),
      onParticipantListChanged: (list) => laterSeen.push(...snapshotOf(list)),
    });
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.send({ type: 'participant.joined', participant: BOB });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(laterSeen).toEqual([{ ...BOB }, { ...BOB }]);
    const stored = session.participants[0]!;
    expect({ ...stored }).toEqual({ ...BOB });
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(stored.isLocal).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(Object.hasOwn(Object.prototype, 'isLocal')).toBe(false);
    // Still a remote participant, with the same identity: leaving by that identity works.
    expect(session.state).toBe('joined.accompanied');
    session.send({ type: 'participant.left', participant: { pid: 'bob-1' } });
    expect(session.state).toBe('joined.alone');
  });

  test('on a list entry in onParticipantListChanged, and on the one given to onParticipantLeft', () => {
    const { session, errors } = newSession();
    session.addParticipantEventListener({
      onParticipantListChanged: (list) => {
        if (list[0]) mutate(list[0]);
      },
      onParticipantLeft: (p) => mutate(p),
    });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [ALICE, BOB] });
    expect(errors).toHaveLength(1);
    expect(snapshotOf(session.participants)).toEqual([{ ...ALICE }, { ...BOB }]);
    session.send({ type: 'participant.left', participant: ALICE });
    // onParticipantLeft (alice) and onParticipantListChanged (bob) both threw.
    expect(errors).toHaveLength(3);
    expect(errors.every((e) => e instanceof TypeError)).toBe(true);
    expect(snapshotOf(session.participants)).toEqual([{ ...BOB }]);
    expect(session.getPersistedSnapshot().participants).toEqual([{ ...BOB }]);
  });
});

describe('sloppy-mode code cannot corrupt the session either', () => {
  test('silent writes (non-strict) leave the list and its participants as they were', () => {
    const { session, errors } = newSession();
    // A function built at run time is sloppy unless it says otherwise: failed writes are silent there.
    const sloppy = new Function(
      'list',
      'list[0] = { uid: "mallory" }; list.length = 0; list[0].name = "Mallory"; list[0].isLocal = true; list.extra = 1;',
    ) as (list: readonly Participant[]) => void;
    session.addParticipantEventListener({ onParticipantListChanged: (list) => sloppy(list) });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [ALICE, BOB] });
    expect(errors).toEqual([]);
    expect(snapshotOf(session.participants)).toEqual([{ ...ALICE }, { ...BOB }]);
    expect(Object.keys(session.participants)).toEqual(['0', '1']);
  });
});

describe('sessions do not share mutable lists', () => {
  test('a mutation attempt on one empty session list affects no other session', () => {
    const { session: first } = newSession();
    const { session: second } = newSession();
    expect(() => asArray(first.participants).push({ uid: 'mallory' })).toThrow(TypeError);
    expect(second.participants).toHaveLength(0);
    second.join('s1');
    second.send({ type: 'session.joined' });
    expect(second.participants).toHaveLength(0);
    expect(second.state).toBe('joined.alone');
  });

  test('the persisted snapshot is a copy: changing it changes nothing in the session', () => {
    const { session } = newSession();
    session.join('s1');
    session.send({ type: 'session.joined', participants: [ALICE] });
    const persisted = session.getPersistedSnapshot();
    const participants = persisted.participants as Participant[];
    (participants[0] as Writable).name = 'Mallory';
    participants.push({ uid: 'mallory' });
    expect(snapshotOf(session.participants)).toEqual([{ ...ALICE }]);
    expect(session.getPersistedSnapshot().participants).toEqual([{ ...ALICE }]);
  });
});
