/**
 * `/guardduty` verbs on an EKS pod (`namespace/pod --cluster NAME`): the command opens the same
 * confirmation as the card's button, on the finding about that pod, and the step runs through the
 * same runner (authorization at execution, exactly once, result in the thread).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eksFindingEvent, OUTSIDER, publishFinding, RESPONDER, SECOND_RESPONDER, startEksE2eWorld } from '../helpers/eks-world.js';
import { answers, onlyAnswer, slash } from '../helpers/incident-world.js';
import { lastModal, openPlan, submitAndSettle, threadText } from '../helpers/slack-interactions.js';

test("/guardduty isolate prod/web-abc --cluster prod: the button's confirmation, the same isolation, exactly once", async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'prod', name: 'web-abc', labels: { app: 'web' } });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'prod', pod: 'web-abc' });
  await publishFinding(w.h, event);
  const k8sMark = w.k8s.calls.length;

  const cmd = await slash(w.h, { text: 'isolate prod/web-abc --cluster prod', user: RESPONDER });
  assert.equal(cmd.status, 200);
  const opens = w.h.slack.callsTo('views.open');
  assert.equal(opens.at(-1)!.args.trigger_id, cmd.triggerId, "the confirmation is opened with the command's trigger_id");
  const viaCommand = lastModal(w.h);
  assert.equal(viaCommand.submit, 'Isolate');
  assert.ok(viaCommand.text.includes('pod prod/web-abc (cluster prod)'));
  assert.deepEqual(
    w.k8s.calls.slice(k8sMark).filter((x) => x.method !== 'GET' && x.resource !== 'selfsubjectaccessreviews.authorization.k8s.io'),
    [],
    'only the live state was read',
  );

  const viaButton = await openPlan(w.h, { findingId, action: 'isolate_pod', user: SECOND_RESPONDER });
  assert.equal(viaButton.text, viaCommand.text, 'the command shows exactly the confirmation the button shows');

  await submitAndSettle(w.h, { runId: viaCommand.runId, user: RESPONDER });
  assert.equal(c.pods.get('prod/web-abc')!.metadata.labels['guardduty-responder/quarantine'], findingId);
  assert.ok(c.policies.has(`prod/guardduty-quarantine-${findingId}`));
  await submitAndSettle(w.h, { runId: viaButton.runId, user: SECOND_RESPONDER });
  assert.equal(
    w.k8s.calls.filter((x) => x.method === 'POST' && x.resource === 'networkpolicies.networking.k8s.io').length,
    1,
    'the policy is created exactly once',
  );
  assert.match(await threadText(w.h, findingId), /isolated by NetworkPolicy/);
  const audit = await w.h.responder.store.auditFor(findingId);
  assert.deepEqual(
    audit.filter((a) => a.event === 'started').map((a) => a.actor),
    [RESPONDER],
  );
});

test("pod verbs: an unknown pod is refused with nothing called; an outsider's confirmed command changes nothing", async (t) => {
  const w = await startEksE2eWorld();
  t.after(() => w.close());
  const c = w.addCluster('prod');
  c.addPod({ namespace: 'prod', name: 'web-abc', labels: { app: 'web' } });
  const { event, findingId } = eksFindingEvent({ aws: w.aws, cluster: 'prod', namespace: 'prod', pod: 'web-abc' });
  await publishFinding(w.h, event);
  const k8sMark = w.k8s.calls.length;

  const unknown = await slash(w.h, { text: 'cordon prod/other --cluster prod', user: RESPONDER });
  assert.match(onlyAnswer(w.h, unknown.id).text, /pod prod\/other \(cluster prod\) is not in any finding the responder has received/);
  const noCluster = await slash(w.h, { text: 'isolate prod/web-abc', user: RESPONDER });
  assert.match(answers(w.h, noCluster.id).join('\n'), /Which cluster\?/);
  assert.equal(w.k8s.calls.length, k8sMark, 'no Kubernetes call for a refused command');

  const cmd = await slash(w.h, { text: `cordon ${findingId}`, user: OUTSIDER });
  assert.equal(cmd.status, 200);
  assert.equal(
    onlyAnswer(w.h, cmd.id).text,
    `:lock: You can't run *Cordon node*: you are not on the list of people allowed to run "cordon_node" (ask your security lead to add you). Nothing was changed.`,
  );
  assert.equal(w.k8s.calls.length, k8sMark, 'no Kubernetes call for an outsider');
  assert.equal(w.k8s.calls.filter((x) => x.method === 'PATCH').length, 0, 'not authorized: the node is not cordoned');
});
