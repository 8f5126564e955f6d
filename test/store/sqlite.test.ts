import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite.js';

const finding = (over: Partial<{ updatedAt: string; count: number }> = {}) => ({
  findingId: 'f1',
  accountId: '123456789012',
  region: 'us-east-1',
  updatedAt: '2026-01-01T00:00:00Z',
  count: 1,
  severity: 8,
  findingJson: '{}',
  createdAt: 1,
  ...over,
});

test('inbox: a MessageId is accepted once and survives a reopen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  try {
    const url = `sqlite:${join(dir, 'x.db')}`;
    const a = openSqliteStore(url);
    return (async () => {
      assert.equal(await a.acceptMessage({ messageId: 'm1', topicArn: 't', receivedAt: 1, payload: 'p' }), 'accepted');
      assert.equal(await a.acceptMessage({ messageId: 'm1', topicArn: 't', receivedAt: 2, payload: 'p' }), 'duplicate');
      await a.close();
      const b = openSqliteStore(url);
      const pending = await b.pendingMessages(10);
      assert.deepEqual(pending.map((p) => p.messageId), ['m1']);
      await b.finishMessage('m1', 'done');
      assert.equal((await b.pendingMessages(10)).length, 0);
      await b.close();
    })().finally(() => rmSync(dir, { recursive: true, force: true }));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
});

test('findings: only a newer version replaces the stored one', async () => {
  const s = openSqliteStore('sqlite::memory:');
  assert.equal((await s.upsertFinding(finding())).changed, true);
  assert.equal((await s.upsertFinding(finding())).changed, false, 'same version');
  assert.equal((await s.upsertFinding(finding({ count: 3 }))).changed, true, 'higher count');
  assert.equal((await s.upsertFinding(finding({ updatedAt: '2025-01-01T00:00:00Z', count: 9 }))).changed, false, 'older updatedAt');
  const r = await s.getFinding('f1');
  assert.equal(r!.count, 3);
  assert.ok(r!.cardKey.length >= 16, 'an opaque card key is minted');
  assert.equal((await s.getFindingByCardKey(r!.cardKey))!.findingId, 'f1');
  await s.close();
});

test('runs: only one run of an action per finding can be running; transitions are conditional', async () => {
  const s = openSqliteStore('sqlite::memory:');
  const base = { findingId: 'f1', action: 'stop_task', requestedBy: 'U1', createdAt: 1 };
  await s.createRun({ ...base, runId: 'r1', state: 'planned' });
  await s.createRun({ ...base, runId: 'r2', state: 'planned', requestedBy: 'U2' });
  const first = await s.transitionRun('r1', ['planned'], 'running');
  assert.equal(first.ok, true);
  const second = await s.transitionRun('r2', ['planned'], 'running');
  assert.equal(second.ok, false);
  assert.equal(!second.ok && second.reason, 'busy');
  const again = await s.transitionRun('r1', ['planned'], 'running');
  assert.equal(!again.ok && again.reason, 'wrong_state', 'a retried submit does not run twice');
  assert.equal((await s.transitionRun('r1', ['running'], 'succeeded', { result: { ok: 1 } })).ok, true);
  assert.equal((await s.transitionRun('r2', ['planned'], 'running')).ok, true, 'free again once the first finished');
  assert.deepEqual((await s.getRun('r1'))!.result, { ok: 1 });
  await s.close();
});

test('audit and finding state round-trip', async () => {
  const s = openSqliteStore('sqlite::memory:');
  await s.appendAudit({ at: 5, findingId: 'f1', actor: 'U1', event: 'refused', detail: { why: 'x' } });
  await s.putFindingState('f1', 'isolation', { active: true }, 1);
  await s.putFindingState('f1', 'isolation', { active: false }, 2);
  assert.deepEqual((await s.auditFor('f1')).map((a) => [a.event, a.detail]), [['refused', { why: 'x' }]]);
  assert.deepEqual(await s.getFindingState('f1', 'isolation'), { active: false });
  await s.close();
});
