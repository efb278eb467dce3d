// Inspector steps and live servers for the tests that attack the inspector: a step as the
// protocol describes it (written out here, not taken from the recorder), sent over a raw
// WebSocket the way any local process could.
import { spawn, type ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, STEP_MESSAGE_TYPE, type InspectorStep } from '../../src/inspector/protocol.js';

/** A step of one session, valid in every field; `seq` and the rest can be overridden. */
export function validStep(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const step: InspectorStep = {
    type: STEP_MESSAGE_TYPE,
    version: PROTOCOL_VERSION,
    actor: 'x:0',
    sessionId: 'standup',
    seq: 0,
    at: 0,
    clock: 'simulated',
    event: { type: 'session.join', label: 'session.join(standup)' },
    from: 'idle',
    to: 'joining',
    ignored: false,
    transitions: ['callSession.idle#session.join#0'],
    callbacks: [],
    participants: [{ uid: 'ana', name: 'Ana' }],
    participantCount: 1,
    countdowns: [{ key: 'idle', label: 'idle timeout', deadline: null, period: 300_000 }],
    settings: { idleTimeoutPeriod: 300, reconnectTimeoutPeriod: 60, idleWarningPeriod: 0, type: 'VIDEO' },
    endReason: null,
    status: 'active',
  };
  return { ...step, ...overrides };
}

/** JSON nested `depth` levels deep, built as text: no recursion on this side either. */
export function nestedArrayJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** A WebSocket to the server, open, as an app in Node connects (no Origin). */
export async function openApp(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

/** `call-session-machine inspect --port 0` (live) as a process; resolves once it printed its URL. */
export async function startInspectProcess(
  bin: string,
): Promise<{ child: ChildProcess; url: string; appUrl: string; exited: () => boolean; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, 'inspect', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const end = Date.now() + 10_000;
  let port: string | undefined;
  while (!(port = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)?.[1])) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`inspect printed no URL: ${stdout}${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    child,
    url: `http://127.0.0.1:${port}/`,
    appUrl: `ws://127.0.0.1:${port}`,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stderr: () => stderr,
  };
}
