import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAuthorizer } from '../../src/authz/authorizer.js';
import { buildPolicy } from '../../src/authz/policy.js';
import { isAppError } from '../../src/errors.js';
import { createSlackClient, createSlackGateway } from '../../src/slack/client.js';
import { createLogger } from '../../src/log.js';
import { startSlackDouble, type SlackDouble } from '../doubles/slack.js';
import { fakeClock } from '../helpers/clock.js';

let slack: SlackDouble;
before(async () => {
  slack = await startSlackDouble();
  slack.usergroups.set('S0ONCALL', ['U0MEMBER']);
});
after(() => slack.close());

const changing = { id: 'stop_task', changes: true, destructive: true };
const readOnly = { id: 'find_image_tasks', changes: false, destructive: false };
const client = () => createSlackGateway(createSlackClient({ token: 'xoxb-x', apiUrl: slack.apiUrl, logger: createLogger('silent') }));

test('secure by default: no responders → read-only works, changing actions are refused with the fix', async () => {
  const a = createAuthorizer(buildPolicy({ responderUserIds: [], responderUsergroupIds: [] }), { slack: client(), clock: fakeClock() });
  assert.equal((await a.check('U1', readOnly)).allowed, true);
  const d = await a.check('U1', changing);
  assert.equal(d.allowed, false);
  assert.match(!d.allowed ? d.reason : '', /RESPONDER_USER_IDS/);
});

test('responder users and user-group members may act; others may not', async () => {
  const a = createAuthorizer(buildPolicy({ responderUserIds: ['U0LEAD'], responderUsergroupIds: ['S0ONCALL'] }), { slack: client(), clock: fakeClock() });
  assert.equal((await a.check('U0LEAD', changing)).allowed, true);
  assert.equal((await a.check('U0MEMBER', changing)).allowed, true);
  assert.equal((await a.check('U0STRANGER', changing)).allowed, false);
});

test('a per-action rule replaces the responder list and can require approval', async () => {
  const policy = buildPolicy(
    { responderUserIds: ['U0LEAD'], responderUsergroupIds: [] },
    { actions: { stop_task: { users: ['U0OTHER'], requireApproval: true } } },
    ['stop_task'],
  );
  const a = createAuthorizer(policy, { slack: client(), clock: fakeClock() });
  assert.equal((await a.check('U0LEAD', changing)).allowed, false);
  assert.equal((await a.check('U0OTHER', changing)).allowed, true);
  assert.equal(a.requiresApproval(changing), true);
  assert.equal(a.requiresApproval({ id: 'isolate_task', destructive: false }), false);
});

test('an unverifiable group membership is a refusal (fail closed)', async () => {
  const a = createAuthorizer(buildPolicy({ responderUserIds: [], responderUsergroupIds: ['S0ONCALL'] }), { slack: client(), clock: fakeClock() });
  slack.failNext({ status: 500 });
  const d = await a.check('U0MEMBER', changing);
  assert.equal(d.allowed, false);
});

test('a policy file with unknown actions or bad ids is refused at start', () => {
  assert.throws(
    () => buildPolicy({ responderUserIds: [], responderUsergroupIds: [] }, { actions: { nuke: {} } }, ['stop_task']),
    (e) => isAppError(e, 'config_invalid') && /nuke/.test(e.message),
  );
  assert.throws(
    () => buildPolicy({ responderUserIds: [], responderUsergroupIds: [] }, { actions: { stop_task: { users: ['bob'] } } }),
    (e) => isAppError(e, 'config_invalid'),
  );
});
