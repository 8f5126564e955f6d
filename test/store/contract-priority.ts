import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withStore, type StoreFactory } from './contract.js';

const event = (severity: unknown) => JSON.stringify({ 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: { id: 'x', severity } });
const msg = (messageId: string, receivedAt: number, payload: string) => ({ messageId, topicArn: 'arn:aws:sns:us-east-1:1:t', receivedAt, payload });

/** Alert storms: the inbox serves the most severe message first, then arrival order. */
export function priorityContract(factory: StoreFactory): void {
  test('inbox: most severe first, then oldest; an unreadable payload counts as high', () =>
    withStore(factory, async (s, replica) => {
      await s.acceptMessage(msg('low1', 1, event(2)));
      await s.acceptMessage(msg('med', 2, event(5.5)));
      await s.acceptMessage(msg('low2', 3, event(1)));
      await s.acceptMessage(msg('junk', 4, 'not json'));
      await s.acceptMessage(msg('crit', 5, JSON.stringify({ Type: 'Notification', Message: event(9.5) })));
      await s.acceptMessage(msg('high', 6, JSON.stringify({ findings: [{ severity: 3 }, { severity: 8 }] })));
      await s.acceptMessage({ ...msg('forced', 7, event(1)), priority: 3 });
      const order = ['crit', 'forced', 'junk', 'high', 'med', 'low1', 'low2'];
      assert.deepEqual(
        (await s.pendingMessages(10)).map((m) => m.messageId),
        order,
      );
      assert.equal((await s.getMessage('crit'))?.priority, 3);
      assert.equal((await s.getMessage('low1'))?.priority, 0);
      const r = await replica();
      assert.deepEqual(
        (await r.claimMessages('A', 3, 1000, 100)).map((m) => m.messageId),
        order.slice(0, 3),
        'claims the most severe first',
      );
      assert.deepEqual(
        (await s.claimMessages('B', 10, 1000, 100)).map((m) => m.messageId),
        order.slice(3),
      );
    }));
}
