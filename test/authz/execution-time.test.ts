/**
 * Authorization that holds at execution (issue 9, items 3 and 6): fresh user-group membership
 * when a step runs, a short cache only for the click, a per-user rate limit on changing steps,
 * the two-person rule from a setting, and approvals that expire.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAuthorizer, USERGROUP_CACHE_MS } from '../../src/authz/authorizer.js';
import { approvalExpired, buildPolicy, DEFAULT_APPROVAL_TTL_MS } from '../../src/authz/policy.js';
import { loadConfig } from '../../src/config.js';
import { isAppError } from '../../src/errors.js';
import { createSlackClient, createSlackGateway } from '../../src/slack/client.js';
import { createLogger } from '../../src/log.js';
import { startSlackDouble, type SlackDouble } from '../doubles/slack.js';
import { fakeClock } from '../helpers/clock.js';

let slack: SlackDouble;
before(async () => {
  slack = await startSlackDouble();
});
after(() => slack.close());

const stopTask = { id: 'stop_task', changes: true, destructive: true };
const isolate = { id: 'isolate_task', changes: true, destructive: false };
const findTasks = { id: 'find_image_tasks', changes: false, destructive: false };
const client = () => createSlackGateway(createSlackClient({ token: 'xoxb-x', apiUrl: slack.apiUrl, logger: createLogger('silent') }));
const groupPolicy = (extra: Parameters<typeof buildPolicy>[0] extends infer B ? Partial<B> : never = {}) =>
  buildPolicy({ responderUserIds: [], responderUsergroupIds: ['S0EXEC'], ...extra });
const usergroupCalls = () => slack.callsTo('usergroups.users.list').filter((c) => c.args.usergroup === 'S0EXEC').length;

test('a responder removed from the user group is refused at execution at once, even though the click-time cache still lists them', async () => {
  slack.usergroups.set('S0EXEC', ['U0GONE']);
  const clock = fakeClock();
  const a = createAuthorizer(groupPolicy(), { slack: client(), clock });
  assert.equal((await a.check('U0GONE', stopTask)).allowed, true, 'click: member');
  slack.usergroups.set('S0EXEC', []);
  clock.advance(1_000);
  const d = await a.check('U0GONE', stopTask, { fresh: true });
  assert.equal(d.allowed, false, 'execution reads membership fresh');
  assert.match(!d.allowed ? d.reason : '', /not on the list/);
});

test('the click-time membership cache lasts at most 10 s', async () => {
  assert.ok(USERGROUP_CACHE_MS <= 10_000);
  slack.usergroups.set('S0EXEC', ['U0CACHED']);
  const clock = fakeClock();
  const a = createAuthorizer(groupPolicy(), { slack: client(), clock });
  const before = usergroupCalls();
  await a.check('U0CACHED', isolate);
  await a.check('U0CACHED', isolate);
  assert.equal(usergroupCalls() - before, 1, 'a second click within the window uses the cache');
  slack.usergroups.set('S0EXEC', []);
  clock.advance(10_001);
  assert.equal((await a.check('U0CACHED', isolate)).allowed, false, 'after 10 s the click reads Slack again');
});

test('rate limit: the 4th changing-step confirmation within 60 s is refused with "slow down"; read-only steps and execution checks are not counted; it frees up as time passes', async () => {
  const clock = fakeClock();
  const a = createAuthorizer(
    buildPolicy({ responderUserIds: ['U0FAST', 'U0OTHER'], responderUsergroupIds: [], actionRateLimit: { count: 3, windowMs: 60_000 } }),
    { slack: client(), clock },
  );
  for (let i = 0; i < 3; i++) {
    assert.equal((await a.check('U0FAST', stopTask)).allowed, true, `click ${i + 1}`);
    assert.equal((await a.check('U0FAST', stopTask, { fresh: true })).allowed, true, 'the execution check of an opened confirmation is not a new confirmation');
    clock.advance(100);
  }
  const refused = await a.check('U0FAST', stopTask);
  assert.equal(refused.allowed, false);
  assert.match(!refused.allowed ? refused.reason : '', /slow down/i);
  assert.match(!refused.allowed ? refused.reason : '', /3 .*60 s/);
  assert.equal((await a.check('U0FAST', findTasks)).allowed, true, 'read-only steps are not limited');
  assert.equal((await a.check('U0OTHER', stopTask)).allowed, true, 'per user');
  clock.advance(60_000);
  assert.equal((await a.check('U0FAST', stopTask)).allowed, true, 'the window slides');
});

test('12 clicks in 0.2 s with the default limit: 5 go through', async () => {
  const clock = fakeClock();
  const cfg = loadConfig(minimalEnv({ RESPONDER_USER_IDS: 'U0FAST' }));
  const a = createAuthorizer(buildPolicy(cfg.authz), { slack: client(), clock });
  let allowed = 0;
  for (let i = 0; i < 12; i++) {
    if ((await a.check('U0FAST', stopTask)).allowed) allowed += 1;
    clock.advance(16);
  }
  assert.equal(allowed, 5);
});

test('REQUIRE_APPROVAL=destructive|all|none turns on the two-person rule without a policy file', () => {
  const withSetting = (v?: string) => {
    const cfg = loadConfig(minimalEnv({ RESPONDER_USER_IDS: 'U0LEAD', ...(v ? { REQUIRE_APPROVAL: v } : {}) }));
    return createAuthorizer(buildPolicy(cfg.authz), { slack: client(), clock: fakeClock() });
  };
  assert.equal(withSetting().requiresApproval(stopTask), false, 'default none');
  assert.equal(withSetting('destructive').requiresApproval(stopTask), true);
  assert.equal(withSetting('destructive').requiresApproval(isolate), false);
  assert.equal(withSetting('all').requiresApproval(isolate), true);
  assert.equal(withSetting('all').requiresApproval(findTasks), false, 'read-only steps never wait for a second person');
  assert.equal(withSetting('none').requiresApproval(stopTask), false);
  assert.throws(
    () => loadConfig(minimalEnv({ REQUIRE_APPROVAL: 'sometimes' })),
    (e) => isAppError(e, 'config_invalid') && /REQUIRE_APPROVAL/.test(e.message),
  );
});

test('approvals expire after APPROVAL_TTL_MINUTES (default 30)', () => {
  const t0 = Date.parse('2026-11-28T10:00:00Z');
  assert.equal(DEFAULT_APPROVAL_TTL_MS, 30 * 60_000);
  const cfg = loadConfig(minimalEnv({}));
  assert.equal(cfg.authz.approvalTtlMs, 30 * 60_000);
  const a = createAuthorizer(buildPolicy(cfg.authz), { slack: client(), clock: fakeClock() });
  assert.equal(a.approvalExpired(t0, t0 + 30 * 60_000), false);
  assert.equal(a.approvalExpired(t0, t0 + 30 * 60_000 + 1), true);
  const short = loadConfig(minimalEnv({ APPROVAL_TTL_MINUTES: '5' }));
  assert.equal(approvalExpired(t0, t0 + 5 * 60_000 + 1, short.authz.approvalTtlMs), true);
  assert.throws(
    () => loadConfig(minimalEnv({ APPROVAL_TTL_MINUTES: '0' })),
    (e) => isAppError(e, 'config_invalid'),
  );
});

test('ACTION_RATE_LIMIT is N/Ws (or N/Wm); off turns it off; nonsense is refused at start', () => {
  assert.deepEqual(loadConfig(minimalEnv({})).authz.actionRateLimit, { count: 5, windowMs: 60_000 });
  assert.deepEqual(loadConfig(minimalEnv({ ACTION_RATE_LIMIT: '3/60s' })).authz.actionRateLimit, { count: 3, windowMs: 60_000 });
  assert.deepEqual(loadConfig(minimalEnv({ ACTION_RATE_LIMIT: '5/2m' })).authz.actionRateLimit, { count: 5, windowMs: 120_000 });
  assert.equal(loadConfig(minimalEnv({ ACTION_RATE_LIMIT: 'off' })).authz.actionRateLimit, undefined);
  assert.throws(
    () => loadConfig(minimalEnv({ ACTION_RATE_LIMIT: 'fast' })),
    (e) => isAppError(e, 'config_invalid') && /ACTION_RATE_LIMIT/.test(e.message),
  );
});

function minimalEnv(extra: Record<string, string>): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: 'secret-secret',
    SLACK_CHANNEL_ID: 'C0SECURITY',
    SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:guardduty-findings',
    ...extra,
  };
}
