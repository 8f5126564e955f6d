/** Live state of network interfaces and network ACLs, read with paging. */
import { paginateDescribeNetworkAcls, paginateDescribeNetworkInterfaces, type Filter, type NetworkAcl, type NetworkInterface } from '@aws-sdk/client-ec2';
import { awsPages, ownInput } from '../paging.js';
import type { Ec2Clients } from './types.js';

export interface EniState {
  eniId: string;
  vpcId: string;
  subnetId: string;
  /** Created and managed by an AWS service (ECS task ENIs, Fargate…): its attributes, security
   * groups included, cannot be changed by us. */
  requesterManaged: boolean;
  requesterId?: string;
  interfaceType?: string;
  description?: string;
  instanceId?: string;
  groupIds: string[];
  privateIps: string[];
  ipv6: string[];
  publicIps: string[];
}

function toState(n: NetworkInterface): EniState {
  const privateIps = [...new Set([n.PrivateIpAddress, ...(n.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress)].filter((x): x is string => !!x))];
  const publicIps = [
    ...new Set([n.Association?.PublicIp, ...(n.PrivateIpAddresses ?? []).map((p) => p.Association?.PublicIp)].filter((x): x is string => !!x)),
  ];
  return {
    eniId: n.NetworkInterfaceId ?? '',
    vpcId: n.VpcId ?? '',
    subnetId: n.SubnetId ?? '',
    requesterManaged: n.RequesterManaged === true,
    ...(n.RequesterId !== undefined ? { requesterId: n.RequesterId } : {}),
    ...(n.InterfaceType !== undefined ? { interfaceType: n.InterfaceType } : {}),
    ...(n.Description !== undefined ? { description: n.Description } : {}),
    ...(n.Attachment?.InstanceId !== undefined ? { instanceId: n.Attachment.InstanceId } : {}),
    groupIds: (n.Groups ?? []).map((g) => g.GroupId).filter((x): x is string => !!x),
    privateIps,
    ipv6: (n.Ipv6Addresses ?? []).map((a) => a.Ipv6Address).filter((x): x is string => !!x),
    publicIps,
  };
}

/** Filters (not NetworkInterfaceIds): a missing interface is simply absent, not an error. */
export async function describeEnis(clients: Ec2Clients, filters: Filter[], resource: string, requestIds: string[]): Promise<EniState[]> {
  const out: EniState[] = [];
  const pages = paginateDescribeNetworkInterfaces({ client: clients.ec2, withCommand: ownInput }, { Filters: filters });
  for await (const page of awsPages({ action: 'ec2:DescribeNetworkInterfaces', resource }, requestIds, pages)) {
    out.push(...(page.NetworkInterfaces ?? []).map(toState));
  }
  return out;
}

export function describeEnisById(clients: Ec2Clients, eniIds: string[], requestIds: string[]): Promise<EniState[]> {
  return describeEnis(clients, [{ Name: 'network-interface-id', Values: eniIds }], eniIds.join(','), requestIds);
}

export function describeEnisOfInstance(clients: Ec2Clients, instanceId: string, requestIds: string[]): Promise<EniState[]> {
  return describeEnis(clients, [{ Name: 'attachment.instance-id', Values: [instanceId] }], instanceId, requestIds);
}

export async function describeNetworkAcls(clients: Ec2Clients, filters: Filter[], resource: string, requestIds: string[]): Promise<NetworkAcl[]> {
  const out: NetworkAcl[] = [];
  const pages = paginateDescribeNetworkAcls({ client: clients.ec2, withCommand: ownInput }, { Filters: filters });
  for await (const page of awsPages({ action: 'ec2:DescribeNetworkAcls', resource }, requestIds, pages)) {
    out.push(...(page.NetworkAcls ?? []));
  }
  return out;
}
