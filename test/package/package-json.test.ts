/**
 * Package hygiene a new user relies on: the app is not publishable by accident, every package
 * src/ imports is declared (not borrowed from another package's dependencies), the Node range
 * matches the Docker image and CI, and the AWS SDK clients move on one release line.
 */
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  private?: boolean;
  engines?: { node?: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** ELBv2's newest published client is older than the others (AWS publishes a client only when it changes). */
const SDK_LINE_EXCEPTIONS = new Set(['@aws-sdk/client-elastic-load-balancing-v2']);

test('private, Node >= 22, and the Docker image and CI on the same exact Node 24 release', () => {
  assert.equal(pkg.private, true, 'npm publish must refuse');
  assert.equal(pkg.engines?.node, '>=22');
  const image = /FROM node:(\d+\.\d+\.\d+)-bookworm-slim AS runtime/.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
  const ci = /NODE_VERSION=(\d+\.\d+\.\d+)/.exec(readFileSync(join(root, '.ci/run'), 'utf8'))?.[1];
  assert.ok(image?.startsWith('24.'), `image on Node 24 (got ${image})`);
  assert.equal(ci, image, 'CI tests the Node release the image runs');
});

test('every package imported by src/ is a declared runtime dependency', () => {
  const builtins = new Set(builtinModules);
  const imported = new Set<string>();
  for (const f of readdirSync(join(root, 'src'), { recursive: true })
    .map(String)
    .filter((x) => x.endsWith('.ts'))) {
    const text = readFileSync(join(root, 'src', f), 'utf8');
    for (const m of text.matchAll(/from\s+'([^'.][^']*)'/g)) {
      const spec = m[1]!;
      if (spec.startsWith('node:') || builtins.has(spec)) continue;
      const parts = spec.split('/');
      imported.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
    }
  }
  assert.deepEqual([...imported].filter((p) => !(p in pkg.dependencies)).sort(), []);
});

test('the @aws-sdk/client-* ranges are on one release line', () => {
  const ranges = Object.entries(pkg.dependencies).filter(([n]) => n.startsWith('@aws-sdk/client-') && !SDK_LINE_EXCEPTIONS.has(n));
  assert.ok(ranges.length >= 5);
  assert.equal(new Set(ranges.map(([, r]) => r)).size, 1, JSON.stringify(Object.fromEntries(ranges)));
});
