import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';

const good = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-3',
  SLACK_SIGNING_SECRET: 'abcdefghijkl',
  SLACK_CHANNEL_ID: 'C0123456789',
  SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:gd',
};

test('STORE_URL: SQLite paths and PostgreSQL URLs (with parameters) are accepted', () => {
  for (const url of ['sqlite::memory:', 'sqlite:./data/x.db', 'postgres://u:p@db.internal:5432/responder?sslmode=verify-full', 'postgresql://db/responder']) {
    assert.equal(loadConfig({ ...good, STORE_URL: url }).store.url, url);
  }
});

test('STORE_URL: anything else is refused at start, naming the setting', () => {
  for (const url of ['mysql://u:p@db/x', 'postgres:/nohost', './data/x.db', 'dynamodb://t']) {
    assert.throws(() => loadConfig({ ...good, STORE_URL: url }), /STORE_URL/, url);
  }
});
