/**
 * The README's IAM policy (docs/aws/iam-policy.json) against what the instance and container
 * steps really call, end to end: each step, planned and run through Slack against the AWS double,
 * needs only the actions of its own statement(s), and those statements hold nothing it never needs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AwsDouble } from '../doubles/aws/index.js';
import { instanceFindingEvent, publishFinding, RESPONDER, startInstanceWorld } from '../helpers/instance-world.js';
import { runAction } from '../helpers/slack-interactions.js';

interface Statement {
  Sid: string;
  Action: string | string[];
}
const policy = JSON.parse(readFileSync(new URL('../../docs/aws/iam-policy.json', import.meta.url), 'utf8')) as { Statement: Statement[] };
const actionsOf = (...sids: string[]) =>
  new Set(
    sids.flatMap((sid) => {
      // A step's grant may be split over statements with different Resources/Conditions:
      // `PreserveInstanceEvidence`, `PreserveInstanceEvidenceSnapshot`, … all belong to it.
      const found = policy.Statement.filter((x) => x.Sid.startsWith(sid));
      assert.ok(found.length > 0, `the policy has a ${sid} statement`);
      return found.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    }),
  );

/** The IAM actions the calls since `mark` need: the operation itself, plus what AWS authorises alongside it. */
function needed(aws: AwsDouble, mark: number): Set<string> {
  const out = new Set<string>();
  for (const c of aws.calls.slice(mark)) {
    out.add(`${c.service}:${c.op}`);
    // Tags on create (TagSpecifications) are authorised as ec2:CreateTags as well.
    if (c.service === 'ec2' && Object.keys(c.params as object).some((k) => k.startsWith('TagSpecification'))) out.add('ec2:CreateTags');
    // Associating a profile passes its role to EC2.
    if (c.service === 'ec2' && c.op === 'AssociateIamInstanceProfile') out.add('iam:PassRole');
  }
  return out;
}

const STEP_STATEMENTS: Record<string, string[]> = {
  preserve_evidence: ['PreserveInstanceEvidence'],
  // "Preserve evidence first" is the evidence step run inside the isolation.
  isolate_instance: ['IsolateAndReleaseInstance', 'IsolateNetwork', 'PreserveInstanceEvidence'],
  release_isolation: ['IsolateAndReleaseInstance', 'IsolateNetwork', 'RevokeInstanceCredentialsAndRestoreOnRelease', 'RestoreInstanceProfilePassesItsRole'],
  malware_scan: ['MalwareScan'],
  revoke_credentials: ['RevokeInstanceCredentialsAndRestoreOnRelease'],
  pause_container: ['PauseOrStopStandaloneContainer'],
};

test('IAM policy: every instance and container step needs only its own statements, and those statements grant nothing the steps never use', async (t) => {
  const w = await startInstanceWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const net = aws.seed.network();
  aws.ec2.addSubnet({ vpcId: net.vpc.vpcId, cidrBlock: '10.0.16.0/20' });
  const used = new Set<string>();
  const step = async (findingId: string, action: string, extra: { selects?: Record<string, string>; reason?: string } = {}) => {
    const mark = aws.calls.length;
    await runAction(h, { findingId, action, user: RESPONDER, reason: extra.reason ?? 'policy check', ...(extra.selects ? { selects: extra.selects } : {}) });
    const need = needed(aws, mark);
    const allowed = actionsOf(...STEP_STATEMENTS[action]!);
    assert.deepEqual(
      [...need].filter((a) => !allowed.has(a)),
      [],
      `${action} needs only ${STEP_STATEMENTS[action]!.join(' + ')}`,
    );
    for (const a of need) used.add(a);
  };

  // An instance that serves traffic, with a profile: every instance step, release included.
  const s = aws.seed.instance({
    subnetId: net.subnet.subnetId,
    enis: 2,
    volumes: 2,
    asg: 'web-asg',
    targetGroups: 1,
    malwareScan: { status: 'COMPLETED', result: 'INFECTED', threats: [{ name: 'Linux.Miner' }] },
  });
  const a = instanceFindingEvent({ aws, instanceId: s.instanceId });
  await publishFinding(h, a.event);
  await step(a.findingId, 'isolate_instance', { selects: { network: 'sg_acl', evidence_first: 'yes' } });
  await step(a.findingId, 'preserve_evidence');
  await step(a.findingId, 'malware_scan');
  await step(a.findingId, 'revoke_credentials');
  await step(a.findingId, 'release_isolation');
  assert.ok(aws.ec2.instances.get(s.instanceId)!.iamInstanceProfileArn, 'the release really restored the profile');

  // A second instance in the same VPC, after someone added an inbound rule to the isolation group:
  // the group is stripped again (RevokeSecurityGroupIngress) before it is reused.
  const iso = [...aws.ec2.securityGroups.values()].find((g) => g.groupName === 'guardduty-responder-isolation')!;
  iso.rules.push({ securityGroupRuleId: 'sgr-0added0by0hand0001', egress: false, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' });
  const s2 = aws.seed.instance({ subnetId: net.subnet.subnetId });
  const b = instanceFindingEvent({ aws, instanceId: s2.instanceId });
  await publishFinding(h, b.event);
  await step(b.findingId, 'isolate_instance', { selects: { evidence_first: 'no' } });
  assert.deepEqual(iso.rules, [], 'the hand-made rule was removed');

  // A standalone container.
  const host = aws.seed.instance({ subnetId: net.subnet.subnetId });
  const c = instanceFindingEvent({ aws, instanceId: host.instanceId, fixture: 'container-standalone' });
  await publishFinding(h, c.event);
  await step(c.findingId, 'pause_container');

  const granted = actionsOf(...new Set(Object.values(STEP_STATEMENTS).flat()));
  assert.deepEqual([...granted].filter((x) => !used.has(x)).sort(), [], 'no action in these statements goes unused');
});
