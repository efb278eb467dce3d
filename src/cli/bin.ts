#!/usr/bin/env node
// The `call-session-machine` bin (package.json "bin"): see `call-session-machine --help`.
import { runCli } from './main.js';

// `call-session-machine replay log.jsonl | head`: the reader has all it wanted.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
