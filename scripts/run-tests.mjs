#!/usr/bin/env node
// Runs every test/**/*.test.ts file with node's built-in test runner and tsx.
// The file list is built here (rather than a `--test` glob) so arguments can filter it by path.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../test/', import.meta.url).pathname;
const filter = process.argv.slice(2);
const files = readdirSync(root, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort()
  .map((f) => join('test', f));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  // No AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED any more: on Node ≥ 22 the SDK has nothing
  // to warn about, and on an older Node its warning is one worth seeing.
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
