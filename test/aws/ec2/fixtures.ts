/** A small VPC for isolation tests.
 *
 *   subnet-task  ── acl-own     (only the task's subnet: skipped)
 *   subnet-b, -c ── acl-shared  (inbound rule 1 already taken by someone else)
 *   subnet-d     ── acl-default (the VPC default ACL)
 *   subnet-e     ── acl-full    (20 inbound IPv4 rules already)
 */
import type { NetworkAcl, NetworkAclEntry, NetworkInterface } from '@aws-sdk/client-ec2';

export const allow = (n: number, egress: boolean, cidr = '0.0.0.0/0'): NetworkAclEntry => ({
  RuleNumber: n,
  Egress: egress,
  RuleAction: 'allow',
  Protocol: '-1',
  CidrBlock: cidr,
});
export const deny = (n: number, egress: boolean, cidr = '0.0.0.0/0'): NetworkAclEntry => ({
  RuleNumber: n,
  Egress: egress,
  RuleAction: 'deny',
  Protocol: '-1',
  CidrBlock: cidr,
});
const base = [allow(100, false), allow(100, true), deny(32767, false), deny(32767, true)];
const assoc = (acl: string, ...subnets: string[]) =>
  subnets.map((s, i) => ({ NetworkAclAssociationId: `aclassoc-${acl}-${i}`, NetworkAclId: acl, SubnetId: s }));

export function vpcAcls(): NetworkAcl[] {
  return [
    { NetworkAclId: 'acl-own', VpcId: 'vpc-1', IsDefault: false, Associations: assoc('acl-own', 'subnet-task'), Entries: [...base] },
    {
      NetworkAclId: 'acl-shared',
      VpcId: 'vpc-1',
      IsDefault: false,
      Associations: assoc('acl-shared', 'subnet-b', 'subnet-c'),
      Entries: [deny(1, false, '192.0.2.9/32'), ...base],
    },
    { NetworkAclId: 'acl-default', VpcId: 'vpc-1', IsDefault: true, Associations: assoc('acl-default', 'subnet-d'), Entries: [...base] },
    {
      NetworkAclId: 'acl-full',
      VpcId: 'vpc-1',
      IsDefault: false,
      Associations: assoc('acl-full', 'subnet-e'),
      Entries: [...Array.from({ length: 18 }, (_, i) => allow(101 + i, false, `10.9.${i}.0/24`)), ...base],
    },
  ];
}

export const fargateEni: NetworkInterface = {
  NetworkInterfaceId: 'eni-task',
  VpcId: 'vpc-1',
  SubnetId: 'subnet-task',
  RequesterManaged: true,
  RequesterId: '578734482556',
  InterfaceType: 'interface',
  Description: 'arn:aws:ecs:eu-west-1:123456789012:attachment/1234',
  Groups: [{ GroupId: 'sg-app', GroupName: 'app' }],
  PrivateIpAddress: '10.0.1.5',
  PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.5', Primary: true, Association: { PublicIp: '54.1.2.3' } }],
  Association: { PublicIp: '54.1.2.3' },
};

export const instanceEnis: NetworkInterface[] = [
  {
    NetworkInterfaceId: 'eni-i0',
    VpcId: 'vpc-1',
    SubnetId: 'subnet-task',
    RequesterManaged: false,
    Groups: [{ GroupId: 'sg-node' }, { GroupId: 'sg-ssh' }],
    PrivateIpAddress: '10.0.1.20',
    PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.20', Primary: true }],
    Attachment: { InstanceId: 'i-0abc' },
  },
  {
    NetworkInterfaceId: 'eni-i1',
    VpcId: 'vpc-1',
    SubnetId: 'subnet-task',
    RequesterManaged: false,
    Groups: [{ GroupId: 'sg-node' }],
    PrivateIpAddress: '10.0.1.21',
    PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.21', Primary: true }],
    Attachment: { InstanceId: 'i-0abc' },
  },
];
