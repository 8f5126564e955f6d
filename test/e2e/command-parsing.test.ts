/**
 * `/guardduty` parsing end to end: signed slash-command form POSTs → Bolt → the command handler,
 * answers read at the command's response_url (the Slack double). Help, every verb, bad input and
 * targets outside the responder's coverage: the caller is told what was wrong and the usage, and
 * nothing at all is executed (no AWS call, no modal, no message in any channel, no run).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCatalog } from '../../src/actions/catalog.js';
import type { ActionId } from '../../src/actions/types.js';
import { escapeMrkdwn } from '../../src/cards/escape.js';
import { USAGE, VERBS, type CommandVerb } from '../../src/commands/grammar.js';
import { RESPONDER, startEcsWorld, type EcsWorld } from '../helpers/ecs-world.js';
import { incidentOf, instanceFinding, onlyAnswer, OTHER_CHANNEL, slash, taskFinding } from '../helpers/incident-world.js';

/** Everything the app could have done besides answering: AWS calls, modals, posts, runs. */
async function footprint(w: EcsWorld) {
  const { h } = w;
  const runs = [];
  for (const i of await h.responder.store.listOpenIncidents()) {
    for (const f of await h.responder.store.incidentFindingIds(i.id)) runs.push(...(await h.responder.store.runsForFinding(f)));
  }
  return {
    aws: w.aws.calls.length,
    modals: h.slack.callsTo('views.open').length,
    posts: h.slack.callsTo('chat.postMessage').length,
    updates: h.slack.callsTo('chat.update').length,
    ephemerals: h.slack.callsTo('chat.postEphemeral').length,
    uploads: h.slack.callsTo('files.getUploadURLExternal').length,
    runs: runs.length,
  };
}

const usageOf = (verb: CommandVerb) => escapeMrkdwn(USAGE[verb]!);

test('help (and an empty command): the usage with examples, only to the caller; nothing else happens', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const before = await footprint(w);
  for (const text of ['help', '', 'HELP', '?']) {
    const c = await slash(w.h, { text, user: RESPONDER });
    assert.equal(c.status, 200);
    const a = onlyAnswer(w.h, c.id);
    assert.equal(a.responseType, 'ephemeral', `${JSON.stringify(text)}: only the caller sees it`);
    assert.match(a.text, /GuardDuty responder — `\/guardduty`/);
    for (const verb of [
      'isolate',
      'release',
      'stop',
      'quarantine',
      'image',
      'scan',
      'evidence',
      'malware-scan',
      'status',
      'assign',
      'close',
      'false-positive',
      'follow',
      'timeline',
    ]) {
      assert.ok(a.text.includes(`\`${verb}`) || a.text.includes(` ${verb} `), `${JSON.stringify(text)}: help names ${verb}`);
    }
    assert.match(a.text, /Examples[\s\S]*`\/guardduty isolate arn:aws:ecs:[\s\S]*`\/guardduty close INC-12 /);
  }
  assert.deepEqual(await footprint(w), before);
});

test("bad input: an ephemeral answer with the problem and the verb's usage; no AWS call, no modal, no post, no run", async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const known = await taskFinding(w, { service: 'checkout' });
  const before = await footprint(w);

  const cases: { text: string; problem: RegExp; usage: string }[] = [
    {
      text: `isolat ${known.taskArn}`,
      problem: /"isolat" is not a \/guardduty verb — did you mean isolate\?/,
      usage: '/guardduty VERB ARGUMENTS — verbs: help, isolate',
    },
    { text: 'frobnicate', problem: /"frobnicate" is not a \/guardduty verb/, usage: '/guardduty VERB ARGUMENTS' },
    { text: 'stop arn:aws:ecs:us-east-1:123456789012:cluster/prod', problem: /is an ECS cluster ARN; give the ARN of the task/, usage: usageOf('stop') },
    {
      text: 'stop arn:aws:ecs:us-east-1:12345:task/prod/0123456789abcdef0123456789abcdef',
      problem: /"arn:aws:ecs:us-east-1:12345:task\/prod\/0123456789abcdef0123456789abcdef" is not an ARN/,
      usage: usageOf('stop'),
    },
    { text: 'isolate arn:aws:s3:::my-bucket', problem: /is not an ECS task ARN/, usage: usageOf('isolate') },
    { text: 'isolate i-12', problem: /"i-12" is not an EC2 instance id/, usage: usageOf('isolate') },
    { text: 'stop i-0123456789abcdef0', problem: /stop applies to ECS tasks, not EC2 instances/, usage: usageOf('stop') },
    { text: 'isolate deadbeef', problem: /"deadbeef" is not a GuardDuty finding id \(32 hex characters\)/, usage: usageOf('isolate') },
    { text: `stop ${known.taskArn} now`, problem: /stop takes one argument; remove "now"/, usage: usageOf('stop') },
    { text: 'quarantine nginx:latest', problem: /is not in Amazon ECR/, usage: usageOf('quarantine') },
    { text: 'image 123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout', problem: /has no tag or digest/, usage: usageOf('image') },
    // Resources in no finding the responder has received: refused, not acted on blindly.
    {
      text: 'isolate i-0123456789abcdef0',
      problem: /instance i-0123456789abcdef0 is not in any finding the responder has received, so it will not act on it/,
      usage: usageOf('isolate'),
    },
    {
      text: `stop ${known.taskArn.replace(/[0-9a-f]{32}$/, '0'.repeat(32))}`,
      problem: /is not in any finding the responder has received/,
      usage: usageOf('stop'),
    },
    {
      text: `isolate ${'f'.repeat(32)}`,
      problem: /finding f{32} is not in any finding the responder has received[\s\S]*give the full task ARN/,
      usage: usageOf('isolate'),
    },
    {
      text: 'scan 123456789012.dkr.ecr.us-east-1.amazonaws.com/other:9',
      problem: /image 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/other:9 is not in any finding/,
      usage: usageOf('scan'),
    },
    // Incident verbs.
    { text: 'assign INC-1 @bob', problem: /"@bob" arrived as plain text, not as a mention/, usage: usageOf('assign') },
    { text: 'assign INC-1 <!subteam^S0ONCALL|@oncall>', problem: /assign a person, not a user group/, usage: usageOf('assign') },
    { text: 'close INC-1', problem: /closing needs a reason/, usage: usageOf('close') },
    { text: 'close INC-1x rebuilt', problem: /"INC-1x" is not an incident id/, usage: usageOf('close') },
    { text: 'false-positive INC-99 test traffic', problem: /there is no incident INC-99/, usage: usageOf('false-positive') },
    {
      text: 'close rebuilt the image',
      problem: /say which incident: Slack does not tell apps which thread a slash command was typed in/,
      usage: usageOf('close'),
    },
    { text: 'status INC-x', problem: /"INC-x" is not an incident id/, usage: usageOf('status') },
    { text: 'status i-0123456789abcdef0', problem: /instance i-0123456789abcdef0 is in no incident/, usage: usageOf('status') },
    { text: 'timeline INC-1 please', problem: /timeline takes only an incident id; remove "please"/, usage: usageOf('timeline') },
  ];
  for (const c of cases) {
    const sent = await slash(w.h, { text: c.text, user: RESPONDER });
    assert.equal(sent.status, 200);
    const a = onlyAnswer(w.h, sent.id);
    assert.equal(a.responseType, 'ephemeral', c.text);
    assert.match(a.text, /:warning: \*Nothing was done:\* /, c.text);
    assert.match(a.text, c.problem, `${c.text}: ${a.text}`);
    assert.ok(a.text.includes(`*Usage:* \`${c.usage}`), `${c.text}: usage ${c.usage} in ${a.text}`);
    assert.match(a.text, /Type `\/guardduty help` for every verb, with examples/);
  }
  assert.deepEqual(await footprint(w), before, 'nothing was executed');
  // The incident the bad commands named is untouched.
  const [incident] = await w.h.responder.store.listOpenIncidents();
  assert.equal(incident?.state, 'open');
  assert.equal(incident?.assignee, undefined);
});

test("every verb typed without its argument answers with that verb's usage (status alone lists the open incidents)", async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const before = await footprint(w);
  // `sample` needs no argument (it creates GuardDuty findings: test/e2e/guardduty-sample.test.ts).
  for (const verb of VERBS.filter((v) => v !== 'sample')) {
    const c = await slash(w.h, { text: verb, user: RESPONDER });
    const a = onlyAnswer(w.h, c.id);
    assert.equal(a.responseType, 'ephemeral', verb);
    if (verb === 'help') assert.match(a.text, /GuardDuty responder/);
    else if (verb === 'status') assert.match(a.text, /Open incidents: 0[\s\S]*No open incidents/);
    else if (verb === 'inbox') assert.match(a.text, /No inbox message is stuck/);
    else {
      assert.match(a.text, /Nothing was done/, verb);
      assert.ok(a.text.includes(usageOf(verb)), `${verb}: ${a.text}`);
    }
  }
  assert.deepEqual(await footprint(w), before);
});

test('a target outside the covered accounts (COVERED_ACCOUNT_IDS) or Regions (COVERED_REGIONS) is refused with the reason, before anything runs', async (t) => {
  for (const env of [{ COVERED_ACCOUNT_IDS: '111111111111,222222222222' }, { COVERED_REGIONS: 'eu-west-1' }] as Record<string, string>[]) {
    const w = await startEcsWorld({ env });
    t.after(() => w.close());
    const f = await taskFinding(w, { service: 'checkout' });
    const inst = await instanceFinding(w, 'i-0a1b2c3d4e5f60718');
    const before = await footprint(w);
    const why = env.COVERED_ACCOUNT_IDS
      ? /account 123456789012 is not covered by this responder \(it acts in 111111111111, 222222222222\)/
      : /region us-east-1 is not covered by this responder \(it acts in eu-west-1\)/;
    for (const [text, verb] of [
      [`stop ${f.taskArn}`, 'stop'],
      [`isolate ${f.findingId}`, 'isolate'],
      [`isolate i-0a1b2c3d4e5f60718`, 'isolate'],
      [`evidence ${inst.findingId}`, 'evidence'],
      [`image ${f.image}`, 'image'],
    ] as const) {
      const c = await slash(w.h, { text, user: RESPONDER, channel: OTHER_CHANNEL });
      const a = onlyAnswer(w.h, c.id);
      assert.equal(a.responseType, 'ephemeral');
      assert.match(a.text, /Nothing was done/, text);
      assert.match(a.text, why, `${text}: ${a.text}`);
      assert.ok(a.text.includes(usageOf(verb)), text);
    }
    assert.deepEqual(await footprint(w), before, `${JSON.stringify(env)}: nothing was executed`);
  }
});

test("every remediation verb opens its catalog step's confirmation with the command's trigger_id (a task ARN, a finding id, an instance id, an image URI)", async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const f = await taskFinding(w, { service: 'checkout' });
  const g = await taskFinding(w, { service: 'orders', repository: 'orders', withDigest: true });
  const inst = await instanceFinding(w, 'i-0a1b2c3d4e5f60718');
  const digestUri = `${g.image.replace(/:[^/:]+$/, '')}@${g.digest}`;
  const catalog = buildCatalog();
  const cases: [string, string, ActionId][] = [
    [`isolate ${f.taskArn}`, f.findingId, 'isolate_task'],
    [`isolate ${f.findingId}`, f.findingId, 'isolate_task'],
    [`stop ${f.findingId}`, f.findingId, 'stop_task'],
    [`release ${f.taskArn}`, f.findingId, 'release_isolation'],
    [`image ${f.image}`, f.findingId, 'find_image_tasks'],
    [`image ${digestUri}`, g.findingId, 'find_image_tasks'],
    [`scan ${f.image}`, f.findingId, 'scan_image'],
    [`quarantine ${digestUri}`, g.findingId, 'quarantine_image'],
    [`isolate i-0a1b2c3d4e5f60718`, inst.findingId, 'isolate_instance'],
    [`evidence ${inst.findingId}`, inst.findingId, 'preserve_evidence'],
    [`malware-scan i-0a1b2c3d4e5f60718`, inst.findingId, 'malware_scan'],
  ];
  for (const [text, findingId, actionId] of cases) {
    const runsBefore = (await w.h.responder.store.runsForFinding(findingId)).length;
    const c = await slash(w.h, { text, user: RESPONDER });
    const opened = w.h.slack.callsTo('views.open').filter((o) => o.args.trigger_id === c.triggerId);
    assert.equal(opened.length, 1, `${text}: one confirmation, opened with the command's trigger_id`);
    const label = catalog.get(actionId)!.label;
    const title = (opened[0]!.args.view as { title: { text: string } }).title.text;
    assert.ok(label.startsWith(title.replace(/…$/, '')), `${text}: modal "${title}" for ${label}`);
    const runs = await w.h.responder.store.runsForFinding(findingId);
    assert.equal(runs.length, runsBefore + 1, `${text}: one run planned on finding ${findingId}`);
    assert.deepEqual([runs.at(-1)!.action, runs.at(-1)!.state, runs.at(-1)!.requestedBy], [actionId, 'planned', RESPONDER]);
    const incident = await incidentOf(w.h, findingId);
    const a = onlyAnswer(w.h, c.id);
    assert.ok(
      a.text.includes(
        `${text.split(' ')[0]}: progress and the result — will be posted in <https://example.slack.com/archives/${incident.channel}/p${incident.threadTs!.replace('.', '')}|${incident.id}'s thread>`,
      ),
      `${text}: ${a.text}`,
    );
  }
  assert.equal(
    w.aws.callsTo('ecs:StopTask').length + w.aws.callsTo('ec2:ModifyNetworkInterfaceAttribute').length + w.aws.callsTo('ecr:BatchDeleteImage').length,
    0,
    'nothing changed: only plans were read',
  );
});
