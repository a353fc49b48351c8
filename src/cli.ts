#!/usr/bin/env node
import { runCli } from './commands/index.js';

// The thin entry: everything else is a function of its inputs (argv, environment, streams, signals).
const exitCode = await runCli(
  process.argv.slice(2),
  { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr },
  process,
);
// Exit explicitly: a stopped bot must not linger on a stray handle (a socket, a timer).
process.exit(exitCode);
