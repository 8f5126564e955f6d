/**
 * EC2 instance attributes, EBS volumes and snapshots, and IAM instance profile associations: the
 * operations behind "preserve evidence" and "revoke instance credentials".
 *
 * Modelled on EC2's documented behaviour: ModifyInstanceAttribute takes ONE attribute per call
 * (more is InvalidParameterCombination "Fields for multiple attribute types specified");
 * termination protection cannot be enabled on Spot Instances; an instance-store-backed instance
 * cannot be set to stop on shutdown; a BlockDeviceMapping entry without DeleteOnTermination means
 * true; an instance has at most one instance profile association (a second is IncorrectState).
 * The exact error codes for the Spot and instance-store refusals are approximations.
 */
import type { QueryParams } from '../protocols/query-params.js';
import type { XmlObject } from '../protocols/xml.js';
import { AwsServiceError, type Ec2Operation } from '../service.js';
import { ec2Page, notFound } from './network-ops.js';
import type { Ec2State, Instance, Snapshot, Volume } from './state.js';
import { filterMatcher, tagSet } from './wire.js';

const volumeNotFound = (id: string) => new AwsServiceError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
const snapshotNotFound = (id: string) => new AwsServiceError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
const associationNotFound = (id: string) => new AwsServiceError('InvalidAssociationID.NotFound', `An association with ID '${id}' does not exist`);

const ATTRIBUTES = [
  'instanceType',
  'kernel',
  'ramdisk',
  'userData',
  'disableApiTermination',
  'instanceInitiatedShutdownBehavior',
  'rootDeviceName',
  'blockDeviceMapping',
  'productCodes',
  'sourceDestCheck',
  'groupSet',
  'ebsOptimized',
  'sriovNetSupport',
  'enaSupport',
  'enclaveOptions',
  'disableApiStop',
];

function snapshotXml(state: Ec2State, s: Snapshot): XmlObject {
  return {
    snapshotId: s.snapshotId,
    volumeId: s.volumeId,
    status: s.state,
    startTime: s.startTime,
    progress: s.state === 'completed' ? '100%' : '',
    ownerId: state.accountId,
    volumeSize: s.volumeSize,
    description: s.description,
    encrypted: s.encrypted,
    storageTier: 'standard',
    tagSet: tagSet(s.tags),
  };
}

function volumeXml(v: Volume): XmlObject {
  return {
    volumeId: v.volumeId,
    size: v.size,
    availabilityZone: v.availabilityZone,
    status: v.state,
    createTime: v.createTime,
    attachmentSet: v.attachment
      ? [
          {
            volumeId: v.volumeId,
            instanceId: v.attachment.instanceId,
            device: v.attachment.device,
            status: 'attached',
            attachTime: v.attachment.attachTime,
            deleteOnTermination: v.attachment.deleteOnTermination,
          },
        ]
      : [],
    volumeType: v.volumeType,
    encrypted: v.encrypted,
    tagSet: tagSet(v.tags),
  };
}

function associationXml(inst: Instance, stateName: string, arn = inst.iamInstanceProfileArn, associationId = inst.iamAssociationId): XmlObject {
  return {
    associationId,
    instanceId: inst.instanceId,
    iamInstanceProfile: { arn, id: `AIPA${(arn ?? '').length.toString(16).toUpperCase().padStart(4, '0')}EXAMPLE` },
    state: stateName,
  };
}

export function instanceOps(state: Ec2State): Record<string, Ec2Operation> {
  const instance = (p: QueryParams): Instance => {
    const id = p.required('InstanceId');
    const inst = state.instances.get(id);
    if (!inst) throw notFound.instance(id);
    return inst;
  };

  return {
    DescribeInstanceAttribute(p) {
      const inst = instance(p);
      const attribute = p.required('Attribute');
      if (!ATTRIBUTES.includes(attribute))
        throw new AwsServiceError('InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`);
      const values: Record<string, XmlObject> = {
        disableApiTermination: { disableApiTermination: { value: inst.disableApiTermination } },
        instanceInitiatedShutdownBehavior: { instanceInitiatedShutdownBehavior: { value: inst.shutdownBehavior } },
        instanceType: { instanceType: { value: inst.instanceType } },
        rootDeviceName: { rootDeviceName: { value: inst.rootDeviceName } },
        blockDeviceMapping: {
          blockDeviceMapping: inst.blockDevices.map((b) => {
            const v = state.volumes.get(b.volumeId);
            return {
              deviceName: b.deviceName,
              ebs: {
                volumeId: b.volumeId,
                status: 'attached',
                attachTime: v?.attachment?.attachTime,
                deleteOnTermination: v?.attachment?.deleteOnTermination ?? true,
              },
            };
          }),
        },
      };
      return { instanceId: inst.instanceId, ...(values[attribute] ?? {}) };
    },

    ModifyInstanceAttribute(p) {
      const inst = instance(p);
      const given = {
        disableApiTermination: p.str('DisableApiTermination.Value'),
        instanceInitiatedShutdownBehavior: p.str('InstanceInitiatedShutdownBehavior.Value'),
        blockDeviceMapping: p.structs('BlockDeviceMapping').length > 0 ? 'yes' : undefined,
        sourceDestCheck: p.str('SourceDestCheck.Value'),
        instanceType: p.str('InstanceType.Value'),
        attribute: p.str('Attribute'),
      };
      const kinds = Object.entries(given)
        .filter(([, v]) => v !== undefined)
        .map(([k]) => k);
      if (kinds.length === 0) throw new AwsServiceError('InvalidParameterCombination', 'No attributes specified.');
      if (kinds.length > 1) throw new AwsServiceError('InvalidParameterCombination', `Fields for multiple attribute types specified: ${kinds.join(', ')}`);
      if (given.sourceDestCheck !== undefined || given.instanceType !== undefined || given.attribute !== undefined) {
        throw new AwsServiceError(
          'UnsupportedOperation',
          `The EC2 double models only disableApiTermination, instanceInitiatedShutdownBehavior and blockDeviceMapping (got ${kinds.join(', ')}).`,
        );
      }
      if (given.disableApiTermination !== undefined) {
        const on = given.disableApiTermination === 'true';
        if (on && inst.instanceLifecycle === 'spot')
          throw new AwsServiceError('UnsupportedOperation', `Termination protection cannot be enabled for Spot Instance ${inst.instanceId}.`);
        inst.disableApiTermination = on;
      }
      if (given.instanceInitiatedShutdownBehavior !== undefined) {
        const v = given.instanceInitiatedShutdownBehavior;
        if (v !== 'stop' && v !== 'terminate')
          throw new AwsServiceError('InvalidParameterValue', `Value (${v}) for parameter instanceInitiatedShutdownBehavior is invalid.`);
        if (v === 'stop' && inst.rootDeviceType === 'instance-store')
          throw new AwsServiceError('UnsupportedOperation', 'The instance-store-backed instance cannot be set to stop on shutdown.');
        inst.shutdownBehavior = v;
      }
      // Resolve every mapping before changing any: one bad device fails the whole call.
      const changes = p.structs('BlockDeviceMapping').map((m) => {
        const device = m.required('DeviceName');
        const mapped = inst.blockDevices.find((b) => b.deviceName === device);
        if (!mapped) throw new AwsServiceError('InvalidInstanceAttributeValue', `No device is currently mapped at ${device}`);
        const volumeId = m.str('Ebs.VolumeId');
        if (volumeId !== undefined && volumeId !== mapped.volumeId)
          throw new AwsServiceError('InvalidParameterValue', `Volume ${volumeId} is not attached at ${device}`);
        return { volume: state.volumes.get(mapped.volumeId)!, deleteOnTermination: m.str('Ebs.DeleteOnTermination') !== 'false' };
      });
      for (const c of changes) if (c.volume.attachment) c.volume.attachment.deleteOnTermination = c.deleteOnTermination;
      return { return: true };
    },

    DescribeVolumes(p) {
      const ids = p.list('VolumeId');
      const keep = filterMatcher<Volume>(
        p.filters(),
        {
          'volume-id': (v) => v.volumeId,
          'attachment.instance-id': (v) => v.attachment?.instanceId,
          'attachment.device': (v) => v.attachment?.device,
          'attachment.delete-on-termination': (v) => v.attachment?.deleteOnTermination,
          status: (v) => v.state,
          'availability-zone': (v) => v.availabilityZone,
        },
        (v) => v.tags,
      );
      const candidates =
        ids.length > 0
          ? ids.map(
              (id) =>
                state.volumes.get(id) ??
                (() => {
                  throw volumeNotFound(id);
                })(),
            )
          : [...state.volumes.values()];
      const { page, nextToken } = ec2Page(candidates.filter(keep), p, JSON.stringify(p.raw));
      return { volumeSet: page.map(volumeXml), nextToken };
    },

    CreateSnapshot(p) {
      const volumeId = p.required('VolumeId');
      const volume = state.volumes.get(volumeId);
      if (!volume) throw volumeNotFound(volumeId);
      const description = p.str('Description') ?? '';
      if (description.length > 255)
        throw new AwsServiceError('InvalidParameterValue', 'Value for parameter Description is invalid. Length exceeds maximum of 255.');
      const specs = p.structs('TagSpecification');
      for (const s of specs) {
        const type = s.str('ResourceType');
        if (type !== 'snapshot')
          throw new AwsServiceError('InvalidParameterValue', `'${type ?? ''}' is not a valid taggable resource type for this operation.`);
      }
      const tags = specs.flatMap((s) => s.tags('Tag'));
      for (const t of tags) {
        if (t.key.length > 128 || t.value.length > 256) throw new AwsServiceError('InvalidParameterValue', `Tag ${t.key.slice(0, 20)}… is too long.`);
      }
      const snapshot: Snapshot = {
        snapshotId: state.id('snap'),
        volumeId,
        volumeSize: volume.size,
        description,
        state: 'pending',
        startTime: state.now(),
        encrypted: volume.encrypted,
        tags,
        polls: 0,
      };
      state.snapshots.set(snapshot.snapshotId, snapshot);
      // CreateSnapshot answers the Snapshot itself at the top level (no wrapper element).
      return snapshotXml(state, snapshot);
    },

    DescribeSnapshots(p) {
      const ids = p.list('SnapshotId');
      const owners = p.list('Owner');
      if (owners.some((o) => o !== 'self' && o !== state.accountId)) return { snapshotSet: [] };
      const keep = filterMatcher<Snapshot>(
        p.filters(),
        {
          'snapshot-id': (s) => s.snapshotId,
          'volume-id': (s) => s.volumeId,
          status: (s) => s.state,
          description: (s) => s.description,
          'owner-id': () => state.accountId,
        },
        (s) => s.tags,
      );
      const candidates =
        ids.length > 0
          ? ids.map(
              (id) =>
                state.snapshots.get(id) ??
                (() => {
                  throw snapshotNotFound(id);
                })(),
            )
          : [...state.snapshots.values()];
      const { page, nextToken } = ec2Page(candidates.filter(keep), p, JSON.stringify(p.raw));
      for (const s of page) {
        s.polls += 1;
        if (s.state === 'pending' && s.polls >= state.snapshotCompletesAfterPolls) s.state = 'completed';
      }
      return { snapshotSet: page.map((s) => snapshotXml(state, s)), nextToken };
    },

    DescribeIamInstanceProfileAssociations(p) {
      const ids = p.list('AssociationId');
      const live = [...state.instances.values()].filter((i) => i.iamAssociationId !== undefined);
      const keep = filterMatcher<Instance>(p.filters(), { 'instance-id': (i) => i.instanceId, state: () => 'associated' }, () => []);
      const candidates =
        ids.length > 0
          ? ids.map(
              (id) =>
                live.find((i) => i.iamAssociationId === id) ??
                (() => {
                  throw associationNotFound(id);
                })(),
            )
          : live;
      const { page, nextToken } = ec2Page(candidates.filter(keep), p, JSON.stringify(p.raw));
      return { iamInstanceProfileAssociationSet: page.map((i) => associationXml(i, 'associated')), nextToken };
    },

    DisassociateIamInstanceProfile(p) {
      const id = p.required('AssociationId');
      const inst = [...state.instances.values()].find((i) => i.iamAssociationId === id);
      if (!inst) throw associationNotFound(id);
      const answer = associationXml(inst, 'disassociating');
      delete inst.iamAssociationId;
      delete inst.iamInstanceProfileArn;
      return { iamInstanceProfileAssociation: answer };
    },

    AssociateIamInstanceProfile(p) {
      const inst = instance(p);
      const arn =
        p.str('IamInstanceProfile.Arn') ??
        (p.str('IamInstanceProfile.Name') ? `arn:aws:iam::${state.accountId}:instance-profile/${p.str('IamInstanceProfile.Name')}` : undefined);
      if (!arn) throw new AwsServiceError('MissingParameter', 'The request must contain the parameter IamInstanceProfile');
      if (inst.iamAssociationId !== undefined) {
        throw new AwsServiceError('IncorrectState', `There is an existing association for instance ${inst.instanceId}`);
      }
      inst.iamInstanceProfileArn = arn;
      inst.iamAssociationId = state.id('iip-assoc');
      return { iamInstanceProfileAssociation: associationXml(inst, 'associating') };
    },
  };
}
