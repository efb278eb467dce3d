// The browser page of this example: connects a real LiveKit Room and shows the call
// screen. Build it with `npm run example:livekit`, then open examples/livekit/index.html
// with `?url=wss://your.livekit.host&token=…` (a token from your LiveKit server).
import { Room } from 'livekit-client';
import { createCallScreen, type CallScreenView } from './callScreen.js';

const params = new URLSearchParams(location.search);
const url = params.get('url');
const token = params.get('token');
const statusLine = document.getElementById('status')!;
const othersList = document.getElementById('others')!;
const leaveButton = document.getElementById('leave') as HTMLButtonElement;

function render(view: CallScreenView): void {
  statusLine.textContent = view.status;
  othersList.textContent = view.others.length ? view.others.join(', ') : 'nobody else yet';
  leaveButton.disabled = !view.open;
}

if (!url || !token) {
  statusLine.textContent = 'Open this page with ?url=wss://…&token=… (see README.md)';
} else {
  const room = new Room();
  const screen = createCallScreen(room, render);
  leaveButton.addEventListener('click', () => screen.leave());
  room.connect(url, token).catch((error: unknown) => {
    // The session is back in idle (session.joinFailed); say why.
    statusLine.textContent = `Could not join: ${error instanceof Error ? error.message : String(error)}`;
  });
}
