import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BLOCK_KIT_BUILDER_URL, EXIT_OK, main, type CliIo } from '../../src/cli.js';

const examples = new URL('../../examples/', import.meta.url);

async function render(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdin: (async function* () {})(),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    readFile: async (path) => readFileSync(new URL(path, examples), 'utf8'),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

test('every file the README points at in examples/ renders (exit 0, a card with blocks)', async () => {
  const files = readdirSync(examples).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 4, 'examples/ ships sample findings');
  for (const f of files) {
    const r = await render(['render', f]);
    assert.equal(r.code, EXIT_OK, `${f}: ${r.stderr}`);
    assert.ok((JSON.parse(r.stdout) as { blocks: unknown[] }).blocks.length > 0, f);
  }
});

test('--builder prints one Block Kit Builder link whose fragment is exactly {"blocks": …} of the card', async () => {
  const json = await render(['render', 'ecs-fargate-runtime.json']);
  const link = await render(['render', '--builder', 'ecs-fargate-runtime.json']);
  assert.equal(link.code, EXIT_OK, link.stderr);
  const lines = link.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const url = lines[0]!;
  assert.ok(url.startsWith('https://app.slack.com/block-kit-builder/#'), url.slice(0, 60));
  assert.doesNotMatch(url, /[\s"<>]/, 'the fragment is URL-encoded');
  const payload = JSON.parse(decodeURIComponent(url.slice(BLOCK_KIT_BUILDER_URL.length))) as unknown;
  assert.deepEqual(payload, { blocks: (JSON.parse(json.stdout) as { blocks: unknown[] }).blocks });
  // Flag after the file works too.
  assert.equal((await render(['render', 'ecs-fargate-runtime.json', '--builder'])).stdout, link.stdout);
});
