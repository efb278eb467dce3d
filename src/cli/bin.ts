#!/usr/bin/env node
// The `call-session-machine` bin (package.json "bin"): see `call-session-machine --help`.
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2));
