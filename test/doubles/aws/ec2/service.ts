/**
 * EC2 on the wire (ec2Query, Version 2016-11-15): the network, security-group, instance
 * attribute, snapshot and instance-profile operations the responder uses for evidence, isolation
 * and credential revocation.
 */
import type { Ec2ServiceDefinition } from '../service.js';
import { instanceOps } from './instance-ops.js';
import { networkOps } from './network-ops.js';
import { securityGroupOps } from './sg-ops.js';
import type { Ec2State } from './state.js';

export const EC2_API_VERSION = '2016-11-15';

export function ec2Service(state: Ec2State): Ec2ServiceDefinition {
  return {
    name: 'ec2',
    protocol: 'ec2Query',
    version: EC2_API_VERSION,
    resourceOf(_op, params) {
      const p = (params ?? {}) as Record<string, string>;
      const arn = (type: string, id: string) => `arn:aws:ec2:${state.regionName}:${state.accountId}:${type}/${id}`;
      if (p.NetworkInterfaceId) return arn('network-interface', p.NetworkInterfaceId);
      if (p.GroupId) return arn('security-group', p.GroupId);
      if (p.NetworkAclId) return arn('network-acl', p.NetworkAclId);
      if (p['InstanceId.1']) return arn('instance', p['InstanceId.1']);
      if (p.InstanceId) return arn('instance', p.InstanceId);
      if (p.VolumeId) return arn('volume', p.VolumeId);
      if (p['SnapshotId.1']) return `arn:aws:ec2:${state.regionName}::snapshot/${p['SnapshotId.1']}`;
      return '*';
    },
    operations: { ...networkOps(state), ...securityGroupOps(state), ...instanceOps(state) },
  };
}
