/**
 * The sessions the page shows, each a track of steps: replayed from a log by the package
 * itself, or arriving live.
 */
import { parseSessionLog, replaySessionLog } from '../../devtools/sessionLog.js';
import type { InspectorStep } from '../protocol.js';
import { createStepRecorder } from '../recorder.js';

export interface Track {
  /** Unique on the page. */
  readonly key: string;
  /** The name in the session picker: the log's session name, or the call's sessionId. */
  label: string;
  /** A second line: the sessionId of a log's session, the app connection of a live one. */
  detail: string;
  readonly steps: InspectorStep[];
  /** Messages missing (gaps in `seq`). */
  dropped: number;
  /** A live session whose app connection closed. */
  gone: boolean;
}

/**
 * Replays a session log on real sessions and a simulated clock, as `npm start` does
 * (the same `replaySessionLog`, stopping at every timer's due time), recording every
 * session's steps.
 */
export function tracksOfLog(text: string): Track[] {
  const log = parseSessionLog(text);
  const tracks: Track[] = [];
  replaySessionLog(
    log,
    () => {},
    (name) => {
      const track: Track = { key: name, label: name, detail: '', steps: [], dropped: 0, gone: false };
      tracks.push(track);
      return createStepRecorder((step) => {
        track.steps.push(step);
        if (step.sessionId && step.sessionId !== name) track.detail = `sessionId ${step.sessionId}`;
      });
    },
  );
  return tracks;
}

/** Adds a live step to its track (made on its first step); returns the track. O(1) per step. */
export function addLiveStep(tracks: Map<string, Track>, connection: number, step: InspectorStep): Track {
  const key = `${connection}/${step.actor}`;
  let track = tracks.get(key);
  if (!track) {
    track = { key, label: '', detail: '', steps: [], dropped: step.seq, gone: false };
    tracks.set(key, track);
  }
  const last = track.steps.at(-1);
  if (last && step.seq > last.seq + 1) track.dropped += step.seq - last.seq - 1;
  track.steps.push(step);
  // The call's id once known (it stays after a leave clears it); the actor's before that.
  if (step.sessionId) track.label = step.sessionId;
  else if (!track.label) track.label = `(not joined) ${step.actor}`;
  track.detail = `app ${connection} · actor ${step.actor}`;
  return track;
}
