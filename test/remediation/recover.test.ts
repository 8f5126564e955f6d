import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recoverInterrupted } from '../../src/remediation/recover.js';
import { ALICE, plannedRun, runWorld } from './world.js';

test('recover: a run left running by a crash is reported as interrupted once, never re-run', async () => {
  let executed = 0;
  const w = await runWorld();
  w.step.execute = async () => {
    executed++;
    return { status: 'succeeded', headline: '', done: [], notDone: [], next: [], requestIds: [] };
  };
  const crashed = await plannedRun(w, ALICE);
  await w.store.transitionRun(crashed, ['planned'], 'running', {}, w.clock.now());
  const waiting = await plannedRun(w, ALICE);

  assert.equal(await recoverInterrupted(w.deps), 1);
  assert.equal(executed, 0);
  assert.equal((await w.store.getRun(crashed))?.state, 'interrupted');
  assert.equal((await w.store.getRun(waiting))?.state, 'planned', 'only running runs are touched');
  assert.deepEqual(
    w.notes.map((n) => n[0]),
    ['interrupted', 'refreshCard'],
  );
  assert.match((await w.store.getFinding(w.record.findingId))?.statusText ?? '', /Test step interrupted by a restart/);
  assert.deepEqual(
    (await w.store.auditFor(w.record.findingId)).map((a) => [a.event, a.actor]),
    [['interrupted', 'system']],
  );
  assert.equal((w.phases[0] as { headline: string }).headline, 'interrupted by a restart of the responder');

  assert.equal(await recoverInterrupted(w.deps), 0, 'a second start finds nothing to report');
  assert.equal(w.named('interrupted').length, 1);
});
