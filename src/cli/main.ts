/**
 * The `call-session-machine` command: `replay` prints a session log's timeline (what
 * `npm start` prints), `inspect` shows the chart, live or replayed, in a local page or
 * as one self-contained HTML file. Exit codes are in {@link EXIT} and in `--help`. Each
 * subcommand is one entry of {@link SUBCOMMANDS}: its options, its help, its run.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliError, EXIT, messageOf, type CliIo, type OptionValues, type Subcommand } from './command.js';
import { inspectCommand } from './inspect.js';
import { replayCommand } from './replay.js';

export { EXIT, type CliIo } from './command.js';
export { printReplay } from './replay.js';

/** The subcommands, by name, in the order `--help` lists them. */
export const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  replay: replayCommand,
  inspect: inspectCommand,
};

export const USAGE = `Usage:
${Object.values(SUBCOMMANDS)
  .map((command) => command.usage)
  .join('\n')}
  call-session-machine serve --provider livekit|daily|twilio [options]
      Ends calls in which someone is left alone (webhooks in, provider calls out);
      its options and exit codes: call-session-machine serve --help

  call-session-machine --help | --version

Listens on 127.0.0.1 only. Stop with Ctrl-C.

Exit codes:
  0  done (or stopped with Ctrl-C)
  1  bad input: unknown option or command, malformed log (its line is named), unreadable
     log, --out not writable
  2  the server cannot listen: port in use, or not allowed
  3  live mode needs the ws package, which is not installed
`;

const consoleIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

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

/** Every subcommand's options at once, so that an option no subcommand has is refused by `parseArgs`. */
function parse(argv: readonly string[]): { values: OptionValues; positionals: string[] } {
  const options = Object.assign(
    { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } } as const,
    ...Object.values(SUBCOMMANDS).map((command) => command.options),
  ) as Subcommand['options'];
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new CliError(`${messageOf(error)}\n\n${USAGE}`, EXIT.badInput);
  }
}

/** The subcommand named, checked to be given only its own options. */
function subcommandOf(name: string | undefined, values: OptionValues): Subcommand {
  const command = name === undefined ? undefined : Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!command) {
    throw new CliError(
      `${name === undefined ? 'a command is needed' : `unknown command ${JSON.stringify(name)}`}\n\n${USAGE}`,
      EXIT.badInput,
    );
  }
  const foreign = Object.keys(values).find((option) => values[option] !== undefined && !(option in command.options));
  if (foreign !== undefined) throw new CliError(`${name} takes no --${foreign}\n\n${USAGE}`, EXIT.badInput);
  return command;
}

function report(io: CliIo, error: unknown): number {
  io.err(`call-session-machine: ${messageOf(error)}\n`);
  return error instanceof CliError ? error.exitCode : EXIT.badInput;
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
    const { values, positionals } = parse(argv);
    const [name, ...files] = positionals;
    const { help, version, ...own } = values;
    if (help || name === 'help') {
      io.out(USAGE);
      return EXIT.ok;
    }
    if (version) {
      line(packageVersion());
      return EXIT.ok;
    }
    const command = subcommandOf(name, own);
    return await command.run({ files, values: own, io, line, stopped });
  } catch (error) {
    return report(io, error);
  }
}
