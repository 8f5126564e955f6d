import { AppError } from '../../errors.js';
import type { Finding } from '../../findings/model.js';
import { refuseSampleFinding } from '../../findings/sample.js';
import { connectCluster, type KubeConnection } from '../../k8s/client.js';
import type { PodRef } from '../../k8s/pods.js';
import type { ActionContext } from '../types.js';

/**
 * The pod an EKSCluster finding is about (cluster, namespace, pod name from
 * resource.eksClusterDetails / kubernetesDetails.kubernetesWorkloadDetails). Sample findings
 * carry fake names and are refused before any call.
 */
export interface PodTarget extends PodRef {
  cluster: string;
}

export const hasPod = (f: Finding) => f.kind === 'EKSCluster' && !!f.eks?.clusterName && !!f.eks.namespace && !!f.eks.podName;

export function podTargetOf(f: Finding): PodTarget {
  refuseSampleFinding(f, 'resource names');
  const e = f.eks;
  if (!e?.clusterName || !e.namespace || !e.podName)
    throw new AppError('action_invalid', 'The finding names no EKS cluster, namespace and pod, so there is no pod to act on.');
  return { cluster: e.clusterName, namespace: e.namespace, name: e.podName };
}

export const podText = (t: PodTarget) => `pod ${t.namespace}/${t.name} (cluster ${t.cluster})`;

/** Endpoint + CA from DescribeCluster in the finding's account and Region, IAM token. */
export function connect(ctx: ActionContext, cluster: string, requestIds: string[] = []): Promise<KubeConnection> {
  return connectCluster(ctx.aws.eks, cluster, () => ctx.clock.now(), requestIds);
}
