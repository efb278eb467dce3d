import type { InspectionEvent } from 'xstate';
import type { Participant } from '../../machines/callSession.types.js';
import { clockNow, clockTellsTime, type AnyActorSystem } from '../../machines/xstateInternals.js';
import { describeCallbacks, describeEvent } from '../devtools/describe.js';
import { sessionStateOf, type CallSessionSnapshot } from '../core/sessionView.js';
import {
  COUNTDOWNS,
  PROTOCOL_VERSION,
  STEP_MESSAGE_TYPE,
  transitionKey,
  type InspectorStep,
  type StepParticipant,
} from './protocol.js';

/** A step lists at most this many participants (`participantCount` tells the rest): a join storm stays small on the wire. */
export const MAX_STEP_PARTICIPANTS = 100;

function shownParticipant(participant: Participant): StepParticipant {
  const shown: { uid?: string; pid?: string; name?: string } = {};
  if (participant.uid !== undefined) shown.uid = participant.uid;
  if (participant.pid !== undefined) shown.pid = participant.pid;
  if (participant.name !== undefined) shown.name = participant.name;
  return shown;
}

function isCallSessionSnapshot(snapshot: unknown): snapshot is CallSessionSnapshot {
  return (snapshot as { machine?: { id?: string } } | undefined)?.machine?.id === 'callSession';
}

interface ActorRecord {
  previous?: CallSessionSnapshot;
  seq: number;
  transitions: string[];
}

/**
 * An inspection observer that turns what a call session's actor does into
 * {@link InspectorStep}s, one per event the session handled, and hands each to `emit`.
 * Other actors (any machine but `callSessionMachine`) are left out. Used by
 * `connectInspector` and by the page's replay of a log, so both show the same steps.
 */
export function createStepRecorder(emit: (step: InspectorStep) => void): (inspection: InspectionEvent) => void {
  const actors = new WeakMap<object, ActorRecord>();
  const recordOf = (actorRef: object): ActorRecord => {
    let record = actors.get(actorRef);
    if (!record) actors.set(actorRef, (record = { seq: 0, transitions: [] }));
    return record;
  };
  return (inspection) => {
    if (inspection.type === '@xstate.microstep') {
      if (!isCallSessionSnapshot(inspection.snapshot)) return;
      const record = recordOf(inspection.actorRef);
      for (const transition of inspection._transitions) {
        const candidates = transition.source.transitions.get(transition.eventType) ?? [];
        record.transitions.push(
          transitionKey(transition.source.id, transition.eventType, candidates.indexOf(transition)),
        );
      }
      return;
    }
    if (inspection.type !== '@xstate.snapshot' || !isCallSessionSnapshot(inspection.snapshot)) return;
    const next = inspection.snapshot;
    const record = recordOf(inspection.actorRef);
    const previous = record.previous;
    record.previous = next;
    const transitions = record.transitions;
    record.transitions = [];
    const system = (inspection.actorRef as { system?: AnyActorSystem }).system;
    const { context } = next;
    const list = context.roster.list;
    emit({
      type: STEP_MESSAGE_TYPE,
      version: PROTOCOL_VERSION,
      actor: inspection.actorRef.sessionId,
      sessionId: context.sessionId,
      seq: record.seq++,
      at: clockNow(system),
      clock: clockTellsTime(system) ? 'simulated' : 'real',
      event: { type: inspection.event.type, label: describeEvent(inspection.event) },
      from: previous ? sessionStateOf(previous) : null,
      to: sessionStateOf(next),
      ignored: previous === next,
      transitions,
      callbacks:
        previous && previous !== next && inspection.event.type !== 'xstate.stop'
          ? describeCallbacks(previous, next)
          : [],
      participants: (list.length > MAX_STEP_PARTICIPANTS ? list.slice(0, MAX_STEP_PARTICIPANTS) : list).map(
        shownParticipant,
      ),
      participantCount: list.length,
      countdowns: COUNTDOWNS.map((spec) => ({
        key: spec.key,
        label: spec.label,
        deadline: spec.deadline(context),
        period: spec.period(context.settings),
      })),
      settings: { ...context.settings },
      endReason: context.endReason,
      status: next.status,
    });
  };
}
