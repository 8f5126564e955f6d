import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NewIncident } from '../../src/incidents/model.js';
import { withStore, type StoreFactory } from './contract.js';

const T0 = 1_700_000_000_000;

/** A new incident as the grouping makes one (also used by the SQLite-only incident store test). */
export const draft = (over: Partial<NewIncident> = {}): NewIncident => ({
  state: 'open',
  severity: 8,
  title: 'Reverse shell',
  accountId: '123456789012',
  region: 'us-east-1',
  openedAt: T0,
  lastSeenAt: T0,
  keys: ['finding:f1', 'ecs-task:T1'],
  ...over,
});

export function incidentContract(factory: StoreFactory): void {
  test('createIncident allocates INC-1, INC-2… and starts at version 1', () =>
    withStore(factory, async (s) => {
      const a = await s.createIncident(draft());
      const b = await s.createIncident(draft({ keys: ['finding:f2'] }));
      assert.equal(a.id, 'INC-1');
      assert.equal(b.id, 'INC-2');
      assert.equal(a.version, 1);
      assert.equal(a.updatedAt, T0);
      assert.deepEqual(await s.getIncident('INC-1'), a);
      assert.equal(await s.getIncident('INC-99'), undefined);
    }));

  test('updateIncident is a conditional put on version; the loser gets the current item', () =>
    withStore(factory, async (s) => {
      const a = await s.createIncident(draft());
      const first = await s.updateIncident({ ...a, state: 'acknowledged', assignee: 'U1' }, 1, T0 + 5);
      assert.ok(first.ok);
      assert.equal(first.incident.version, 2);
      assert.equal(first.incident.updatedAt, T0 + 5);
      const second = await s.updateIncident({ ...a, state: 'acknowledged', assignee: 'U2' }, 1, T0 + 6);
      assert.equal(second.ok, false);
      assert.ok(!second.ok && second.reason === 'conflict' && second.current.assignee === 'U1');
      const missing = await s.updateIncident({ ...a, id: 'INC-42' }, 1, T0);
      assert.deepEqual(missing, { ok: false, reason: 'not_found' });
      // Clearing an optional field works (assignee → undefined).
      const cleared = await s.updateIncident({ ...first.incident, assignee: undefined }, 2, T0 + 7);
      assert.ok(cleared.ok && cleared.incident.assignee === undefined);
    }));

  test('findIncidentsByKey: active only unless asked; the key index follows updates', () =>
    withStore(factory, async (s) => {
      const a = await s.createIncident(draft());
      const b = await s.createIncident(draft({ keys: ['ecs-task:T1', 'image:D'], lastSeenAt: T0 + 10 }));
      assert.deepEqual(
        (await s.findIncidentsByKey('ecs-task:T1')).map((i) => i.id),
        ['INC-2', 'INC-1'],
        'most recently active first',
      );
      const upd = await s.updateIncident({ ...a, keys: ['finding:f1', 'image:D'] }, 1, T0);
      assert.ok(upd.ok);
      assert.deepEqual(
        (await s.findIncidentsByKey('ecs-task:T1')).map((i) => i.id),
        ['INC-2'],
      );
      assert.deepEqual((await s.findIncidentsByKey('image:D')).map((i) => i.id).sort(), ['INC-1', 'INC-2']);
      const closed = await s.updateIncident({ ...b, state: 'resolved', closedAt: T0 + 20, closeReason: 'done' }, 1, T0 + 20);
      assert.ok(closed.ok);
      assert.deepEqual(
        (await s.findIncidentsByKey('image:D')).map((i) => i.id),
        ['INC-1'],
      );
      assert.deepEqual((await s.findIncidentsByKey('image:D', { includeClosed: true })).map((i) => i.id).sort(), ['INC-1', 'INC-2']);
    }));

  test('listOpenIncidents: active ones, highest severity first, then oldest; limit', () =>
    withStore(factory, async (s) => {
      await s.createIncident(draft({ severity: 5, openedAt: T0 }));
      await s.createIncident(draft({ severity: 9.2, openedAt: T0 + 2 }));
      await s.createIncident(draft({ severity: 5, openedAt: T0 - 1 }));
      const closed = await s.createIncident(draft({ severity: 10 }));
      await s.updateIncident({ ...closed, state: 'false_positive', closedAt: T0 }, 1, T0);
      assert.deepEqual(
        (await s.listOpenIncidents()).map((i) => i.id),
        ['INC-2', 'INC-3', 'INC-1'],
      );
      assert.deepEqual(
        (await s.listOpenIncidents(1)).map((i) => i.id),
        ['INC-2'],
      );
    }));

  test('incident findings are linked idempotently by version; reverse lookup by finding; by thread', () =>
    withStore(factory, async (s) => {
      const a = await s.createIncident(draft());
      assert.equal(await s.addIncidentFinding(a.id, 'f1', 'v1', T0), 'added');
      assert.equal(await s.addIncidentFinding(a.id, 'f1', 'v1', T0 + 1), 'unchanged');
      assert.equal(await s.addIncidentFinding(a.id, 'f1', 'v2', T0 + 2), 'updated');
      assert.equal(await s.addIncidentFinding(a.id, 'f2', 'v1', T0 + 3), 'added');
      assert.deepEqual(await s.incidentFindingIds(a.id), ['f1', 'f2']);
      assert.deepEqual(
        (await s.incidentsForFinding('f2')).map((i) => i.id),
        ['INC-1'],
      );
      assert.deepEqual(await s.incidentsForFinding('nope'), []);
      const threaded = await s.updateIncident({ ...a, channel: 'C1', threadTs: '1700000000.000100' }, 1, T0);
      assert.ok(threaded.ok);
      assert.equal((await s.getIncidentByThread('C1', '1700000000.000100'))?.id, 'INC-1');
      assert.equal(await s.getIncidentByThread('C2', '1700000000.000100'), undefined);
    }));

  test('timeline events keep their typed payload, in order; followers are a set', () =>
    withStore(factory, async (s) => {
      const a = await s.createIncident(draft());
      const e1 = await s.appendIncidentEvent(a.id, { kind: 'status_changed', from: 'open', to: 'acknowledged', at: T0 + 1, actor: 'U1' });
      await s.appendIncidentEvent(a.id, {
        kind: 'executed',
        action: 'isolate_task',
        runId: 'r1',
        status: 'partial',
        headline: 'cut 2 of 3',
        at: T0 + 2,
        actor: 'U1',
      });
      await s.appendIncidentEvent(a.id, { kind: 'note', text: 'paged the owner', at: T0 + 3 });
      assert.equal(e1.incidentId, 'INC-1');
      const events = await s.incidentEvents(a.id);
      assert.deepEqual(events, [
        { id: e1.id, incidentId: 'INC-1', kind: 'status_changed', from: 'open', to: 'acknowledged', at: T0 + 1, actor: 'U1' },
        {
          id: e1.id + 1,
          incidentId: 'INC-1',
          kind: 'executed',
          action: 'isolate_task',
          runId: 'r1',
          status: 'partial',
          headline: 'cut 2 of 3',
          at: T0 + 2,
          actor: 'U1',
        },
        { id: e1.id + 2, incidentId: 'INC-1', kind: 'note', text: 'paged the owner', at: T0 + 3 },
      ]);
      assert.equal(await s.followIncident(a.id, 'U5', T0), true);
      assert.equal(await s.followIncident(a.id, 'U5', T0 + 1), false);
      assert.equal(await s.followIncident(a.id, 'U6', T0 + 2), true);
      assert.deepEqual(await s.incidentFollowers(a.id), ['U5', 'U6']);
      assert.equal(await s.unfollowIncident(a.id, 'U5'), true);
      assert.equal(await s.unfollowIncident(a.id, 'U5'), false);
      assert.deepEqual(await s.incidentFollowers(a.id), ['U6']);
    }));

  test('incidents: two replicas updating the same version: one wins, one gets a conflict', () =>
    withStore(factory, async (s, replica) => {
      const r = await replica();
      const a = await s.createIncident(draft());
      const [x, y] = await Promise.all([s.updateIncident({ ...a, assignee: 'U1' }, 1, T0 + 1), r.updateIncident({ ...a, assignee: 'U2' }, 1, T0 + 1)]);
      assert.equal([x, y].filter((u) => u.ok).length, 1);
      assert.ok([x, y].some((u) => !u.ok && u.reason === 'conflict'));
      const ids = await Promise.all([s.createIncident(draft()), r.createIncident(draft())]);
      assert.deepEqual(ids.map((i) => i.id).sort(), ['INC-2', 'INC-3'], 'ids are unique across replicas');
    }));
}
