import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/findings/model.js';
import { isIncidentError } from '../../src/incidents/lifecycle.js';
import { IncidentService, MAX_UPDATE_ATTEMPTS } from '../../src/incidents/service.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.js';
import { fakeClock } from '../helpers/clock.js';
import { fixtureFinding } from '../fixtures/findings/load.js';
import { ecsFinding, HOUR, instanceFinding, MIN } from './fixtures.js';

function setup(windowMs?: number) {
  const store = openSqliteStore('sqlite::memory:');
  const clock = fakeClock();
  const svc = new IncidentService({ store, clock, ...(windowMs ? { windowMs } : {}) });
  return { store, clock, svc };
}

async function saveFinding(store: SqliteStore, f: Finding, at: number): Promise<void> {
  await store.upsertFinding({
    findingId: f.id,
    accountId: f.accountId,
    region: f.region,
    updatedAt: f.updatedAt,
    count: f.count,
    severity: f.severity,
    findingJson: JSON.stringify(f),
    createdAt: at,
  });
}

test('a finding opens an incident; a later finding on the same task family joins it; redelivery changes nothing', async () => {
  const { store, clock, svc } = setup();
  const first = ecsFinding();
  const r1 = await svc.recordFinding(first);
  assert.equal(r1.outcome, 'opened');
  assert.equal(r1.incident?.id, 'INC-1');
  assert.equal(r1.incident?.state, 'open');
  assert.equal(r1.event?.kind, 'finding_seen');

  clock.advance(2 * HOUR);
  // Another task of the same family (the service's replacement), different finding, higher severity.
  const second = ecsFinding({
    id: 'd'.repeat(32),
    severity: 9.1,
    ecs: { ...first.ecs!, taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod-payments/0000000000000000000000000000000b', containers: [] },
  });
  const r2 = await svc.recordFinding(second);
  assert.equal(r2.outcome, 'joined');
  assert.equal(r2.incident?.id, 'INC-1');
  assert.equal(r2.incident?.severity, 9.1, 'the incident takes the highest severity');
  assert.equal(r2.incident?.lastSeenAt, clock.now());
  assert.ok(r2.incident?.keys.includes('ecs-task:arn:aws:ecs:us-east-1:123456789012:task/prod-payments/0000000000000000000000000000000b'));

  assert.equal((await svc.recordFinding(second)).outcome, 'unchanged', 'same version again');
  const republished = { ...second, count: second.count + 4, updatedAt: '2030-01-01T00:00:00Z' };
  const r3 = await svc.recordFinding(republished);
  assert.equal(r3.outcome, 'updated');
  assert.equal(r3.event?.kind === 'finding_seen' && r3.event.repeat, true);
  assert.deepEqual(await store.incidentFindingIds('INC-1'), [first.id, second.id]);
  assert.equal((await store.incidentEvents('INC-1')).length, 3);
});

test('outside the window, on another resource, or after closing, a finding opens a new incident', async () => {
  const { clock, svc } = setup(6 * HOUR);
  assert.equal((await svc.recordFinding(ecsFinding())).incident?.id, 'INC-1');
  assert.equal((await svc.recordFinding(instanceFinding())).incident?.id, 'INC-2', 'unrelated resource');
  clock.advance(6 * HOUR + 1);
  const later = ecsFinding({ id: 'e'.repeat(32) });
  assert.equal((await svc.recordFinding(later)).incident?.id, 'INC-3', 'the 6 h window has passed');

  await svc.apply('INC-3', { type: 'mark_false_positive', by: 'U1', reason: 'load test' });
  clock.advance(MIN);
  const again = await svc.recordFinding({ ...later, count: later.count + 1, updatedAt: '2031-01-01T00:00:00Z' });
  assert.equal(again.outcome, 'opened', 'a closed incident is never re-joined');
  assert.equal(again.incident?.id, 'INC-4');
});

test('a re-published finding stays in its incident however long it lasts', async () => {
  const { clock, svc } = setup(HOUR);
  const f = ecsFinding();
  await svc.recordFinding(f);
  clock.advance(30 * HOUR);
  const r = await svc.recordFinding({ ...f, count: 99, updatedAt: '2030-01-01T00:00:00Z' });
  assert.equal(r.outcome, 'updated');
  assert.equal(r.incident?.id, 'INC-1');
});

test('an archived finding that matches no active incident opens none; sample findings group only with samples', async () => {
  const { svc } = setup();
  assert.deepEqual(await svc.recordFinding(ecsFinding({ archived: true })), { outcome: 'ignored' });
  const sample = fixtureFinding('sample-ecs.json');
  assert.equal((await svc.recordFinding(sample)).incident?.id, 'INC-1');
  assert.equal((await svc.recordFinding({ ...sample, id: 'f'.repeat(32) })).outcome, 'joined', 'samples share fake ids');
  assert.equal((await svc.recordFinding(ecsFinding())).incident?.id, 'INC-2');
});

test('apply: Take it, conflict handling, no_change and not found', async () => {
  const { store, clock, svc } = setup();
  await svc.recordFinding(ecsFinding());
  clock.advance(4 * MIN);
  const r = await svc.apply('INC-1', { type: 'acknowledge', by: 'U1' });
  assert.deepEqual(r.stateChange, { from: 'open', to: 'acknowledged', by: 'U1' });
  assert.equal(r.incident.version, 2);
  assert.deepEqual(
    r.events.map((e) => e.kind),
    ['status_changed', 'assigned'],
  );

  // Someone else wrote in between our read and our write: the update is re-applied on the fresh item.
  const realUpdate = store.updateIncident.bind(store);
  let raced = false;
  store.updateIncident = async (next, expected, at) => {
    if (!raced) {
      raced = true;
      const cur = (await store.getIncident(next.id))!;
      await realUpdate({ ...cur, severity: 9.9 }, cur.version, at);
    }
    return realUpdate(next, expected, at);
  };
  const c = await svc.apply('INC-1', { type: 'contain', by: 'U1', via: 'isolate_task' });
  assert.equal(c.incident.state, 'contained');
  assert.equal(c.incident.severity, 9.9, 'the concurrent change is kept');
  store.updateIncident = realUpdate;

  await assert.rejects(svc.apply('INC-1', { type: 'contain', by: 'U2' }), (e: unknown) => isIncidentError(e, 'no_change'));
  await assert.rejects(svc.apply('INC-9', { type: 'acknowledge', by: 'U2' }), (e: unknown) => isIncidentError(e, 'incident_not_found'));
  const events = await store.incidentEvents('INC-1');
  assert.equal(events.filter((e) => e.kind === 'status_changed').length, 2, 'no duplicate events from the retry or the refusal');
});

test('apply gives up with incident_conflict when the incident keeps changing', async () => {
  const { store, svc } = setup();
  await svc.recordFinding(ecsFinding());
  let calls = 0;
  store.updateIncident = async () => {
    calls++;
    return { ok: false, reason: 'conflict', current: (await store.getIncident('INC-1'))! };
  };
  await assert.rejects(svc.apply('INC-1', { type: 'acknowledge', by: 'U1' }), (e: unknown) => isIncidentError(e, 'incident_conflict'));
  assert.equal(calls, MAX_UPDATE_ATTEMPTS);
});

test('recordRunPhase: requested/approved/result land on the timeline; a successful isolation contains, release un-contains', async () => {
  const { store, clock, svc } = setup();
  const f = ecsFinding();
  await svc.recordFinding(f);
  clock.advance(3 * MIN);
  await svc.recordRunPhase(f.id, { phase: 'requested', action: 'isolate_task', runId: 'r1', actor: 'U1', reason: 'reverse shell' });
  await svc.recordRunPhase(f.id, { phase: 'approved', action: 'isolate_task', runId: 'r1', actor: 'U2' });
  clock.advance(MIN);
  const partial = await svc.recordRunPhase(f.id, {
    phase: 'result',
    action: 'isolate_task',
    runId: 'r1',
    status: 'partial',
    headline: 'NACL entries added; SG refused',
    actor: 'U1',
  });
  assert.equal(partial?.incident.state, 'open', 'partial isolation is not containment');
  const ok = await svc.recordRunPhase(f.id, { phase: 'result', action: 'isolate_task', runId: 'r2', status: 'succeeded', headline: 'isolated', actor: 'U1' });
  assert.equal(ok?.incident.state, 'contained');
  assert.deepEqual(ok?.stateChange, { from: 'open', to: 'contained', by: 'U1' });
  const again = await svc.recordRunPhase(f.id, {
    phase: 'result',
    action: 'isolate_task',
    runId: 'r3',
    status: 'succeeded',
    headline: 'isolated again',
    actor: 'U1',
  });
  assert.equal(again?.stateChange, undefined, 'already contained: recorded, no state change');
  const rel = await svc.recordRunPhase(f.id, {
    phase: 'result',
    action: 'release_isolation',
    runId: 'r4',
    status: 'succeeded',
    headline: 'released',
    actor: 'U1',
  });
  assert.equal(rel?.incident.state, 'acknowledged');
  const service = await svc.recordRunPhase(f.id, {
    phase: 'result',
    action: 'stop_task',
    runId: 'r5',
    status: 'succeeded',
    headline: 'stopped',
    actor: 'U1',
    serviceTask: true,
  });
  assert.equal(service?.incident.state, 'acknowledged', 'a service task is replaced: stopping it is not containment');
  const kinds = (await store.incidentEvents('INC-1')).map((e) => e.kind);
  assert.deepEqual(kinds, [
    'finding_seen',
    'action_requested',
    'approved',
    'executed',
    'executed',
    'status_changed',
    'executed',
    'executed',
    'status_changed',
    'executed',
  ]);
  assert.equal(await svc.recordRunPhase('unknown-finding', { phase: 'approved', action: 'x', actor: 'U1' }), undefined);
});

test('a run result on a closed incident is recorded without reopening it', async () => {
  const { svc } = setup();
  const f = ecsFinding();
  await svc.recordFinding(f);
  await svc.apply('INC-1', { type: 'mark_false_positive', by: 'U1', reason: 'pentest' });
  const r = await svc.recordRunPhase(f.id, { phase: 'result', action: 'release_isolation', status: 'succeeded', headline: 'released', actor: 'U1' });
  assert.equal(r?.incident.state, 'false_positive');
  assert.equal(r?.event.kind, 'executed');
});

test('setThread keeps the first card; view loads incident, timeline, findings and followers', async () => {
  const { store, clock, svc } = setup();
  const f = ecsFinding();
  await saveFinding(store, f, clock.now());
  await svc.recordFinding(f);
  assert.equal((await svc.setThread('INC-1', 'C1', '1.1')).threadTs, '1.1');
  assert.equal((await svc.setThread('INC-1', 'C1', '2.2')).threadTs, '1.1');
  await store.followIncident('INC-1', 'U7', clock.now());
  await svc.addNote('INC-1', 'U7', 'owner paged');
  const v = await svc.view('INC-1');
  assert.equal(v?.findings[0]?.id, f.id);
  assert.deepEqual(v?.followers, ['U7']);
  assert.deepEqual(
    v?.timeline.map((e) => e.kind),
    ['finding_seen', 'note'],
  );
  assert.equal(await svc.view('INC-5'), undefined);
  await assert.rejects(svc.addNote('INC-5', 'U1', 'x'), (e: unknown) => isIncidentError(e, 'incident_not_found'));
});
