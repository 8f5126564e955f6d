import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GENERAL_USAGE, HELP_TEXT, USAGE, VERBS, type CommandVerb } from '../../src/commands/grammar.js';
import { isCommandError, parseCommand, spellingsOf, type CommandError, type ParsedCommand } from '../../src/commands/parse.js';

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/prod-payments/8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e';
const OLD_TASK = 'arn:aws:ecs:us-east-1:123456789012:task/8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e';
const FINDING = 'c2c6f0b7e1a94d0f8a5f2e6d4b3a1c90';
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-api';
const DIGEST = `sha256:${'4f'.repeat(32)}`;

function ok(text: string): ParsedCommand {
  const r = parseCommand(text);
  assert.ok(!isCommandError(r), `expected ${JSON.stringify(text)} to parse, got: ${isCommandError(r) ? r.problem : ''}`);
  return r;
}

function fails(text: string, code: CommandError['code'], problem?: RegExp): CommandError {
  const r = parseCommand(text);
  assert.ok(isCommandError(r), `expected ${JSON.stringify(text)} to fail, got ${JSON.stringify(r)}`);
  assert.equal(r.code, code, `${text}: ${r.problem}`);
  if (problem) assert.match(r.problem, problem);
  assert.ok(!r.problem.includes('\n'), 'the problem is one line');
  assert.equal(r.help, HELP_TEXT);
  if (r.verb) assert.equal(r.usage, USAGE[r.verb]);
  else assert.equal(r.usage, GENERAL_USAGE);
  return r;
}

test('help, empty text and "?" show help', () => {
  assert.deepEqual(ok('help'), { ok: true, verb: 'help' });
  assert.deepEqual(ok(''), { ok: true, verb: 'help' });
  assert.deepEqual(ok('   \t '), { ok: true, verb: 'help' });
  assert.deepEqual(ok('?'), { ok: true, verb: 'help' });
  assert.deepEqual(ok('HELP me please'), { ok: true, verb: 'help' });
});

test('verbs are case-insensitive and extra whitespace is tolerated', () => {
  assert.deepEqual(ok(`  ISOLATE   ${TASK}  `), {
    ok: true,
    verb: 'isolate',
    target: {
      kind: 'ecs_task',
      arn: TASK,
      partition: 'aws',
      region: 'us-east-1',
      accountId: '123456789012',
      clusterName: 'prod-payments',
      taskId: '8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e',
    },
  });
  assert.equal(ok(`Malware-Scan\u00a0i-0ABC1234DEF567890`).verb, 'malware-scan');
});

test('isolate / release / stop take a task ARN (new and old format), an instance id or a finding id', () => {
  for (const verb of ['isolate', 'release'] as const) {
    assert.deepEqual(ok(`${verb} i-0abc1234def567890`), { ok: true, verb, target: { kind: 'instance', instanceId: 'i-0abc1234def567890' } });
    assert.deepEqual(ok(`${verb} i-0abc1234`), { ok: true, verb, target: { kind: 'instance', instanceId: 'i-0abc1234' } });
    assert.deepEqual(ok(`${verb} ${FINDING.toUpperCase()}`), { ok: true, verb, target: { kind: 'finding', findingId: FINDING } });
  }
  const old = ok(`stop ${OLD_TASK}`);
  assert.ok(
    old.verb === 'stop' &&
      'target' in old &&
      old.target.kind === 'ecs_task' &&
      old.target.clusterName === undefined &&
      old.target.taskId === '8f3e2d1c0b9a48f7a6e5d4c3b2a19f8e',
  );
  for (const p of ['aws-cn', 'aws-us-gov']) {
    const r = ok(`isolate arn:${p}:ecs:cn-north-1:123456789012:task/c/abc`);
    assert.ok(r.verb === 'isolate' && 'target' in r && r.target.kind === 'ecs_task' && r.target.partition === p);
  }
  assert.deepEqual(ok(`stop ${FINDING}`), { ok: true, verb: 'stop', target: { kind: 'finding', findingId: FINDING } });
});

test('evidence and malware-scan take an instance id or a finding id', () => {
  assert.deepEqual(ok('evidence i-0abc1234def567890'), { ok: true, verb: 'evidence', target: { kind: 'instance', instanceId: 'i-0abc1234def567890' } });
  assert.deepEqual(ok(`malware_scan ${FINDING}`), { ok: true, verb: 'malware-scan', target: { kind: 'finding', findingId: FINDING } });
  fails(`evidence ${TASK}`, 'malformed_argument', /does not take an ECS task ARN/);
});

test('pod verbs take namespace/pod --cluster NAME (flag before or after); other verbs refuse a pod', () => {
  const pod = { kind: 'pod', cluster: 'prod', namespace: 'web', pod: 'shop-7d9f-x2kqp' };
  assert.deepEqual(ok('isolate web/shop-7d9f-x2kqp --cluster prod'), { ok: true, verb: 'isolate', target: pod });
  assert.deepEqual(ok('stop --cluster=prod web/shop-7d9f-x2kqp'), { ok: true, verb: 'stop', target: pod });
  for (const verb of ['release', 'unisolate', 'evidence', 'cordon', 'pods', 'update-image', 'revoke']) {
    assert.deepEqual((ok(`${verb} web/shop-7d9f-x2kqp --cluster prod`) as { target: unknown }).target, pod, verb);
  }
  assert.deepEqual((ok(`cordon ${FINDING}`) as { target: unknown }).target, { kind: 'finding', findingId: FINDING }, 'a pod verb takes a finding id too');
  fails('isolate web/shop-1', 'malformed_argument', /Which cluster\?/);
  fails('isolate web/shop-1 other/pod --cluster prod', 'malformed_argument', /One pod at a time/);
  fails('isolate web/Shop_1 --cluster prod', 'malformed_argument', /not a Kubernetes pod name/);
  fails('isolate web/shop-1 --cluster', 'malformed_argument', /needs a cluster name/);
  fails('malware-scan web/shop-1 --cluster prod', 'malformed_argument', /malware-scan does not take an EKS pod/);
  fails('cordon i-0abc1234', 'malformed_argument', /not EC2 instances/);
  assert.match(USAGE.cordon!, /\/guardduty cordon FINDING_ID\|NAMESPACE\/POD --cluster CLUSTER/);
  assert.match(USAGE.isolate!, /\/guardduty isolate TASK_ARN\|INSTANCE_ID\|FINDING_ID\|NAMESPACE\/POD --cluster CLUSTER/);
  for (const v of ['cordon', 'pods', 'update-image', 'revoke']) assert.match(HELP_TEXT, new RegExp(`• \`${v} TARGET\``), v);
});

test('malformed targets say what was expected', () => {
  fails('isolate', 'missing_argument', /isolate needs a target/);
  fails(`isolate ${TASK} i-0abc1234`, 'unexpected_argument', /remove "i-0abc1234"/);
  fails('isolate arn:aws:ecs:us-east-1:123456789012:cluster/prod', 'malformed_argument', /cluster ARN; give the ARN of the task/);
  fails(
    'isolate prod-payments',
    'malformed_argument',
    /is not an ECS task ARN, an EC2 instance id, an EKS pod \(namespace\/pod --cluster CLUSTER\) or a GuardDuty finding id/,
  );
  fails('isolate arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234', 'malformed_argument', /not an ECS task ARN/);
  fails('isolate arn:aws-iso:ecs:us-iso-east-1:123456789012:task/c/abc', 'malformed_argument', /partition "aws-iso" is not supported/);
  fails('isolate arn:aws:ecs::123456789012:task/c/abc', 'malformed_argument', /no valid region/);
  fails('isolate arn:aws:ecs:us-east-1::task/c/abc', 'malformed_argument', /12-digit account/);
  fails('isolate i-xyz', 'malformed_argument', /not an EC2 instance id/);
  fails('isolate i-0abc123', 'malformed_argument', /8 or 17 hex/);
  fails('isolate i-0abc1234def', 'malformed_argument', /8 or 17 hex/);
  fails('isolate i-0abc1234def5678901', 'malformed_argument', /not an EC2 instance id/);
  fails('isolate c2c6f0b7e1a9', 'malformed_argument', /not a GuardDuty finding id \(32 hex/);
  fails('stop i-0abc1234def567890', 'malformed_argument', /applies to ECS tasks, not EC2 instances — to contain an instance use isolate i-0abc1234def567890/);
});

test('image verbs take an image URI with a tag or digest; quarantine and scan need ECR', () => {
  assert.deepEqual(ok(`quarantine ${ECR}@${DIGEST}`), {
    ok: true,
    verb: 'quarantine',
    image: {
      kind: 'image',
      uri: `${ECR}@${DIGEST}`,
      registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      repository: 'checkout-api',
      digest: DIGEST,
      ecr: { registryId: '123456789012', region: 'us-east-1' },
    },
  });
  const scan = ok(`scan ${ECR}:1.4.2`);
  assert.ok(scan.verb === 'scan' && 'image' in scan && scan.image.tag === '1.4.2');
  const anywhere = ok('image nginx:1.27');
  assert.ok(
    anywhere.verb === 'image' &&
      'image' in anywhere &&
      anywhere.image.registry === 'docker.io' &&
      anywhere.image.repository === 'library/nginx' &&
      anywhere.image.ecr === undefined,
  );
  fails(`image ${ECR}`, 'malformed_argument', /no tag or digest/);
  fails('quarantine nginx:1.27', 'malformed_argument', /not in Amazon ECR/);
  fails('scan docker.io/library/nginx@sha256:short', 'malformed_argument', /not an image URI/);
  fails('image arn:aws:ecr:us-east-1:123456789012:repository/app', 'malformed_argument', /is an ARN; give the image URI/);
  fails('quarantine', 'missing_argument', /quarantine needs an image URI/);
});

test('Slack auto-links a domain-looking image URI; the label (what was typed) is used', () => {
  const typed = `${ECR}:1.4.2`;
  const r = ok(`image <http://${typed}|${typed}>`);
  assert.ok(r.verb === 'image' && 'image' in r && r.image.uri === typed);
  const bare = ok(`scan <https://${typed}>`);
  assert.ok(bare.verb === 'scan' && 'image' in bare && bare.image.uri === typed, 'scheme removed when Slack sent no label');
});

test('status: no argument (open incidents), an incident, a finding, a task or an instance', () => {
  assert.deepEqual(ok('status'), { ok: true, verb: 'status' });
  assert.deepEqual(ok('status inc-12'), { ok: true, verb: 'status', subject: { kind: 'incident', incidentId: 'INC-12' } });
  assert.deepEqual(ok(`status ${FINDING}`), { ok: true, verb: 'status', subject: { kind: 'finding', findingId: FINDING } });
  assert.equal((ok(`status ${TASK}`) as { subject?: { kind: string } }).subject?.kind, 'ecs_task');
  assert.equal((ok('status i-0abc1234') as { subject?: { kind: string } }).subject?.kind, 'instance');
  fails('status INC-0', 'malformed_argument', /not an incident id/);
  fails('status INC-x', 'malformed_argument', /not an incident id/);
  fails('status INC-1 INC-2', 'unexpected_argument', /at most one/);
});

test('assign: escaped mention, raw user id, or me; with the incident id before or after', () => {
  assert.deepEqual(ok('assign INC-12 <@U0123ABCD|alice>'), { ok: true, verb: 'assign', incidentId: 'INC-12', assignee: { kind: 'user', userId: 'U0123ABCD' } });
  assert.deepEqual(ok('assign <@W0123ABCD> inc-3'), { ok: true, verb: 'assign', incidentId: 'INC-3', assignee: { kind: 'user', userId: 'W0123ABCD' } });
  assert.deepEqual(ok('assign U0123ABCD'), { ok: true, verb: 'assign', assignee: { kind: 'user', userId: 'U0123ABCD' } });
  assert.deepEqual(ok('assign INC-4 me'), { ok: true, verb: 'assign', incidentId: 'INC-4', assignee: { kind: 'self' } });
  assert.deepEqual(
    ok('assign INC-4 <@U0123ABCD|alice smith>'),
    { ok: true, verb: 'assign', incidentId: 'INC-4', assignee: { kind: 'user', userId: 'U0123ABCD' } },
    'a display name with a space stays one token',
  );
});

test('assign: bad input', () => {
  fails('assign INC-4', 'missing_argument', /needs the person/);
  fails('assign INC-4 @alice', 'malformed_argument', /arrived as plain text, not as a mention/);
  fails('assign INC-4 <!subteam^S0123|@oncall>', 'malformed_argument', /not a user group/);
  fails('assign INC-4 <#C0123|sec>', 'malformed_argument', /not a channel/);
  fails('assign INC-4 warden', 'malformed_argument', /not a Slack user/);
  fails('assign INC-4 <@U0123ABCD> <@U0456EFGH>', 'unexpected_argument', /one person/);
  fails('assign INC-4 INC-5 me', 'unexpected_argument', /one incident id/);
  fails('assign INC-x me', 'malformed_argument', /not an incident id/);
});

test('close and false-positive: reason required, id optional, Slack formatting undone in the reason', () => {
  assert.deepEqual(ok('close INC-12   image rebuilt,   service redeployed'), {
    ok: true,
    verb: 'close',
    incidentId: 'INC-12',
    reason: 'image rebuilt, service redeployed',
  });
  assert.deepEqual(ok('false-positive red team exercise'), { ok: true, verb: 'false-positive', reason: 'red team exercise' });
  assert.deepEqual(ok('FP inc-7 pentest by <@U0123ABCD|bob> see <https://wiki.example/x|the plan> &amp; &lt;notes&gt;'), {
    ok: true,
    verb: 'false-positive',
    incidentId: 'INC-7',
    reason: 'pentest by @bob see the plan & <notes>',
  });
  fails('close INC-12', 'missing_argument', /needs a reason/);
  fails('false-positive', 'missing_argument', /sent to GuardDuty as feedback/);
  fails('close INC-1x typo in the id', 'malformed_argument', /not an incident id/);
  fails(`close INC-1 ${'x'.repeat(501)}`, 'malformed_argument', /keep it under 500/);
});

test('follow, unfollow and timeline take only an incident id', () => {
  assert.deepEqual(ok('follow INC-2'), { ok: true, verb: 'follow', incidentId: 'INC-2' });
  assert.deepEqual(ok('unfollow'), { ok: true, verb: 'unfollow' });
  assert.deepEqual(ok('export inc-9'), { ok: true, verb: 'timeline', incidentId: 'INC-9' });
  fails('follow INC-2 now', 'unexpected_argument', /only an incident id/);
});

test('unknown verbs get a suggestion and the general usage', () => {
  const r = fails('isolte i-0abc1234', 'unknown_verb', /"isolte" is not a \/guardduty verb — did you mean isolate\?/);
  assert.equal(r.verb, undefined);
  fails('frobnicate', 'unknown_verb', /^"frobnicate" is not a \/guardduty verb$/);
  const long = fails(`${'z'.repeat(500)}`, 'unknown_verb');
  assert.ok(long.problem.length < 200, 'user input is quoted short');
});

test('every verb and alias parses (with a valid argument) and has a usage line', () => {
  const arg: Record<CommandVerb, string> = {
    help: '',
    isolate: TASK,
    release: TASK,
    stop: TASK,
    quarantine: `${ECR}:1`,
    image: `${ECR}:1`,
    scan: `${ECR}:1`,
    evidence: 'i-0abc1234',
    'malware-scan': 'i-0abc1234',
    cordon: 'web/shop-1 --cluster prod',
    pods: 'web/shop-1 --cluster prod',
    'update-image': '--cluster=prod web/shop-1',
    revoke: 'web/shop-1 --cluster prod',
    sample: '--region eu-west-1',
    status: '',
    assign: 'INC-1 me',
    close: 'INC-1 done',
    'false-positive': 'INC-1 benign',
    follow: 'INC-1',
    unfollow: 'INC-1',
    timeline: 'INC-1',
    inbox: 'retry msg-1',
  };
  for (const verb of VERBS) {
    assert.ok(USAGE[verb]!.startsWith(`/guardduty ${verb}`), `usage of ${verb}`);
    for (const spelling of spellingsOf(verb)) assert.equal(ok(`${spelling} ${arg[verb]}`).verb, verb, spelling);
  }
});

test('inbox lists, retries one message or discards one with a reason', () => {
  assert.deepEqual(parseCommand('inbox'), { ok: true, verb: 'inbox', op: 'list' });
  assert.deepEqual(parseCommand('inbox retry 5b1c-9f'), { ok: true, verb: 'inbox', op: 'retry', messageId: '5b1c-9f' });
  assert.deepEqual(parseCommand('inbox discard 5b1c-9f test noise'), { ok: true, verb: 'inbox', op: 'discard', messageId: '5b1c-9f', reason: 'test noise' });
  for (const [text, code] of [
    ['inbox discard 5b1c-9f', 'missing_argument'],
    ['inbox retry', 'missing_argument'],
    ['inbox retry a b', 'unexpected_argument'],
    ['inbox purge', 'unexpected_argument'],
    ['inbox retry a/b', 'malformed_argument'],
  ] as const) {
    const r = parseCommand(text);
    assert.ok(isCommandError(r) && r.code === code, `${text}: ${JSON.stringify(r)}`);
  }
});

test('sample takes nothing or --region REGION', () => {
  assert.deepEqual(ok('sample'), { ok: true, verb: 'sample' });
  assert.deepEqual(ok('sample --region eu-west-1'), { ok: true, verb: 'sample', region: 'eu-west-1' });
  assert.deepEqual(ok('SAMPLE --region=ap-southeast-2'), { ok: true, verb: 'sample', region: 'ap-southeast-2' });
  fails('sample --region', 'missing_argument', /--region needs a Region/);
  fails('sample --region mars', 'malformed_argument', /"mars" is not an AWS Region/);
  fails('sample all', 'unexpected_argument', /sample takes only --region REGION; remove "all"/);
  fails('sample --region us-east-1 --region eu-west-1', 'unexpected_argument', /given twice/);
  assert.match(HELP_TEXT, /• `sample \[--region REGION\]`/);
});

test('HELP_TEXT fits a section and shows examples for the main verbs', () => {
  assert.ok(HELP_TEXT.length < 3000, `${HELP_TEXT.length} characters`);
  for (const v of ['isolate', 'stop', 'image', 'status', 'assign', 'close']) assert.match(HELP_TEXT, new RegExp(`\`/guardduty ${v} `));
  for (const example of HELP_TEXT.split('\n').filter((l) => l.startsWith('`/guardduty '))) {
    // What Slack sends once "@alice" is picked from the mention list (should_escape).
    const sent = example.slice('`/guardduty '.length, -1).replace('@alice', '<@U0ALICE01|alice>');
    assert.ok(!isCommandError(parseCommand(sent)), `example parses: ${example}`);
  }
});
