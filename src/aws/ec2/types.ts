import type { AwsClients } from '../clients.js';

export type Ec2Clients = Pick<AwsClients, 'ec2'>;

/** One isolation security group per VPC, reused across incidents; it has no rules at all. */
export const ISOLATION_GROUP_NAME = 'guardduty-responder-isolation';
export const ISOLATION_GROUP_DESCRIPTION =
  'GuardDuty Runtime Responder: no inbound or outbound rules. Attached to isolated network interfaces; do not add rules.';
export const MANAGED_BY_TAG = { Key: 'managed-by', Value: 'guardduty-responder' } as const;

/**
 * Default quota "Rules per network ACL" (L-2AEEBF1A): 20 per direction, counted separately for
 * IPv4 and IPv6, including the default deny rule (32767 IPv4, 32768 IPv6). Adjustable to 40.
 */
export const NACL_RULES_PER_DIRECTION_DEFAULT = 20;
export const NACL_DEFAULT_DENY_RULE_IPV4 = 32767;
export const NACL_DEFAULT_DENY_RULE_IPV6 = 32768;
/** Highest rule number a user may create. */
export const NACL_MAX_RULE_NUMBER = 32766;
/** "-1": every protocol (TCP, UDP, ICMP and the rest). */
export const ALL_PROTOCOLS = '-1';

/**
 * What to isolate. An awsvpc task has its own ENI. A bridge- or host-mode task shares the
 * network interfaces of its container instance, so the unit of isolation is the EC2 instance,
 * which cuts every task on it.
 */
export type IsolationTarget =
  | {
      kind: 'awsvpc-task';
      eniId: string;
      /** As ECS reported them; the plan uses the ENI's live addresses. */
      ips?: string[];
      subnetId?: string;
      taskArn?: string;
      clusterArn?: string;
    }
  | {
      kind: 'instance';
      instanceId: string;
      /** Set when a bridge/host-mode task led here. */
      taskArn?: string;
      clusterArn?: string;
      reason?: string;
    };

export type IpFamily = 'ipv4' | 'ipv6';

export interface AclEntrySpec {
  networkAclId: string;
  ruleNumber: number;
  egress: boolean;
  /** `a.b.c.d/32` or `x::y/128`. */
  cidr: string;
  family: IpFamily;
}

/** What was created, exactly: NACL entries carry no tags, so this record is the only trace. */
export interface IsolationRecord {
  version: 1;
  createdAt: string;
  target: IsolationTarget;
  vpcIds: string[];
  isolationGroupId?: string;
  enis: { eniId: string; previousGroupIds: string[]; appliedGroupIds: string[] }[];
  aclEntries: (AclEntrySpec & { protocol: typeof ALL_PROTOCOLS; ruleAction: 'deny' })[];
}

export interface StepFailure {
  step: string;
  resource: string;
  code: string;
  message: string;
  requestId?: string;
}
