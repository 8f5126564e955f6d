#!/usr/bin/env node
// Entry point for `npx guardduty-responder …` (see src/cli.ts).
//
// In a source checkout (src/cli.ts present and tsx installed) the TypeScript source is run through
// tsx, so the command always reflects the current code — a dist/ left over from an earlier build
// would otherwise be used silently. Where there is no source or no tsx (the production image:
// `npm ci --omit=dev`, dist/ built), the compiled dist/cli.js is used.
import { existsSync } from 'node:fs';

const src = new URL('../src/cli.ts', import.meta.url);
const dist = new URL('../dist/cli.js', import.meta.url);

async function load() {
  if (existsSync(src)) {
    try {
      const { register } = await import('tsx/esm/api');
      register();
      return await import(src.href);
    } catch (err) {
      if (!existsSync(dist)) throw err;
    }
  }
  if (existsSync(dist)) return import(dist.href);
  throw new Error('neither src/cli.ts (with tsx) nor dist/cli.js is available; run `npm ci` or `npm run build`');
}

try {
  const { main } = await load();
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`guardduty-responder: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
