/**
 * The normalised finding: one shape whatever the input's casing or wrapping (EventBridge event,
 * SNS Notification, GetFindings response, SDK/CLI PascalCase). Field names follow the GuardDuty
 * API model (`@aws-sdk/client-guardduty` `Finding`), camelCased. `raw` keeps the whole finding
 * (camelCase) so unknown fields are never lost.
 *
 * The parser lives in ./parse.ts.
 */

/** GuardDuty Runtime Monitoring resource types, plus everything else. */
export type ResourceKind = 'Instance' | 'EKSCluster' | 'ECSCluster' | 'Container' | 'Other';

export interface ContainerInfo {
  name?: string;
  id?: string;
  image?: string;
  /**
   * sha256:… when the finding says: from an `image` of the form `repo@sha256:…` (or an
   * `imageDigest` field, which the API does not define today). GuardDuty usually reports a tag, so
   * the digest often has to come from ECS DescribeTasks instead.
   */
  imageDigest?: string;
  /** GuardDuty's `imagePrefix`: the image name before its last slash (registry/repo path). Not a digest. */
  imagePrefix?: string;
  containerRuntime?: string;
  privileged?: boolean;
}

export interface EcsDetails {
  clusterArn?: string;
  clusterName?: string;
  taskArn?: string;
  taskDefinitionArn?: string;
  launchType?: string;
  /** `service:NAME` or `family:NAME` as ECS reports it. */
  group?: string;
  /** Parsed from group when it is `service:NAME`. */
  serviceName?: string;
  containers: ContainerInfo[];
}

export interface NetworkInterfaceInfo {
  networkInterfaceId?: string;
  /** Primary address first, then the secondary ones, without duplicates. */
  privateIpAddresses: string[];
  privateDnsName?: string;
  ipv6Addresses?: string[];
  publicIp?: string;
  subnetId?: string;
  vpcId?: string;
  securityGroups: { groupId?: string; groupName?: string }[];
}

export interface InstanceDetails {
  instanceId?: string;
  instanceType?: string;
  instanceState?: string;
  availabilityZone?: string;
  imageId?: string;
  iamInstanceProfileArn?: string;
  platform?: string;
  launchTime?: string;
  networkInterfaces: NetworkInterfaceInfo[];
  tags: { key: string; value: string }[];
  /** EKS node: the cluster it belongs to, from its tags, when known. */
  eksClusterName?: string;
}

export interface EksDetails {
  clusterName?: string;
  clusterArn?: string;
  namespace?: string;
  podName?: string;
  podUid?: string;
  /**
   * The node running the pod. The API has no node field: taken from a `nodeName` in the workload
   * details when present, else the node instance's private DNS name (EKS names nodes that way), else
   * its instance id.
   */
  nodeName?: string;
  workloadType?: string;
  workloadName?: string;
  serviceAccountName?: string;
  hostNetwork?: boolean;
  containers: ContainerInfo[];
}

export interface ProcessInfo {
  name?: string;
  executablePath?: string;
  executableSha256?: string;
  pid?: number;
  namespacePid?: number;
  user?: string;
  userId?: number;
  euid?: number;
  pwd?: string;
  /**
   * Not in the API's ProcessDetails. Filled only from a `commandLine` field if one is present, or
   * from `service.runtimeDetails.context.commandLineExample`; otherwise undefined.
   */
  commandLine?: string;
  startTime?: string;
  uuid?: string;
  /** Parents, nearest first, as GuardDuty lists them. */
  lineage: { name?: string; executablePath?: string; pid?: number; userId?: number; euid?: number }[];
}

export interface Finding {
  id: string;
  arn?: string;
  accountId: string;
  region: string;
  partition: string;
  type: string;
  title: string;
  description: string;
  severity: number;
  createdAt: string;
  updatedAt: string;
  firstSeen?: string;
  lastSeen?: string;
  count: number;
  sample: boolean;
  archived: boolean;
  detectorId?: string;
  /** `service.featureName`, e.g. "RuntimeMonitoring", "CloudTrail", "S3DataEvents". */
  featureName?: string;
  /** GuardDuty's `resource.resourceType` as sent (e.g. "ECSCluster", "S3Bucket", "AccessKey"). */
  resourceType: string;
  kind: ResourceKind;
  ecs?: EcsDetails;
  instance?: InstanceDetails;
  eks?: EksDetails;
  /** Standalone container (kind 'Container'), or the container of an EKS/ECS finding when single. */
  container?: ContainerInfo;
  process?: ProcessInfo;
  /** The whole finding, camelCase, unknown fields kept. */
  raw: Record<string, unknown>;
}
