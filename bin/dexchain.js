#!/usr/bin/env node
// Entry point: runs the compiled CLI (built by `npm ci` through the `prepare` script).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
