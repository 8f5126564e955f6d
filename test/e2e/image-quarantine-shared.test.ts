/**
 * An image's quarantine belongs to the image (issue 9 item 1): two findings on one ECR digest
 * (two tasks, so two incidents) are two cards about ONE image. Quarantined from card A, card B
 * says so (who, from which card) and its plan refuses a second delete.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IMAGE_EVIDENCE_KEY } from '../../src/actions/ecs/quarantine-image.js';
import { imageStateOwner } from '../../src/actions/resource-keys.js';
import type { ImageEvidence } from '../../src/aws/ecr/image.js';
import { ecsFindingEvent, publishFinding, RESPONDER, SECOND_RESPONDER, startEcsWorld } from '../helpers/ecs-world.js';
import { cardText, openPlan, runAction } from '../helpers/slack-interactions.js';

test('two findings on one image digest: quarantined from card A, card B shows it (by whom, from which finding) and a second quarantine plan is blocked saying so', async (t) => {
  const w = await startEcsWorld();
  t.after(() => w.close());
  const { aws, h } = w;
  const bad = aws.seed.image({ repository: 'payments', tag: '9.1' });
  const p1 = aws.seed.fargateTask({ cluster: 'prod', service: 'payments', image: bad.uri, digest: bad.digest });
  const p2 = aws.seed.fargateTask({ cluster: 'batch', family: 'payments-jobs', image: bad.uri, digest: bad.digest });
  const a = ecsFindingEvent({ taskArn: p1.taskArn, clusterArn: p1.clusterArn, image: bad.uri, digest: bad.digest });
  const b = ecsFindingEvent({ taskArn: p2.taskArn, clusterArn: p2.clusterArn, image: bad.uri, digest: bad.digest });
  await publishFinding(h, a.event);
  await publishFinding(h, b.event);

  await runAction(h, { findingId: a.findingId, action: 'quarantine_image', user: RESPONDER, reason: 'backdoored base layer' });
  assert.equal(aws.ecr.repositories.get('payments')!.images.has(bad.digest), false, 'deleted from ECR');

  // The evidence is the image's record (registry account/Region, repository, digest), not finding A's.
  const owner = imageStateOwner(`${bad.uri.replace(/:[^/:]+$/, '')}@${bad.digest}`)!;
  assert.match(owner, new RegExp(`^resource:\\d{12}/[a-z0-9-]+/image/payments@${bad.digest}$`));
  const evidence = await h.responder.store.getFindingState<ImageEvidence & { fromFinding: string; savedBy: string }>(owner, IMAGE_EVIDENCE_KEY);
  assert.equal(evidence?.imageDigest, bad.digest);
  assert.equal(evidence?.fromFinding, a.findingId);
  assert.equal(evidence?.savedBy, RESPONDER);

  // Card B (re-rendered after A's run) says who quarantined it and from which card.
  assert.match(
    await cardText(h, b.findingId),
    new RegExp(`quarantined \\(deleted from ECR\\) by Slack user ${RESPONDER} from the card of finding ${a.findingId}`),
  );

  // A second quarantine from card B is blocked, saying by whom and from which finding.
  const again = await openPlan(h, { findingId: b.findingId, action: 'quarantine_image', user: SECOND_RESPONDER });
  assert.equal(again.submit, undefined, 'no submit button');
  assert.match(again.text, new RegExp(`already quarantined by Slack user ${RESPONDER} from the card of finding ${a.findingId}`));
  assert.match(again.text, new RegExp(`earlier quarantine \\(from the card of finding ${a.findingId}\\); there is nothing left to delete`));
  assert.equal(aws.callsTo('ecr:BatchDeleteImage').length, 1, 'no second delete');
});
