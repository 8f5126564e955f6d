import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { isAppError } from '../../src/errors.js';

const good = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-3',
  SLACK_SIGNING_SECRET: 'abcdefghijkl',
  SLACK_CHANNEL_ID: 'C0123456789',
  SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:gd, arn:aws-cn:sns:cn-north-1:123456789012:gd2',
};

test('a valid environment gives a frozen config with defaults', () => {
  const c = loadConfig(good);
  assert.equal(c.port, 3000);
  assert.equal(c.store.url, 'sqlite:./data/responder.db');
  assert.deepEqual(c.sns.topicArns, ['arn:aws:sns:us-east-1:123456789012:gd', 'arn:aws-cn:sns:cn-north-1:123456789012:gd2']);
  assert.equal(c.routing.minSeverity, 'low');
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.slack));
});

test('a bad environment fails with every problem listed at once', () => {
  try {
    loadConfig({
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      SNS_TOPIC_ARNS: 'not-an-arn',
      MIN_SEVERITY: 'urgent',
      RESPONDER_USER_IDS: 'bob',
      SLACK_CHANNEL_BY_SEVERITY: 'high=#sec',
    });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(isAppError(err, 'config_invalid'));
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SLACK_CHANNEL_ID',
      'SNS_TOPIC_ARNS',
      'MIN_SEVERITY',
      'RESPONDER_USER_IDS',
      'SLACK_CHANNEL_BY_SEVERITY',
    ]) {
      assert.match(err.message, new RegExp(name), `mentions ${name}`);
    }
  }
});

test('empty values mean unset (env files with KEY=)', () => {
  const c = loadConfig({ ...good, PORT: '', LOG_LEVEL: '', SLACK_API_URL: '' });
  assert.equal(c.port, 3000);
  assert.equal(c.logLevel, 'info');
  assert.equal(c.slack.apiUrl, undefined);
});

test('the severity channel map and responder lists are parsed', () => {
  const c = loadConfig({
    ...good,
    SLACK_CHANNEL_BY_SEVERITY: 'high=C0HIGH, critical=C0CRIT',
    RESPONDER_USER_IDS: 'U01,U02',
    RESPONDER_USERGROUP_IDS: 'S0ONCALL',
  });
  assert.deepEqual({ ...c.slack.channelBySeverity }, { high: 'C0HIGH', critical: 'C0CRIT' });
  assert.deepEqual([...c.authz.responderUserIds], ['U01', 'U02']);
  assert.deepEqual([...c.authz.responderUsergroupIds], ['S0ONCALL']);
});

test('SNS_CERT_URL_PATTERN must match the whole URL', () => {
  const c = loadConfig({ ...good, SNS_CERT_URL_PATTERN: 'http://127\\.0\\.0\\.1:\\d+/x\\.pem' });
  assert.ok(c.sns.certUrlPattern!.test('http://127.0.0.1:80/x.pem'));
  assert.ok(!c.sns.certUrlPattern!.test('http://127.0.0.1:80/x.pem?evil'));
});
