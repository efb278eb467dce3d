/**
 * The app's end of the inspector of `call-session-machine inspect`: {@link connectInspector}
 * sends what a session does to the page over a WebSocket. Imports no Node module: it runs
 * in browsers, React Native and Node alike. See docs/inspecting.md.
 *
 * @example
 * ```ts
 * import { createCallSession } from 'call-session-machine';
 * import { connectInspector } from 'call-session-machine/inspector';
 *
 * // `npx call-session-machine inspect` prints the port.
 * const session = createCallSession({ inspect: connectInspector('ws://127.0.0.1:5173') });
 * ```
 *
 * @module call-session-machine/inspector
 */
export {
  connectInspector,
  type ConnectInspectorOptions,
  type InspectorConnection,
  type InspectorWebSocket,
  type InspectorWebSocketConstructor,
} from './connect.js';
export {
  PROTOCOL_VERSION,
  STEP_MESSAGE_TYPE,
  type InspectorStep,
  type StepCountdown,
  type StepParticipant,
} from './protocol.js';
