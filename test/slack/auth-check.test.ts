import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createLogger } from '../../src/log.js';
import { createSlackClient } from '../../src/slack/client.js';
import { explainAuthTestFailure } from '../../src/slack/auth-check.js';

/** A loopback "Slack" answering auth.test with a fixed status and body. */
async function fakeSlack(status: number, body: unknown): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/`, close: () => new Promise((r) => server.close(() => r())) };
}

async function failureOf(apiUrl: string) {
  const client = createSlackClient({ token: 'xoxb-test', apiUrl, logger: createLogger('silent'), timeoutMs: 2000 });
  const err = await client.auth.test().then(
    () => assert.fail('auth.test should fail'),
    (e: unknown) => e,
  );
  return explainAuthTestFailure(err);
}

test("a token Slack refuses is reported as the token, naming Slack's reason", async (t) => {
  const slack = await fakeSlack(200, { ok: false, error: 'invalid_auth' });
  t.after(slack.close);
  const f = await failureOf(slack.url);
  assert.equal(f.kind, 'token_rejected');
  assert.match(f.message, /rejected SLACK_BOT_TOKEN \(invalid_auth\)/);
});

test('Slack that cannot be reached is reported as unreachable, not as a bad token', async (t) => {
  const slack = await fakeSlack(200, {});
  await slack.close(); // nothing listens on that port any more: connection refused
  const f = await failureOf(slack.url);
  assert.equal(f.kind, 'slack_unreachable');
  assert.match(f.message, /Slack is unreachable/);
  assert.doesNotMatch(f.message, /rejected/);
  t.diagnostic(f.message);
});

test('an HTTP error from Slack or a proxy is unreachable too, with the status', async (t) => {
  const slack = await fakeSlack(503, { ok: false });
  t.after(slack.close);
  const f = await failureOf(slack.url);
  assert.equal(f.kind, 'slack_unreachable');
  assert.match(f.message, /HTTP 503/);
});
