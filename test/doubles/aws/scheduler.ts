import type { NetworkInterface } from './ec2/state.js';
import { FARGATE_HOST_OWNER_ID, type SeedContext } from './seed.js';

/**
 * The ECS service scheduler, reduced to what matters for containment: when a service's task
 * stops and the service still wants it, a replacement starts from the service's CURRENT task
 * definition — the same vulnerable image unless UpdateService changed it. Opt-in.
 */
export function startServiceScheduler(ctx: SeedContext): void {
  const { ecs, ec2 } = ctx;
  ecs.onTaskStopped((stopped, rec) => {
    if (!stopped.group?.startsWith('service:')) return;
    const service = rec.services.get(stopped.group.slice('service:'.length));
    if (service?.status !== 'ACTIVE') return;
    const view = ecs.serviceView(rec, service);
    if ((view.runningCount ?? 0) + (view.pendingCount ?? 0) >= (service.desiredCount ?? 0)) return;
    const td = ecs.taskDefinition(service.taskDefinition!)!;
    const oldEniId = stopped.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value;
    const oldEni = oldEniId ? ec2.networkInterfaces.get(oldEniId) : undefined;
    let eni: NetworkInterface | undefined;
    const attachmentId = ctx.ids.uuid();
    if (oldEni) {
      const onInstance = oldEni.attachment?.instanceId;
      eni = ec2.addNetworkInterface({
        subnetId: oldEni.subnetId,
        groupIds: service.networkConfiguration?.awsvpcConfiguration?.securityGroups?.length
          ? service.networkConfiguration.awsvpcConfiguration.securityGroups
          : oldEni.groupIds,
        requesterManaged: true,
        requesterId: oldEni.requesterId,
        interfaceType: oldEni.interfaceType,
        description: `arn:aws:ecs:${ctx.region}:${ctx.accountId}:attachment/${attachmentId}`,
        attachment: {
          instanceOwnerId: oldEni.attachment?.instanceOwnerId ?? FARGATE_HOST_OWNER_ID,
          deviceIndex: onInstance ? ec2.nextDeviceIndex(onInstance) : (oldEni.attachment?.deviceIndex ?? 1),
          deleteOnTermination: false,
          ...(onInstance ? { instanceId: onInstance } : {}),
        },
      });
    }
    const sameImage = (image: string | undefined) => stopped.containers?.find((c) => c.image === image)?.imageDigest;
    ecs.addTask({
      cluster: rec.cluster.clusterArn!,
      group: stopped.group,
      startedBy: service.deployments?.[0]?.id,
      taskDefinition: td.taskDefinitionArn,
      launchType: stopped.launchType as 'FARGATE' | 'EC2',
      ...(stopped.containerInstanceArn ? { containerInstanceArn: stopped.containerInstanceArn } : {}),
      ...(eni
        ? {
            eni: {
              networkInterfaceId: eni.networkInterfaceId,
              privateIPv4Address: eni.privateIpAddress,
              subnetId: eni.subnetId,
              macAddress: eni.macAddress,
              attachmentId,
            },
          }
        : {}),
      containers: (td.containerDefinitions ?? []).map((c) => {
        const digest = sameImage(c.image);
        return { name: c.name ?? 'app', image: c.image ?? '', ...(digest ? { imageDigest: digest } : {}) };
      }),
    });
  });
}
