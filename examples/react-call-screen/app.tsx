import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { SessionSettingsBuilder, type CallSession, type CallSessionEvent } from 'call-session-machine';
import { useCallSession, useCreateCallSession } from 'call-session-machine/react';
import { CallScreen } from './CallScreen.js';

// Short periods, so that the warning comes soon: alone for 20 s ends the call, and the
// warning comes 10 s before. ?idle=…&warning=… change them (the browser test does).
const query = new URLSearchParams(location.search);
const settings = new SessionSettingsBuilder()
  .setIdleTimeoutPeriod(Number(query.get('idle') ?? 20))
  .setIdleWarningPeriod(Number(query.get('warning') ?? 10))
  .setReconnectTimeoutPeriod(30)
  .build();

const GUESTS = ['Ana', 'Bo', 'Chen', 'Dara'];

/** Stands in for a call SDK: each button sends the session what an engine would report. */
function Engine({ session }: { session: CallSession }) {
  const { state, participants } = useCallSession(session);
  const guest = GUESTS.find((name) => !participants.some((participant) => participant.uid === name)) ?? 'Eve';
  const leaving = participants.at(-1);
  const buttons: [string, CallSessionEvent | null][] = [
    ['Someone joins', { type: 'participant.joined', participant: { uid: guest, name: guest } }],
    ['Someone leaves', leaving ? { type: 'participant.left', participant: leaving } : null],
    ['Lose connection', { type: 'connection.lost' }],
    ['Restore connection', { type: 'connection.restored' }],
  ];
  return (
    <aside className="engine">
      <h2>Call engine (no SDK: you are the engine)</h2>
      <p>
        session.state: <code>{state}</code>
      </p>
      {buttons.map(([label, event]) => (
        <button
          key={label}
          disabled={event === null || !session.can(event)}
          onClick={() => event && session.send(event)}
        >
          {label}
        </button>
      ))}
    </aside>
  );
}

function App() {
  const session = useCreateCallSession({ settings });
  useEffect(() => {
    // The engine connects at once, with nobody else in the call yet. Under StrictMode
    // this runs twice on the same session; the second time both events are ignored.
    session.join('react-call-screen');
    session.send({ type: 'session.joined' });
  }, [session]);
  return (
    <main>
      <CallScreen session={session} />
      <Engine session={session} />
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
