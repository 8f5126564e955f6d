import { findImageTasksAction } from './ecs/find-image-tasks.js';
import { isolateTaskAction } from './ecs/isolate-task.js';
import { releaseIsolationAction } from './ecs/release-isolation.js';
import { quarantineImageAction } from './ecs/quarantine-image.js';
import { scanImageAction } from './ecs/scan-image.js';
import { stopAllPinAction } from './ecs/stop-all-pin.js';
import { stopTaskAction } from './ecs/stop-task.js';
import { isolateInstanceAction } from './ec2/isolate-instance.js';
import { malwareScanAction } from './ec2/malware-scan.js';
import { pauseContainerAction } from './ec2/pause-container.js';
import { preserveEvidenceAction } from './ec2/preserve-evidence.js';
import { revokeCredentialsAction } from './ec2/revoke-credentials.js';
import type { ActionDefinition, ActionId, Containment } from './types.js';
import type { Finding } from '../findings/model.js';
import { isolatePodAction } from './eks/isolate-pod.js';
import { releasePodAction } from './eks/release-pod.js';
import { cordonNodeAction } from './eks/cordon-node.js';
import { preservePodEvidenceAction } from './eks/preserve-pod-evidence.js';
import { stopPodAction } from './eks/stop-pod.js';
import { findImagePodsAction } from './eks/find-image-pods.js';
import { updateWorkloadImageAction } from './eks/update-workload-image.js';
import { revokePodCredentialsAction } from './eks/revoke-pod-credentials.js';

/**
 * Every remediation step, in the order the card shows its buttons. A button's behaviour lives in
 * the file named after its action id (src/actions/<service>/<action-id>.ts).
 */
export const ALL_ACTIONS: readonly ActionDefinition[] = [
  preserveEvidenceAction,
  isolateTaskAction,
  isolateInstanceAction,
  releaseIsolationAction,
  stopTaskAction,
  findImageTasksAction,
  quarantineImageAction,
  stopAllPinAction,
  scanImageAction,
  malwareScanAction,
  revokeCredentialsAction,
  pauseContainerAction,
  preservePodEvidenceAction,
  isolatePodAction,
  releasePodAction,
  cordonNodeAction,
  stopPodAction,
  findImagePodsAction,
  updateWorkloadImageAction,
  revokePodCredentialsAction,
];

export function buildCatalog(defs: readonly ActionDefinition[] = ALL_ACTIONS): ReadonlyMap<ActionId, ActionDefinition> {
  return new Map(defs.map((d) => [d.id, d]));
}

/** How the incident timeline names a step: its timelineLabel, else its button label. */
export function timelineLabelOf(catalog: ReadonlyMap<ActionId, ActionDefinition>): (id: string) => string | undefined {
  return (id) => {
    const d = catalog.get(id);
    return d ? (d.timelineLabel ?? d.label) : undefined;
  };
}

/** What a fully succeeded run of the step means for this finding's incident. */
export function containmentOf(def: ActionDefinition, finding: Finding): Containment | undefined {
  return typeof def.containment === 'function' ? def.containment(finding) : def.containment;
}

/** Names AUTHZ_POLICY_FILE may use: every step of the catalog, plus the incident changes. */
export function policyActionNames(catalog: ReadonlyMap<ActionId, ActionDefinition>, incidentActions: readonly string[]): string[] {
  return [...catalog.keys(), ...incidentActions];
}
