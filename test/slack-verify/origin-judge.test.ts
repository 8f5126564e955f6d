import assert from 'node:assert/strict';
import { test } from 'node:test';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createSlackGateway } from '../../src/slack/client.js';
import { createIdentitySource, IDENTITY_RETRY_MS, type SlackIdentity } from '../../src/slack-verify/identity.js';
import { judgeOrigin } from '../../src/slack-verify/judge.js';
import { originOf, type RequestOrigin } from '../../src/slack-verify/origin.js';
import { refuseFutureSlackTimestamps, SLACK_MAX_CLOCK_SKEW_SEC } from '../../src/slack-verify/timestamp.js';
import { createLogger } from '../../src/log.js';

const home: SlackIdentity = { teamId: 'T0HOME', enterpriseId: null, orgWide: false, appId: 'A0APP' };
const served = async (c: string) => c === 'C0CARDS';

test('originOf reads workspace, org, app and channel from each kind of Slack body', () => {
  assert.deepEqual(originOf({ command: '/guardduty', team_id: 'T1', enterprise_id: 'E1', api_app_id: 'A1', channel_id: 'C1', user_id: 'U1' }), {
    kind: 'command',
    teamIds: ['T1'],
    enterpriseIds: ['E1'],
    appId: 'A1',
    channelId: 'C1',
    userId: 'U1',
  });
  const click = originOf({ type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1', team_id: 'T2' }, api_app_id: 'A1', container: { channel_id: 'C9' } });
  assert.deepEqual(click.teamIds, ['T1', 'T2']);
  assert.equal(click.channelId, 'C9');
  const ev = originOf({
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: 'A1',
    event: { user: 'U1', channel: 'C5' },
    authorizations: [{ team_id: 'T1', enterprise_id: null }],
  });
  assert.equal(ev.kind, 'event');
  assert.equal(ev.channelId, undefined, 'event channels are not checked');
  assert.deepEqual(ev.enterpriseIds, []);
  const modal = originOf({ type: 'view_submission', team: null, user: { id: 'U1', team_id: 'T1' }, view: { app_installed_team_id: 'T1' }, api_app_id: 'A1' });
  assert.deepEqual(modal.teamIds, ['T1']);
  assert.equal(modal.channelId, undefined);
});

test('judgeOrigin: own workspace, app and served channel pass; each foreign part is refused with its code', async () => {
  const base: RequestOrigin = { kind: 'interaction', teamIds: ['T0HOME'], enterpriseIds: [], appId: 'A0APP', channelId: 'C0CARDS' };
  assert.deepEqual(await judgeOrigin(base, home, served), { ok: true });
  assert.deepEqual(await judgeOrigin({ ...base, channelId: 'DUSER' }, home, served), { ok: true }, 'DMs with the app');
  const code = async (o: Partial<RequestOrigin>, id: SlackIdentity | 'none' = home) => {
    const v = await judgeOrigin({ ...base, ...o }, id === 'none' ? undefined : id, served);
    return v.ok ? 'ok' : v.code;
  };
  assert.equal(await code({ teamIds: ['T0HOME', 'T0GUEST'] }), 'foreign_team');
  assert.equal(await code({ teamIds: [] }), 'foreign_team', 'a request naming no workspace is not ours');
  assert.equal(await code({ appId: 'A0OTHER' }), 'foreign_app');
  assert.equal(await code({ appId: 'A0OTHER' }, { teamId: 'T0HOME', enterpriseId: null, orgWide: false }), 'ok', 'an unknown app id is not checked');
  assert.equal(await code({ enterpriseIds: ['E0X'] }), 'foreign_enterprise');
  assert.equal(await code({ channelId: 'C0ELSE' }), 'foreign_channel');
  assert.equal(await code({}, 'none'), 'identity_unknown');
  const org = { enterpriseId: 'E0ORG', orgWide: true };
  assert.equal(await code({ teamIds: ['T0ANY'], enterpriseIds: ['E0ORG'] }, org), 'ok', 'org-wide install: any workspace of the org');
  assert.equal(await code({ teamIds: ['T0ANY'], enterpriseIds: [] }, org), 'foreign_enterprise');
});

test('identity: SLACK_TEAM_ID needs no auth.test; learned otherwise; a failure is retried at most every 10 s', async () => {
  let t = 0;
  let calls = 0;
  let answer: Record<string, unknown> | Error = new Error('invalid_auth');
  const client = createSlackGateway({
    auth: {
      test: async () => {
        calls += 1;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  } as never);
  const logger = createLogger('silent');
  assert.deepEqual(await createIdentitySource({ configured: { teamId: 'T0SET' }, slack: client, now: () => t, logger }).get(), {
    teamId: 'T0SET',
    orgWide: false,
  });
  assert.equal(calls, 0);
  const src = createIdentitySource({ configured: { appId: 'A0SET' }, slack: client, now: () => t, logger });
  assert.equal(await src.get(), undefined);
  answer = { ok: true, team_id: 'T0LEARNED', app_id: 'A0LEARNED', enterprise_id: 'E0G' };
  t += IDENTITY_RETRY_MS - 1;
  assert.equal(await src.get(), undefined, 'not asked again so soon');
  assert.equal(calls, 1);
  t += 2;
  assert.deepEqual(await src.get(), { teamId: 'T0LEARNED', enterpriseId: 'E0G', orgWide: false, appId: 'A0SET' }, 'a configured value wins');
  await src.get();
  assert.equal(calls, 2, 'cached once known');
});

test('refuseFutureSlackTimestamps: more than 5 min ahead → 401; within skew, past or missing → passed to Bolt', async (t) => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  const app = express();
  app.use('/slack/events', refuseFutureSlackTimestamps({ now: () => now }));
  app.post('/slack/events', (_req, res) => res.status(200).send('bolt'));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  const send = (ts?: number) => fetch(url, { method: 'POST', headers: ts === undefined ? {} : { 'x-slack-request-timestamp': String(ts) }, body: 'x' });
  const s = now / 1000;
  assert.equal(SLACK_MAX_CLOCK_SKEW_SEC, 300);
  assert.equal((await send(s + 3600)).status, 401);
  assert.equal((await send(s + 301)).status, 401);
  assert.equal((await send(s + 300)).status, 200);
  assert.equal((await send(s - 3600)).status, 200, "the past is Bolt's to refuse");
  assert.equal((await send()).status, 200);
});
