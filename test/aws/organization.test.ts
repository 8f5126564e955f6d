/**
 * The client factory across an AWS Organization, with the real SDK (STS included) against the
 * loopback organization double: own account on the app's credentials, member accounts through
 * the role as a session of the person, allowlists enforced before any call.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { createAwsClientFactory } from '../../src/aws/clients.js';
import { findTasksUsingImage } from '../../src/aws/ecs/sweep.js';
import { REFRESH_MARGIN_MS, sanitizeIdentity, assumeRoleParams } from '../../src/aws/sts/session.js';
import { isAppError } from '../../src/errors.js';
import { startOrganizationDouble } from '../doubles/aws/organization.js';
import { fakeClock } from '../helpers/clock.js';

const ADMIN = '111111111111';
const PROD = '222222222222';
const STAGING = '333333333333';
const OUTSIDE = '444444444444';
const ROLE = 'arn:aws:iam::{accountId}:role/GuardDutyResponder';
const roleIn = (a: string) => ROLE.replace('{accountId}', a);

async function world(extra: { externalId?: string; durationMs?: number } = {}) {
  const clock = fakeClock();
  const org = await startOrganizationDouble({ admin: ADMIN, members: [PROD, STAGING, OUTSIDE], regions: ['us-east-1', 'eu-west-1'], now: clock.now });
  for (const a of [PROD, STAGING]) org.sts.addRole(roleIn(a), extra.externalId ? { externalId: extra.externalId } : {});
  if (extra.durationMs) org.sts.maxDurationMs = extra.durationMs;
  const factory = createAwsClientFactory({
    endpointUrl: org.endpoint,
    defaultRegion: 'us-east-1',
    credentials: org.adminCredentials,
    maxAttempts: 1,
    credentialClock: clock,
    organization: {
      memberRoleArn: ROLE,
      accountIds: [ADMIN, PROD, STAGING],
      regions: ['us-east-1', 'eu-west-1'],
      ...(extra.externalId ? { externalId: extra.externalId } : {}),
    },
  });
  return {
    clock,
    org,
    factory,
    async close() {
      factory.destroy();
      await org.close();
    },
  };
}

describe('organization: credentials per account', () => {
  test('own account uses the app credentials; a member account is reached through the role as a session of the requester (SourceIdentity, Approver tag, step in the session name, external id)', async (t) => {
    const w = await world({ externalId: 'ext-123' });
    t.after(() => w.close());
    w.org.world(PROD).ecs.addCluster('prod-cluster');
    const own = await w.factory.forTarget({ accountId: ADMIN }).ecs.send(new ListClustersCommand({}));
    assert.equal(own.clusterArns?.length, 0, 'the admin account has no clusters');
    const actor = { requester: 'U0ALICE', approver: 'U0BOB', step: 'isolate_task' };
    const member = await w.factory.forTarget({ accountId: PROD, actor }).ecs.send(new ListClustersCommand({}));
    assert.deepEqual(member.clusterArns, [`arn:aws:ecs:us-east-1:${PROD}:cluster/prod-cluster`]);

    assert.equal(w.org.sts.assumeRoleCalls.length, 1);
    const call = w.org.sts.assumeRoleCalls[0]!;
    assert.equal(call.roleArn, roleIn(PROD));
    assert.equal(call.sourceIdentity, 'U0ALICE');
    assert.equal(call.externalId, 'ext-123');
    assert.equal(call.sessionName, 'gdr-isolate_task-U0ALICE');
    assert.deepEqual(call.tags, { Step: 'isolate_task', Approver: 'U0BOB' });
    assert.equal(w.org.callsIn(ADMIN, 'ecs:ListClusters')[0]?.sourceIdentity, undefined);
    const trail = w.org.callsIn(PROD, 'ecs:ListClusters');
    assert.equal(trail.length, 1);
    assert.equal(trail[0]!.sourceIdentity, 'U0ALICE', 'the member account sees who did it');
    assert.match(trail[0]!.principal, /assumed-role\/GuardDutyResponder\/gdr-isolate_task-U0ALICE$/);

    // Another person: another session (distinct credentials); the same person again: cached.
    await w.factory.forTarget({ accountId: PROD, actor: { requester: 'U0CAROL', step: 'isolate_task' } }).ecs.send(new ListClustersCommand({}));
    await w.factory.forTarget({ accountId: PROD, actor }).ecs.send(new ListClustersCommand({}));
    assert.equal(w.org.sts.assumeRoleCalls.length, 2);
    const keys = new Set(w.org.callsIn(PROD, 'ecs:ListClusters').map((r) => r.accessKeyId));
    assert.equal(keys.size, 2);
  });

  test('an unlisted account or Region is refused by the factory itself: typed error, zero AssumeRole, zero calls', async (t) => {
    const w = await world();
    t.after(() => w.close());
    await w.factory.scope.resolveOwn();
    assert.throws(
      () => w.factory.forTarget({ accountId: OUTSIDE, actor: { requester: 'U0ALICE', step: 'stop_task' } }),
      (e: unknown) => isAppError(e, 'account_not_allowed') && /444444444444/.test((e as Error).message),
    );
    assert.throws(
      () => w.factory.forTarget({ accountId: PROD, region: 'ap-south-1' }),
      (e: unknown) => isAppError(e, 'region_not_allowed'),
    );
    assert.equal(w.org.sts.assumeRoleCalls.length, 0);
    assert.equal(w.org.trail.filter((r) => r.event !== 'sts:GetCallerIdentity').length, 0);
    assert.equal(w.factory.scope.describe(OUTSIDE, 'us-east-1').actsIn, false);
    assert.equal(w.factory.scope.describe(PROD, 'us-east-1').actsIn, true);
  });

  test('without AWS_ACCOUNT_IDS only the own account is allowed (from GetCallerIdentity)', async (t) => {
    const clock = fakeClock();
    const org = await startOrganizationDouble({ admin: ADMIN, members: [PROD], regions: ['us-east-1'], now: clock.now });
    org.sts.addRole(roleIn(PROD));
    const f = createAwsClientFactory({
      endpointUrl: org.endpoint,
      defaultRegion: 'us-east-1',
      credentials: org.adminCredentials,
      maxAttempts: 1,
      organization: { memberRoleArn: ROLE },
    });
    t.after(async () => {
      f.destroy();
      await org.close();
    });
    // Before the own account is known, the call itself waits for it and is then refused.
    await assert.rejects(f.forTarget({ accountId: PROD }).ecs.send(new ListClustersCommand({})), (e: unknown) => isAppError(e, 'account_not_allowed'));
    assert.equal(f.scope.ownAccountId(), ADMIN);
    assert.throws(
      () => f.forTarget({ accountId: PROD }),
      (e: unknown) => isAppError(e, 'account_not_allowed'),
    );
    assert.equal(org.sts.assumeRoleCalls.length, 0);
    assert.equal(org.callsIn(PROD).length, 0);
  });

  test('a refused role: typed error naming the role ARN and the likely causes; nothing called in the member account', async (t) => {
    const w = await world({ externalId: 'right' });
    t.after(() => w.close());
    w.org.sts.addRole(roleIn(STAGING), { externalId: 'another' });
    await assert.rejects(
      w.factory.forTarget({ accountId: STAGING, actor: { requester: 'U0ALICE', step: 'stop_task' } }).ecs.send(new ListClustersCommand({})),
      (e: unknown) =>
        isAppError(e, 'aws_role_denied') &&
        (e as Error).message.includes(roleIn(STAGING)) &&
        /trust policy/.test((e as Error).message) &&
        /external id/.test((e as Error).message),
    );
    assert.equal(w.org.sts.assumeRoleCalls.at(-1)?.error, 'AccessDenied');
    assert.equal(w.org.callsIn(STAGING).filter((r) => !r.event.startsWith('sts:')).length, 0);
  });

  test('credentials that expire in the middle of a sweep are refreshed before expiry: the sweep completes', async (t) => {
    const w = await world();
    t.after(() => w.close());
    w.org.sts.maxDurationMs = 15 * 60_000;
    const prod = w.org.world(PROD);
    const digest = `sha256:${'a'.repeat(64)}`;
    prod.seed.manyTasks({ clusters: 6, tasks: 900, image: 'shop:1', digest, fraction: 1 });
    // Each call takes a minute of (injected) time: the 15-minute session runs out mid-sweep.
    const clients = w.factory.forTarget({ accountId: PROD, actor: { requester: 'U0ALICE', step: 'find_image_tasks' } });
    let calls = 0;
    clients.ecs.middlewareStack.add(
      (next) => async (args) => {
        calls++;
        w.clock.advance(60_000);
        return next(args);
      },
      { step: 'initialize', name: 'tick' },
    );
    const sweep = await findTasksUsingImage(clients, { digest }, { concurrency: 1 });
    assert.equal(sweep.errors.length, 0, JSON.stringify(sweep.errors));
    assert.equal(sweep.matches.length, 900);
    assert.ok(calls > 15, `the sweep outlived one session (${calls} calls, one minute each)`);
    const sessions = new Set(
      w.org
        .callsIn(PROD)
        .filter((r) => r.event.startsWith('ecs:'))
        .map((r) => r.accessKeyId),
    );
    assert.ok(sessions.size >= 2, 'fresh credentials were used after the first ones neared expiry');
    assert.equal(w.org.trail.filter((r) => r.error === 'ExpiredTokenException').length, 0, 'no call was sent with expired credentials');
    assert.ok(REFRESH_MARGIN_MS > 0);
  });
});

describe('role session parameters', () => {
  test('SourceIdentity and session name are sanitised to [\\w+=,.@-], 2–64 characters', () => {
    assert.equal(sanitizeIdentity('U 1'), 'U_1');
    assert.equal(sanitizeIdentity('x'), 'x_');
    assert.equal(sanitizeIdentity('a'.repeat(80)).length, 64);
    const p = assumeRoleParams('arn:aws:iam::222222222222:role/R', { requester: 'U0ALICE<script>', step: 'stop_task' }, undefined);
    assert.equal(p.SourceIdentity, 'U0ALICE_script_');
    assert.equal(p.ExternalId, undefined);
    const service = assumeRoleParams('arn:aws:iam::222222222222:role/R', undefined, 'e');
    assert.equal(service.SourceIdentity, 'gdr-service');
  });
});
