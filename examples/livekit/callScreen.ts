import { createCallSession, SessionSettingsBuilder, type CallSession } from 'call-session-machine';
import { bindLiveKitRoom } from 'call-session-machine/livekit';
import type { Room } from 'livekit-client';

/** What the call screen shows, as plain text lines: the part of a UI this example is about. */
export interface CallScreenView {
  /** `In the call`, `Reconnecting…`, or how the call ended. */
  readonly status: string;
  /** The other people in the call, by name (identity when they have none). */
  readonly others: readonly string[];
  /** Whether the call screen is still up (false once the call has ended). */
  readonly open: boolean;
}

/** A call screen for one LiveKit Room: a session bound to the Room, and a view fed by its callbacks. */
export interface CallScreen {
  readonly session: CallSession;
  readonly view: CallScreenView;
  /** The "Leave" button: the session ends and the binding disconnects the Room. */
  leave(): void;
  /** Unmount: leave (the binding disconnects the Room), unbind, dispose the session. */
  close(): void;
}

/**
 * Everything a LiveKit app adds to get the session lifecycle: create a session, bind the
 * Room, listen. `render` is called with the new view after every change.
 */
export function createCallScreen(
  room: Room,
  render: (view: CallScreenView) => void = () => {},
  idleSeconds = 120,
): CallScreen {
  const session = createCallSession({
    settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(idleSeconds).setReconnectTimeoutPeriod(30).build(),
  });
  const unbind = bindLiveKitRoom(room, session);

  let view: CallScreenView = { status: 'Joining…', others: [], open: true };
  const update = (change: Partial<CallScreenView>) => {
    view = { ...view, ...change };
    render(view);
  };
  session.addSessionStatusListener({
    onSessionJoined: () => update({ status: 'In the call' }),
    onConnectionLost: () => update({ status: 'Reconnecting…' }),
    onConnectionRestored: () => update({ status: 'In the call' }),
    onSessionLeft: () =>
      update({
        status: session.endReason === 'removed' ? 'You were removed from the call' : 'You left the call',
        open: false,
      }),
    onSessionTimedOut: () => update({ status: 'The call ended: nobody else was here', open: false }),
    onConnectionClosed: () => update({ status: 'The call ended: the connection was lost', open: false }),
  });
  session.addParticipantEventListener({
    onParticipantListChanged: (participants) => update({ others: participants.map((p) => p.name ?? p.uid ?? '?') }),
  });

  return {
    session,
    get view() {
      return view;
    },
    leave: () => session.leave(),
    close() {
      // Closing the screen is the user leaving: through the binding, room.disconnect()
      // (once; not at all if the call already ended). Only then let go of the Room.
      session.leave();
      unbind();
      session.dispose();
    },
  };
}
