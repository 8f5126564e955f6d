/**
 * docs/aws/iam-policy.json against the code: the IAM actions are DERIVED from src/ (every
 * `new XxxCommand(` and `paginateXxx(` imported from an `@aws-sdk/client-*` package, plus the
 * actions AWS authorises alongside some calls), so a new AWS call without its grant — or a grant
 * nothing calls any more — fails here. A new client package needs one line in IAM_PREFIX.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;

/** npm package suffix (`@aws-sdk/client-…`) → IAM service prefix. */
const IAM_PREFIX: Record<string, string> = {
  'auto-scaling': 'autoscaling',
  ec2: 'ec2',
  ecr: 'ecr',
  ecs: 'ecs',
  eks: 'eks',
  'elastic-load-balancing-v2': 'elasticloadbalancing',
  guardduty: 'guardduty',
  iam: 'iam',
  sns: 'sns',
  sqs: 'sqs',
  ssm: 'ssm',
  sts: 'sts',
};

/**
 * Actions AWS authorises in addition to the operation itself (checked against the Service
 * Authorization Reference): tags on create are authorised as CreateTags/TagResource, and
 * handing a role to a service is iam:PassRole.
 */
const IMPLIED: Record<string, string[]> = {
  'ec2:CreateSecurityGroup': ['ec2:CreateTags'], // TagSpecifications (managed-by tag)
  'ec2:CreateSnapshot': ['ec2:CreateTags'], // TagSpecifications (evidence tags)
  'ec2:AssociateIamInstanceProfile': ['iam:PassRole'], // the profile's role, to ec2.amazonaws.com
  'ecs:RegisterTaskDefinition': ['iam:PassRole', 'ecs:TagResource'], // task/execution roles; the old revision's tags
};

/**
 * Operations whose IAM action has another name (Service Authorization Reference): the SQS batch
 * calls are authorised as their single-message actions; GetCallerIdentity needs no permission.
 */
const AUTHORISED_AS: Record<string, string | null> = {
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sts:GetCallerIdentity': null,
};

/** Calls made by SDK helpers rather than a Command in src/ (identifier imported → actions). */
const HELPER_CALLS: Record<string, string[]> = {
  // The member-role sessions carry SourceIdentity and session tags (src/aws/sts/session.ts).
  fromTemporaryCredentials: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, dir, f));
}

interface Derived {
  actions: Map<string, string[]>; // action → files calling it
  unknownPackages: string[];
}

export function deriveCalledActions(files: string[]): Derived {
  const actions = new Map<string, string[]>();
  const unknownPackages: string[] = [];
  const add = (action: string, file: string) => actions.set(action, [...(actions.get(action) ?? []), file.slice(root.length)]);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      const prefix = IAM_PREFIX[m[2]!];
      const names = m[1]!
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '' && !n.startsWith('type '));
      for (const spec of names) {
        const [name, local = name] = spec.split(/\s+as\s+/).map((x) => x.trim()) as [string, string?];
        const command = /^([A-Z]\w*)Command$/.exec(name);
        const paginator = /^paginate([A-Z]\w*)$/.exec(name);
        const op = command && text.includes(`new ${local}(`) ? command[1] : paginator && text.includes(`${local}(`) ? paginator[1] : undefined;
        if (op === undefined) continue;
        if (prefix === undefined) {
          unknownPackages.push(`@aws-sdk/client-${m[2]} (${file.slice(root.length)})`);
          continue;
        }
        const action = `${prefix}:${op}`;
        const authorised = action in AUTHORISED_AS ? AUTHORISED_AS[action] : action;
        if (authorised) add(authorised, file);
      }
    }
    for (const [helper, helperActions] of Object.entries(HELPER_CALLS)) {
      if (new RegExp(`import[^;]*\\b${helper}\\b[^;]*from\\s*'@aws-sdk/`).test(text)) for (const a of helperActions) add(a, file);
    }
  }
  for (const [action, extra] of Object.entries(IMPLIED)) {
    if (actions.has(action)) for (const a of extra) add(a, `(implied by ${action})`);
  }
  return { actions, unknownPackages };
}

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
const policy = JSON.parse(readFileSync(join(root, 'docs/aws/iam-policy.json'), 'utf8')) as { Statement: Statement[] };
const list = (x: string | string[]) => (Array.isArray(x) ? x : [x]);
const statementsWith = (action: string) => policy.Statement.filter((s) => list(s.Action).includes(action));

test('every AWS action the code calls is granted by docs/aws/iam-policy.json, and nothing else is', () => {
  const { actions, unknownPackages } = deriveCalledActions(sourceFiles('src'));
  assert.deepEqual(unknownPackages, [], 'add the IAM prefix of these client packages to IAM_PREFIX');
  assert.ok(actions.size > 30, `found ${actions.size} actions: the derivation itself must keep working`);
  assert.ok(actions.has('ecs:StopTask') && actions.has('ecs:ListTasks'), 'commands and paginators are both found');

  const granted = new Set(policy.Statement.flatMap((s) => list(s.Action)));
  const missing = [...actions.keys()].filter((a) => !granted.has(a)).sort();
  assert.deepEqual(
    missing.map((a) => `${a} (called in ${actions.get(a)!.join(', ')})`),
    [],
    'called but not granted',
  );
  const unused = [...granted].filter((a) => !actions.has(a)).sort();
  assert.deepEqual(unused, [], 'granted but called nowhere in src/');
});

test('the policy has no wildcard actions, only Allow, and partition-neutral ARNs', () => {
  for (const s of policy.Statement) {
    assert.equal(s.Effect, 'Allow', s.Sid);
    for (const a of list(s.Action)) assert.doesNotMatch(a, /\*/, `${s.Sid}: ${a}`);
    for (const r of list(s.Resource)) assert.ok(r === '*' || r.startsWith('arn:*:'), `${s.Sid}: ${r} names a partition (use arn:*:)`);
  }
  const sids = policy.Statement.map((s) => s.Sid);
  assert.equal(new Set(sids).size, sids.length, 'Sids are unique');
});

test("conditions: tags only on create or with the app's keys, roles passed only to their service, commands only via AWS-RunShellScript on tagged hosts", () => {
  for (const s of statementsWith('ec2:CreateTags')) {
    const c = s.Condition ?? {};
    const onCreate = c.StringEquals?.['ec2:CreateAction'];
    const keys = c['ForAllValues:StringEquals']?.['aws:TagKeys'];
    assert.ok(onCreate !== undefined || keys !== undefined, `${s.Sid}: CreateTags needs ec2:CreateAction or aws:TagKeys`);
  }
  for (const s of statementsWith('ecs:TagResource')) assert.equal(s.Condition?.StringEquals?.['ecs:CreateAction'], 'RegisterTaskDefinition', s.Sid);
  for (const s of statementsWith('iam:PassRole')) {
    assert.ok(s.Condition?.StringEquals?.['iam:PassedToService'], `${s.Sid}: PassRole names the service`);
    for (const r of list(s.Resource)) assert.match(r, /^arn:\*:iam::\*:role\//, s.Sid);
  }
  for (const s of statementsWith('ec2:RevokeSecurityGroupEgress').concat(statementsWith('ec2:RevokeSecurityGroupIngress'))) {
    assert.equal(s.Condition?.StringEquals?.['aws:ResourceTag/managed-by'], 'guardduty-responder', `${s.Sid}: only the app's own group is emptied`);
  }
  for (const s of statementsWith('ec2:CreateSecurityGroup').filter((x) => list(x.Resource).some((r) => r.includes(':security-group/')))) {
    assert.equal(s.Condition?.StringEquals?.['aws:RequestTag/managed-by'], 'guardduty-responder', s.Sid);
  }
  for (const s of statementsWith('ssm:SendCommand')) {
    for (const r of list(s.Resource)) {
      if (r.includes(':document/')) assert.equal(r, 'arn:*:ssm:*::document/AWS-RunShellScript', s.Sid);
      else {
        assert.match(r, /:instance\/\*$/, s.Sid);
        assert.ok(
          Object.keys(s.Condition?.StringEquals ?? {}).some((k) => k.startsWith('ssm:resourceTag/')),
          `${s.Sid}: instances only by tag`,
        );
      }
    }
  }
  for (const s of policy.Statement.filter((x) => list(x.Action).some((a) => a.startsWith('ecr:')))) {
    for (const r of list(s.Resource)) assert.match(r, /^arn:\*:ecr:\*:\*:repository\//, s.Sid);
  }
});

test('the derivation catches a call the policy does not grant (self-check)', () => {
  const fake = join(root, 'test/iam/fixtures/uses-unknown-call.ts.txt');
  const { actions } = deriveCalledActions([fake]);
  assert.deepEqual(
    [...actions.keys()].sort(),
    ['ecs:DeleteCluster', 'ecs:ListServices', 'iam:PassRole', 'ecs:TagResource', 'ecs:RegisterTaskDefinition'].sort(),
  );
  const granted = new Set(policy.Statement.flatMap((s) => list(s.Action)));
  assert.equal(granted.has('ecs:DeleteCluster'), false);
});
