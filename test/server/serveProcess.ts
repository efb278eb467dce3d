/** `call-session-machine serve` as a child process, from the source bundled once. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LIVEKIT_KEY, LIVEKIT_SECRET } from '../support/serverStandIns.js';

const SOURCE = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
// One bundle per test worker: files that run side by side do not write over each other's.
const BIN = fileURLToPath(new URL(`../../.tmp/serve-command/bin-${process.pid}.mjs`, import.meta.url));

// The command's source, bundled once (its packages left to node_modules): a process starts in
// a tenth of the time tsx takes, so the runs fit the test budget.
export async function bundleServe(): Promise<void> {
  await build({
    entryPoints: [SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: BIN,
    logLevel: 'silent',
  });
}

export const LIVEKIT_ENV = {
  LIVEKIT_API_KEY: LIVEKIT_KEY,
  LIVEKIT_API_SECRET: LIVEKIT_SECRET,
  LIVEKIT_URL: 'http://127.0.0.1:9',
};

export interface Run {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
  firstLine: Promise<string>;
}

export function serve(args: string[], env: Record<string, string>): Run {
  // The test's own environment must not leak a provider's secrets into the command.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LIVEKIT_')));
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let buffered = '';
  let resolveFirst!: (line: string) => void;
  const firstLine = new Promise<string>((resolve) => (resolveFirst = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (stdout.length === 0) resolveFirst(line);
      stdout.push(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exit.then(() => resolveFirst(''));
  return { child, stdout, stderr, exit, firstLine };
}
