import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { createInboxWorker } from '../../src/ingest/worker.js';
import { createLogger } from '../../src/log.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { fakeClock } from '../helpers/clock.js';

const event = (id: string, severity: number) => JSON.stringify({ 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: { id, severity } });

test('inbox worker: a Critical accepted during a backlog of Low findings is handled next', async () => {
  const clock = fakeClock();
  const store = openSqliteStore('sqlite::memory:');
  const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
  const handled: string[] = [];
  const accept = (id: string, severity: number) => store.acceptMessage({ messageId: id, topicArn: 't', receivedAt: clock.now(), payload: event(id, severity) });
  for (let i = 0; i < 10; i++) await accept(`low${i}`, 2);
  const worker = createInboxWorker({
    store,
    clock,
    logger,
    async handle(entry) {
      handled.push(entry.messageId);
      clock.advance(1_000); // one card a second, as Slack paces a channel
      if (entry.messageId === 'low1') {
        await accept('crit', 9.5);
        await accept('med', 5);
        worker.kick();
      }
    },
  });
  worker.kick();
  await worker.idle();
  await worker.stop();
  await store.close();
  assert.deepEqual(handled.slice(0, 4), ['low0', 'low1', 'crit', 'med'], 'most severe next, without waiting for the rest of the batch');
  assert.equal(handled.length, 12, 'nothing lost');
  assert.deepEqual(handled.slice(4), ['low2', 'low3', 'low4', 'low5', 'low6', 'low7', 'low8', 'low9'], 'then arrival order');
});
