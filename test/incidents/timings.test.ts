import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeTimings, formatDuration } from '../../src/incidents/timings.js';
import { ev, HOUR, incident, MIN, T0 } from './fixtures.js';

test('timings come from the timeline: first response, first containment, closing', () => {
  const timeline = [
    ev({ kind: 'finding_seen', findingId: 'f1', title: 't', severity: 8, findingType: 'x', count: 1, at: T0, actor: 'system' }),
    ev({ kind: 'status_changed', from: 'open', to: 'acknowledged', at: T0 + 4 * MIN, actor: 'U1' }),
    ev({ kind: 'assigned', assignee: 'U1', at: T0 + 4 * MIN, actor: 'U1' }),
    ev({ kind: 'status_changed', from: 'acknowledged', to: 'contained', at: T0 + 19 * MIN, actor: 'U1' }),
    ev({ kind: 'status_changed', from: 'contained', to: 'acknowledged', at: T0 + 30 * MIN, actor: 'U1' }),
    ev({ kind: 'status_changed', from: 'acknowledged', to: 'contained', at: T0 + 40 * MIN, actor: 'U1' }),
    ev({ kind: 'status_changed', from: 'contained', to: 'resolved', reason: 'fixed', at: T0 + 2 * HOUR, actor: 'U1' }),
  ];
  const t = computeTimings(incident({ state: 'resolved', closedAt: T0 + 2 * HOUR }), timeline, T0 + 50 * HOUR);
  assert.deepEqual(t, { open: 2 * HOUR, toAcknowledge: 4 * MIN, toContain: 19 * MIN });
});

test('an active incident: time open runs to now; missing steps report how long they have waited', () => {
  const now = T0 + 3 * HOUR + 5 * MIN;
  const t = computeTimings(incident(), [], now);
  assert.deepEqual(t, { open: now - T0, waitingForAcknowledge: now - T0, waitingForContain: now - T0 });
  const later = computeTimings(incident(), [], now + HOUR);
  assert.equal(later.open, now + HOUR - T0, 'the clock is injected, nothing is cached');
});

test('falls back to the stamps on the incident when the timeline lacks the events', () => {
  const t = computeTimings(incident({ state: 'contained', acknowledgedAt: T0 + MIN, containedAt: T0 + 2 * MIN }), [], T0 + HOUR);
  assert.equal(t.toAcknowledge, MIN);
  assert.equal(t.toContain, 2 * MIN);
  assert.equal(t.waitingForContain, undefined);
});

test('formatDuration: two units at most', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(-5), '0s');
  assert.equal(formatDuration(45_000), '45s');
  assert.equal(formatDuration(12 * MIN + 30_000), '12m');
  assert.equal(formatDuration(3 * HOUR + 5 * MIN), '3h 05m');
  assert.equal(formatDuration(52 * HOUR), '2d 4h');
});
