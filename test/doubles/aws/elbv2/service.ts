/**
 * ELBv2 on the wire (awsQuery, Version 2015-12-01): DescribeTargetGroups (Marker/PageSize ≤ 400),
 * DescribeTargetHealth, RegisterTargets, DeregisterTargets.
 *
 * Behaviour modelled from the API reference: DeregisterTargets "returns successfully" for a target
 * that is not registered, and a target registered with a port override must be deregistered
 * with that port (here: the group's port is assumed when Port is omitted, so the override stays
 * registered). DescribeTargetHealth with explicit Targets answers `unused` /
 * `Target.NotRegistered` for a target that is not registered. Missing groups are
 * `TargetGroupNotFound` (the SDK names it TargetGroupNotFoundException); bad targets `InvalidTarget`.
 */
import type { QueryParams } from '../protocols/query-params.js';
import type { XmlObject } from '../protocols/xml.js';
import { AwsServiceError, decodeToken, encodeToken, type QueryServiceDefinition } from '../service.js';
import type { Elbv2State, TargetGroupRecord, TargetRegistration } from './state.js';

export const ELBV2_API_VERSION = '2015-12-01';
export const ELBV2_LIMITS = { pageSizeMax: 400 } as const;

const tgNotFound = () => new AwsServiceError('TargetGroupNotFound', 'One or more target groups not found');
const validation = (message: string) => new AwsServiceError('ValidationError', message);

function tgXml(tg: TargetGroupRecord): XmlObject {
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.targetType === 'lambda' ? undefined : tg.protocol,
    Port: tg.targetType === 'lambda' ? undefined : tg.port,
    VpcId: tg.targetType === 'lambda' ? undefined : tg.vpcId,
    HealthCheckProtocol: tg.protocol,
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: '/',
    Matcher: { HttpCode: '200' },
    LoadBalancerArns: tg.loadBalancerArns,
    TargetType: tg.targetType,
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}

const REASONS: Partial<Record<TargetRegistration['state'], { reason: string; description: string }>> = {
  initial: { reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' },
  unhealthy: { reason: 'Target.FailedHealthChecks', description: 'Health checks failed' },
  draining: { reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' },
  unused: { reason: 'Target.NotRegistered', description: 'Target is not registered to the target group' },
};

function healthXml(t: { id: string; port: number; availabilityZone?: string; state: TargetRegistration['state'] }): XmlObject {
  const r = REASONS[t.state];
  return {
    Target: { Id: t.id, Port: t.port, AvailabilityZone: t.availabilityZone },
    HealthCheckPort: String(t.port),
    TargetHealth: { State: t.state, Reason: r?.reason, Description: r?.description },
  };
}

export function elbv2Service(state: Elbv2State): QueryServiceDefinition {
  const group = (p: QueryParams): TargetGroupRecord => {
    const tg = state.targetGroups.get(p.required('TargetGroupArn'));
    if (!tg) throw tgNotFound();
    state.expire(tg);
    return tg;
  };
  const targets = (p: QueryParams) =>
    p.structs('Targets.member').map((t) => ({ id: t.required('Id'), port: t.int('Port'), availabilityZone: t.str('AvailabilityZone') }));

  return {
    name: 'elasticloadbalancing',
    protocol: 'awsQuery',
    version: ELBV2_API_VERSION,
    xmlns: `http://elasticloadbalancing.amazonaws.com/doc/${ELBV2_API_VERSION}/`,
    throttleCode: 'Throttling',
    resourceOf(_op, params) {
      return (params as Record<string, string> | undefined)?.TargetGroupArn ?? '*';
    },
    operations: {
      DescribeTargetGroups(p) {
        const arns = p.list('TargetGroupArns.member');
        const names = p.list('Names.member');
        const lb = p.str('LoadBalancerArn');
        const size = p.int('PageSize') ?? ELBV2_LIMITS.pageSizeMax;
        if (size < 1 || size > ELBV2_LIMITS.pageSizeMax) throw validation(`Page size must be between 1 and ${ELBV2_LIMITS.pageSizeMax}`);
        let all = [...state.targetGroups.values()];
        if (arns.length > 0) {
          all = arns.map(
            (a) =>
              state.targetGroups.get(a) ??
              (() => {
                throw tgNotFound();
              })(),
          );
        } else if (names.length > 0) {
          all = names.map(
            (n) =>
              all.find((t) => t.name === n) ??
              (() => {
                throw tgNotFound();
              })(),
          );
        } else if (lb) {
          all = all.filter((t) => t.loadBalancerArns.includes(lb));
        }
        const scope = JSON.stringify([arns, names, lb ?? '']);
        const start = decodeToken(p.str('Marker'), scope, () => validation('Invalid marker'));
        const page = all.slice(start, start + size);
        return { TargetGroups: page.map(tgXml), ...(start + size < all.length ? { NextMarker: encodeToken(start + size, scope) } : {}) };
      },

      DescribeTargetHealth(p) {
        const tg = group(p);
        const asked = targets(p);
        if (asked.length === 0) return { TargetHealthDescriptions: tg.targets.map(healthXml) };
        return {
          TargetHealthDescriptions: asked.flatMap((a) => {
            const port = a.port ?? tg.port;
            const found = tg.targets.find((t) => t.id === a.id && t.port === port);
            return [healthXml(found ?? { id: a.id, port, state: 'unused' })];
          }),
        };
      },

      RegisterTargets(p) {
        const tg = group(p);
        const list = targets(p);
        if (list.length === 0) throw validation('Targets is required');
        for (const t of list) {
          if (tg.targetType === 'instance') {
            const vpc = state.instanceVpc?.(t.id);
            if (vpc === undefined) throw new AwsServiceError('InvalidTarget', `The following targets are not valid instances: '${t.id}'`);
            if (vpc !== tg.vpcId) throw new AwsServiceError('InvalidTarget', `The following targets are not in the target group VPC '${tg.vpcId}': '${t.id}'`);
          }
        }
        for (const t of list)
          state.register(tg.arn, t.id, t.port, { state: 'initial', ...(t.availabilityZone ? { availabilityZone: t.availabilityZone } : {}) });
        return undefined;
      },

      DeregisterTargets(p) {
        const tg = group(p);
        const list = targets(p);
        if (list.length === 0) throw validation('Targets is required');
        for (const t of list) state.deregister(tg.arn, t.id, t.port);
        return undefined;
      },
    },
  };
}
