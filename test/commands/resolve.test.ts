import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCommandError, parseCommand, type CommandError, type ParsedCommand } from '../../src/commands/parse.js';
import { outsideCoverage, resolveActionCommand, resolveIncident, resolveStatusSubject, type ResolvedAction } from '../../src/commands/resolve.js';
import type { Finding } from '../../src/findings/model.js';
import { IncidentService } from '../../src/incidents/service.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.js';
import { fakeClock } from '../helpers/clock.js';
import { fixtureFinding } from '../fixtures/findings/load.js';

const ECS = fixtureFinding('ecs-fargate-runtime.json');
const EC2 = fixtureFinding('instance-ec2-runtime.json');
const POD = fixtureFinding('eks-pod-runtime.json');
const SAMPLE = fixtureFinding('sample-ecs.json');

async function setup() {
  const store = openSqliteStore('sqlite::memory:');
  const clock = fakeClock();
  const incidents = new IncidentService({ store, clock });
  for (const f of [ECS, EC2, POD, SAMPLE]) await ingest(store, incidents, f, clock.now());
  return { store, incidents, clock };
}

async function ingest(store: SqliteStore, incidents: IncidentService, f: Finding, at: number): Promise<void> {
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
  await incidents.recordFinding(f);
}

function cmd(text: string) {
  const c = parseCommand(text);
  assert.ok(!isCommandError(c), text);
  return c as Extract<ParsedCommand, { target: unknown } | { image: unknown }>;
}

async function resolves(store: SqliteStore, text: string): Promise<ResolvedAction> {
  const r = await resolveActionCommand(store, cmd(text));
  assert.ok(!isCommandError(r), `${text}: ${isCommandError(r) ? r.problem : ''}`);
  return r;
}

async function refused(store: SqliteStore, text: string, code: CommandError['code'], problem: RegExp, coverage = {}): Promise<void> {
  const r = await resolveActionCommand(store, cmd(text), coverage);
  assert.ok(isCommandError(r), `${text} should be refused`);
  assert.equal(r.code, code);
  assert.match(r.problem, problem);
}

test('a task ARN, an instance id or a finding id resolves to its finding, action id and incident', async () => {
  const { store } = await setup();
  const byArn = await resolves(store, `isolate ${ECS.ecs!.taskArn}`);
  assert.equal(byArn.actionId, 'isolate_task');
  assert.equal(byArn.record.findingId, ECS.id);
  assert.deepEqual(byArn.subject, { kind: 'ecs_task', taskArn: ECS.ecs!.taskArn });
  assert.equal(byArn.incident?.id, 'INC-1');

  const byFinding = await resolves(store, `stop ${ECS.id}`);
  assert.equal(byFinding.actionId, 'stop_task');
  assert.deepEqual(byFinding.subject, { kind: 'ecs_task', taskArn: ECS.ecs!.taskArn });

  const inst = await resolves(store, 'isolate i-0abc1234def567890');
  assert.equal(inst.actionId, 'isolate_instance');
  assert.equal(inst.record.findingId, EC2.id);
  assert.equal((await resolves(store, `evidence ${EC2.id}`)).actionId, 'preserve_evidence');
  assert.equal((await resolves(store, `release ${EC2.id}`)).actionId, 'release_isolation');
});

test('an image resolves by digest (key index) or by repository and tag (open incidents)', async () => {
  const { store } = await setup();
  const image = ECS.ecs!.containers[0]!.image!;
  const byDigest = await resolves(store, `quarantine ${image}`);
  assert.equal(byDigest.actionId, 'quarantine_image');
  assert.equal(byDigest.record.findingId, ECS.id);
  assert.deepEqual(byDigest.subject, { kind: 'image', image });
  const tagged = await resolves(store, 'image public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.2.0-prod');
  assert.equal(tagged.actionId, 'find_image_tasks');
  await refused(store, 'image public.ecr.aws/appmesh/aws-appmesh-envoy:other-tag', 'unknown_resource', /not in any finding/);
});

test('a pod (namespace/pod --cluster) or an EKS finding id resolves to the finding on that pod, in its account and Region', async () => {
  const { store } = await setup();
  const byPod = await resolves(store, 'isolate media/image-resizer-6d8f9c7b5-x2kqp --cluster prod-eks');
  assert.deepEqual(
    [byPod.actionId, byPod.record.findingId, byPod.finding.accountId, byPod.finding.region],
    ['isolate_pod', POD.id, '345678901234', 'ap-southeast-2'],
  );
  assert.deepEqual(byPod.subject, { kind: 'pod', cluster: 'prod-eks', namespace: 'media', pod: 'image-resizer-6d8f9c7b5-x2kqp' });
  assert.ok(byPod.incident, "threaded in the pod's incident");
  assert.equal((await resolves(store, `cordon ${POD.id}`)).actionId, 'cordon_node');
  assert.equal((await resolves(store, `pods ${POD.id}`)).actionId, 'find_image_pods');
  await refused(store, 'isolate media/image-resizer-6d8f9c7b5-x2kqp --cluster prod-eks', 'out_of_scope', /region ap-southeast-2 is not covered/, {
    regions: ['us-east-1'],
  });
});

test('resources in no known finding, sample ids typed by hand, and unsupported kinds are refused', async () => {
  const { store } = await setup();
  await refused(
    store,
    'isolate arn:aws:ecs:us-east-1:123456789012:task/prod/ffffffffffffffffffffffffffffffff',
    'unknown_resource',
    /not in any finding the responder has received/,
  );
  await refused(store, `isolate ${'0'.repeat(32)}`, 'unknown_resource', /if that is an ECS task id, give the full task ARN/);
  await refused(store, `isolate ${SAMPLE.ecs!.taskArn}`, 'unknown_resource', /not in any finding/);
  await refused(store, `malware-scan ${POD.id}`, 'unsupported_target', /malware-scan does not apply to an EKS pod/);
  await refused(store, 'isolate media/other-pod --cluster prod-eks', 'unknown_resource', /pod media\/other-pod \(cluster prod-eks\) is not in any finding/);
  await refused(store, `evidence ${ECS.id}`, 'unsupported_target', /evidence does not apply to an ECS task/);
});

test('a target outside the covered accounts or regions is refused before anything runs', async () => {
  const { store } = await setup();
  await refused(store, `isolate ${ECS.ecs!.taskArn}`, 'out_of_scope', /region us-east-1 is not covered by this responder \(it acts in eu-west-1\)/, {
    regions: ['eu-west-1'],
  });
  await refused(store, `isolate ${EC2.id}`, 'out_of_scope', /account 123456789012 is not covered/, { accountIds: ['999999999999'] });
  assert.equal(outsideCoverage({ accountId: '1', region: 'r' }, {}), undefined);
  assert.equal(outsideCoverage({ accountId: '1', region: 'r' }, { accountIds: [], regions: ['r'] }), undefined);
});

test('incident verbs: explicit id, thread context, or a clear answer that the id is needed', async () => {
  const { store, incidents } = await setup();
  const found = await resolveIncident(store, { verb: 'close', incidentId: 'INC-2' });
  assert.ok(!isCommandError(found), 'an incident is not mistaken for an error');
  assert.equal(found.id, 'INC-2');
  const missing = await resolveIncident(store, { verb: 'close', incidentId: 'INC-77' });
  assert.ok(isCommandError(missing) && missing.code === 'unknown_resource' && /no incident INC-77/.test(missing.problem));
  const none = await resolveIncident(store, { verb: 'assign' });
  assert.ok(isCommandError(none) && none.code === 'no_incident' && /does not tell apps which thread/.test(none.problem));
  await incidents.setThread('INC-2', 'C1', '1.5');
  assert.equal(((await resolveIncident(store, { verb: 'follow' }, { channelId: 'C1', threadTs: '1.5' })) as { id: string }).id, 'INC-2');
});

test('status subject: by incident, finding, task or instance', async () => {
  const { store } = await setup();
  const subject = (text: string) => (cmd(text) as unknown as { subject: Parameters<typeof resolveStatusSubject>[1] }).subject;
  assert.equal(((await resolveStatusSubject(store, subject('status INC-2'))) as { id: string }).id, 'INC-2');
  assert.equal(((await resolveStatusSubject(store, subject(`status ${ECS.id}`))) as { id: string }).id, 'INC-1');
  assert.equal(((await resolveStatusSubject(store, subject(`status ${ECS.ecs!.taskArn}`))) as { id: string }).id, 'INC-1');
  assert.equal(((await resolveStatusSubject(store, subject('status i-0abc1234def567890'))) as { id: string }).id, 'INC-2');
  const r = await resolveStatusSubject(store, subject('status i-0fff1234'));
  assert.ok(isCommandError(r) && /in no incident/.test(r.problem));
});
