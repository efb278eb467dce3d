/** How the page writes times, periods and participants. */
import type { StepParticipant } from '../protocol.js';
import type { Track } from './tracks.js';

/** Seconds on a simulated clock as they are; on the real clock since the session's first step. */
export function formatTime(track: Track, at: number): string {
  const first = track.steps[0];
  if (!first || first.clock === 'simulated') return `${(at / 1000).toFixed(3)} s`;
  return `+${((at - first.at) / 1000).toFixed(3)} s`;
}

/** The wall time of `at` on the real clock; nothing on a simulated one. */
export function wallTime(track: Track, at: number): string {
  const first = track.steps[0];
  if (!first || first.clock === 'simulated') return '';
  const date = new Date(at);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** A period in ms as seconds: `30 s`, `1.5 s`. */
export function seconds(ms: number): string {
  const value = ms / 1000;
  return Number.isInteger(value) ? `${value} s` : `${value.toFixed(1)} s`;
}

export function participantName(participant: StepParticipant): string {
  const id = participant.pid ? `pid ${participant.pid}` : `uid ${participant.uid ?? '?'}`;
  return participant.name ? `${participant.name} (${id})` : id;
}

/** `1 message`, `3 messages`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
