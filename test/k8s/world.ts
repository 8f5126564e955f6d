/** An AWS double with EKS clusters whose API servers are the loopback Kubernetes double. */
import { EKSClient } from '@aws-sdk/client-eks';
import { startAwsDouble, type AwsDouble } from '../doubles/aws/index.js';
import { startK8sDouble, type K8sCluster, type K8sDouble } from '../doubles/k8s.js';

export interface EksWorld {
  aws: AwsDouble;
  k8s: K8sDouble;
  eks: EKSClient;
  addCluster(name: string): K8sCluster;
  close(): Promise<void>;
}

export async function startEksWorld(options: { now?: () => number } = {}): Promise<EksWorld> {
  const aws = await startAwsDouble(options.now ? { now: options.now } : {});
  const cfg = aws.clientConfig({ maxAttempts: 1 });
  const k8s = await startK8sDouble({ credentials: cfg.credentials, ...(options.now ? { now: options.now } : {}) });
  const eks = new EKSClient(cfg);
  return {
    aws,
    k8s,
    eks,
    addCluster(name) {
      const c = k8s.addCluster(name);
      aws.eks.addCluster({ name, endpoint: c.endpoint, caData: k8s.caData });
      return c;
    },
    async close() {
      eks.destroy();
      await k8s.close();
      await aws.close();
    },
  };
}
