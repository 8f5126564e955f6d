#!/usr/bin/env node
// `prestart`: compile TypeScript only when dist/ is missing or older than a source file, so
// `npm start` on a built tree starts at once. Compares modification times of src/**, the
// tsconfig files and package-lock.json (a dependency update can change types) with
// dist/main.js; `npm run build` always compiles.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'dist', 'main.js');

function newestInputMs() {
  const inputs = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => join(root, f));
  for (const f of readdirSync(join(root, 'src'), { recursive: true })) inputs.push(join(root, 'src', String(f)));
  return Math.max(...inputs.filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs));
}

if (existsSync(built) && statSync(built).mtimeMs >= newestInputMs()) {
  console.error('dist/ is up to date; not recompiling (npm run build forces it)');
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['run', 'build'], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
