import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeTasksCommand, ECSClient, ListClustersCommand, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { findTasksUsingImage, minimumCalls, repositoryMatches } from '../../../src/aws/ecs/sweep.js';
import { parseImageReference } from '../../../src/aws/arn.js';
import { awsError, clusterArn, DIGEST_A, DIGEST_B, meta, REPO_URI, taskArn, taskDefArn } from '../helpers.js';

const ecsMock = mockClient(ECSClient);
const clients = { ecs: new ECSClient({ region: 'eu-west-1' }) };

beforeEach(() => ecsMock.reset());

const arns = (cluster: string, from: number, n: number) => Array.from({ length: n }, (_, i) => taskArn(cluster, `t${from + i}`));

/** Fake DescribeTasks: every task runs `image`; digest chosen per task id by `digestOf`. */
function describeWith(digestOf: (id: string) => string, imageOf: (id: string) => string = () => `${REPO_URI}:1.0`) {
  return (input: { cluster?: string; tasks?: string[] }) => ({
    ...meta(`d-${input.cluster}-${input.tasks?.[0]}`),
    tasks: (input.tasks ?? []).map(
      (arn): Task => ({
        taskArn: arn,
        clusterArn: input.cluster!,
        taskDefinitionArn: taskDefArn('web', 3),
        launchType: 'FARGATE',
        group: arn.includes('/t1') ? 'service:web' : 'family:batch',
        containers: [{ name: 'app', image: imageOf(arn.split('/').pop()!), imageDigest: digestOf(arn.split('/').pop()!) }],
      }),
    ),
    failures: [],
  });
}

/** ListTasks pages of `pageSize` over `total` tasks for `cluster`, tokens "p1", "p2"… */
function listPages(cluster: string, total: number, pageSize = 100) {
  return (input: { nextToken?: string }) => {
    const page = input.nextToken ? Number(input.nextToken.slice(1)) : 0;
    const from = page * pageSize;
    const n = Math.max(0, Math.min(pageSize, total - from));
    const more = from + n < total;
    return { ...meta(`l-${cluster}-${page}`), taskArns: arns(cluster, from, n), ...(more ? { nextToken: `p${page + 1}` } : {}) };
  };
}

describe('minimumCalls', () => {
  test('page sizes fix the call count', () => {
    assert.deepEqual(minimumCalls([250, 0, 100]), { listClusters: 1, listTasks: 3 + 1 + 1, describeTasks: 3 + 0 + 1, total: 10 });
    assert.deepEqual(minimumCalls({}), { listClusters: 1, listTasks: 0, describeTasks: 0, total: 1 });
    assert.equal(minimumCalls(new Array(101).fill(0)).listClusters, 2);
  });
});

describe('findTasksUsingImage', () => {
  test('pages clusters and tasks, describes ≤100 per call with include, and keeps going when a cluster fails', async () => {
    ecsMock.on(ListClustersCommand).resolves({ ...meta('lc-1'), clusterArns: [clusterArn('a'), clusterArn('b')], nextToken: 'c2' });
    ecsMock.on(ListClustersCommand, { maxResults: 100, nextToken: 'c2' }).resolves({ ...meta('lc-2'), clusterArns: [clusterArn('c')] });
    ecsMock.on(ListTasksCommand, { cluster: clusterArn('a') }).callsFake(listPages('a', 250));
    ecsMock.on(ListTasksCommand, { cluster: clusterArn('b') }).callsFake(listPages('b', 0));
    ecsMock.on(ListTasksCommand, { cluster: clusterArn('c') }).rejects(awsError('AccessDeniedException', 'no', 'lt-c-denied'));
    // t1, t10..t19, t100..t199 run the compromised digest; t2 runs the same tag with another digest.
    // Everything else runs tag 0.9.
    ecsMock.on(DescribeTasksCommand).callsFake(
      describeWith(
        (id) => (id.startsWith('t1') ? DIGEST_A : id === 't2' ? DIGEST_B : `sha256:${'0'.repeat(64)}`),
        (id) => `${REPO_URI}:${id.startsWith('t1') || id === 't2' ? '1.0' : '0.9'}`,
      ),
    );

    const r = await findTasksUsingImage(clients, { digest: DIGEST_A, repository: 'shop/web', tag: '1.0' }, { concurrency: 2 });

    assert.deepEqual(
      ecsMock.commandCalls(ListClustersCommand).map((c) => c.args[0].input),
      [{ maxResults: 100 }, { maxResults: 100, nextToken: 'c2' }],
    );
    const listA = ecsMock
      .commandCalls(ListTasksCommand)
      .map((c) => c.args[0].input)
      .filter((i) => i.cluster === clusterArn('a'));
    assert.deepEqual(listA, [
      { cluster: clusterArn('a'), desiredStatus: 'RUNNING', maxResults: 100 },
      { cluster: clusterArn('a'), desiredStatus: 'RUNNING', maxResults: 100, nextToken: 'p1' },
      { cluster: clusterArn('a'), desiredStatus: 'RUNNING', maxResults: 100, nextToken: 'p2' },
    ]);
    const describes = ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input);
    assert.deepEqual(
      describes.map((d) => [d.cluster, d.tasks?.length, d.include]),
      [
        [clusterArn('a'), 100, ['TAGS']],
        [clusterArn('a'), 100, ['TAGS']],
        [clusterArn('a'), 50, ['TAGS']],
      ],
    );
    assert.deepEqual(describes[0]!.tasks, arns('a', 0, 100));

    // t1, t10–t19, t100–t199 → 1 + 10 + 100 tasks in cluster a.
    assert.equal(r.matches.length, 111);
    assert.ok(r.matches.every((m) => m.imageDigest === DIGEST_A && m.clusterArn === clusterArn('a') && m.containerName === 'app'));
    assert.deepEqual(r.byCluster, { [clusterArn('a')]: 111 });
    assert.deepEqual(r.byService, { 'a/web': 111 });
    assert.deepEqual(
      r.sameTagOtherDigest.map((t) => [t.taskArn, t.imageDigest]),
      [[taskArn('a', 't2'), DIGEST_B]],
    );
    assert.deepEqual(r.calls, { listClusters: 2, listTasks: 5, describeTasks: 3 });
    assert.equal(r.tasksScanned, 250);
    assert.equal(r.clustersScanned, 3);
    assert.deepEqual(
      r.errors.map((e) => [e.cluster, e.code]),
      [[clusterArn('c'), 'aws_access_denied']],
    );
    assert.match(r.errors[0]!.message, /ecs:ListTasks/);
    assert.ok(r.requestIds.includes('lc-1') && r.requestIds.includes('lt-c-denied') && r.requestIds.includes('l-a-2'));
  });

  test('successful sweep makes exactly minimumCalls', async () => {
    const counts = { a: 250, b: 0, c: 100, d: 1 };
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: Object.keys(counts).map(clusterArn) });
    for (const [name, n] of Object.entries(counts)) ecsMock.on(ListTasksCommand, { cluster: clusterArn(name) }).callsFake(listPages(name, n));
    ecsMock.on(DescribeTasksCommand).callsFake(describeWith(() => DIGEST_B));
    const r = await findTasksUsingImage(clients, { digest: DIGEST_A });
    const min = minimumCalls(Object.values(counts));
    assert.deepEqual(r.calls, { listClusters: min.listClusters, listTasks: min.listTasks, describeTasks: min.describeTasks });
    assert.equal(r.matches.length, 0);
    assert.deepEqual(r.sameTagOtherDigest, []); // no repository/tag asked
  });

  test('short pages are buffered into full DescribeTasks batches', async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [clusterArn('a')] });
    ecsMock.on(ListTasksCommand).callsFake(listPages('a', 150, 60)); // pages of 60, 60, 30
    ecsMock.on(DescribeTasksCommand).callsFake(describeWith(() => DIGEST_B));
    const r = await findTasksUsingImage(clients, { digest: DIGEST_A });
    assert.deepEqual(
      ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length),
      [100, 50],
    );
    assert.deepEqual(r.calls, { listClusters: 1, listTasks: 3, describeTasks: 2 });
  });

  test('pipelined: a full batch is described while the next page is still being listed', { timeout: 5000 }, async () => {
    let describeStarted!: () => void;
    const started = new Promise<void>((resolve) => (describeStarted = resolve));
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [clusterArn('a')] });
    ecsMock.on(ListTasksCommand).callsFake(async (input: { nextToken?: string }) => {
      if (input.nextToken) await started; // page 2 answers only once page 1 is being described
      return listPages('a', 150)(input);
    });
    const describe = describeWith(() => DIGEST_A);
    ecsMock.on(DescribeTasksCommand).callsFake(async (input: { cluster?: string; tasks?: string[] }) => {
      describeStarted();
      return describe(input);
    });
    const r = await findTasksUsingImage(clients, { digest: DIGEST_A });
    assert.equal(r.matches.length, 150);
  });

  test('a cluster throttled mid-sweep (after retries) is reported; its partial matches and other clusters are kept', async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [clusterArn('a'), clusterArn('b')] });
    ecsMock.on(ListTasksCommand, { cluster: clusterArn('a') }).callsFake(listPages('a', 250));
    ecsMock.on(ListTasksCommand, { cluster: clusterArn('b') }).callsFake(listPages('b', 10));
    const describe = describeWith(() => DIGEST_A);
    ecsMock.on(DescribeTasksCommand).callsFake(async (input: { cluster?: string; tasks?: string[] }) => {
      if (input.cluster === clusterArn('a') && input.tasks?.[0] === taskArn('a', 't100')) throw awsError('ThrottlingException', 'Rate exceeded');
      return describe(input);
    });
    const r = await findTasksUsingImage(clients, { digest: DIGEST_A });
    assert.deepEqual(
      r.errors.map((e) => [e.cluster, e.code]),
      [[clusterArn('a'), 'aws_throttled']],
    );
    assert.equal(r.byCluster[clusterArn('b')], 10);
    assert.ok((r.byCluster[clusterArn('a')] ?? 0) >= 100); // the batches that did succeed
  });

  test('ListClusters failing is fatal (nothing to sweep)', async () => {
    ecsMock.on(ListClustersCommand).rejects(awsError('AccessDeniedException'));
    await assert.rejects(findTasksUsingImage(clients, { digest: DIGEST_A }), /ecs:ListClusters/);
  });

  test('digest pinned in the image string counts even before imageDigest is reported', async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [clusterArn('a')] });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArn('a', 'x')] });
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: taskArn('a', 'x'), group: 'service:api', containers: [{ name: 'c', image: `${REPO_URI}@${DIGEST_A}` }] }],
    });
    const r = await findTasksUsingImage(clients, { digest: DIGEST_A });
    assert.equal(r.matches[0]?.imageDigest, DIGEST_A);
    assert.deepEqual(r.byService, { 'a/api': 1 });
  });
});

describe('repositoryMatches', () => {
  const ref = parseImageReference(`${REPO_URI}:1.0`)!;
  test('with or without the registry', () => {
    assert.ok(repositoryMatches(ref, 'shop/web'));
    assert.ok(repositoryMatches(ref, REPO_URI));
    assert.ok(!repositoryMatches(ref, 'shop/api'));
    assert.ok(!repositoryMatches(ref, '999999999999.dkr.ecr.eu-west-1.amazonaws.com/shop/web'));
    assert.ok(repositoryMatches(parseImageReference('nginx:1')!, 'nginx'));
  });
});
