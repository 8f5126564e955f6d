/** Private-mode settings: SLACK_APP_TOKEN instead of the signing secret, SQS_QUEUE_URLS instead of SNS. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { isAppError } from '../../src/errors.js';

const slack = { SLACK_BOT_TOKEN: 'xoxb-1-2-3', SLACK_CHANNEL_ID: 'C0123456789' };
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/guardduty-responder-findings';

test('Socket Mode + SQS only: no signing secret, no topics', () => {
  const c = loadConfig({ ...slack, SLACK_APP_TOKEN: 'xapp-1-A1-2-abc', SQS_QUEUE_URLS: `${QUEUE}, http://localhost:4566/000000000000/gd` });
  assert.equal(c.slack.appToken, 'xapp-1-A1-2-abc');
  assert.equal(c.slack.signingSecret, undefined);
  assert.deepEqual(c.sns.topicArns, []);
  assert.deepEqual(c.sqs.queueUrls, [QUEUE, 'http://localhost:4566/000000000000/gd']);
  assert.equal(c.sqs.endpointFromEnv, false);
  assert.equal(
    loadConfig({ ...slack, SLACK_APP_TOKEN: 'xapp-1', SQS_QUEUE_URLS: QUEUE, AWS_ENDPOINT_URL_SQS: 'http://localhost:4566' }).sqs.endpointFromEnv,
    true,
  );
});

test('neither a signing secret nor an app token, neither topics nor queues: both problems listed with the others', () => {
  assert.throws(
    () => loadConfig({ SLACK_BOT_TOKEN: 'xoxp-user', SLACK_CHANNEL_ID: 'C0123456789' }),
    (e) =>
      isAppError(e, 'config_invalid') &&
      /SLACK_BOT_TOKEN/.test(e.message) &&
      /SLACK_SIGNING_SECRET is required \(or set SLACK_APP_TOKEN/.test(e.message) &&
      /SNS_TOPIC_ARNS is required \(or set SQS_QUEUE_URLS/.test(e.message),
  );
});

test('a bot token as app token and a queue ARN instead of a URL are refused', () => {
  assert.throws(
    () => loadConfig({ ...slack, SLACK_APP_TOKEN: 'xoxb-nope', SQS_QUEUE_URLS: 'arn:aws:sqs:us-east-1:123456789012:gd' }),
    (e) => isAppError(e, 'config_invalid') && /SLACK_APP_TOKEN must be an app-level token/.test(e.message) && /is not an SQS queue URL/.test(e.message),
  );
});
