/**
 * An end-to-end world for the EKS steps: the app (real Bolt, real AWS SDK clients, real
 * @kubernetes/client-node) against the loopback AWS double (EKS DescribeCluster/ListClusters) and
 * the loopback Kubernetes API double (HTTPS, its own CA, EKS token check). Time is the harness
 * clock, so EKS tokens are signed and checked on it.
 */
import { readFileSync } from 'node:fs';
import { createLogger } from '../../src/log.js';
import { startAwsDouble, type AwsDouble } from '../doubles/aws/index.js';
import { startK8sDouble, type K8sCluster, type K8sDouble } from '../doubles/k8s.js';
import { startHarness, type Harness } from './harness.js';
import { RESPONDER, SECOND_RESPONDER } from './ecs-world.js';
import type { EditableJson } from '../fixtures/findings/load.js';

export { OUTSIDER, RESPONDER, SECOND_RESPONDER, publishFinding, writePolicyFile } from './ecs-world.js';

export const APP_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

export interface EksE2eWorld {
  h: Harness;
  aws: AwsDouble;
  k8s: K8sDouble;
  addCluster(name: string): K8sCluster;
  close(): Promise<void>;
}

export async function startEksE2eWorld(opts: { env?: Record<string, string> } = {}): Promise<EksE2eWorld> {
  let clock: Harness['clock'] | undefined;
  const now = () => (clock ? clock.now() : Date.now());
  const aws = await startAwsDouble({ now });
  const k8s = await startK8sDouble({ credentials: APP_CREDENTIALS, now });
  const awsOptions = {
    endpointUrl: aws.endpoint,
    defaultRegion: aws.region,
    credentials: APP_CREDENTIALS,
    maxAttempts: 1,
    logger: createLogger('silent'),
    clock: { now, sleep: (ms: number) => (clock ? clock.sleep(ms) : Promise.reject(new Error('no harness clock yet'))) },
  };
  const h = await startHarness({ env: { RESPONDER_USER_IDS: `${RESPONDER},${SECOND_RESPONDER}`, ...opts.env }, overrides: { awsOptions } });
  clock = h.clock;
  return {
    h,
    aws,
    k8s,
    addCluster(name) {
      const c = k8s.addCluster(name);
      aws.eks.addCluster({ name, endpoint: c.endpoint, caData: k8s.caData });
      return c;
    },
    async close() {
      await h.close();
      await k8s.close();
      await aws.close();
    },
  };
}

let seq = 0;

/** The EKS pod fixture rewritten to be about `cluster`'s pod `namespace/pod`, in the double's account. */
export function eksFindingEvent(input: { aws: AwsDouble; cluster: string; namespace: string; pod: string; image?: string; serviceAccount?: string }) {
  const finding = JSON.parse(readFileSync(new URL('../fixtures/findings/eks-pod-runtime.json', import.meta.url), 'utf8')) as EditableJson;
  finding.id = `e4e${String(++seq).padStart(29, '0')}`;
  finding.accountId = input.aws.accountId;
  finding.region = input.aws.region;
  finding.arn = `arn:aws:guardduty:${input.aws.region}:${input.aws.accountId}:detector/0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e/finding/${finding.id}`;
  const r = finding.resource;
  r.eksClusterDetails.name = input.cluster;
  r.eksClusterDetails.arn = `arn:aws:eks:${input.aws.region}:${input.aws.accountId}:cluster/${input.cluster}`;
  const w = r.kubernetesDetails.kubernetesWorkloadDetails;
  w.name = input.pod;
  w.namespace = input.namespace;
  w.serviceAccountName = input.serviceAccount ?? 'default';
  w.containers[0].name = 'app';
  w.containers[0].image = input.image ?? 'web:1';
  r.instanceDetails.tags = [{ key: 'eks:cluster-name', value: input.cluster }];
  const event = {
    version: '0',
    id: `evt-${finding.id}`,
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: input.aws.accountId,
    time: '2026-11-28T09:59:00Z',
    region: input.aws.region,
    resources: [],
    detail: finding,
  };
  return { event, findingId: finding.id as string };
}
