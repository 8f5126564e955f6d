import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NEW_FINDING_STATUS } from '../../src/notify/card-view.js';
import { buildFindingCard } from '../../src/cards/finding-card.js';
import { EXIT_INVALID_INPUT, EXIT_OK, EXIT_USAGE, main, RENDER_STATUS, type CliIo } from '../../src/cli.js';
import { FIXTURES, fixtureFinding, fixturePath, fixtureText } from '../fixtures/findings/load.js';
import { assertWithinBlockKitLimits } from '../cards/limits-helper.js';
import type { EditableJson } from '../fixtures/findings/load.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/guardduty-responder.js', import.meta.url));

/** Runs the real bin script the way npx does (a child node process). */
function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(stderr: string, pattern: RegExp): void {
  assert.equal(stderr.split('\n').filter(Boolean).length, 1, `one line expected, got: ${stderr}`);
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('guardduty-responder render (the bin script)', () => {
  test('renders a fixture file: exit 0, the card JSON the app would post', () => {
    const r = run(['render', fixturePath(FIXTURES.ecsFargate)]);
    assert.equal(r.code, 0, r.stderr);
    const message = JSON.parse(r.stdout) as { text: string; blocks: unknown[] };
    assert.deepEqual(Object.keys(message), ['text', 'blocks']);
    assertWithinBlockKitLimits(message);
    assert.deepEqual(message, JSON.parse(JSON.stringify(buildFindingCard(fixtureFinding(FIXTURES.ecsFargate), { status: NEW_FINDING_STATUS }))));
    assert.match(r.stdout, /^\{\n {2}"text": /, 'pretty-printed with 2 spaces');
  });

  test('renders stdin ("-"): an SNS Notification body gives the same card', () => {
    const r = run(['render', '-'], fixtureText(FIXTURES.snsNotification));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, run(['render', fixturePath(FIXTURES.ecsFargate)]).stdout);
  });

  test('garbage on stdin: non-zero exit, one-line reason, nothing on stdout', () => {
    const r = run(['render', '-'], 'this is not json {');
    assert.equal(r.code, EXIT_INVALID_INPUT);
    assert.equal(r.stdout, '');
    assertOneLineError(r.stderr, /^guardduty-responder: input is not JSON/);
  });

  test('valid JSON that is not a finding: non-zero exit, one-line reason', () => {
    const r = run(['render', '-'], JSON.stringify({ Type: 'SubscriptionConfirmation', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'x' }));
    assert.equal(r.code, EXIT_INVALID_INPUT);
    assertOneLineError(r.stderr, /SNS SubscriptionConfirmation message carries no finding/);
  });

  test('--help', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: guardduty-responder render FILE/);
  });
});

/** In-process runs of main() for the remaining cases (no child process needed). */
async function runMain(args: string[], files: Record<string, string> = {}, stdin = '') {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdin: (async function* () {
      yield stdin;
    })(),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    readFile: async (p) => {
      if (p in files) return files[p] as string;
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
    },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('cli main()', () => {
  test('renders the FIRST finding of a GetFindings response (PascalCase)', async () => {
    const r = await runMain(['render', 'f.json'], { 'f.json': fixtureText(FIXTURES.getFindingsPascal) });
    assert.equal(r.code, EXIT_OK);
    assert.match(JSON.parse(r.stdout).text, /ECS task opened a reverse shell/);
  });

  test('the card has only the console link as a button', async () => {
    const r = await runMain(['render', 'f.json'], { 'f.json': fixtureText(FIXTURES.instanceEc2) });
    const actions = (JSON.parse(r.stdout).blocks as { type: string; elements?: { url?: string }[] }[]).filter((b) => b.type === 'actions');
    assert.equal(actions.length, 1);
    assert.equal(actions[0]?.elements?.length, 1);
    assert.ok(actions[0]?.elements?.[0]?.url?.startsWith('https://us-west-2.console.aws.amazon.com/'));
  });

  test('a missing file: one line, exit 1', async () => {
    const r = await runMain(['render', 'nope.json']);
    assert.equal(r.code, EXIT_INVALID_INPUT);
    assertOneLineError(r.stderr, /^guardduty-responder: cannot read nope\.json: ENOENT/);
  });

  test('usage errors exit 2', async () => {
    for (const args of [[], ['draw', 'x'], ['render'], ['render', 'a', 'b']]) {
      const r = await runMain(args);
      assert.equal(r.code, EXIT_USAGE, args.join(' '));
      assertOneLineError(r.stderr, /see guardduty-responder --help/);
    }
  });

  test('render --help prints usage', async () => {
    const r = await runMain(['render', '--help']);
    assert.equal(r.code, EXIT_OK);
    assert.match(r.stdout, /^Usage:/);
  });

  test('renders with the status the app gives a new card', () => {
    assert.equal(RENDER_STATUS, NEW_FINDING_STATUS);
  });
});

describe('render: incomplete findings and non-findings', () => {
  test('a finding without resource renders the fallback card; a Slack payload is refused', async () => {
    const event = JSON.parse(fixtureText(FIXTURES.ecsFargate)) as EditableJson;
    delete (event.detail ?? event).resource;
    const r = await runMain(['render', '-'], {}, JSON.stringify(event));
    assert.equal(r.code, EXIT_OK, r.stderr);
    const message = JSON.parse(r.stdout) as { text: string; blocks: { type: string }[] };
    assert.match(JSON.stringify(message.blocks), /Incomplete finding/);
    assert.ok(!message.blocks.some((b) => b.type === 'actions'));
    assertWithinBlockKitLimits(message);
    const slack = await runMain(['render', '-'], {}, JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [] }));
    assert.equal(slack.code, EXIT_INVALID_INPUT);
    assert.match(slack.stderr, /GuardDuty finding/);
    assert.equal(slack.stdout, '');
  });
});
