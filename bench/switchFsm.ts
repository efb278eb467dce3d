/**
 * The floor for the throughput benchmark: the call-session states and events of SPEC §2
 * as a hand-written `switch`, with a mutable set of participant identities and no
 * timers, no validation, no snapshots, no listeners. Not part of the package: it shows
 * what an event costs when nothing but the transition itself is done.
 */
import type { CallSessionEvent, Participant } from '../src/index.js';

export type SwitchState =
  'idle' | 'joining' | 'joined.alone' | 'joined.accompanied' | 'reconnecting' | 'left' | 'timedOut' | 'closed';

function identityOf(participant: Participant): string {
  return participant.pid ? `p:${participant.pid}` : `u:${participant.uid ?? ''}`;
}

export class SwitchCallSession {
  state: SwitchState = 'idle';
  sessionId: string | null = null;
  /** Where `connection.restored` without a list returns to. */
  private resumeTo: 'joined.alone' | 'joined.accompanied' = 'joined.alone';
  private readonly present = new Set<string>();

  get participantCount(): number {
    return this.present.size;
  }

  private resync(list: readonly Participant[] | undefined): void {
    this.present.clear();
    if (list)
      for (const participant of list) if (participant.isLocal !== true) this.present.add(identityOf(participant));
  }

  private byCount(): 'joined.alone' | 'joined.accompanied' {
    return this.present.size > 0 ? 'joined.accompanied' : 'joined.alone';
  }

  send(event: CallSessionEvent): void {
    switch (this.state) {
      case 'idle':
        if (event.type === 'session.join') {
          this.sessionId = event.sessionId;
          this.state = 'joining';
        }
        return;
      case 'joining':
        switch (event.type) {
          case 'session.joined':
            this.resync(event.participants);
            this.state = this.byCount();
            return;
          case 'session.joinFailed':
          case 'session.leave':
            this.sessionId = null;
            this.state = 'idle';
            return;
          default:
            return;
        }
      case 'joined.alone':
      case 'joined.accompanied':
        switch (event.type) {
          case 'participant.joined':
            if (event.participant.isLocal === true) return;
            this.present.add(identityOf(event.participant));
            this.state = 'joined.accompanied';
            return;
          case 'participant.left':
            if (this.present.delete(identityOf(event.participant))) this.state = this.byCount();
            return;
          case 'connection.lost':
            this.resumeTo = this.state;
            this.state = 'reconnecting';
            return;
          case 'session.leave':
          case 'session.removed':
            this.state = 'left';
            return;
          case 'connection.closed':
            this.state = 'closed';
            return;
          default:
            return;
        }
      case 'reconnecting':
        switch (event.type) {
          case 'connection.restored':
            if (event.participants === undefined) this.state = this.resumeTo;
            else {
              this.resync(event.participants);
              this.state = this.byCount();
            }
            return;
          case 'session.leave':
          case 'session.removed':
            this.state = 'left';
            return;
          case 'connection.closed':
            this.state = 'closed';
            return;
          default:
            return;
        }
      case 'left':
      case 'timedOut':
      case 'closed':
        return;
    }
  }
}
