/** What every subcommand of the `call-session-machine` command shares: its exit codes, its output, its errors. */
import type { PageAssets } from './html.js';

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

/** Where the command writes; a test passes its own. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The bundled page; default dist/inspector/. */
  readonly pageAssets?: () => PageAssets;
}

/** A failure the command reports as `call-session-machine: <message>` and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The option values `parseArgs` gives (every subcommand's options, parsed together). */
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** One subcommand: its options, its part of `--help`, and what it does. */
export interface Subcommand {
  /** Its options, as `node:util` `parseArgs` takes them. Any other option given to it is bad input. */
  readonly options: Readonly<Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>>;
  /** Its lines of `--help`, indented as the others. */
  readonly usage: string;
  /**
   * Runs it. `files` are the positionals after its name; `stopped` resolves on Ctrl-C,
   * for subcommands that serve until then. Resolves with the exit code.
   */
  run(context: {
    readonly files: readonly string[];
    readonly values: OptionValues;
    readonly io: CliIo;
    /** `text` and a newline to stdout. */
    readonly line: (text: string) => void;
    readonly stopped: () => Promise<void>;
  }): Promise<number>;
}

/** `error` as one line of text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `error`'s Node error code (`ENOENT`), or the error itself as text. */
export function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
