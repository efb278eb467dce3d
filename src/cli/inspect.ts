/**
 * `call-session-machine inspect`: the chart, live or replayed, in a local page
 * (`inspect [FILE]`) or as one self-contained HTML file (`inspect FILE --out R.html`).
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CliError, codeOf, EXIT, type CliIo, type OptionValues, type Subcommand } from './command.js';
import { inspectorHtml, readPageAssets } from './html.js';
import { readLog } from './replay.js';
import { ListenError, startInspectorServer, type InspectorServer, type WsModule } from './server.js';

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

/** Starts a server; a port that cannot be had is exit code 2. */
export async function listen(start: () => Promise<InspectorServer>): Promise<InspectorServer> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof ListenError) throw new CliError(error.message, EXIT.cannotListen);
    throw error;
  }
}

interface InspectOptions {
  readonly port: number;
  readonly allowOrigins: readonly string[];
  readonly out: string | undefined;
  readonly io: CliIo;
  readonly line: (text: string) => void;
  readonly stopped: () => Promise<void>;
}

const assetsOf = (io: CliIo) => (io.pageAssets ?? readPageAssets)();

/** No FILE: the page, and apps' sessions over WebSocket on the same port, until Ctrl-C. */
async function inspectLive({ port, allowOrigins, out, io, line, stopped }: InspectOptions): Promise<number> {
  if (out !== undefined)
    throw new CliError('--out writes the report of a log: inspect FILE --out REPORT.html', EXIT.badInput);
  const ws = await loadWs();
  const page = assetsOf(io);
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

/** `--out`: the report as one file. */
function writeReport(html: string, out: string, line: (text: string) => void): number {
  try {
    writeFileSync(out, html);
  } catch (error) {
    throw new CliError(`${out}: cannot write it (${codeOf(error)})`, EXIT.badInput);
  }
  line(
    `wrote ${out} (${Buffer.byteLength(html)} bytes): one self-contained file; open it in a browser, no server needed`,
  );
  return EXIT.ok;
}

/** FILE: its replay, written to `--out` or served until Ctrl-C. */
async function inspectLog(path: string, options: InspectOptions, portGiven: boolean): Promise<number> {
  const { port, allowOrigins, out, io, line, stopped } = options;
  // A malformed log is refused before anything is served or written.
  const { text } = readLog(path);
  const html = inspectorHtml(assetsOf(io), { mode: 'report', source: basename(path), log: text });
  if (out !== undefined) {
    if (portGiven || allowOrigins.length)
      throw new CliError('--out writes a file: --port and --allow-origin have no use with it', EXIT.badInput);
    return writeReport(html, out, line);
  }
  if (allowOrigins.length) throw new CliError('--allow-origin is for live mode (inspect with no FILE)', EXIT.badInput);
  const server = await listen(() => startInspectorServer({ port, page: () => html }));
  line(`call-session-machine inspector: ${server.url} (replaying ${path})`);
  line('Ctrl-C to stop.');
  await stopped();
  await server.close();
  return EXIT.ok;
}

export const inspectCommand: Subcommand = {
  options: {
    port: { type: 'string' },
    out: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
  },
  usage: `  call-session-machine inspect [FILE] [--port N] [--out REPORT.html] [--allow-origin ORIGIN]
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
`,
  run({ files, values, io, line, stopped }) {
    if (files.length > 1) throw new CliError('inspect takes at most one FILE', EXIT.badInput);
    const options = optionsOf(values, io, line, stopped);
    return files[0] === undefined ? inspectLive(options) : inspectLog(files[0], options, values.port !== undefined);
  },
};

function optionsOf(
  values: OptionValues,
  io: CliIo,
  line: (text: string) => void,
  stopped: () => Promise<void>,
): InspectOptions {
  return {
    port: parsePort(values.port as string | undefined),
    allowOrigins: ((values['allow-origin'] as string[] | undefined) ?? []).map(parseOrigin),
    out: values.out as string | undefined,
    io,
    line,
    stopped,
  };
}
