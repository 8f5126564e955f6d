#!/usr/bin/env node
// Runs every test/**/*.test.ts file with node's built-in test runner and tsx.
// The file list is built here (rather than a `--test` glob) so arguments can filter it by path.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startTestPostgres } from './test-postgres.mjs';

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
// One PostgreSQL server for the whole run, only when a selected file uses it; each file then
// creates its own database on it (test/helpers/postgres.ts).
const needsPostgres = !process.env.TEST_POSTGRES_URL && files.some((f) => readFileSync(f, 'utf8').includes('helpers/postgres.js'));
const pg = needsPostgres ? await startTestPostgres() : undefined;
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  // No AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: on Node >= 22 the SDK has nothing to warn about.
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', ...(pg ? { TEST_POSTGRES_URL: pg.url } : {}) } },
);
const status = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
await pg?.stop();
process.exit(status);
