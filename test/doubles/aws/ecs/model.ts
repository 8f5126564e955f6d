/** Inputs and records of the ECS model (the stored resources themselves are the SDK's shapes). */
import type { Cluster, ContainerDefinition, ContainerInstance, Service, Task } from '@aws-sdk/client-ecs';
import type { IdGenerator } from '../ids.js';

export interface EcsEnv {
  readonly region: string;
  readonly accountId: string;
  readonly ids: IdGenerator;
  readonly now: () => number;
}

export interface ClusterRecord {
  readonly cluster: Cluster;
  /** Insertion order; ListTasks pages walk this array. */
  readonly tasks: Task[];
  readonly services: Map<string, Service>;
  readonly containerInstances: Map<string, ContainerInstance>;
}

export interface TaskEniInput {
  networkInterfaceId: string;
  privateIPv4Address: string;
  subnetId: string;
  macAddress: string;
  privateDnsName?: string;
  /** ECS names the ENI after its attachment (`arn:aws:ecs:…:attachment/<id>`); pass it to match. */
  attachmentId?: string;
}

export interface ContainerInput {
  name: string;
  image: string;
  imageDigest?: string;
  runtimeId?: string;
  networkBindings?: { bindIP?: string; containerPort: number; hostPort: number; protocol?: 'tcp' | 'udp' }[];
}

export interface AddTaskInput {
  cluster: string;
  /** A task definition ARN, `family` or `family:revision`; registered from `containers` if absent. */
  taskDefinition?: string;
  /** Sets group `service:NAME` and startedBy like the service scheduler does. */
  service?: string;
  group?: string;
  launchType?: 'FARGATE' | 'EC2';
  lastStatus?: string;
  desiredStatus?: string;
  stoppedReason?: string;
  containerInstanceArn?: string;
  eni?: TaskEniInput;
  containers?: ContainerInput[];
  taskId?: string;
  availabilityZone?: string;
  startedBy?: string;
}

export interface RegisterInput {
  family: string;
  containerDefinitions: ContainerDefinition[];
  networkMode?: 'awsvpc' | 'bridge' | 'host' | 'none';
  requiresCompatibilities?: string[];
  cpu?: string;
  memory?: string;
  [extra: string]: unknown;
}

export interface AddServiceInput {
  cluster: string;
  name: string;
  taskDefinition: string;
  desiredCount?: number;
  launchType?: 'FARGATE' | 'EC2';
  subnets?: string[];
  securityGroups?: string[];
}

export type TaskStoppedListener = (task: Task, cluster: ClusterRecord) => void;
