// A LiveKit call screen showing the server's idle warning with a Stay button, in a few
// lines: the server (`call-session-machine serve --provider livekit`) sends the warning as
// a data message, `bindServerIdleWarning` turns it into onIdleTimeoutWarning, and Stay
// into the server's POST /extend with the token this participant connected with.
import type { Room } from 'livekit-client';
import { bindServerIdleWarning } from 'call-session-machine/livekit';

/** What the page draws: a prompt with a countdown and a Stay button. */
export interface StayPromptView {
  show(secondsLeft: number, stay: () => void): void;
  hide(): void;
  error(message: string): void;
}

export function showServerIdleWarning(room: Room, serverUrl: string, token: string, view: StayPromptView): () => void {
  const warning = bindServerIdleWarning(room, {
    extendUrl: `${serverUrl}/extend`,
    token,
    listener: {
      onIdleTimeoutWarning: (secondsLeft) =>
        view.show(secondsLeft, () => {
          warning.stay().then(
            () => view.hide(),
            (error: unknown) => view.error(error instanceof Error ? error.message : String(error)),
          );
        }),
    },
  });
  return () => warning.unbind();
}
