/**
 * Builds a Task the way DescribeTasks reports it: ARNs in the long format
 * (`task/<cluster>/<id>`), the awsvpc ENI as an `ElasticNetworkInterface` attachment whose details
 * carry subnetId / networkInterfaceId / macAddress / privateDnsName / privateIPv4Address, and each
 * container with image, imageDigest, runtimeId and its network bindings or interfaces.
 */
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { AddTaskInput, ClusterRecord, EcsEnv } from './model.js';

export function buildTask(
  env: EcsEnv,
  arn: (resource: string) => string,
  rec: ClusterRecord,
  td: TaskDefinition,
  input: AddTaskInput,
): { task: Task; taskId: string } {
  const clusterName = rec.cluster.clusterName!;
  const containers = input.containers ?? [];
  const taskId = input.taskId ?? env.ids.hex(32);
  const taskArn = arn(`task/${clusterName}/${taskId}`);
  const now = new Date(env.now());
  const launchType = input.launchType ?? (td.requiresCompatibilities?.includes('FARGATE') ? 'FARGATE' : 'EC2');
  const attachmentId = input.eni ? (input.eni.attachmentId ?? env.ids.uuid()) : undefined;
  const lastStatus = input.lastStatus ?? 'RUNNING';
  const task: Task = {
    taskArn,
    clusterArn: rec.cluster.clusterArn,
    taskDefinitionArn: td.taskDefinitionArn,
    group: input.group ?? (input.service ? `service:${input.service}` : `family:${td.family}`),
    startedBy: input.startedBy ?? (input.service ? (rec.services.get(input.service)?.deployments?.[0]?.id ?? 'ecs-svc/0') : undefined),
    launchType,
    lastStatus,
    desiredStatus: input.desiredStatus ?? (lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING'),
    ...(input.stoppedReason !== undefined ? { stoppedReason: input.stoppedReason } : {}),
    cpu: td.cpu ?? '256',
    memory: td.memory ?? '512',
    availabilityZone: input.availabilityZone ?? `${env.region}a`,
    connectivity: 'CONNECTED',
    createdAt: now,
    startedAt: lastStatus === 'RUNNING' ? now : undefined,
    version: 1,
    ...(launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
    ...(input.containerInstanceArn ? { containerInstanceArn: input.containerInstanceArn } : {}),
    attachments: input.eni
      ? [
          {
            id: attachmentId,
            type: 'ElasticNetworkInterface',
            status: 'ATTACHED',
            details: [
              { name: 'subnetId', value: input.eni.subnetId },
              { name: 'networkInterfaceId', value: input.eni.networkInterfaceId },
              { name: 'macAddress', value: input.eni.macAddress },
              { name: 'privateDnsName', value: input.eni.privateDnsName ?? `ip-${input.eni.privateIPv4Address.replace(/\./g, '-')}.ec2.internal` },
              { name: 'privateIPv4Address', value: input.eni.privateIPv4Address },
            ],
          },
        ]
      : [],
    containers: containers.map((c) => ({
      containerArn: arn(`container/${clusterName}/${taskId}/${env.ids.uuid()}`),
      taskArn,
      name: c.name,
      image: c.image,
      ...(c.imageDigest ? { imageDigest: c.imageDigest } : {}),
      runtimeId: c.runtimeId ?? `${taskId}-${env.ids.hex(10)}`,
      lastStatus,
      healthStatus: 'UNKNOWN',
      cpu: '0',
      networkBindings: (c.networkBindings ?? []).map((b) => ({
        bindIP: b.bindIP ?? '0.0.0.0',
        containerPort: b.containerPort,
        hostPort: b.hostPort,
        protocol: b.protocol ?? 'tcp',
      })),
      networkInterfaces: input.eni ? [{ attachmentId, privateIpv4Address: input.eni.privateIPv4Address }] : [],
    })),
    overrides: { containerOverrides: containers.map((c) => ({ name: c.name })) },
    tags: [],
    enableExecuteCommand: false,
    healthStatus: 'UNKNOWN',
  };
  return { task, taskId };
}
