import type { CallSession } from 'call-session-machine';

/** What a call screen shows: a small view-model, fed only by the session's callbacks. */
export interface CallScreen {
  /** A banner over the video, e.g. while reconnecting. */
  readonly banner: string | null;
  /** Whether the call screen is still up. */
  readonly open: boolean;
  /** Why the call ended, once it has. */
  readonly endMessage: string | null;
  readonly othersInCall: number;
  /** Stops listening; call it when the screen unmounts. */
  dispose(): void;
}

export function createCallScreen(session: CallSession): CallScreen {
  let banner: string | null = null;
  let open = true;
  let endMessage: string | null = null;
  let othersInCall = 0;
  const close = (message: string) => {
    open = false;
    banner = null;
    endMessage = message;
  };
  const stopStatus = session.addSessionStatusListener({
    onConnectionLost: () => (banner = 'Reconnecting…'),
    onConnectionRestored: () => (banner = null),
    onSessionLeft: () => close('You left the call'),
    onSessionTimedOut: () => close('The call ended: nobody else was here'),
    onConnectionClosed: () => close('The call ended: the connection was lost'),
  });
  const stopParticipants = session.addParticipantEventListener({
    onParticipantListChanged: (participants) => (othersInCall = participants.length),
  });
  return {
    get banner() {
      return banner;
    },
    get open() {
      return open;
    },
    get endMessage() {
      return endMessage;
    },
    get othersInCall() {
      return othersInCall;
    },
    dispose() {
      stopStatus();
      stopParticipants();
    },
  };
}
