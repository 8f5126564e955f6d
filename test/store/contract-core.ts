import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withStore, type StoreFactory } from './contract.js';

export const finding = (over: Partial<{ findingId: string; updatedAt: string; count: number }> = {}) => ({
  findingId: 'f1',
  accountId: '123456789012',
  region: 'us-east-1',
  updatedAt: '2026-01-01T00:00:00Z',
  count: 1,
  severity: 8,
  findingJson: '{"id":"f1"}',
  createdAt: 1,
  ...over,
});

const msg = (messageId: string, receivedAt: number) => ({ messageId, topicArn: 'arn:aws:sns:us-east-1:1:t', receivedAt, payload: `p-${messageId}` });

export function coreContract(factory: StoreFactory): void {
  test('inbox: a MessageId is accepted once, also when both arrive together; oldest first', () =>
    withStore(factory, async (s, replica) => {
      const r = await replica();
      const [x, y] = await Promise.all([s.acceptMessage(msg('m1', 10)), r.acceptMessage(msg('m1', 11))]);
      assert.deepEqual([x, y].sort(), ['accepted', 'duplicate']);
      assert.equal(await s.acceptMessage({ ...msg('m0', 5), reqId: 'req-1' }), 'accepted');
      assert.equal(await s.acceptMessage(msg('m1', 12)), 'duplicate');
      assert.deepEqual(
        (await s.pendingMessages(10)).map((m) => m.messageId),
        ['m0', 'm1'],
      );
      assert.deepEqual(
        (await s.pendingMessages(1)).map((m) => m.messageId),
        ['m0'],
      );
      const m0 = await s.getMessage('m0');
      assert.deepEqual(m0, {
        messageId: 'm0',
        topicArn: 'arn:aws:sns:us-east-1:1:t',
        receivedAt: 5,
        payload: 'p-m0',
        state: 'pending',
        attempts: 0,
        reqId: 'req-1',
        priority: 2,
      });
      assert.equal(await s.getMessage('nope'), undefined);
      await s.recordAttempt('m0', 'slack down');
      await s.recordAttempt('m0', 'slack still down');
      const again = await r.getMessage('m0');
      assert.equal(again?.attempts, 2);
      assert.equal(again?.lastError, 'slack still down');
      await s.finishMessage('m0', 'done');
      await s.finishMessage('m1', 'failed', 'not a finding');
      assert.deepEqual(await s.pendingMessages(10), []);
      assert.equal((await s.getMessage('m1'))?.state, 'failed');
      assert.equal((await s.getMessage('m1'))?.lastError, 'not a finding');
    }));

  test('findings: only a newer version replaces the stored one; card key, card and status', () =>
    withStore(factory, async (s) => {
      assert.equal((await s.upsertFinding(finding())).changed, true);
      assert.equal((await s.upsertFinding(finding())).changed, false, 'same version');
      const higher = await s.upsertFinding({ ...finding({ count: 3 }), findingJson: '{"v":3}' });
      assert.equal(higher.changed, true, 'higher count');
      assert.equal(higher.record.findingJson, '{"v":3}');
      const older = await s.upsertFinding(finding({ updatedAt: '2025-01-01T00:00:00Z', count: 9 }));
      assert.equal(older.changed, false, 'older updatedAt');
      assert.equal(older.record.count, 3, 'the stored record comes back');
      assert.equal((await s.upsertFinding(finding({ updatedAt: '2026-02-01T00:00:00Z', count: 1 }))).changed, true, 'later updatedAt');
      const r = await s.getFinding('f1');
      assert.equal(r!.updatedAt, '2026-02-01T00:00:00Z');
      assert.equal(r!.severity, 8);
      assert.equal(r!.createdAt, 1);
      assert.ok(r!.cardKey.length >= 16, 'an opaque card key is minted');
      assert.equal((await s.getFindingByCardKey(r!.cardKey))!.findingId, 'f1');
      assert.equal(await s.getFindingByCardKey('forged'), undefined);
      assert.equal(await s.getFinding('nope'), undefined);
      await s.setFindingCard('f1', { channel: 'C1', ts: '1.1', postedVersion: 'v1', threadTs: '0.9' });
      await s.setFindingCard('f1', { channel: 'C1', ts: '1.2', postedVersion: 'v2' });
      await s.setFindingStatus('f1', ':lock: isolated');
      const c = await s.getFinding('f1');
      assert.deepEqual([c!.channel, c!.ts, c!.postedVersion, c!.threadTs, c!.statusText], ['C1', '1.2', 'v2', '0.9', ':lock: isolated']);
    }));

  test('findings: two replicas upserting versions at once keep the newest', () =>
    withStore(factory, async (s, replica) => {
      const r = await replica();
      await Promise.all([s.upsertFinding(finding({ count: 2 })), r.upsertFinding(finding({ count: 5 })), s.upsertFinding(finding({ count: 4 }))]);
      assert.equal((await r.getFinding('f1'))!.count, 5);
    }));

  test('home viewers: a set, most recent first', () =>
    withStore(factory, async (s) => {
      await s.addHomeViewer('U1', 1);
      await s.addHomeViewer('U2', 2);
      await s.addHomeViewer('U1', 3);
      assert.deepEqual(await s.homeViewers(), ['U1', 'U2']);
    }));

  test('runs: one active run per action and finding; transitions are conditional', () =>
    withStore(factory, async (s) => {
      const base = { findingId: 'f1', action: 'stop_task', requestedBy: 'U1', createdAt: 1 };
      await s.createRun({ ...base, runId: 'r1', state: 'planned', input: { task: 'T1' } });
      await s.createRun({ ...base, runId: 'r2', state: 'planned', requestedBy: 'U2', createdAt: 2 });
      await s.createRun({ ...base, runId: 'r3', state: 'planned', action: 'isolate_task', createdAt: 3 });
      const first = await s.transitionRun('r1', ['planned'], 'running', { plan: { steps: 1 }, owner: 'A' }, 10);
      assert.ok(first.ok);
      assert.deepEqual(
        [first.run.state, first.run.plan, first.run.input, first.run.owner, first.run.updatedAt],
        ['running', { steps: 1 }, { task: 'T1' }, 'A', 10],
      );
      const second = await s.transitionRun('r2', ['planned'], 'awaiting_approval');
      assert.ok(!second.ok && second.reason === 'busy' && second.active.runId === 'r1');
      assert.ok((await s.transitionRun('r3', ['planned'], 'running')).ok, 'another action on the same finding is free');
      const again = await s.transitionRun('r1', ['planned'], 'running');
      assert.ok(!again.ok && again.reason === 'wrong_state' && again.run?.state === 'running', 'a retried submit does not run twice');
      assert.ok(!(await s.transitionRun('nope', ['planned'], 'running')).ok);
      assert.ok((await s.transitionRun('r1', ['running'], 'succeeded', { result: { ok: 1 }, approvedBy: 'U9' }, 20)).ok);
      assert.ok((await s.transitionRun('r2', ['planned'], 'running')).ok, 'free again once the first finished');
      const r1 = await s.getRun('r1');
      assert.deepEqual([r1!.result, r1!.approvedBy, r1!.requestedBy, r1!.plan], [{ ok: 1 }, 'U9', 'U1', { steps: 1 }]);
      assert.equal(await s.getRun('nope'), undefined);
      assert.deepEqual(
        (await s.runsInState('running')).map((r) => r.runId),
        ['r2', 'r3'],
      );
      assert.deepEqual(
        (await s.runsForFinding('f1')).map((r) => r.runId),
        ['r1', 'r2', 'r3'],
      );
    }));

  test('runs: a double click landing on two replicas starts the run once', () =>
    withStore(factory, async (s, replica) => {
      const r = await replica();
      for (let i = 0; i < 5; i++)
        await s.createRun({ findingId: `f${i}`, action: 'stop_task', requestedBy: 'U1', createdAt: i, runId: `r${i}`, state: 'planned' });
      const claims = await Promise.all(
        [0, 1, 2, 3, 4].flatMap((i) => [s.transitionRun(`r${i}`, ['planned'], 'running', {}, 5), r.transitionRun(`r${i}`, ['planned'], 'running', {}, 5)]),
      );
      assert.equal(claims.filter((c) => c.ok).length, 5);
      assert.ok(claims.every((c) => c.ok || c.reason === 'wrong_state'));
    }));

  test('audit and finding state round-trip', () =>
    withStore(factory, async (s) => {
      await s.appendAudit({ at: 5, findingId: 'f1', actor: 'U1', event: 'refused', detail: { why: 'x' } });
      await s.appendAudit({ at: 6, findingId: 'f1', runId: 'r1', event: 'executed' });
      await s.appendAudit({ at: 7, findingId: 'f2', event: 'other' });
      const audit = await s.auditFor('f1');
      assert.deepEqual(
        audit.map(({ id: _id, ...rest }) => rest),
        [
          { at: 5, findingId: 'f1', actor: 'U1', event: 'refused', detail: { why: 'x' } },
          { at: 6, findingId: 'f1', runId: 'r1', event: 'executed' },
        ],
      );
      assert.ok(audit[0]!.id < audit[1]!.id);
      await s.putFindingState('f1', 'isolation', { active: true }, 1);
      await s.putFindingState('f1', 'isolation', { active: false }, 2);
      await s.putFindingState('f1', 'blast', [1, 2], 2);
      assert.deepEqual(await s.getFindingState('f1', 'isolation'), { active: false });
      assert.deepEqual(await s.getFindingState('f1', 'blast'), [1, 2]);
      assert.equal(await s.getFindingState('f2', 'isolation'), undefined);
      await s.ping();
    }));
}
