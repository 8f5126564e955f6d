import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withStore, type StoreFactory } from './contract.js';

const msg = (messageId: string, receivedAt: number) => ({ messageId, topicArn: 'arn:aws:sns:us-east-1:1:t', receivedAt, payload: '{}' });

/** `/guardduty inbox`: messages that could not be processed, retried or discarded by a responder. */
export function deadLetterContract(factory: StoreFactory): void {
  test('dead letters: failed or stuck after an attempt, newest first; retry resets, discard records the reason; only dead letters change', () =>
    withStore(factory, async (s) => {
      for (const [id, at] of [
        ['ok', 1],
        ['failed', 2],
        ['stuck', 3],
        ['fresh', 4],
        ['done', 5],
      ] as const)
        await s.acceptMessage(msg(id, at));
      await s.finishMessage('failed', 'failed', 'not a GuardDuty finding');
      await s.recordAttempt('stuck', 'not_in_channel');
      await s.recordAttempt('stuck', 'not_in_channel');
      await s.finishMessage('done', 'done');
      assert.deepEqual(
        (await s.deadLetters(10)).map((m) => [m.messageId, m.state, m.attempts, m.lastError]),
        [
          ['stuck', 'pending', 2, 'not_in_channel'],
          ['failed', 'failed', 0, 'not a GuardDuty finding'],
        ],
      );
      assert.deepEqual(
        (await s.deadLetters(1)).map((m) => m.messageId),
        ['stuck'],
        'capped',
      );

      assert.equal(await s.retryMessage('fresh'), false, 'a message never tried is not a dead letter');
      assert.equal(await s.discardMessage('done', 'x'), false);
      assert.equal(await s.retryMessage('stuck'), true);
      const retried = await s.getMessage('stuck');
      assert.deepEqual([retried?.state, retried?.attempts, retried?.lastError], ['pending', 0, undefined]);
      assert.equal(await s.retryMessage('failed'), true);
      assert.equal((await s.getMessage('failed'))?.state, 'pending');
      assert.deepEqual(await s.deadLetters(10), []);

      await s.finishMessage('failed', 'failed', 'again');
      assert.equal(await s.discardMessage('failed', 'test noise'), true);
      const gone = await s.getMessage('failed');
      assert.deepEqual([gone?.state, gone?.lastError], ['discarded', 'test noise']);
      assert.deepEqual(await s.deadLetters(10), []);
      assert.equal(await s.retryMessage('failed'), false, 'a discarded message stays discarded');
      assert.ok(!(await s.pendingMessages(10)).some((m) => m.messageId === 'failed'));
    }));
}
