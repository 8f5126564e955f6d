/**
 * The member role template (deploy/member-role.yml) grants exactly the app's step policy
 * (docs/aws/iam-policy.json without the assume-role statement) and trusts only the app's role,
 * with the external id, a required SourceIdentity, and sts:SetSourceIdentity / sts:TagSession.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const template = readFileSync(new URL('../../deploy/member-role.yml', import.meta.url), 'utf8');
const policy = JSON.parse(readFileSync(new URL('../../docs/aws/iam-policy.json', import.meta.url), 'utf8')) as {
  Statement: { Sid: string; Action: string | string[]; Resource: string }[];
};

test('the member role policy is the step policy, statement for statement (regenerate with scripts/member-role-template.mjs)', () => {
  const start = template.indexOf('{', template.indexOf('PolicyDocument:'));
  const end = template.indexOf('\nOutputs:');
  const doc = JSON.parse(template.slice(start, end)) as { Statement: unknown[] };
  assert.deepEqual(
    doc.Statement,
    policy.Statement.filter((s) => !/^(AssumeMemberRole|Administrator)/.test(s.Sid)),
  );
  assert.ok(!JSON.stringify(doc.Statement).includes('guardduty:ArchiveFindings'), "close-out is the administrator's, not the member role's");
});

test('the trust policy: the app role only, external id, SourceIdentity required, SetSourceIdentity and TagSession allowed', () => {
  const trust = template.slice(template.indexOf('AssumeRolePolicyDocument:'), template.indexOf('Policies:'));
  assert.match(trust, /AWS: !Ref ResponderRoleArn/);
  assert.match(trust, /sts:ExternalId: !Ref ExternalId/);
  assert.match(trust, /sts:SourceIdentity: 'false'/);
  assert.match(trust, /- sts:SetSourceIdentity/);
  assert.match(trust, /- sts:TagSession/);
  assert.doesNotMatch(trust, /Principal:\s*\n\s*AWS: '\*'/);
});

test('the app role may assume the member role by name only, with SourceIdentity and session tags', () => {
  const s = policy.Statement.find((x) => x.Sid === 'AssumeMemberRoleAsTheSlackUser');
  assert.ok(s);
  assert.deepEqual(s.Action, ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']);
  assert.equal(s.Resource, 'arn:*:iam::*:role/GuardDutyResponder');
});
