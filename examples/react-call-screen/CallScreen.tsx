import type { CallSession, EndReason } from 'call-session-machine';
import { useCallSession, useCountdown } from 'call-session-machine/react';

const ENDED: Record<EndReason, string> = {
  user: 'You left the call.',
  removed: 'The host removed you from the call.',
  idleTimeout: 'The call ended: nobody else was here.',
  server: 'The call ended: the server closed it.',
  reconnectTimeout: 'The call ended: the connection did not come back.',
};

/** 42 → "0:42". */
function minutes(seconds: number | null): string {
  if (seconds === null) return '';
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The call as the user sees it; everything on it comes from the session. */
export function CallScreen({ session }: { session: CallSession }) {
  const { state, participants, endReason, deadlines, idleWarningActive } = useCallSession(session);
  const idleLeft = useCountdown(deadlines.idle);
  const reconnectLeft = useCountdown(deadlines.reconnect);

  if (endReason !== null) {
    return (
      <section className="screen">
        <h1>Call ended</h1>
        <p className="end-reason">{ENDED[endReason]}</p>
      </section>
    );
  }
  if (state === 'idle' || state === 'joining') {
    return (
      <section className="screen">
        <h1>{state === 'idle' ? 'Not in a call' : 'Joining…'}</h1>
      </section>
    );
  }
  return (
    <section className="screen">
      {state === 'reconnecting' && (
        <div className="banner" role="status">
          Reconnecting… giving up in {minutes(reconnectLeft)}
        </div>
      )}
      <h1>{participants.length === 0 ? 'Waiting for others' : 'In the call'}</h1>
      {participants.length === 0 ? (
        <p className="nobody">Nobody else is here.</p>
      ) : (
        <ul className="participants">
          {participants.map((participant) => (
            <li key={participant.pid ?? participant.uid}>{participant.name ?? participant.uid}</li>
          ))}
        </ul>
      )}
      {idleWarningActive ? (
        <div className="warning" role="alertdialog" aria-labelledby="still-there">
          <h2 id="still-there">Are you still there?</h2>
          <p>
            The call ends in <strong data-countdown="idle">{minutes(idleLeft)}</strong>.
          </p>
          <button className="stay" onClick={() => session.extendIdleTimeout()}>
            Stay
          </button>
          <button onClick={() => session.leave()}>Leave</button>
        </div>
      ) : (
        deadlines.idle !== null && (
          <p className="alone">
            You are alone: the call ends in <span data-countdown="idle">{minutes(idleLeft)}</span> unless someone joins.
          </p>
        )
      )}
      <button className="hang-up" onClick={() => session.leave()}>
        Leave the call
      </button>
    </section>
  );
}
