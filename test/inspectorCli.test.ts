// The `call-session-machine` command, run as a process: --help, replay, inspect --out,
// serving a log, live mode, and the exit codes of docs/inspecting.md for bad input.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createCallSession } from '../src/index.js';
import { connectInspector } from '../src/inspector/index.js';
import { buildInspectorForTests } from './support/inspectorBuild.js';

const execute = promisify(execFile);
const demo = new URL('../examples/demo.jsonl', import.meta.url).pathname;
const tsx = new URL('../node_modules/.bin/tsx', import.meta.url).pathname;
const replayScript = new URL('../scripts/replay.ts', import.meta.url).pathname;
let bin = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  ({ bin } = await buildInspectorForTests('cli'));
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Runs the command to its end: exit code, stdout, stderr. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** Starts a serving command and waits for the URL it prints. */
async function serving(...args: string[]): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const end = Date.now() + 10_000;
  let url: string | undefined;
  // Until its last line: the lines are separate writes and may arrive apart.
  while (!(url = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout)?.[0]) || !stdout.includes('Ctrl-C to stop.')) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`no URL printed: ${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, url, stdout: () => stdout };
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      })
      .on('error', reject);
  });
}

function scratch(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'csm-cli-')), name);
  writeFileSync(path, text);
  return path;
}

const malformed =
  '{"at": 0, "event": {"type": "session.join", "sessionId": "x"}}\n\n{"at": 1, "event": {"type": "nope"}}\n';

describe('call-session-machine', () => {
  test('--help: the commands, the options and the exit codes', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    for (const text of [
      'call-session-machine replay FILE',
      'call-session-machine inspect [FILE] [--port N] [--out REPORT.html]',
      '--allow-origin',
      'Exit codes:',
      '127.0.0.1 only',
    ]) {
      expect(stdout).toContain(text);
    }
    for (const exit of ['0  done', '1  bad input', '2  the server cannot listen', '3  live mode needs the ws package'])
      expect(stdout).toContain(exit);
    expect((await cli('help')).stdout).toBe(stdout);
    expect((await cli('--version')).stdout.trim()).toBe(
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version,
    );
  });

  test('no command, an unknown one, an unknown option or a bad port: exit 1 with the usage', async () => {
    for (const args of [
      [],
      ['explode'],
      ['inspect', '--colour'],
      ['inspect', demo, '--port', 'eighty'],
      ['inspect', demo, '--port', '70000'],
      ['replay'],
      ['inspect', '--out', 'x.html'],
    ]) {
      const { code, stderr } = await cli(...args);
      expect(code, args.join(' ')).toBe(1);
      expect(stderr, args.join(' ')).toMatch(/^call-session-machine: /);
    }
  });

  test('replay prints the timeline npm start prints', async () => {
    const { code, stdout } = await cli('replay', demo);
    expect(code).toBe(0);
    const { stdout: npmStart } = await execute(tsx, [replayScript, demo]);
    // npm start names the demo and adds how to open the inspector.
    const expected = npmStart
      .replace('Replaying the bundled demo (examples/demo.jsonl)', `Replaying ${demo}`)
      .replace(/\nSee it in the inspector: .*\n$/, '');
    expect(stdout).toBe(expected);
    expect(stdout).toMatch(/standup +345\.000s +after idleTimeoutPeriod +joined\.alone → timedOut +onSessionTimedOut/);
  });

  test('a malformed log: its line number, exit 1, nothing written and nothing served', async () => {
    const bad = scratch('bad.jsonl', malformed);
    const out = join(tmpdir(), `csm-never-${process.pid}.html`);
    for (const args of [
      ['replay', bad],
      ['inspect', bad, '--out', out],
      ['inspect', bad],
    ]) {
      const { code, stdout, stderr } = await cli(...args);
      expect(code, args.join(' ')).toBe(1);
      expect(stderr).toBe(
        `call-session-machine: ${bad}: line 3: event: Unknown event type "nope"; expected one of session.join, session.joined, session.joinFailed, session.leave, session.removed, participant.joined, participant.left, connection.lost, connection.restored, connection.closed, idle.extend\n`,
      );
      expect(stdout).toBe('');
    }
    expect(existsSync(out)).toBe(false);
    const missing = await cli('inspect', join(tmpdir(), 'no-such-log.jsonl'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such-log\.jsonl: cannot read it \(ENOENT\)/);
  });

  test('--out writes one self-contained HTML file: the page, the style, the log; nothing to fetch', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'csm-out-')), 'report.html');
    const { code, stdout } = await cli('inspect', demo, '--out', out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^wrote .*report\.html \(\d+ bytes\): one self-contained file/);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(JSON.stringify(readFileSync(demo, 'utf8')).replace(/</g, '\\u003c'));
    expect(html.match(/<script/g)).toHaveLength(2); // the data and the page, both inline
    // What would make a browser fetch something: none of it (the matches, not the page, on failure).
    const fetching = /<script[^>]*\ssrc=|<link[^>]*\shref=(?!["']?data:)|<img|<iframe|@import|url\((?!#)/gi;
    expect(html.match(fetching) ?? []).toEqual([]);
    // The only addresses: the bundled xstate licence's, and the SVG namespace.
    expect(
      html
        .match(/https?:\/\/[^\s"'`)]+/g)
        ?.filter(
          (url) => !/^https:\/\/github\.com\/statelyai\/xstate\)?$|^http:\/\/www\.w3\.org\/2000\/svg$/.test(url),
        ) ?? [],
    ).toEqual([]);
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'none';/,
    );
    const unwritable = await cli('inspect', demo, '--out', join(tmpdir(), 'no-such-dir', 'r.html'));
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/cannot write it \(ENOENT\)/);
  });

  test('a port in use: a clear error and exit 2', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    try {
      for (const args of [
        ['inspect', demo, '--port', String(port)],
        ['inspect', '--port', String(port)],
      ]) {
        const { code, stdout, stderr } = await cli(...args);
        expect(code).toBe(2);
        expect(stderr).toBe(
          `call-session-machine: port ${port} on 127.0.0.1 is in use; pick another with --port N, or --port 0 for a free one\n`,
        );
        expect(stdout).toBe('');
      }
    } finally {
      taken.close();
    }
  });

  test('inspect FILE serves the replay on 127.0.0.1 until Ctrl-C, then exits 0', async () => {
    const { child, url } = await serving('inspect', demo);
    const page = await get(url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('"mode":"report"');
    expect(page.body).toContain('"source":"demo.jsonl"');
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  test('inspect with no log: live mode prints the page and the app URL; an app connected there shows on the page', async () => {
    const { child, url, stdout } = await serving('inspect', '--port', '0');
    const port = new URL(url).port;
    expect(stdout()).toContain(`apps connect with connectInspector('ws://127.0.0.1:${port}')`);
    const page = await get(url);
    expect(page.body).toContain(`"appUrl":"ws://127.0.0.1:${port}"`);
    expect(page.body).toContain("connect-src 'self'");
    // One app session, read back from the page's event stream.
    const events: string[] = [];
    const request = http.get(`${url}events`, (response) =>
      response.on('data', (chunk: Buffer) => events.push(chunk.toString('utf8'))),
    );
    const inspector = connectInspector(`ws://127.0.0.1:${port}`, { WebSocket });
    const session = createCallSession({ inspect: inspector });
    session.join('cli-live');
    const end = Date.now() + 5_000;
    while (!events.join('').includes('"sessionId":"cli-live"') && Date.now() < end)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.join('')).toContain('"sessionId":"cli-live"');
    inspector.close();
    session.dispose();
    request.destroy();
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  test('live mode without the ws package: exit 3, saying how to install it', async () => {
    vi.resetModules();
    vi.doMock('ws', () => {
      throw new Error("Cannot find package 'ws'");
    });
    const { runCli } = await import('../src/cli/main.js');
    const err: string[] = [];
    const code = await runCli(['inspect'], {
      out: () => {},
      err: (text) => err.push(text),
      pageAssets: () => ({ script: '', style: '' }),
    });
    vi.doUnmock('ws');
    expect(code).toBe(3);
    expect(err.join('')).toMatch(
      /live mode needs the ws package \(an optional peer dependency\): npm install --save-dev ws/,
    );
  });
});
