// The oracle comparison of test/oracleRun.ts, on a fleet: many random sequences
// interleaved in ONE fleet on one SimulatedClock, each sequence one fleet session,
// compared with its own copy of the SPEC §2 oracle (test/oracle.ts) after every step.
// Shared with scripts/soak.ts (FLEET=1).
//
// The clock is shared, so a time advance of one sequence is time passing for all of
// them: every oracle advances by it, and every session's callbacks during it are
// checked against its own oracle (so the timers of many sessions fire from one heap,
// in one wake-up). Listeners belong to the fleet: adding or removing one is seen by
// every session. A restore step saves the sequence's session, removes it and adds it
// back from JSON (by `add` or by `restore`), and every third one moves the whole fleet
// through `persist()` → JSON → a new fleet's `restore()`.
import fc from 'fast-check';
import { SimulatedClock } from 'xstate';
import {
  createCallSessionFleet,
  type CallSessionFleet,
  type FleetParticipantListener,
  type FleetStatusListener,
  type PersistedCallSessionFleet,
} from '../../src/fleet/index.js';
import { SessionSettingsBuilder, type PersistedCallSession } from '../../src/index.js';
import {
  advance,
  describeList,
  describeParticipant,
  initialModel,
  step as oracleStep,
  type OracleModel,
} from '../oracle.js';
import {
  CALLBACKS_OF,
  isStatusId,
  LISTENER_IDS,
  sequenceArb,
  formatSequence,
  type ListenerId,
  type RunStats,
  type Sequence,
  type Step,
} from '../oracleRun.js';

/** Sequences to run interleaved in one fleet, and the order their steps are taken in. */
export interface Interleaving {
  readonly sequences: readonly Sequence[];
  /** Which sequence takes the next step: `picks[k] % (sequences with steps left)`; round robin after the last pick. */
  readonly picks: readonly number[];
}

export const interleavingArb = (maxSequences = 6): fc.Arbitrary<Interleaving> =>
  fc.record({
    sequences: fc.array(sequenceArb, { minLength: 1, maxLength: maxSequences }),
    picks: fc.array(fc.nat({ max: 1000 }), { maxLength: 300 }),
  });

export function formatInterleaving({ sequences, picks }: Interleaving): string {
  return [
    ...sequences.map((sequence, i) => `sequence q${i}: ${formatSequence(sequence)}`),
    `picks: ${JSON.stringify(picks)}`,
  ].join('\n');
}

interface Lane {
  readonly id: string;
  readonly sequence: Sequence;
  next: number;
  model: OracleModel;
  readonly log: string[];
  stateBeforeStep: string;
}

interface Handle {
  readonly unsubscribe: () => void;
  readonly controller: AbortController | null;
}

const describeStep = (lane: Lane, s: Step): string => `${lane.id} step ${lane.next - 1} ${JSON.stringify(s)}`;

/**
 * Runs the sequences interleaved in one fleet against one oracle each. Returns null
 * when every session agrees with its oracle at every step, else the first difference.
 */
export function runInterleaved({ sequences, picks }: Interleaving, stats?: RunStats): string | null {
  const clock = new SimulatedClock();
  const listenerErrors: unknown[] = [];
  const onListenerError = (error: unknown): void => {
    listenerErrors.push(error);
  };
  let fleet: CallSessionFleet = createCallSessionFleet({ clock, onListenerError });
  const lanes: Lane[] = sequences.map((sequence, i) => ({
    id: `q${i}`,
    sequence,
    next: 0,
    model: initialModel({
      idleTimeoutPeriod: sequence.idle,
      reconnectTimeoutPeriod: sequence.reconnect,
      idleWarningPeriod: sequence.warning,
    }),
    log: [],
    stateBeforeStep: '',
  }));
  const laneOf = new Map(lanes.map((lane) => [lane.id, lane]));
  for (const lane of lanes) {
    fleet.add(lane.id, {
      settings: new SessionSettingsBuilder()
        .setIdleTimeoutPeriod(lane.sequence.idle)
        .setReconnectTimeoutPeriod(lane.sequence.reconnect)
        .setIdleWarningPeriod(lane.sequence.warning)
        .build(),
    });
  }

  const where = (id: string): string => `@${fleet.state(id)}/${String(fleet.endReason(id))}`;
  const logOf = (id: string): string[] => laneOf.get(id)?.log ?? [`callback for an unknown session ${id}`];
  const objects = new Map<ListenerId, FleetStatusListener | FleetParticipantListener>();
  for (const listenerId of LISTENER_IDS) {
    const object: Record<string, (...args: never[]) => void> = {};
    for (const name of CALLBACKS_OF[listenerId]) {
      if (name === 'onParticipantJoined' || name === 'onParticipantLeft') {
        object[name] = (id: string, p: object) =>
          logOf(id).push(`${listenerId}:${name}:${describeParticipant(p)}${where(id)}`);
      } else if (name === 'onParticipantListChanged') {
        object[name] = (id: string, l: readonly object[]) => {
          const current =
            l === fleet.participants(id) && Object.isFrozen(l) ? '' : ' (not the frozen fleet.participants(id))';
          logOf(id).push(`${listenerId}:${name}:${describeList(l)}${current}${where(id)}`);
        };
      } else if (name === 'onIdleTimeoutWarning') {
        object[name] = (id: string, secondsLeft: number) =>
          logOf(id).push(`${listenerId}:${name}:${secondsLeft}${where(id)}`);
      } else {
        object[name] = (id: string) => logOf(id).push(`${listenerId}:${name}${where(id)}`);
      }
    }
    objects.set(listenerId, object);
  }

  const registered: ListenerId[] = [];
  const handles = new Map<ListenerId, Handle>();
  const register = (listenerId: ListenerId, withSignal: boolean): void => {
    const controller = withSignal ? new AbortController() : null;
    const options = controller ? { signal: controller.signal } : undefined;
    const object = objects.get(listenerId)!;
    const unsubscribe = isStatusId(listenerId)
      ? fleet.addSessionStatusListener(object as FleetStatusListener, options)
      : fleet.addParticipantEventListener(object as FleetParticipantListener, options);
    handles.set(listenerId, { unsubscribe, controller });
  };
  const removeByMethod = (listenerId: ListenerId): void => {
    const object = objects.get(listenerId)!;
    if (isStatusId(listenerId)) fleet.removeSessionStatusListener(object as FleetStatusListener);
    else fleet.removeParticipantEventListener(object as FleetParticipantListener);
  };
  for (const listenerId of ['S0', 'P0'] as const) {
    register(listenerId, false);
    registered.push(listenerId);
  }

  const expectedLog = (lane: Lane, callbacks: readonly string[]): string[] => {
    const after = `@${lane.model.state}/${String(lane.model.endReason)}`;
    const expected: string[] = [];
    for (const callback of callbacks) {
      const name = callback.split(':', 1)[0]!;
      const at = name === 'onIdleTimeoutWarning' ? lane.stateBeforeStep : after;
      const status = !name.startsWith('onParticipant');
      for (const listenerId of registered) {
        if (isStatusId(listenerId) === status && CALLBACKS_OF[listenerId].includes(name))
          expected.push(`${listenerId}:${callback}${at}`);
      }
    }
    return expected;
  };

  const compare = (lane: Lane, callbacks: readonly string[], previousList: readonly unknown[] | null): string[] => {
    const { id, model } = lane;
    const problems: string[] = [];
    if (!fleet.has(id)) return [`the fleet lost session ${id}`];
    if (fleet.state(id) !== model.state) problems.push(`state: fleet ${fleet.state(id)}, oracle ${model.state}`);
    if (fleet.endReason(id) !== model.endReason) {
      problems.push(`endReason: fleet ${String(fleet.endReason(id))}, oracle ${String(model.endReason)}`);
    }
    const participants = fleet.participants(id);
    const got = describeList(participants);
    const want = describeList(model.participants);
    if (got !== want) problems.push(`participants: fleet ${got}, oracle ${want}`);
    if (!Object.isFrozen(participants)) problems.push('participants: not frozen');
    if (previousList !== null) {
      const changed = callbacks.some((c) => c.startsWith('onParticipantListChanged'));
      if (changed && participants === previousList)
        problems.push('participants: the list changed but the array is the same');
      if (!changed && participants !== previousList)
        problems.push('participants: a new array but the list did not change');
    }
    const expected = expectedLog(lane, callbacks);
    const { log } = lane;
    if (log.length !== expected.length || log.some((entry, i) => entry !== expected[i])) {
      problems.push(`callbacks:\n    fleet  ${JSON.stringify(log)}\n    oracle ${JSON.stringify(expected)}`);
    }
    const saved = fleet.getPersistedSnapshot(id);
    if (saved.sessionId !== model.sessionId)
      problems.push(`sessionId: fleet ${String(saved.sessionId)}, oracle ${String(model.sessionId)}`);
    if (saved.idleDeadline !== model.idleDeadline || saved.reconnectDeadline !== model.reconnectDeadline) {
      problems.push(
        `persisted deadlines: fleet ${saved.idleDeadline}/${saved.reconnectDeadline}, oracle ${model.idleDeadline}/${model.reconnectDeadline}`,
      );
    }
    const { idle, reconnect } = fleet.deadlines(id);
    if (idle !== model.idleDeadline || reconnect !== model.reconnectDeadline) {
      problems.push(`deadlines: fleet ${idle}/${reconnect}, oracle ${model.idleDeadline}/${model.reconnectDeadline}`);
    }
    if (fleet.idleWarningActive(id) !== model.idleWarned) {
      problems.push(`idleWarningActive: fleet ${fleet.idleWarningActive(id)}, oracle ${model.idleWarned}`);
    }
    if (saved.resumeTo !== model.resumeTo)
      problems.push(`resumeTo: fleet ${String(saved.resumeTo)}, oracle ${String(model.resumeTo)}`);
    return problems.map((problem) => `${id}: ${problem}`);
  };

  let restores = 0;
  const restoreWholeFleet = (): string | null => {
    const stored = JSON.parse(JSON.stringify(fleet.persist())) as PersistedCallSessionFleet;
    const old = fleet;
    old.dispose();
    old.send(lanes[0]!.id, { type: 'session.leave' });
    if (lanes.some((lane) => lane.log.length > 0) || old.can(lanes[0]!.id, { type: 'session.leave' })) {
      return 'the disposed fleet still reacts';
    }
    fleet = createCallSessionFleet({ clock, onListenerError });
    if (fleet.restore(stored) !== lanes.length) return 'restore did not add every session';
    for (const listenerId of registered) register(listenerId, handles.get(listenerId)?.controller != null);
    return null;
  };

  const restoreOne = (lane: Lane): string | null => {
    const saved = JSON.parse(JSON.stringify(fleet.getPersistedSnapshot(lane.id))) as PersistedCallSession;
    fleet.remove(lane.id);
    if (fleet.has(lane.id) || lane.log.length > 0) return `${lane.id} is still there after remove`;
    if (restores % 2 === 0) fleet.add(lane.id, { snapshot: saved });
    else fleet.restore([[lane.id, saved]]);
    return null;
  };

  let pick = 0;
  let roundRobin = 0;
  try {
    for (;;) {
      const live = lanes.filter((lane) => lane.next < lane.sequence.steps.length);
      if (live.length === 0) return null;
      const lane = pick < picks.length ? live[picks[pick++]! % live.length]! : live[roundRobin++ % live.length]!;
      const s = lane.sequence.steps[lane.next++]!;
      if (stats) stats.steps++;
      const previousLists = new Map(lanes.map((l) => [l.id, fleet.participants(l.id) as readonly unknown[] | null]));
      for (const l of lanes) {
        l.log.length = 0;
        l.stateBeforeStep = `@${l.model.state}/${String(l.model.endReason)}`;
      }
      const callbacks = new Map<string, readonly string[]>();
      switch (s.kind) {
        case 'event': {
          if (stats) stats.events++;
          const result = oracleStep(lane.model, s.event);
          const can = fleet.can(lane.id, s.event);
          if (can !== result.accepted) {
            return `${describeStep(lane, s)}: can() is ${can}, oracle says ${result.accepted ? 'taken' : 'ignored'} in ${lane.model.state}`;
          }
          fleet.send(lane.id, s.event);
          lane.model = result.model;
          callbacks.set(lane.id, result.callbacks);
          break;
        }
        case 'advance': {
          if (stats) stats.events++;
          for (const l of lanes) {
            const result = advance(l.model, s.ms);
            l.model = result.model;
            callbacks.set(l.id, result.callbacks);
          }
          let left = s.ms;
          do {
            const tick = Math.min(1000, left);
            clock.increment(tick);
            left -= tick;
          } while (left > 0);
          break;
        }
        case 'add':
          if (registered.includes(s.listener)) {
            const object = objects.get(s.listener)!;
            if (isStatusId(s.listener)) fleet.addSessionStatusListener(object as FleetStatusListener);
            else fleet.addParticipantEventListener(object as FleetParticipantListener);
          } else {
            register(s.listener, s.withSignal);
            registered.push(s.listener);
          }
          break;
        case 'remove': {
          const at = registered.indexOf(s.listener);
          const handle = handles.get(s.listener);
          if (at === -1 || handle === undefined) {
            removeByMethod(s.listener);
            break;
          }
          if (s.how === 'unsubscribe') handle.unsubscribe();
          else if (s.how === 'abort' && handle.controller) handle.controller.abort();
          else removeByMethod(s.listener);
          registered.splice(at, 1);
          handles.delete(s.listener);
          break;
        }
        case 'restore': {
          restores++;
          const problem = restores % 3 === 0 ? restoreWholeFleet() : restoreOne(lane);
          if (problem !== null) return `${describeStep(lane, s)}: ${problem}`;
          if (restores % 3 === 0) for (const l of lanes) previousLists.set(l.id, null);
          else previousLists.set(lane.id, null);
          break;
        }
      }
      const problems = lanes.flatMap((l) => compare(l, callbacks.get(l.id) ?? [], previousLists.get(l.id)!));
      if (listenerErrors.length > 0) problems.push(`a listener threw: ${String(listenerErrors[0])}`);
      if (problems.length > 0) return `${describeStep(lane, s)} (clock ${clock.now()}):\n  ${problems.join('\n  ')}`;
    }
  } finally {
    fleet.dispose();
    if (stats) stats.sequences += lanes.length;
  }
}
