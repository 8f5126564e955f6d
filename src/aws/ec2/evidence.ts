/**
 * Preserve evidence of a potentially compromised EC2 instance (GuardDuty's remediation guide:
 * "evidence first"): snapshot every attached EBS volume, and make sure nothing routine destroys
 * the instance or its volumes while it is investigated.
 *
 * AWS facts this relies on (checked with the search tool):
 * - ModifyInstanceAttribute changes ONE attribute per call ("You can specify only one attribute
 *   at a time"), so termination protection, DeleteOnTermination and the shutdown behaviour are
 *   separate calls, each able to fail on its own.
 * - BlockDeviceMapping without DeleteOnTermination means true: the flag is always sent explicitly.
 * - "You can't enable termination protection for Spot Instances."
 * - DisableApiTermination does not stop an OS-initiated shutdown from terminating the instance
 *   when InstanceInitiatedShutdownBehavior is `terminate` (hence: set it to `stop`), and does not
 *   stop Amazon EC2 Auto Scaling from terminating it (scale-in or failed health check): that is
 *   what detaching it from its group is for (../autoscaling).
 * - An instance-store-backed instance cannot be stopped, so `stop` is not possible there.
 * - Tagging on creation (CreateSnapshot TagSpecifications) is authorised as ec2:CreateTags too.
 *
 * Protection goes before the snapshots: each is one cheap call that closes the window in which
 * the volumes could be deleted (a TerminateInstances with the instance's own credentials, a
 * `shutdown` from inside) while the snapshots are requested. Snapshots are point-in-time at the
 * CreateSnapshot call and crash-consistent per volume (CreateSnapshots would make a set of
 * volumes consistent with each other; one call per volume keeps per-volume tags and results).
 */
import { CreateSnapshotCommand, CreateTagsCommand, DescribeInstanceAttributeCommand, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { awsCall, requestIdOf } from '../errors.js';
import { stepFailure, type StepFailure } from '../step-failure.js';
import { describeInstance, type InstanceVolume } from './instance.js';
import type { Ec2Clients } from './types.js';

/** EC2 limits: snapshot Description ≤ 255 characters, tag key ≤ 128, tag value ≤ 256. */
export const SNAPSHOT_DESCRIPTION_MAX = 255;
export const TAG_VALUE_MAX = 256;
export const EVIDENCE_TAGS = {
  findingId: 'guardduty-finding-id',
  actor: 'guardduty-responder:actor',
  status: 'guardduty-responder:status',
  sourceInstance: 'guardduty-responder:source-instance',
  device: 'guardduty-responder:device',
} as const;
export const UNDER_INVESTIGATION = 'under-investigation';

export interface EvidencePlan {
  instanceId: string;
  state: string;
  plannedAt: string;
  volumes: InstanceVolume[];
  spot: boolean;
  instanceStoreRoot: boolean;
  current: {
    disableApiTermination: boolean;
    /** `stop` or `terminate`. */
    shutdownBehavior: string;
    tags: Record<string, string>;
  };
  /** Every call `takeEvidence` will make, in order, for the confirmation dialog. */
  steps: { action: string; resource: string; what: string }[];
  /** What will not be done, and why. */
  skipped: string[];
  notes: string[];
  requestIds: string[];
}

export interface SnapshotTaken {
  volumeId: string;
  deviceName: string;
  snapshotId: string;
  state?: string;
  startTime?: string;
  requestId?: string;
}

/** Values before the change, for the thread and for anyone undoing it by hand. */
export interface EvidenceRecord {
  version: 1;
  instanceId: string;
  takenAt: string;
  findingId: string;
  actor: string;
  previous: {
    disableApiTermination: boolean;
    shutdownBehavior: string;
    deleteOnTermination: { deviceName: string; volumeId: string; value: boolean }[];
    tags: { key: string; value?: string }[];
  };
  snapshotIds: string[];
}

export interface EvidenceResult {
  instanceId: string;
  snapshots: SnapshotTaken[];
  /** Human lines: what was changed. */
  changed: string[];
  /** Human lines: what was already so, or skipped and why. */
  unchanged: string[];
  failures: StepFailure[];
  record: EvidenceRecord;
  requestIds: string[];
  /** Every planned step worked. */
  complete: boolean;
}

/** Tag values must be short and use letters, digits, spaces and `_ . : / = + - @`. */
export function tagValue(value: string): string {
  const clean = value
    .replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, '_')
    .replace(/\s+/g, ' ')
    .trim();
  return [...clean].slice(0, TAG_VALUE_MAX).join('');
}

export function snapshotDescription(input: { findingId: string; instanceId: string; deviceName: string; actor: string; at: string }): string {
  const text = `GuardDuty finding ${input.findingId}: evidence of ${input.instanceId} ${input.deviceName}, requested by ${input.actor} at ${input.at}`;
  // EC2 accepts printable ASCII-ish text; keep it plain and within 255.
  const clean = text.replace(/[^\x20-\x7e]/g, '_');
  return clean.length <= SNAPSHOT_DESCRIPTION_MAX ? clean : `${clean.slice(0, SNAPSHOT_DESCRIPTION_MAX - 1)}~`;
}

async function readBooleanAttribute(clients: Ec2Clients, instanceId: string, requestIds: string[]): Promise<boolean> {
  const out = await awsCall({ action: 'ec2:DescribeInstanceAttribute', resource: instanceId }, requestIds, () =>
    clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' })),
  );
  return out.DisableApiTermination?.Value === true;
}

async function readShutdownBehavior(clients: Ec2Clients, instanceId: string, requestIds: string[]): Promise<string> {
  const out = await awsCall({ action: 'ec2:DescribeInstanceAttribute', resource: instanceId }, requestIds, () =>
    clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior' })),
  );
  return out.InstanceInitiatedShutdownBehavior?.Value ?? 'stop';
}

/** Reads the live state (DescribeInstances + two DescribeInstanceAttribute) and lists the calls to come. */
export async function planEvidence(clients: Ec2Clients, instanceId: string, options: { now?: () => Date } = {}): Promise<EvidencePlan> {
  const requestIds: string[] = [];
  const info = await describeInstance(clients, instanceId, requestIds);
  const disableApiTermination = await readBooleanAttribute(clients, instanceId, requestIds);
  const shutdownBehavior = await readShutdownBehavior(clients, instanceId, requestIds);
  const spot = info.lifecycle === 'spot';
  const instanceStoreRoot = info.rootDeviceType === 'instance-store';

  const steps: EvidencePlan['steps'] = [];
  const skipped: string[] = [];
  const notes: string[] = [];
  if (info.state === 'terminated' || info.state === 'shutting-down') {
    // EC2 still describes a terminated instance for a while; its attributes can no longer change.
    notes.push(
      `The instance is ${info.state}: nothing can be protected any more. Volumes that were kept on termination still exist and can be snapshotted from the EC2 console.`,
    );
    return {
      instanceId,
      state: info.state,
      plannedAt: (options.now?.() ?? new Date()).toISOString(),
      volumes: [],
      spot,
      instanceStoreRoot,
      current: { disableApiTermination, shutdownBehavior, tags: info.tags },
      steps,
      skipped,
      notes,
      requestIds,
    };
  }
  if (disableApiTermination) skipped.push('Termination protection is already on.');
  else if (spot) skipped.push('Termination protection: not possible, this is a Spot Instance (EC2 refuses it for Spot).');
  else steps.push({ action: 'ec2:ModifyInstanceAttribute', resource: instanceId, what: 'turn on termination protection (DisableApiTermination)' });
  for (const v of info.volumes) {
    if (v.deleteOnTermination)
      steps.push({
        action: 'ec2:ModifyInstanceAttribute',
        resource: instanceId,
        what: `keep ${v.volumeId} (${v.deviceName}) when the instance terminates (DeleteOnTermination=false)`,
      });
    else skipped.push(`${v.volumeId} (${v.deviceName}) is already kept on termination.`);
  }
  if (shutdownBehavior === 'stop') skipped.push('Shutdown from inside the instance already stops it (does not terminate).');
  else if (instanceStoreRoot) skipped.push('Shutdown behaviour stays "terminate": an instance-store-backed instance cannot be stopped.');
  else
    steps.push({
      action: 'ec2:ModifyInstanceAttribute',
      resource: instanceId,
      what: 'make a shutdown from inside the instance stop it instead of terminating it',
    });
  for (const v of info.volumes)
    steps.push({ action: 'ec2:CreateSnapshot', resource: v.volumeId, what: `snapshot ${v.volumeId} (${v.deviceName}), tagged with the finding id` });
  steps.push({
    action: 'ec2:CreateTags',
    resource: instanceId,
    what: `tag the instance ${EVIDENCE_TAGS.status}=${UNDER_INVESTIGATION} and ${EVIDENCE_TAGS.findingId}`,
  });

  if (info.volumes.length === 0) notes.push('The instance has no EBS volume attached: there is nothing to snapshot.');
  if (instanceStoreRoot) notes.push('Its root device is instance store: that data is not in any snapshot and is lost when the instance stops or terminates.');
  if (info.state !== 'running' && info.state !== 'stopped') notes.push(`The instance is ${info.state}.`);
  notes.push('Snapshots are crash-consistent per volume (like pulling the power), not application-consistent; memory is not captured.');
  notes.push('Termination protection does not stop Auto Scaling from terminating the instance: detach it from its Auto Scaling group if it has one.');
  notes.push('If instance metadata tags are enabled, software on the instance can read the "under investigation" tag.');

  return {
    instanceId,
    state: info.state,
    plannedAt: (options.now?.() ?? new Date()).toISOString(),
    volumes: info.volumes,
    spot,
    instanceStoreRoot,
    current: { disableApiTermination, shutdownBehavior, tags: info.tags },
    steps,
    skipped,
    notes,
    requestIds,
  };
}

/**
 * Runs the plan. Every step is tried; a failure is listed next to what worked. Snapshots run one
 * after another (EC2 mutating calls are rate-limited in the client anyway, and volumes per
 * instance are few).
 */
export async function takeEvidence(
  clients: Ec2Clients,
  plan: EvidencePlan,
  input: { findingId: string; actor: string },
  options: { now?: () => Date } = {},
): Promise<EvidenceResult> {
  const { instanceId } = plan;
  const at = (options.now?.() ?? new Date()).toISOString();
  const requestIds: string[] = [];
  const failures: StepFailure[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [...plan.skipped];
  const snapshots: SnapshotTaken[] = [];
  const record: EvidenceRecord = {
    version: 1,
    instanceId,
    takenAt: at,
    findingId: input.findingId,
    actor: input.actor,
    previous: {
      disableApiTermination: plan.current.disableApiTermination,
      shutdownBehavior: plan.current.shutdownBehavior,
      deleteOnTermination: plan.volumes.map((v) => ({ deviceName: v.deviceName, volumeId: v.volumeId, value: v.deleteOnTermination })),
      tags: [],
    },
    snapshotIds: [],
  };
  const modify = async (what: string, params: Omit<ConstructorParameters<typeof ModifyInstanceAttributeCommand>[0], 'InstanceId'>) => {
    try {
      await awsCall({ action: 'ec2:ModifyInstanceAttribute', resource: instanceId }, requestIds, () =>
        clients.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, ...params })),
      );
      changed.push(what);
    } catch (err) {
      failures.push(stepFailure('ec2:ModifyInstanceAttribute', `${instanceId} (${what})`, err));
    }
  };

  // 1. Keep the instance and its volumes from being destroyed.
  if (!plan.current.disableApiTermination && !plan.spot) {
    await modify('Termination protection turned on.', { DisableApiTermination: { Value: true } });
  }
  for (const v of plan.volumes.filter((x) => x.deleteOnTermination)) {
    await modify(`${v.volumeId} (${v.deviceName}) will be kept if the instance terminates.`, {
      BlockDeviceMappings: [{ DeviceName: v.deviceName, Ebs: { DeleteOnTermination: false } }],
    });
  }
  if (plan.current.shutdownBehavior !== 'stop' && !plan.instanceStoreRoot) {
    await modify('A shutdown from inside the instance now stops it instead of terminating it.', { InstanceInitiatedShutdownBehavior: { Value: 'stop' } });
  }

  // 2. Snapshots.
  for (const v of plan.volumes) {
    const tags = [
      { Key: EVIDENCE_TAGS.findingId, Value: tagValue(input.findingId) },
      { Key: EVIDENCE_TAGS.actor, Value: tagValue(input.actor) },
      { Key: EVIDENCE_TAGS.sourceInstance, Value: instanceId },
      { Key: EVIDENCE_TAGS.device, Value: tagValue(v.deviceName) },
      { Key: 'Name', Value: tagValue(`evidence ${instanceId} ${v.deviceName}`) },
    ];
    try {
      const out = await awsCall({ action: 'ec2:CreateSnapshot', resource: v.volumeId }, requestIds, () =>
        clients.ec2.send(
          new CreateSnapshotCommand({
            VolumeId: v.volumeId,
            Description: snapshotDescription({ findingId: input.findingId, instanceId, deviceName: v.deviceName, actor: input.actor, at }),
            TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
          }),
        ),
      );
      const requestId = requestIdOf(out);
      snapshots.push({
        volumeId: v.volumeId,
        deviceName: v.deviceName,
        snapshotId: out.SnapshotId ?? '',
        ...(out.State !== undefined ? { state: out.State } : {}),
        ...(out.StartTime !== undefined ? { startTime: out.StartTime.toISOString() } : {}),
        ...(requestId !== undefined ? { requestId } : {}),
      });
      if (out.SnapshotId) record.snapshotIds.push(out.SnapshotId);
      changed.push(`Snapshot ${out.SnapshotId ?? '?'} of ${v.volumeId} (${v.deviceName}) started.`);
    } catch (err) {
      failures.push(stepFailure('ec2:CreateSnapshot', v.volumeId, err));
    }
  }

  // 3. Mark the instance.
  const instanceTags = [
    { Key: EVIDENCE_TAGS.status, Value: UNDER_INVESTIGATION },
    { Key: EVIDENCE_TAGS.findingId, Value: tagValue(input.findingId) },
  ];
  try {
    await awsCall({ action: 'ec2:CreateTags', resource: instanceId }, requestIds, () =>
      clients.ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: instanceTags })),
    );
    record.previous.tags = instanceTags.map((t) => ({ key: t.Key, ...(plan.current.tags[t.Key] !== undefined ? { value: plan.current.tags[t.Key] } : {}) }));
    changed.push(`Instance tagged ${EVIDENCE_TAGS.status}=${UNDER_INVESTIGATION}.`);
  } catch (err) {
    failures.push(stepFailure('ec2:CreateTags', instanceId, err));
  }

  return { instanceId, snapshots, changed, unchanged, failures, record, requestIds, complete: failures.length === 0 };
}
