import { Room } from 'livekit-client';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SessionSettingsBuilder, type CallSession, type CallSessionEvent } from 'call-session-machine';
import { bindLiveKitRoom } from 'call-session-machine/livekit';
import { useCallBinding, useCallSession, useCreateCallSession, type CallBinder } from 'call-session-machine/react';
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

/**
 * With `?livekit=wss://…&token=…` the screen is bound to a real LiveKit Room: the binding
 * reports what the Room does, and the Room is disconnected when the user leaves, when
 * the idle timeout ends the call, or when the screen really unmounts.
 */
function liveKitBinder(url: string, token: string): CallBinder {
  return (session) => {
    const room = new Room();
    const unbind = bindLiveKitRoom(room, session, { sessionId: 'react-call-screen' });
    // A failed connect reaches the session as session.joinFailed (back to idle).
    room.connect(url, token).catch(() => {});
    return unbind;
  };
}

/** Without an SDK: the engine "connects" at once, with nobody else in the call yet. */
const demoEngine: CallBinder = (session) => {
  session.join('react-call-screen');
  session.send({ type: 'session.joined' });
  return () => {};
};

const livekitUrl = query.get('livekit');
const livekitToken = query.get('token');
const binder = livekitUrl && livekitToken ? liveKitBinder(livekitUrl, livekitToken) : demoEngine;

function App() {
  const session = useCreateCallSession({ settings });
  // Once per session, also under StrictMode and across Fast Refresh; a real unmount
  // leaves the call (the binding disconnects the Room), then unbinds.
  useCallBinding(session, binder);
  return (
    <main>
      <CallScreen session={session} />
      {binder === demoEngine && <Engine session={session} />}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
