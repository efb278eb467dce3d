/**
 * The `call-session-machine` command: `replay` prints a session log's timeline (what
 * `npm start` prints), `inspect` shows the chart, live or replayed, in a local page or
 * as one self-contained HTML file. Exit codes are in {@link EXIT} and in `--help`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SESSION_SETTINGS } from '../../machines/callSession.types.js';
import { parseSessionLog, replaySessionLog, type SessionLog } from '../devtools/sessionLog.js';
import { inspectorHtml, readPageAssets, type PageAssets } from './html.js';
import { ListenError, startInspectorServer, type InspectorServer, type WsModule } from './server.js';

/** What the command exits with. */
export const EXIT = {
  ok: 0,
  /** Bad input: an unknown option, a malformed or unreadable log, a file that cannot be written. */
  badInput: 1,
  /** The server cannot listen: the port is in use, or not allowed. */
  cannotListen: 2,
  /** Live mode needs the `ws` package, which is not installed. */
  missingWs: 3,
} as const;

export const USAGE = `Usage:
  call-session-machine replay FILE
      Replays a session log (JSON Lines, docs/session-log.md) on a simulated clock and
      prints its timeline: states, callbacks, timers.

  call-session-machine inspect [FILE] [--port N] [--out REPORT.html] [--allow-origin ORIGIN]
      Shows the statechart, the active state, the transition just taken, the countdowns
      and the participants, with a timeline to step back and forth or play.
      inspect FILE              serves FILE's replay at http://127.0.0.1:PORT/
      inspect FILE --out R.html writes R.html: one self-contained file, opens offline
      inspect                   live: serves the page and takes apps' sessions on
                                ws://127.0.0.1:PORT; in the app:
                                  createCallSession({ inspect: connectInspector('ws://127.0.0.1:PORT') })
                                (live mode needs the ws package: npm install --save-dev ws)
      --port N                  the port on 127.0.0.1; 0 (the default) picks a free one
      --allow-origin ORIGIN     live: also accept apps in web pages of ORIGIN
                                (e.g. http://localhost:5173); repeatable

  call-session-machine serve --provider livekit|daily|twilio [options]
      Ends calls in which someone is left alone (webhooks in, provider calls out);
      see call-session-machine serve --help

  call-session-machine --help | --version

Listens on 127.0.0.1 only. Stop with Ctrl-C.

Exit codes:
  0  done (or stopped with Ctrl-C)
  1  bad input: unknown option or command, malformed log (its line is named), unreadable
     log, --out not writable
  2  the server cannot listen: port in use, or not allowed
  3  live mode needs the ws package, which is not installed
`;

/** Where the command writes; a test passes its own. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The bundled page; default dist/inspector/. */
  readonly pageAssets?: () => PageAssets;
}

const consoleIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function readLog(path: string): { log: SessionLog; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      EXIT.badInput,
    );
  }
  try {
    return { log: parseSessionLog(text), text };
  } catch (error) {
    // A LogFormatError names the line.
    throw new CliError(`${path}: ${error instanceof Error ? error.message : String(error)}`, EXIT.badInput);
  }
}

/** The text timeline, exactly as `npm start` prints it. */
export function printReplay(log: SessionLog, shownAs: string, out: (line: string) => void): void {
  const settings = log.settings ?? DEFAULT_SESSION_SETTINGS;
  out(`Replaying ${shownAs}`);
  out(
    `settings: idleTimeoutPeriod ${settings.idleTimeoutPeriod} s, reconnectTimeoutPeriod ${settings.reconnectTimeoutPeriod} s, type ${settings.type}\n`,
  );
  const sessions = replaySessionLog(log, out);
  out('');
  for (const [name, session] of sessions) {
    out(`${name}: ${session.state}${session.endReason ? ` (endReason ${session.endReason})` : ''}`);
  }
}

/** This package's version, from the nearest package.json above this module that is ours. */
function packageVersion(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'call-session-machine' && manifest.version) return manifest.version;
    } catch {
      // none here; look further up
    }
    if (dir.pathname === '/') return 'unknown';
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value) || Number(value) > 65_535)
    throw new CliError(`--port must be a whole number from 0 to 65535; got ${value}`, EXIT.badInput);
  return Number(value);
}

function parseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`--allow-origin must be an origin such as http://localhost:5173; got ${value}`, EXIT.badInput);
  }
  if (url.origin !== value.replace(/\/$/, '') || url.origin === 'null') {
    throw new CliError(`--allow-origin must be an origin (scheme://host[:port], no path); got ${value}`, EXIT.badInput);
  }
  return url.origin;
}

async function loadWs(): Promise<WsModule> {
  try {
    return (await import('ws')) as unknown as WsModule;
  } catch {
    throw new CliError(
      'live mode needs the ws package (an optional peer dependency): npm install --save-dev ws\n' +
        '(a log needs nothing more: call-session-machine inspect log.jsonl [--out report.html])',
      EXIT.missingWs,
    );
  }
}

async function listen(start: () => Promise<InspectorServer>): Promise<InspectorServer> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof ListenError) throw new CliError(error.message, EXIT.cannotListen);
    throw error;
  }
}

/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM). */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Runs the command with `argv` (without `node` and the script). Resolves with the exit
 * code once done; `inspect` serving a page resolves when `stopped` does.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = consoleIo,
  stopped: () => Promise<void> = untilStopped,
): Promise<number> {
  const line = (text: string) => io.out(`${text}\n`);
  if (argv[0] === 'serve') {
    const { runServe } = await import('../server/cli.js');
    return runServe(argv.slice(1), io, stopped);
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          help: { type: 'boolean', short: 'h' },
          version: { type: 'boolean' },
          port: { type: 'string' },
          out: { type: 'string' },
          'allow-origin': { type: 'string', multiple: true },
        },
      });
    } catch (error) {
      throw new CliError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, EXIT.badInput);
    }
    const { values, positionals } = parsed;
    const [command, ...files] = positionals;
    if (values.help || command === 'help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    if (values.version) {
      line(packageVersion());
      return EXIT.ok;
    }
    if (command === 'replay') {
      if (files.length !== 1 || values.port !== undefined || values.out !== undefined || values['allow-origin']) {
        throw new CliError(`replay takes one FILE and no option\n\n${USAGE}`, EXIT.badInput);
      }
      const path = files[0]!;
      printReplay(readLog(path).log, path, line);
      return EXIT.ok;
    }
    if (command !== 'inspect') {
      throw new CliError(
        `${command === undefined ? 'a command is needed' : `unknown command ${JSON.stringify(command)}`}\n\n${USAGE}`,
        EXIT.badInput,
      );
    }
    if (files.length > 1) throw new CliError(`inspect takes at most one FILE\n\n${USAGE}`, EXIT.badInput);
    const path = files[0];
    const port = parsePort(values.port);
    const allowOrigins = (values['allow-origin'] ?? []).map(parseOrigin);
    const assets = () => (io.pageAssets ?? readPageAssets)();

    if (path === undefined) {
      if (values.out !== undefined)
        throw new CliError('--out writes the report of a log: inspect FILE --out REPORT.html', EXIT.badInput);
      const ws = await loadWs();
      const page = assets();
      let appUrl = '';
      const server = await listen(() =>
        startInspectorServer({
          port,
          ws,
          allowOrigins,
          page: () => inspectorHtml(page, { mode: 'live', appUrl, events: '/events' }),
        }),
      );
      appUrl = server.appUrl;
      line(`call-session-machine inspector (live): ${server.url}`);
      line(`apps connect with connectInspector('${server.appUrl}')`);
      line('Ctrl-C to stop.');
      await stopped();
      await server.close();
      return EXIT.ok;
    }

    // A malformed log is refused before anything is served or written.
    const { text } = readLog(path);
    const html = inspectorHtml(assets(), { mode: 'report', source: basename(path), log: text });
    if (values.out !== undefined) {
      if (values.port !== undefined || allowOrigins.length)
        throw new CliError('--out writes a file: --port and --allow-origin have no use with it', EXIT.badInput);
      try {
        writeFileSync(values.out, html);
      } catch (error) {
        throw new CliError(
          `${values.out}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
          EXIT.badInput,
        );
      }
      line(
        `wrote ${values.out} (${Buffer.byteLength(html)} bytes): one self-contained file; open it in a browser, no server needed`,
      );
      return EXIT.ok;
    }
    if (allowOrigins.length)
      throw new CliError('--allow-origin is for live mode (inspect with no FILE)', EXIT.badInput);
    const server = await listen(() => startInspectorServer({ port, page: () => html }));
    line(`call-session-machine inspector: ${server.url} (replaying ${path})`);
    line('Ctrl-C to stop.');
    await stopped();
    await server.close();
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`call-session-machine: ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`call-session-machine: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.badInput;
  }
}
