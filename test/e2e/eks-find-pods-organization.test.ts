/**
 * "Find pods running this image" across the organization: every allowed account × Region is
 * searched (the finding's own with the clusters the plan listed), with per-account results, and
 * a place that could not be searched (here: the member role cannot be assumed) is named with why
 * while the others are still searched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eksFindingEvent, publishFinding, RESPONDER, startEksE2eWorld } from '../helpers/eks-world.js';
import { runAction, threadText } from '../helpers/slack-interactions.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const MEMBER = '222222222222';

test('find pods across the organization: per-account results; an account that cannot be searched is named with the reason, the others still searched', async (t) => {
  const w = await startEksE2eWorld({
    env: {
      AWS_ACCOUNT_IDS: `123456789012,${MEMBER}`,
      AWS_MEMBER_ROLE_ARN: 'arn:aws:iam::{accountId}:role/GuardDutyResponder',
      AWS_REGIONS: 'us-east-1',
      AWS_ACCOUNT_NAMES: `${MEMBER}=prod-member`,
    },
  });
  t.after(() => w.close());
  assert.equal(w.aws.accountId, '123456789012');
  const prod = w.addCluster('prod');
  const [pod] = prod.addDeployment({ namespace: 'web', name: 'shop', replicas: 2, image: 'shop:1', digest: DIGEST });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'web', pod: pod!, image: 'shop:1' });
  await publishFinding(w.h, event);

  const { modal } = await runAction(w.h, { findingId, action: 'find_image_pods', user: RESPONDER });
  assert.match(
    modal.text,
    /Search 1 EKS cluster\(s\) of account 123456789012 in us-east-1 and every EKS cluster of 1 other account\/Region place\(s\) \(account 222222222222 \(prod-member\) us-east-1\)/,
  );
  const thread = await threadText(w.h, findingId);
  assert.match(thread, /2 pod\(s\) running sha256:abababababab… in 1 of 1 cluster\(s\) — 1 of 2 account\/Region place\(s\) searched/);
  assert.match(thread, /account 123456789012 us-east-1: 2 pod\(s\) in 1 cluster\(s\)/);
  assert.match(thread, /account 222222222222 \(prod-member\) us-east-1 could not be searched: \S/);
  assert.equal(w.k8s.calls.filter((x) => x.path === '/api/v1/pods').length, 1, "the own account's cluster was still searched");
});
