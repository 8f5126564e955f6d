import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AccountScope, parseAccountNames } from '../../src/aws/accounts.js';
import { organizationConfig } from '../../src/aws/organization-config.js';
import { loadConfig } from '../../src/config.js';
import { isAppError } from '../../src/errors.js';

const own = async () => '111111111111';

describe('AccountScope', () => {
  test('default: only the own account, once known; before that the card cannot tell (undefined) and the factory waits', async () => {
    const s = new AccountScope({ memberRoleArn: 'arn:aws:iam::{accountId}:role/R' }, own);
    assert.equal(s.actsIn('222222222222', 'us-east-1'), undefined);
    await s.resolveOwn();
    assert.equal(s.actsIn('111111111111', 'us-east-1'), true);
    assert.equal(s.actsIn('222222222222', 'us-east-1'), false);
    assert.deepEqual(s.places(['us-east-1']), [{ accountId: '111111111111', region: 'us-east-1' }]);
  });

  test('a listed account without a member role cannot be reached: refused, not called with the app credentials', async () => {
    const s = new AccountScope({ accountIds: ['111111111111', '222222222222'] }, own);
    await assert.rejects(
      s.check('222222222222', 'us-east-1'),
      (e: unknown) => isAppError(e, 'account_not_allowed') && /AWS_MEMBER_ROLE_ARN/.test((e as Error).message),
    );
    assert.deepEqual(s.accounts(), ['111111111111']);
  });

  test('Regions outside AWS_REGIONS are refused; names come from AWS_ACCOUNT_NAMES', async () => {
    const s = new AccountScope(
      {
        memberRoleArn: 'arn:aws:iam::{accountId}:role/R',
        accountIds: ['222222222222'],
        regions: ['eu-west-1'],
        accountNames: parseAccountNames('222222222222=prod'),
      },
      own,
    );
    await s.resolveOwn();
    assert.throws(
      () => s.decide('222222222222', 'us-east-1'),
      (e: unknown) => isAppError(e, 'region_not_allowed'),
    );
    assert.deepEqual(s.describe('222222222222', 'eu-west-1'), { actsIn: true, name: 'prod' });
    assert.equal(s.describe('333333333333', 'eu-west-1').actsIn, false);
  });

  test('a failed GetCallerIdentity is a typed error and is retried on the next call', async () => {
    let n = 0;
    const s = new AccountScope({}, async () => (++n === 1 ? Promise.reject(new Error('no network')) : '111111111111'));
    await assert.rejects(s.resolveOwn(), (e: unknown) => isAppError(e, 'aws_identity_unknown'));
    assert.equal(await s.resolveOwn(), '111111111111');
  });
});

describe('organization settings', () => {
  test("parsed from the contract names; Regions default to the SNS topics' Regions", () => {
    const c = organizationConfig(
      {
        AWS_MEMBER_ROLE_ARN: 'arn:aws:iam::{accountId}:role/GuardDutyResponder',
        AWS_ACCOUNT_IDS: '111111111111, 222222222222',
        AWS_ACCOUNT_NAMES: '222222222222=prod',
      },
      ['arn:aws:sns:us-east-1:111111111111:a', 'arn:aws:sns:eu-west-1:111111111111:b'],
    );
    assert.deepEqual(c, {
      memberRoleArn: 'arn:aws:iam::{accountId}:role/GuardDutyResponder',
      accountIds: ['111111111111', '222222222222'],
      regions: ['us-east-1', 'eu-west-1'],
      accountNames: { '222222222222': 'prod' },
    });
  });

  test('Regions default to those of the SNS topics and the SQS queue URLs together', () => {
    const c = organizationConfig({}, ['arn:aws:sns:us-east-1:111111111111:a'], ['eu-west-1', 'us-east-1']);
    assert.deepEqual(c.regions, ['us-east-1', 'eu-west-1']);
    const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A-1-abc', SLACK_CHANNEL_ID: 'C0123456789' };
    const sqsOnly = loadConfig({
      ...base,
      SQS_QUEUE_URLS:
        'https://sqs.eu-central-1.amazonaws.com/111111111111/q,https://ap-southeast-2.queue.amazonaws.com/111111111111/q2,http://127.0.0.1:9324/000000000000/local',
    });
    assert.deepEqual(sqsOnly.aws.organization.regions, ['eu-central-1', 'ap-southeast-2'], 'a local endpoint adds no Region');
  });

  test('bad values fail at start with the setting named', () => {
    const base = {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'secret-123',
      SLACK_CHANNEL_ID: 'C0123456789',
      SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:111111111111:t',
    };
    assert.throws(() => loadConfig({ ...base, AWS_MEMBER_ROLE_ARN: 'arn:aws:iam::222222222222:role/R' }), /AWS_MEMBER_ROLE_ARN/);
    assert.throws(() => loadConfig({ ...base, AWS_ACCOUNT_IDS: '12' }), /AWS_ACCOUNT_IDS/);
    assert.throws(() => loadConfig({ ...base, AWS_REGIONS: 'mars' }), /AWS_REGIONS/);
    assert.throws(() => loadConfig({ ...base, AWS_ACCOUNT_NAMES: 'prod' }), /AWS_ACCOUNT_NAMES/);
    assert.deepEqual(loadConfig({ ...base, AWS_REGIONS: 'eu-west-1' }).aws.organization.regions, ['eu-west-1']);
  });
});
