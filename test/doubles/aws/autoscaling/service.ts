/**
 * Auto Scaling on the wire (awsQuery, Version 2011-01-01): DescribeAutoScalingInstances,
 * SetInstanceProtection, DetachInstances, AttachInstances. Errors are `ValidationError` (HTTP
 * 400) with Auto Scaling's wording; throttling is `Throttling`. Lists are `Name.member.N`.
 */
import type { QueryParams } from '../protocols/query-params.js';
import type { XmlObject } from '../protocols/xml.js';
import { AwsServiceError, decodeToken, encodeToken, type QueryServiceDefinition } from '../service.js';
import type { AsgInstance, AutoScalingGroup, AutoScalingState } from './state.js';

export const AUTOSCALING_API_VERSION = '2011-01-01';
export const AUTOSCALING_LIMITS = {
  describeInstancesMaxRecords: 50,
  setInstanceProtectionMaxIds: 50,
  detachInstancesMaxIds: 20,
  attachInstancesMaxIds: 20,
} as const;

const validation = (message: string) => new AwsServiceError('ValidationError', message);

function memberXml(group: AutoScalingGroup, m: AsgInstance): XmlObject {
  return {
    InstanceId: m.instanceId,
    InstanceType: m.instanceType,
    AutoScalingGroupName: group.name,
    AvailabilityZone: m.availabilityZone,
    LifecycleState: m.lifecycleState,
    HealthStatus: m.healthStatus,
    LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', LaunchTemplateName: `${group.name}-lt`, Version: '1' },
    ProtectedFromScaleIn: m.protectedFromScaleIn,
  };
}

function activityXml(group: AutoScalingGroup, a: AutoScalingGroup['activities'][number]): XmlObject {
  return {
    ActivityId: a.activityId,
    AutoScalingGroupName: group.name,
    Description: a.description,
    Cause: a.cause,
    StartTime: a.startTime,
    StatusCode: a.statusCode,
    Progress: a.statusCode === 'Successful' ? 100 : 50,
    Details: '{}',
    AutoScalingGroupARN: group.arn,
  };
}

export function autoScalingService(state: AutoScalingState): QueryServiceDefinition {
  const group = (p: QueryParams): AutoScalingGroup => {
    const name = p.required('AutoScalingGroupName');
    const g = state.groups.get(name);
    if (!g) throw validation(`AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
    return g;
  };
  const ids = (p: QueryParams, max: number): string[] => {
    const list = p.list('InstanceIds.member');
    if (list.length > max)
      throw validation(
        `1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
      );
    return list;
  };
  const member = (g: AutoScalingGroup, id: string): AsgInstance => {
    const m = g.instances.get(id);
    if (!m) throw validation(`The instance ${id} is not part of Auto Scaling group ${g.name}.`);
    return m;
  };

  return {
    name: 'autoscaling',
    protocol: 'awsQuery',
    version: AUTOSCALING_API_VERSION,
    xmlns: `http://autoscaling.amazonaws.com/doc/${AUTOSCALING_API_VERSION}/`,
    throttleCode: 'Throttling',
    resourceOf(_op, params) {
      const name = (params as Record<string, string> | undefined)?.AutoScalingGroupName;
      return name ? (state.groups.get(name)?.arn ?? '*') : '*';
    },
    operations: {
      DescribeAutoScalingInstances(p) {
        const wanted = new Set(ids(p, AUTOSCALING_LIMITS.describeInstancesMaxRecords));
        const max = p.int('MaxRecords') ?? AUTOSCALING_LIMITS.describeInstancesMaxRecords;
        if (max < 1 || max > AUTOSCALING_LIMITS.describeInstancesMaxRecords)
          throw validation(`MaxRecords must be between 1 and ${AUTOSCALING_LIMITS.describeInstancesMaxRecords}`);
        // Instances that are in no group are simply absent, not an error.
        const all = [...state.groups.values()]
          .flatMap((g) => [...g.instances.values()].map((m) => ({ g, m })))
          .filter((x) => wanted.size === 0 || wanted.has(x.m.instanceId));
        const scope = [...wanted].join(',');
        const start = decodeToken(p.str('NextToken'), scope, () => validation('The token is invalid.'));
        const page = all.slice(start, start + max);
        return {
          AutoScalingInstances: page.map((x) => memberXml(x.g, x.m)),
          ...(start + max < all.length ? { NextToken: encodeToken(start + max, scope) } : {}),
        };
      },

      SetInstanceProtection(p) {
        const g = group(p);
        const list = ids(p, AUTOSCALING_LIMITS.setInstanceProtectionMaxIds);
        if (list.length === 0) throw validation('InstanceIds is required.');
        const flag = p.bool('ProtectedFromScaleIn');
        if (flag === undefined) throw validation('ProtectedFromScaleIn is required.');
        const members = list.map((id) => member(g, id));
        for (const m of members) m.protectedFromScaleIn = flag;
        return undefined;
      },

      DetachInstances(p) {
        const g = group(p);
        const list = ids(p, AUTOSCALING_LIMITS.detachInstancesMaxIds);
        const decrement = p.bool('ShouldDecrementDesiredCapacity');
        if (decrement === undefined) throw validation('ShouldDecrementDesiredCapacity is required.');
        const members = list.map((id) => member(g, id));
        for (const m of members) {
          if (m.lifecycleState !== 'InService' && m.lifecycleState !== 'Standby')
            throw validation(`The instance ${m.instanceId} is not in InService or Standby.`);
        }
        if (decrement && g.desiredCapacity - members.length < g.minSize) {
          throw validation(
            `Detaching ${members.length} instance(s) with ShouldDecrementDesiredCapacity=true would set the desired capacity below the group's minimum size of ${g.minSize}.`,
          );
        }
        const activities = members.map((m) => {
          g.instances.delete(m.instanceId);
          state.hooks.onDetach?.(g, m.instanceId);
          return state.activity(
            g,
            `Detaching EC2 instance: ${m.instanceId}`,
            `At ${state.now().toISOString()} instance ${m.instanceId} was detached in response to a user request${decrement ? `, shrinking the capacity from ${g.desiredCapacity} to ${g.desiredCapacity - 1}` : ''}.`,
          );
        });
        if (decrement) g.desiredCapacity -= members.length;
        else {
          for (const m of members) {
            const launched = state.hooks.launchReplacement?.(g, m);
            if (launched) {
              state.addInstance(g.name, launched.instanceId, { availabilityZone: launched.availabilityZone, instanceType: m.instanceType });
              state.hooks.onAttach?.(g, launched.instanceId);
              state.activity(
                g,
                `Launching a new EC2 instance: ${launched.instanceId}`,
                'An instance was started in response to a difference between desired and actual capacity.',
                'Successful',
              );
            }
          }
        }
        return { Activities: activities.map((a) => activityXml(g, a)) };
      },

      AttachInstances(p) {
        const g = group(p);
        const list = ids(p, AUTOSCALING_LIMITS.attachInstancesMaxIds);
        for (const id of list) {
          const other = state.groupOf(id);
          if (other) throw validation(`The instance ${id} is already part of an Auto Scaling group (${other.name}).`);
          const inst = state.hooks.describeInstance?.(id);
          if (!inst) throw validation(`Invalid instance id: ${id}`);
          if (inst.state !== 'running') throw validation(`Instance ${id} is not in correct state: ${inst.state}`);
          if (!g.availabilityZones.includes(inst.availabilityZone))
            throw validation(`The instance ${id} is in ${inst.availabilityZone}, which is not one of the group's Availability Zones.`);
        }
        if (g.desiredCapacity + list.length > g.maxSize) {
          throw validation(`New SetDesiredCapacity value ${g.desiredCapacity + list.length} is above max value ${g.maxSize} for the AutoScalingGroup.`);
        }
        for (const id of list) {
          state.addInstance(g.name, id, { availabilityZone: state.hooks.describeInstance?.(id)?.availabilityZone ?? g.availabilityZones[0]! });
          state.hooks.onAttach?.(g, id);
          state.activity(
            g,
            `Attaching an existing EC2 instance: ${id}`,
            `At ${state.now().toISOString()} an instance was added in response to a user request.`,
            'Successful',
          );
        }
        g.desiredCapacity = Math.max(g.desiredCapacity, g.instances.size);
        return undefined;
      },
    },
  };
}
