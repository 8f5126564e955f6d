/**
 * Which remediation step a command runs: verb × resource kind → the catalog's action id. A
 * command goes through the same ActionRunner as the card's button with this id, so it gets the
 * same plan, confirmation, authorization, exactly-once claim, audit and thread.
 */
import type { ActionId, CommandResource } from '../actions/types.js';
import { GRAMMAR, type Grammar } from './grammar.js';
import type { Finding } from '../findings/model.js';
import type { ImageVerb, TargetVerb } from './parse.js';

/** Commands run catalog steps only. */
export type CommandActionId = ActionId;

export type ActionVerb = TargetVerb | ImageVerb;
export type ActionResourceKind = CommandResource;

/** A verb that runs a step (from the steps' `command`, src/commands/step-verbs.ts). */
export function isActionVerb(verb: string, g: Grammar = GRAMMAR): verb is ActionVerb {
  return g.steps.has(verb);
}

/** The action id for a verb on a resource kind; undefined when the verb does not apply to it. */
export function actionIdFor(verb: ActionVerb, resource: ActionResourceKind, g: Grammar = GRAMMAR): CommandActionId | undefined {
  return g.steps.get(verb)?.actions[resource];
}

/** What a finding's resource is, for the verbs that take a finding id. */
export type FindingResource =
  | { kind: 'ecs_task'; taskArn: string }
  | { kind: 'instance'; instanceId: string }
  | { kind: 'pod'; cluster: string; namespace: string; pod: string }
  | { kind: 'unsupported'; problem: string };

export function findingResource(f: Finding): FindingResource {
  if (f.kind === 'ECSCluster' && f.ecs?.taskArn) return { kind: 'ecs_task', taskArn: f.ecs.taskArn };
  if (f.kind === 'Instance' && f.instance?.instanceId) return { kind: 'instance', instanceId: f.instance.instanceId };
  if (f.kind === 'EKSCluster' && f.eks?.clusterName && f.eks.namespace && f.eks.podName) {
    return { kind: 'pod', cluster: f.eks.clusterName, namespace: f.eks.namespace, pod: f.eks.podName };
  }
  // A standalone container is acted on through its host (isolation cuts off every container on it).
  if (f.kind === 'Container' && f.instance?.instanceId) return { kind: 'instance', instanceId: f.instance.instanceId };
  const host = f.instance?.instanceId;
  const hostHint = host ? ` Its host is ${host}: act on the instance to cut off the whole host (every workload on it).` : '';
  switch (f.kind) {
    case 'EKSCluster':
      return { kind: 'unsupported', problem: `finding ${f.id} is about an EKS cluster but names no pod, so there is no pod to act on.${hostHint}` };
    case 'Container':
      return { kind: 'unsupported', problem: `finding ${f.id} is about a standalone container; container-level steps are not supported yet.${hostHint}` };
    case 'ECSCluster':
      return { kind: 'unsupported', problem: `finding ${f.id} names no ECS task, so there is nothing to act on` };
    case 'Instance':
      return { kind: 'unsupported', problem: `finding ${f.id} names no EC2 instance, so there is nothing to act on` };
    case 'Other':
      return {
        kind: 'unsupported',
        problem: `finding ${f.id} is about a ${f.resourceType} resource; these steps apply to ECS tasks, EC2 instances and EKS pods`,
      };
  }
}
