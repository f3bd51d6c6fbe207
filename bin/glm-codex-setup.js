#!/usr/bin/env node
// Thin shim: the whole CLI is bundled into dist/ by `npm run build`.
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    // Exit as soon as the output is flushed: idle keep-alive sockets must not hold the process.
    process.exitCode = code;
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
