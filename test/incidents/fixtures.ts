/** Incident test data: a base incident and findings derived from the shared fixtures. */
import type { Finding } from '../../src/findings/model.js';
import type { Incident, NewTimelineEvent, TimelineEvent } from '../../src/incidents/model.js';
import { fixtureFinding } from '../fixtures/findings/load.js';

export const T0 = Date.parse('2026-11-28T10:00:00Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;

export function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-1',
    state: 'open',
    severity: 8,
    title: 'A process in an ECS task opened a reverse shell.',
    accountId: '123456789012',
    region: 'us-east-1',
    openedAt: T0,
    lastSeenAt: T0,
    keys: ['finding:f1'],
    version: 1,
    updatedAt: T0,
    ...over,
  };
}

export const clockAt = (ms: number) => ({ now: () => ms });

export function ecsFinding(over: Partial<Finding> = {}): Finding {
  return { ...fixtureFinding('ecs-fargate-runtime.json'), ...over };
}

export function instanceFinding(over: Partial<Finding> = {}): Finding {
  return { ...fixtureFinding('instance-ec2-runtime.json'), ...over };
}

let nextId = 1;
export function ev(e: NewTimelineEvent & { id?: number; incidentId?: string }): TimelineEvent {
  return { id: nextId++, incidentId: 'INC-1', ...e };
}
