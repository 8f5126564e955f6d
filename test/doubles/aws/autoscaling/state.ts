/**
 * Auto Scaling groups, reduced to what containment touches: membership, lifecycle state, scale-in
 * protection, desired/min/max capacity and attached target groups. Effects on other services go
 * through hooks wired in index.ts: detaching deregisters the instance from the group's target
 * groups (as the DetachInstances reference says) and, when the desired capacity is kept, launches
 * a replacement; attaching registers it again.
 */
import type { IdGenerator } from '../ids.js';

export interface AsgInstance {
  instanceId: string;
  availabilityZone: string;
  lifecycleState: string;
  healthStatus: 'HEALTHY' | 'UNHEALTHY';
  protectedFromScaleIn: boolean;
  instanceType: string;
}

export interface AutoScalingGroup {
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  availabilityZones: string[];
  targetGroupArns: string[];
  newInstancesProtectedFromScaleIn: boolean;
  instances: Map<string, AsgInstance>;
  /** Activities in order, newest last (DetachInstances / AttachInstances / replacement launches). */
  activities: { activityId: string; description: string; cause: string; statusCode: string; startTime: Date }[];
}

export interface AutoScalingHooks {
  /** The instance left the group: deregister it from these target groups. */
  onDetach?(group: AutoScalingGroup, instanceId: string): void;
  /** The instance joined the group: register it with its target groups. */
  onAttach?(group: AutoScalingGroup, instanceId: string): void;
  /** The group wants one more instance: launch it (EC2) and return its id and AZ. */
  launchReplacement?(group: AutoScalingGroup, like: AsgInstance): { instanceId: string; availabilityZone: string } | undefined;
  /** Is this instance running, and in which AZ? (AttachInstances checks both.) */
  describeInstance?(instanceId: string): { state: string; availabilityZone: string } | undefined;
}

export class AutoScalingState {
  readonly groups = new Map<string, AutoScalingGroup>();
  hooks: AutoScalingHooks = {};

  constructor(private readonly env: { region: string; accountId: string; ids: IdGenerator; now: () => number }) {}

  now(): Date {
    return new Date(this.env.now());
  }

  uuid(): string {
    return this.env.ids.uuid();
  }

  addGroup(input: {
    name: string;
    minSize?: number;
    maxSize?: number;
    desiredCapacity?: number;
    availabilityZones?: string[];
    targetGroupArns?: string[];
    newInstancesProtectedFromScaleIn?: boolean;
  }): AutoScalingGroup {
    const existing = this.groups.get(input.name);
    if (existing) return existing;
    const group: AutoScalingGroup = {
      name: input.name,
      arn: `arn:aws:autoscaling:${this.env.region}:${this.env.accountId}:autoScalingGroup:${this.env.ids.uuid()}:autoScalingGroupName/${input.name}`,
      minSize: input.minSize ?? 1,
      maxSize: input.maxSize ?? 4,
      desiredCapacity: input.desiredCapacity ?? 0,
      availabilityZones: input.availabilityZones ?? [`${this.env.region}a`, `${this.env.region}b`],
      targetGroupArns: input.targetGroupArns ?? [],
      newInstancesProtectedFromScaleIn: input.newInstancesProtectedFromScaleIn ?? false,
      instances: new Map(),
      activities: [],
    };
    this.groups.set(group.name, group);
    return group;
  }

  /** Puts an existing EC2 instance in the group (InService), raising desired capacity to fit. */
  addInstance(
    groupName: string,
    instanceId: string,
    opts: { availabilityZone?: string; protectedFromScaleIn?: boolean; instanceType?: string; lifecycleState?: string } = {},
  ): AsgInstance {
    const group = this.groups.get(groupName);
    if (!group) throw new Error(`Auto Scaling double: no group ${groupName}`);
    const member: AsgInstance = {
      instanceId,
      availabilityZone: opts.availabilityZone ?? group.availabilityZones[0]!,
      lifecycleState: opts.lifecycleState ?? 'InService',
      healthStatus: 'HEALTHY',
      protectedFromScaleIn: opts.protectedFromScaleIn ?? group.newInstancesProtectedFromScaleIn,
      instanceType: opts.instanceType ?? 'm5.large',
    };
    group.instances.set(instanceId, member);
    group.desiredCapacity = Math.max(group.desiredCapacity, group.instances.size);
    group.maxSize = Math.max(group.maxSize, group.desiredCapacity);
    return member;
  }

  groupOf(instanceId: string): AutoScalingGroup | undefined {
    for (const g of this.groups.values()) if (g.instances.has(instanceId)) return g;
    return undefined;
  }

  activity(group: AutoScalingGroup, description: string, cause: string, statusCode = 'InProgress') {
    const a = { activityId: this.env.ids.uuid(), description, cause, statusCode, startTime: this.now() };
    group.activities.push(a);
    return a;
  }
}
