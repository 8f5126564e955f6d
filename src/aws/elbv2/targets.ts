/**
 * Load balancer registrations of an instance (ALB / NLB / GWLB target groups), their removal and
 * their restoration.
 *
 * Cost: ELBv2 has no "which target groups is this target in" call. Finding them takes
 * DescribeTargetGroups (paged, up to 400 per page) plus ONE DescribeTargetHealth PER candidate
 * target group. Candidates are cut down first: only `instance` groups (and `ip` groups when the
 * instance's IPs are given: an instance can be registered by IP), and only groups in the
 * instance's VPC (a target must be in its group's VPC, except IP targets outside the VPC, which
 * carry AvailabilityZone `all`). The DescribeTargetHealth calls run with bounded concurrency and
 * are paced by the ELBv2 Describe bucket in the client (./rate-limit.ts).
 *
 * DescribeTargetHealth is called WITHOUT `Targets` and filtered here: an instance may be
 * registered several times on different ports, and asking for a target by id alone would only
 * look at one port.
 *
 * Deregistration (checked with the search tool): the load balancer stops sending NEW requests
 * and drains in-flight ones for the group's deregistration delay (300 s by default), so it is
 * not an instant cut. "If you specified a port override when you registered a target, you must
 * specify both the target ID and the port when you deregister it", and DeregisterTargets
 * "returns successfully" for a target that is not registered: so the exact port is recorded and
 * sent both ways, and the result is checked by what DescribeTargetHealth said before.
 */
import {
  DeregisterTargetsCommand,
  paginateDescribeTargetGroups,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../clients.js';
import { mapWithConcurrency } from '../concurrency.js';
import { awsCall } from '../errors.js';
import { awsPages, ownInput } from '../paging.js';
import { awsNameOf, stepFailure, type StepFailure } from '../step-failure.js';

export type Elbv2Clients = Pick<AwsClients, 'elbv2'>;

/** DescribeTargetGroups page size maximum. */
export const TARGET_GROUPS_PAGE_SIZE = 400;
export const DEFAULT_TARGET_HEALTH_CONCURRENCY = 4;

export interface Registration {
  targetGroupArn: string;
  targetGroupName: string;
  targetType: 'instance' | 'ip';
  /** Instance id (instance groups) or IP address (ip groups). */
  id: string;
  port: number;
  /** Only for IP targets outside the VPC (`all`) or when AWS reports it. */
  availabilityZone?: string;
  /** initial | healthy | unhealthy | unused | draining | unavailable… */
  state?: string;
  loadBalancerArns: string[];
}

export interface FindRegistrationsResult {
  registrations: Registration[];
  targetGroupsScanned: number;
  /** DescribeTargetGroups pages + DescribeTargetHealth calls. */
  calls: number;
  failures: StepFailure[];
  requestIds: string[];
}

export interface TargetChangeResult {
  done: Registration[];
  failures: StepFailure[];
  requestIds: string[];
  notes: string[];
}

async function listTargetGroups(clients: Elbv2Clients, requestIds: string[]): Promise<{ groups: TargetGroup[]; pages: number }> {
  const groups: TargetGroup[] = [];
  let pages = 0;
  const paginator = paginateDescribeTargetGroups({ client: clients.elbv2, withCommand: ownInput }, { PageSize: TARGET_GROUPS_PAGE_SIZE });
  for await (const page of awsPages({ action: 'elasticloadbalancing:DescribeTargetGroups', resource: '*' }, requestIds, paginator)) {
    pages++;
    groups.push(...(page.TargetGroups ?? []));
  }
  return { groups, pages };
}

export async function findTargetGroupsForInstance(
  clients: Elbv2Clients,
  instanceId: string,
  options: { ips?: readonly string[]; vpcId?: string; concurrency?: number } = {},
): Promise<FindRegistrationsResult> {
  const requestIds: string[] = [];
  const failures: StepFailure[] = [];
  const ips = new Set(options.ips ?? []);
  const { groups, pages } = await listTargetGroups(clients, requestIds);
  const candidates = groups.filter((g) => {
    if (g.TargetType !== 'instance' && !(g.TargetType === 'ip' && ips.size > 0)) return false;
    // IP groups can hold addresses outside their VPC (peered, on premises): keep them all.
    return options.vpcId === undefined || g.TargetType === 'ip' || g.VpcId === options.vpcId;
  });
  const perGroup = await mapWithConcurrency(candidates, options.concurrency ?? DEFAULT_TARGET_HEALTH_CONCURRENCY, async (g) => {
    const arn = g.TargetGroupArn ?? '';
    try {
      const out = await awsCall({ action: 'elasticloadbalancing:DescribeTargetHealth', resource: arn }, requestIds, () =>
        clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
      );
      const type = g.TargetType as 'instance' | 'ip';
      return (out.TargetHealthDescriptions ?? [])
        .filter((d) => d.Target?.Id !== undefined && (type === 'instance' ? d.Target.Id === instanceId : ips.has(d.Target.Id)))
        .map(
          (d): Registration => ({
            targetGroupArn: arn,
            targetGroupName: g.TargetGroupName ?? arn,
            targetType: type,
            id: d.Target!.Id!,
            port: d.Target!.Port ?? g.Port ?? 0,
            ...(d.Target!.AvailabilityZone !== undefined ? { availabilityZone: d.Target!.AvailabilityZone } : {}),
            ...(d.TargetHealth?.State !== undefined ? { state: d.TargetHealth.State } : {}),
            loadBalancerArns: g.LoadBalancerArns ?? [],
          }),
        );
    } catch (err) {
      // A group deleted between the two calls is simply not a registration.
      if (isTargetGroupGone(err)) return [];
      failures.push(stepFailure('elasticloadbalancing:DescribeTargetHealth', arn, err));
      return [];
    }
  });
  return {
    // A target already draining is on its way out; it is still listed so the thread says so.
    registrations: perGroup.flat(),
    targetGroupsScanned: candidates.length,
    calls: pages + candidates.length,
    failures,
    requestIds,
  };
}

/** The SDK names the awsQuery code `TargetGroupNotFound` TargetGroupNotFoundException. */
function isTargetGroupGone(err: unknown): boolean {
  const name = awsNameOf(err);
  return name === 'TargetGroupNotFoundException' || name === 'TargetGroupNotFound';
}

function byGroup(registrations: readonly Registration[]): Map<string, Registration[]> {
  const m = new Map<string, Registration[]>();
  for (const r of registrations) {
    const list = m.get(r.targetGroupArn) ?? [];
    list.push(r);
    m.set(r.targetGroupArn, list);
  }
  return m;
}

const describe = (r: Registration) => `${r.id}:${r.port} in ${r.targetGroupName}`;

/** One DeregisterTargets per target group, with the exact ports recorded. */
export async function deregister(clients: Elbv2Clients, registrations: readonly Registration[]): Promise<TargetChangeResult> {
  const result: TargetChangeResult = { done: [], failures: [], requestIds: [], notes: [] };
  for (const [arn, regs] of byGroup(registrations)) {
    try {
      await awsCall({ action: 'elasticloadbalancing:DeregisterTargets', resource: arn }, result.requestIds, () =>
        clients.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: regs.map((r) => ({ Id: r.id, Port: r.port })) })),
      );
      result.done.push(...regs);
    } catch (err) {
      if (isTargetGroupGone(err)) {
        result.notes.push(`Target group ${regs[0]!.targetGroupName} no longer exists: nothing to deregister there.`);
        continue;
      }
      result.failures.push(stepFailure('elasticloadbalancing:DeregisterTargets', `${regs.map(describe).join(', ')}`, err));
    }
  }
  if (result.done.length > 0) {
    result.notes.push(
      `Deregistered ${result.done.map(describe).join(', ')}. The load balancers stop sending new requests now; requests in flight drain for each group's deregistration delay (300 s by default).`,
    );
  }
  return result;
}

/** RegisterTargets with the recorded ports (and Availability Zone for IP targets outside the VPC). */
export async function reregister(clients: Elbv2Clients, registrations: readonly Registration[]): Promise<TargetChangeResult> {
  const result: TargetChangeResult = { done: [], failures: [], requestIds: [], notes: [] };
  for (const [arn, regs] of byGroup(registrations)) {
    try {
      await awsCall({ action: 'elasticloadbalancing:RegisterTargets', resource: arn }, result.requestIds, () =>
        clients.elbv2.send(
          new RegisterTargetsCommand({
            TargetGroupArn: arn,
            Targets: regs.map((r) => ({ Id: r.id, Port: r.port, ...(r.availabilityZone === 'all' ? { AvailabilityZone: 'all' } : {}) })),
          }),
        ),
      );
      result.done.push(...regs);
    } catch (err) {
      if (isTargetGroupGone(err)) {
        result.notes.push(`Target group ${regs[0]!.targetGroupName} no longer exists: ${regs.map(describe).join(', ')} cannot be registered again.`);
        continue;
      }
      result.failures.push(stepFailure('elasticloadbalancing:RegisterTargets', `${regs.map(describe).join(', ')}`, err));
    }
  }
  if (result.done.length > 0)
    result.notes.push(`Registered ${result.done.map(describe).join(', ')} again; they receive traffic once their health checks pass.`);
  return result;
}
