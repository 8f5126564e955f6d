/**
 * Taking a compromised instance out of its Auto Scaling group, and putting it back.
 *
 * Why detach (checked with the search tool):
 * - Termination protection "does not prevent Amazon EC2 Auto Scaling from terminating an
 *   instance when the instance is unhealthy or during scale-in events". An isolated instance
 *   fails its ELB health checks, so a group using ELB health checks would terminate it, and the
 *   evidence with it. Detach BEFORE isolating the network.
 * - Scale-in protection (SetInstanceProtection) only covers scale-in; an unhealthy instance is
 *   still replaced. It is set first anyway: if DetachInstances is refused, the instance is at
 *   least not picked by the next scale-in.
 * - DetachInstances with ShouldDecrementDesiredCapacity=false: "Amazon EC2 Auto Scaling launches
 *   instances to replace the ones that are detached" — replacement capacity is the group's
 *   business, not the responder's.
 * - "If there are target groups attached to the Auto Scaling group, the instances are
 *   deregistered from the target groups" (and from a Classic Load Balancer): detaching already
 *   takes it out of the group's load balancing, with connection draining.
 *
 * Release: AttachInstances is possible, but it is not an exact undo. The replacement launched at
 * detach stays; attaching raises the desired capacity by one and fails if that exceeds the
 * group's maximum; the instance must be running and in one of the group's Availability Zones;
 * it is registered again with the group's target groups, and gets the group's default scale-in
 * protection for new instances.
 */
import {
  AttachInstancesCommand,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
  SetInstanceProtectionCommand,
} from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../clients.js';
import { awsCall } from '../errors.js';
import { stepFailure, type StepFailure } from '../step-failure.js';

export type AutoScalingClients = Pick<AwsClients, 'autoscaling'>;

export interface AutoScalingMembership {
  groupName: string;
  instanceId: string;
  /** InService, Pending, Standby, Terminating, Detaching, Warmed:*… */
  lifecycleState: string;
  healthStatus?: string;
  protectedFromScaleIn: boolean;
  availabilityZone?: string;
  requestIds: string[];
}

export interface DetachRecord {
  version: 1;
  groupName: string;
  instanceId: string;
  availabilityZone?: string;
  /** Scale-in protection before we set it. */
  wasProtectedFromScaleIn: boolean;
  detachedAt: string;
  /** Always false: the group keeps its size and launches a replacement. */
  decrementedDesiredCapacity: false;
  activityId?: string;
}

export interface DetachResult {
  protectedFromScaleIn: boolean;
  detached: boolean;
  /** Set when the instance was detached; give it to `reattach`. */
  record?: DetachRecord;
  activity?: { activityId?: string; statusCode?: string; description?: string; cause?: string };
  failures: StepFailure[];
  requestIds: string[];
  notes: string[];
}

export interface ReattachResult {
  attached: boolean;
  failures: StepFailure[];
  requestIds: string[];
  notes: string[];
}

/** DescribeAutoScalingInstances: the group an instance belongs to, or undefined. */
export async function findAutoScalingGroup(clients: AutoScalingClients, instanceId: string): Promise<AutoScalingMembership | undefined> {
  const requestIds: string[] = [];
  const out = await awsCall({ action: 'autoscaling:DescribeAutoScalingInstances', resource: instanceId }, requestIds, () =>
    clients.autoscaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] })),
  );
  const m = (out.AutoScalingInstances ?? []).find((i) => i.InstanceId === instanceId);
  if (!m?.AutoScalingGroupName) return undefined;
  return {
    groupName: m.AutoScalingGroupName,
    instanceId,
    lifecycleState: m.LifecycleState ?? 'unknown',
    ...(m.HealthStatus !== undefined ? { healthStatus: m.HealthStatus } : {}),
    protectedFromScaleIn: m.ProtectedFromScaleIn === true,
    ...(m.AvailabilityZone !== undefined ? { availabilityZone: m.AvailabilityZone } : {}),
    requestIds,
  };
}

/** SetInstanceProtection(ProtectedFromScaleIn=true), then DetachInstances(ShouldDecrementDesiredCapacity=false). */
export async function protectAndDetach(
  clients: AutoScalingClients,
  input: { group: Pick<AutoScalingMembership, 'groupName' | 'protectedFromScaleIn' | 'availabilityZone'> | string; instanceId: string },
  options: { now?: () => Date } = {},
): Promise<DetachResult> {
  const group = typeof input.group === 'string' ? { groupName: input.group, protectedFromScaleIn: false } : input.group;
  const { instanceId } = input;
  const requestIds: string[] = [];
  const failures: StepFailure[] = [];
  const notes: string[] = [];
  let protectedFromScaleIn = group.protectedFromScaleIn;
  try {
    await awsCall({ action: 'autoscaling:SetInstanceProtection', resource: group.groupName }, requestIds, () =>
      clients.autoscaling.send(
        new SetInstanceProtectionCommand({ AutoScalingGroupName: group.groupName, InstanceIds: [instanceId], ProtectedFromScaleIn: true }),
      ),
    );
    protectedFromScaleIn = true;
  } catch (err) {
    failures.push(stepFailure('autoscaling:SetInstanceProtection', `${instanceId} in ${group.groupName}`, err));
  }

  let detached = false;
  let record: DetachRecord | undefined;
  let activity: DetachResult['activity'];
  try {
    const out = await awsCall({ action: 'autoscaling:DetachInstances', resource: group.groupName }, requestIds, () =>
      clients.autoscaling.send(
        new DetachInstancesCommand({ AutoScalingGroupName: group.groupName, InstanceIds: [instanceId], ShouldDecrementDesiredCapacity: false }),
      ),
    );
    detached = true;
    const a = out.Activities?.[0];
    if (a) {
      activity = {
        ...(a.ActivityId !== undefined ? { activityId: a.ActivityId } : {}),
        ...(a.StatusCode !== undefined ? { statusCode: a.StatusCode } : {}),
        ...(a.Description !== undefined ? { description: a.Description } : {}),
        ...(a.Cause !== undefined ? { cause: a.Cause } : {}),
      };
    }
    record = {
      version: 1,
      groupName: group.groupName,
      instanceId,
      ...(group.availabilityZone !== undefined ? { availabilityZone: group.availabilityZone } : {}),
      wasProtectedFromScaleIn: group.protectedFromScaleIn,
      detachedAt: (options.now?.() ?? new Date()).toISOString(),
      decrementedDesiredCapacity: false,
      ...(a?.ActivityId !== undefined ? { activityId: a.ActivityId } : {}),
    };
    notes.push(
      `${instanceId} detached from Auto Scaling group ${group.groupName}; the group launches a replacement to keep its desired capacity.`,
      `Detaching also deregisters it from the group's load balancer target groups (in-flight requests drain first).`,
    );
  } catch (err) {
    failures.push(stepFailure('autoscaling:DetachInstances', `${instanceId} in ${group.groupName}`, err));
    notes.push(
      protectedFromScaleIn
        ? `${instanceId} is still in ${group.groupName}. It is protected from scale-in, but the group still replaces (terminates) it if it fails a health check, which an isolated instance will.`
        : `${instanceId} is still in ${group.groupName} and not protected: the group may terminate it on scale-in or a failed health check.`,
    );
  }
  return { protectedFromScaleIn, detached, ...(record ? { record } : {}), ...(activity ? { activity } : {}), failures, requestIds, notes };
}

/** AttachInstances with the recorded group. Possible, but not an exact undo (see the header). */
export async function reattach(clients: AutoScalingClients, record: DetachRecord): Promise<ReattachResult> {
  const requestIds: string[] = [];
  const notes: string[] = [];
  try {
    await awsCall({ action: 'autoscaling:AttachInstances', resource: record.groupName }, requestIds, () =>
      clients.autoscaling.send(new AttachInstancesCommand({ AutoScalingGroupName: record.groupName, InstanceIds: [record.instanceId] })),
    );
  } catch (err) {
    return {
      attached: false,
      failures: [stepFailure('autoscaling:AttachInstances', `${record.instanceId} into ${record.groupName}`, err)],
      requestIds,
      notes: [
        `${record.instanceId} was not attached to ${record.groupName} again. AttachInstances needs the instance running, in one of the group's Availability Zones, and room under the group's maximum size.`,
      ],
    };
  }
  notes.push(
    `${record.instanceId} attached to ${record.groupName} again. Its desired capacity went up by one, and the replacement launched at detach is still there: scale the group back down if you do not want both.`,
    `The group registers it with its target groups again; scale-in protection is now the group's default for new instances (it was ${record.wasProtectedFromScaleIn ? 'on' : 'off'} before).`,
  );
  return { attached: true, failures: [], requestIds, notes };
}
