import { describe, expect, test } from 'vitest';
import { getLifecyclePaths, replayLifecyclePath } from 'call-session-machine/testing';
import { createCallScreen, type CallScreen } from './callScreen.js';

const ENDED = ['left', 'timedOut', 'closed'];

describe('the call screen, over every lifecycle path of the chart', () => {
  test.each(getLifecyclePaths().map((path) => [path.description, path] as const))('%s', (_, path) => {
    let screen: CallScreen | undefined;
    replayLifecyclePath(path, {
      onSession: (session) => {
        screen = createCallScreen(session);
      },
      onStep: (step, session) => {
        // "Reconnecting…" shows exactly while the session reconnects.
        expect(screen!.banner === 'Reconnecting…').toBe(step.expectedState === 'reconnecting');
        // The screen closes on each terminal callback, and only then.
        expect(screen!.open).toBe(!ENDED.includes(step.expectedState));
        expect(screen!.endMessage !== null).toBe(!screen!.open);
        expect(screen!.othersInCall).toBe(session.participants.length);
      },
    });
    screen!.dispose();
  });
});
