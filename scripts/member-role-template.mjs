#!/usr/bin/env node
// Writes deploy/member-role.yml from docs/aws/iam-policy.json, so the member role's policy is
// always exactly the app's step policy (test/deploy/member-role.test.ts checks they agree).
// Usage: node scripts/member-role-template.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const policy = JSON.parse(readFileSync(new URL('../docs/aws/iam-policy.json', import.meta.url), 'utf8'));
// AssumeMemberRole…: the app's own role only. Administrator…: GuardDuty bookkeeping done by the
// administrator's detector in the app's own account (close-out, suppression, sample findings).
const statements = policy.Statement.filter((s) => !/^(AssumeMemberRole|Administrator)/.test(String(s.Sid ?? '')));
const indent = (text, n) =>
  text
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
const template = `# GuardDuty Runtime Responder: the role the app assumes in each member account.
# Deploy with CloudFormation StackSets (service-managed, one stack per member account) from the
# GuardDuty delegated administrator / management account. Generated from docs/aws/iam-policy.json
# by scripts/member-role-template.mjs: edit that policy, then regenerate.
AWSTemplateFormatVersion: '2010-09-09'
Description: GuardDuty Runtime Responder member role (least privilege of every remediation step)
Parameters:
  ResponderRoleArn:
    Type: String
    Description: ARN of the app's own role in the administrator account (what assumes this role)
    AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$'
  ExternalId:
    Type: String
    Description: The same value as AWS_MEMBER_ROLE_EXTERNAL_ID (one for all accounts)
    MinLength: 2
    NoEcho: true
  RoleName:
    Type: String
    Default: GuardDutyResponder
    Description: Must match AWS_MEMBER_ROLE_ARN (arn:aws:iam::{accountId}:role/<RoleName>)
Resources:
  MemberRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref RoleName
      MaxSessionDuration: 3600
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          # Every session names the Slack user who asked (SourceIdentity) and carries its step and
          # approver as session tags; the external id guards against a confused deputy.
          - Sid: AppRoleAssumesWithExternalIdAndSourceIdentity
            Effect: Allow
            Principal:
              AWS: !Ref ResponderRoleArn
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                sts:ExternalId: !Ref ExternalId
              'Null':
                sts:SourceIdentity: 'false'
          - Sid: AppRoleSetsSourceIdentityAndTags
            Effect: Allow
            Principal:
              AWS: !Ref ResponderRoleArn
            Action:
              - sts:SetSourceIdentity
              - sts:TagSession
      Policies:
        - PolicyName: guardduty-responder-steps
          PolicyDocument:
${indent(JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2), 12)}
Outputs:
  MemberRoleArn:
    Value: !GetAtt MemberRole.Arn
`;
writeFileSync(new URL('../deploy/member-role.yml', import.meta.url), template);
console.log('wrote deploy/member-role.yml');
