import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IncidentError, isIncidentError, MAX_REASON_LENGTH, transition, type IncidentEvent } from '../../src/incidents/lifecycle.js';
import type { Incident, IncidentState } from '../../src/incidents/model.js';
import { clockAt, incident, MIN, T0 } from './fixtures.js';

const at = (m: number) => clockAt(T0 + m * MIN);

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isIncidentError(err), `IncidentError expected, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('Take it: open → acknowledged, assignee set, acknowledgedAt stamped, two timeline events', () => {
  const r = transition(incident(), { type: 'acknowledge', by: 'U1' }, at(4));
  assert.equal(r.incident.state, 'acknowledged');
  assert.equal(r.incident.assignee, 'U1');
  assert.equal(r.incident.acknowledgedAt, T0 + 4 * MIN);
  assert.deepEqual(r.stateChange, { from: 'open', to: 'acknowledged' });
  assert.deepEqual(
    r.events.map((e) => e.kind),
    ['status_changed', 'assigned'],
  );
  assert.ok(r.events.every((e) => e.actor === 'U1' && e.at === T0 + 4 * MIN));
  assert.equal(r.incident.version, 1, 'the version is the store’s business');
});

test('Take it by a second responder reassigns without changing the state or the acknowledge time', () => {
  const acked = transition(incident(), { type: 'acknowledge', by: 'U1' }, at(4)).incident;
  const r = transition(acked, { type: 'acknowledge', by: 'U2' }, at(9));
  assert.equal(r.incident.state, 'acknowledged');
  assert.equal(r.incident.assignee, 'U2');
  assert.equal(r.incident.acknowledgedAt, T0 + 4 * MIN);
  assert.equal(r.stateChange, undefined);
  assert.deepEqual(r.events, [{ kind: 'assigned', assignee: 'U2', previous: 'U1', at: T0 + 9 * MIN, actor: 'U2' }]);
});

test('taking an incident you already have is no_change (so the caller can say so, not log twice)', () => {
  const acked = transition(incident(), { type: 'acknowledge', by: 'U1' }, at(4)).incident;
  throwsCode(() => transition(acked, { type: 'acknowledge', by: 'U1' }, at(5)), 'no_change', /you are already the assignee of INC-1/);
  throwsCode(() => transition(acked, { type: 'assign', by: 'U2', assignee: 'U1' }, at(5)), 'no_change', /that responder is already/);
});

test('assign from open acknowledges; the assigner is the actor', () => {
  const r = transition(incident(), { type: 'assign', by: 'U9', assignee: 'U1' }, at(2));
  assert.equal(r.incident.state, 'acknowledged');
  assert.equal(r.incident.assignee, 'U1');
  assert.equal(r.events.at(-1)?.actor, 'U9');
});

test('contain from open also counts as the first response; release goes back to acknowledged and keeps containedAt', () => {
  const c = transition(incident(), { type: 'contain', by: 'U1', via: 'isolate_task' }, at(12));
  assert.equal(c.incident.state, 'contained');
  assert.equal(c.incident.containedAt, T0 + 12 * MIN);
  assert.equal(c.incident.acknowledgedAt, T0 + 12 * MIN);
  assert.equal(c.incident.assignee, undefined, 'containing does not assign anyone');
  assert.deepEqual(c.events[0], { kind: 'status_changed', from: 'open', to: 'contained', reason: 'isolate_task', at: T0 + 12 * MIN, actor: 'U1' });

  throwsCode(() => transition(c.incident, { type: 'contain', by: 'U1' }, at(13)), 'no_change', /already contained/);
  const rel = transition(c.incident, { type: 'release', by: 'U1', via: 'release_isolation' }, at(30));
  assert.equal(rel.incident.state, 'acknowledged');
  assert.equal(rel.incident.containedAt, T0 + 12 * MIN, 'time to contain is historical');
  const again = transition(rel.incident, { type: 'contain', by: 'U2' }, at(40));
  assert.equal(again.incident.containedAt, T0 + 12 * MIN, 'the first containment stays');
  throwsCode(() => transition(incident(), { type: 'release', by: 'U1' }, at(1)), 'no_change', /not contained/);
});

test('closing needs a reason; resolving needs someone to have taken it; false positive works from open', () => {
  const acked = transition(incident(), { type: 'acknowledge', by: 'U1' }, at(4)).incident;
  throwsCode(() => transition(acked, { type: 'resolve', by: 'U1', reason: '   ' }, at(5)), 'reason_required', /needs a reason/);
  throwsCode(() => transition(incident(), { type: 'mark_false_positive', by: 'U1', reason: '' }, at(5)), 'reason_required');
  throwsCode(() => transition(incident(), { type: 'resolve', by: 'U1', reason: 'patched' }, at(5)), 'invalid_transition', /Take it/);

  const fp = transition(incident(), { type: 'mark_false_positive', by: 'U2', reason: '  pentest\n by red team ' }, at(6));
  assert.equal(fp.incident.state, 'false_positive');
  assert.equal(fp.incident.closeReason, 'pentest by red team', 'whitespace collapsed');
  assert.equal(fp.incident.closedBy, 'U2');
  assert.equal(fp.incident.closedAt, T0 + 6 * MIN);
  assert.equal(fp.incident.acknowledgedAt, T0 + 6 * MIN);
  assert.deepEqual(fp.stateChange, { from: 'open', to: 'false_positive' });

  const contained = transition(acked, { type: 'contain', by: 'U1' }, at(10)).incident;
  const res = transition(contained, { type: 'resolve', by: 'U1', reason: 'image rebuilt, service redeployed' }, at(60));
  assert.equal(res.incident.state, 'resolved');
  assert.deepEqual(res.events, [
    { kind: 'status_changed', from: 'contained', to: 'resolved', reason: 'image rebuilt, service redeployed', at: T0 + 60 * MIN, actor: 'U1' },
  ]);
});

test('a long reason is cut to MAX_REASON_LENGTH', () => {
  const r = transition(incident(), { type: 'mark_false_positive', by: 'U1', reason: 'x'.repeat(2000) }, at(1));
  assert.equal(r.incident.closeReason?.length, MAX_REASON_LENGTH);
  assert.ok(r.incident.closeReason?.endsWith('…'));
});

test('a closed incident refuses every change with incident_closed, except release (no_change)', () => {
  const closed: Incident = incident({ state: 'resolved', closedAt: T0, closeReason: 'done', closedBy: 'U1', acknowledgedAt: T0 });
  const events: IncidentEvent[] = [
    { type: 'acknowledge', by: 'U1' },
    { type: 'assign', by: 'U1', assignee: 'U2' },
    { type: 'contain', by: 'U1' },
    { type: 'resolve', by: 'U1', reason: 'again' },
    { type: 'mark_false_positive', by: 'U1', reason: 'x' },
  ];
  for (const e of events) throwsCode(() => transition(closed, e, at(1)), 'incident_closed', /INC-1 is already resolved/);
  throwsCode(() => transition(closed, { type: 'release', by: 'U1' }, at(1)), 'no_change');
});

test('every (state, event) pair either moves to an allowed state or throws an IncidentError', () => {
  const allowed: Record<IncidentState, IncidentState[]> = {
    open: ['acknowledged', 'contained', 'false_positive'],
    acknowledged: ['acknowledged', 'contained', 'resolved', 'false_positive'],
    contained: ['contained', 'acknowledged', 'resolved', 'false_positive'],
    resolved: [],
    false_positive: [],
  };
  const events: IncidentEvent[] = [
    { type: 'acknowledge', by: 'U7' },
    { type: 'assign', by: 'U7', assignee: 'U8' },
    { type: 'contain', by: 'U7' },
    { type: 'release', by: 'U7' },
    { type: 'resolve', by: 'U7', reason: 'r' },
    { type: 'mark_false_positive', by: 'U7', reason: 'r' },
  ];
  for (const state of Object.keys(allowed) as IncidentState[]) {
    for (const e of events) {
      try {
        const r = transition(incident({ state, assignee: 'U1', acknowledgedAt: state === 'open' ? undefined : T0 }), e, at(1));
        assert.ok(allowed[state].includes(r.incident.state), `${state} --${e.type}--> ${r.incident.state} is not allowed`);
      } catch (err) {
        assert.ok(err instanceof IncidentError, `${state} --${e.type}: ${String(err)}`);
      }
    }
  }
});
