/**
 * Organization-wide blast radius: one image swept across 5 accounts × 2 Regions × 10 clusters ×
 * 200 running tasks, each account-and-Region world of the double limited to ECS's published
 * rates, with the app's own client factory (member accounts through the role via the STS double).
 *
 * Figures: API calls vs the minimum the page sizes allow (10 × one place's minimum), and wall
 * time vs one account-Region swept alone in the same run (the floor when places run in
 * parallel: goal within 1.5×, i.e. not 10× as one-after-another would take).
 */
import { createAwsClientFactory } from '../src/aws/clients.js';
import { minimumCalls } from '../src/aws/ecs/index.js';
import { findTasksUsingImage } from '../src/aws/ecs/sweep.js';
import { sweepOrganization } from '../src/aws/ecs/org-sweep.js';
import { createLogger } from '../src/log.js';
import { AWS_DEFAULT_LIMITS } from '../test/doubles/aws/index.js';
import { startOrganizationDouble } from '../test/doubles/aws/organization.js';

export const ORG_ACCOUNTS = 5;
export const ORG_REGIONS = ['us-east-1', 'eu-west-1'];
export const ORG_CLUSTERS = 10;
export const ORG_TASKS_PER_CLUSTER = 200;
/**
 * Service time per ECS call (BENCH_AWS_LATENCY_MS, default 500). One place's 40 read calls fit in
 * ECS's burst of 100, so its rate-limit floor is 0 s, and all ten worlds of the double run in this
 * one Node process (≈ 3.8 s of CPU for 20 000 described tasks): without service time the figure
 * would only measure this machine's CPU. The baseline is one place swept alone.
 */
export const CALL_LATENCY_MS = Number(process.env.BENCH_AWS_LATENCY_MS ?? 500);

export interface OrgSweepBench {
  places: number;
  calls: number;
  minimum: number;
  seconds: number;
  onePlaceSeconds: number;
  matches: number;
  throttled: number;
}

export async function runOrgSweepBench(): Promise<OrgSweepBench> {
  const admin = '100000000000';
  const members = Array.from({ length: ORG_ACCOUNTS - 1 }, (_, i) => String(200000000000 + i));
  const org = await startOrganizationDouble({ admin, members, regions: ORG_REGIONS, limits: AWS_DEFAULT_LIMITS });
  const role = 'arn:aws:iam::{accountId}:role/GuardDutyResponder';
  for (const m of members) org.sts.addRole(role.replace('{accountId}', m));
  const digest = `sha256:${'cd'.repeat(32)}`;
  const accounts = [admin, ...members];
  for (const a of accounts)
    for (const r of ORG_REGIONS)
      for (const op of ['ecs:ListClusters', 'ecs:ListTasks', 'ecs:DescribeTasks']) org.world(a, r).faults.setLatency(op, CALL_LATENCY_MS);
  for (const a of accounts)
    for (const r of ORG_REGIONS)
      org.world(a, r).seed.manyTasks({
        clusters: ORG_CLUSTERS,
        tasks: ORG_CLUSTERS * ORG_TASKS_PER_CLUSTER,
        image: `${admin}.dkr.ecr.us-east-1.amazonaws.com/base:1`,
        digest,
        fraction: 0.05,
      });
  const factoryFor = () =>
    createAwsClientFactory({
      endpointUrl: org.endpoint,
      defaultRegion: 'us-east-1',
      credentials: org.adminCredentials,
      logger: createLogger('silent'),
      organization: { memberRoleArn: role, accountIds: accounts, regions: ORG_REGIONS },
    });
  try {
    const f = factoryFor();
    await f.scope.resolveOwn();
    const actor = { requester: 'U0BENCH', step: 'find_image_tasks' };
    const places = f.scope.places(ORG_REGIONS);
    const t0 = performance.now();
    const sweep = await sweepOrganization(places, (p) => f.forTarget({ ...p, actor }), { digest });
    const seconds = (performance.now() - t0) / 1000;
    f.destroy();
    const calls = sweep.merged.calls.listClusters + sweep.merged.calls.listTasks + sweep.merged.calls.describeTasks;
    const minimum = places.length * minimumCalls(Array.from({ length: ORG_CLUSTERS }, () => ORG_TASKS_PER_CLUSTER)).total;
    const throttled = org.trail.filter((t) => t.error === 'ThrottlingException').length;

    // Baseline: one account-Region alone, fresh client-side buckets, after the double's refill.
    await new Promise((r) => setTimeout(r, 5_000));
    const g = factoryFor();
    await g.scope.resolveOwn();
    const t1 = performance.now();
    await findTasksUsingImage(g.forTarget({ accountId: members[0]!, region: ORG_REGIONS[0]!, actor }), { digest });
    const onePlaceSeconds = (performance.now() - t1) / 1000;
    g.destroy();
    return { places: places.length, calls, minimum, seconds, onePlaceSeconds, matches: sweep.merged.matches.length, throttled };
  } finally {
    await org.close();
  }
}
