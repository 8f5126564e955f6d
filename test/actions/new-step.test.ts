/**
 * The recipe of README "Adding a remediation step": one new file (test/fixtures/steps/…) plus one
 * catalog line, and the step is in the command grammar, the usage, `/guardduty help`, the
 * verb → step map, the incident timeline's labels and the authorization policy's known actions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_ACTIONS, buildCatalog, policyActionNames, timelineLabelOf } from '../../src/actions/catalog.js';
import { buildPolicy, INCIDENT_POLICY_ACTIONS } from '../../src/authz/policy.js';
import { actionIdFor, isActionVerb } from '../../src/commands/actions.js';
import { buildGrammar, GRAMMAR } from '../../src/commands/grammar.js';
import { parseCommand } from '../../src/commands/parse.js';
import { isAppError } from '../../src/errors.js';
import { describeEvent } from '../../src/incidents/event-text.js';
import { snapshotMemoryAction } from '../fixtures/steps/snapshot-memory.js';

const withStep = [...ALL_ACTIONS, snapshotMemoryAction]; // the one catalog line
const catalog = buildCatalog(withStep);
const grammar = buildGrammar(withStep);

test('a new step with a command is a /guardduty verb, with its alias, usage and help line', () => {
  assert.ok(grammar.verbs.includes('memdump'));
  assert.ok(!GRAMMAR.verbs.includes('memdump'), 'the app catalog does not have it');
  assert.equal(grammar.usage.memdump, '/guardduty memdump INSTANCE_ID|FINDING_ID');
  assert.match(grammar.help, /\*Instances\*\n(?:.*\n)*?• `memdump TARGET` — capture the instance memory for forensics/);
  assert.deepEqual(parseCommand('memory-dump i-0abc1234def567890', grammar), {
    ok: true,
    verb: 'memdump',
    target: { kind: 'instance', instanceId: 'i-0abc1234def567890' },
  });
  const wrongKind = parseCommand('memdump arn:aws:ecs:us-east-1:123456789012:task/prod/8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e', grammar);
  assert.ok(!wrongKind.ok && wrongKind.problem === 'memdump does not take an ECS task ARN', JSON.stringify(wrongKind).slice(0, 200));
  assert.ok(isActionVerb('memdump', grammar));
  assert.equal(actionIdFor('memdump', 'instance', grammar), 'snapshot_memory');
  assert.equal(actionIdFor('memdump', 'ecs_task', grammar), undefined);
});

test('its runs read with its own label on the incident timeline', () => {
  const labelOf = (id: string) => timelineLabelOf(catalog)(id) ?? id;
  const line = describeEvent(
    { id: 1, incidentId: 'INC-1', at: 0, actor: 'U0000AAA1', kind: 'executed', action: 'snapshot_memory', status: 'succeeded', headline: 'memory captured' },
    labelOf,
  );
  assert.match(line.text, /^Memory snapshot done/);
});

test('the authorization policy knows it (and refuses it with the catalog that lacks it)', () => {
  const file = { actions: { snapshot_memory: { users: ['U0000AAA1'] } } };
  const base = { responderUserIds: [], responderUsergroupIds: [] };
  const policy = buildPolicy(base, file, policyActionNames(catalog, INCIDENT_POLICY_ACTIONS));
  assert.deepEqual(policy.actions.snapshot_memory, { users: ['U0000AAA1'] });
  assert.throws(
    () => buildPolicy(base, file, policyActionNames(buildCatalog(), INCIDENT_POLICY_ACTIONS)),
    (e: unknown) => isAppError(e, 'config_invalid'),
  );
});

test('every catalog step has a unique, well-formed id and no two steps claim one verb on one resource', () => {
  const ids = ALL_ACTIONS.map((d) => d.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^[a-z][a-z0-9_]*$/);
  assert.throws(
    () => buildGrammar([...ALL_ACTIONS, { ...snapshotMemoryAction, id: 'other', command: { verb: 'isolate', resources: ['instance'], section: 'Contain' } }]),
    /both claim "isolate" on instance/,
  );
});
