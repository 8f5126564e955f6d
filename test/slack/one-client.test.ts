/**
 * One WebClient: the gateway wraps Bolt's own client (built with the app's fail-fast options), so
 * every Web API call of the app, Bolt's included, goes through one client to one API URL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHarness } from '../helpers/harness.js';

for (const socketMode of [false, true]) {
  test(`the Slack gateway wraps Bolt's own WebClient (${socketMode ? 'Socket Mode' : 'HTTP'})`, async (t) => {
    const h = await startHarness(socketMode ? { socketMode: true } : {});
    t.after(() => h.close());
    assert.equal(h.responder.slack.client, h.responder.http.bolt.client);
    const before = h.slack.callsTo('auth.test').length;
    await h.responder.slack.whoAmI();
    assert.equal(h.slack.callsTo('auth.test').length, before + 1, 'the call reached the Slack double (our API URL)');
  });
}
