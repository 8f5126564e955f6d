/**
 * Service-level containment. Order matters: pin or scale a service BEFORE stopping its tasks,
 * or the service scheduler immediately starts replacements from the same task definition,
 * i.e. with the compromised image again.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { AppError } from '../../errors.js';
import { parseImageReference } from '../arn.js';
import { awsCall } from '../errors.js';
import { registrableCopy, swapCompromisedImages, usesCompromisedImage, type CompromisedImage, type ImageSwap } from './task-definition.js';
import { ECS_FAILURE_MISSING, type EcsClients } from './types.js';

export async function describeService(clients: EcsClients, input: { cluster: string; service: string }, requestIds: string[]): Promise<Service> {
  const out = await awsCall({ action: 'ecs:DescribeServices', resource: input.service }, requestIds, () =>
    clients.ecs.send(new DescribeServicesCommand({ cluster: input.cluster, services: [input.service] })),
  );
  const svc = out.services?.[0];
  if (!svc || svc.status === 'INACTIVE') {
    const reason = out.failures?.[0]?.reason ?? (svc ? 'INACTIVE' : ECS_FAILURE_MISSING);
    throw new AppError('aws_not_found', `Service ${input.service} was not found in cluster ${input.cluster} (${reason}).`, {
      context: { action: 'ecs:DescribeServices', resource: input.service, cluster: input.cluster, reason, requestIds: [...requestIds] },
    });
  }
  return svc;
}

export interface ScaleToZeroResult {
  serviceArn: string;
  /** Keep it to scale back after the incident. */
  previousDesiredCount: number;
  requestIds: string[];
}

/** desiredCount 0: the scheduler stops the service's tasks and starts none. Works with every
 * deployment controller. Auto scaling may raise it again: suspend its scaling policies too. */
export async function scaleServiceToZero(clients: EcsClients, input: { cluster: string; service: string }): Promise<ScaleToZeroResult> {
  const requestIds: string[] = [];
  const svc = await describeService(clients, input, requestIds);
  const serviceArn = svc.serviceArn ?? input.service;
  await awsCall({ action: 'ecs:UpdateService', resource: serviceArn }, requestIds, () =>
    clients.ecs.send(new UpdateServiceCommand({ cluster: input.cluster, service: input.service, desiredCount: 0 })),
  );
  return { serviceArn, previousDesiredCount: svc.desiredCount ?? 0, requestIds };
}

export interface PinServiceInput {
  cluster: string;
  service: string;
  /** The compromised image as written, and/or its digest. */
  compromisedImage?: string;
  compromisedDigest?: string;
  /** Replacement; prefer a digest-pinned reference (`repo@sha256:…`) so a re-pushed tag cannot
   * bring the compromised image back. */
  cleanImage: string;
}

export interface PinServiceResult {
  serviceArn: string;
  oldTaskDefinitionArn: string;
  /** Absent when no container used the compromised image (nothing was registered or updated). */
  newTaskDefinitionArn?: string;
  swaps: ImageSwap[];
  changed: boolean;
  requestIds: string[];
}

export async function pinServiceToImage(clients: EcsClients, input: PinServiceInput): Promise<PinServiceResult> {
  const compromised: CompromisedImage = {
    ...(input.compromisedImage !== undefined ? { image: input.compromisedImage } : {}),
    ...(input.compromisedDigest !== undefined ? { digest: input.compromisedDigest } : {}),
  };
  if (compromised.image === undefined && compromised.digest === undefined) {
    throw new AppError('action_invalid', 'Say which image is compromised (image reference or digest).');
  }
  if (!parseImageReference(input.cleanImage)) {
    throw new AppError('action_invalid', `"${input.cleanImage}" is not a valid image reference.`);
  }
  if (usesCompromisedImage(input.cleanImage, compromised)) {
    throw new AppError('action_invalid', `The replacement image ${input.cleanImage} is the compromised image.`);
  }

  const requestIds: string[] = [];
  const svc = await describeService(clients, input, requestIds);
  const serviceArn = svc.serviceArn ?? input.service;
  const oldTaskDefinitionArn = svc.taskDefinition ?? '';
  const controller = svc.deploymentController?.type;
  if (controller !== undefined && controller !== 'ECS') {
    // CodeDeploy/external controllers own the task definition: UpdateService cannot change it.
    throw new AppError(
      'action_invalid',
      `Service ${svc.serviceName ?? input.service} is deployed by ${controller}, so only a ${controller === 'CODE_DEPLOY' ? 'CodeDeploy deployment' : 'deployment through its external controller'} can change its image. Scale it to zero instead, then deploy the clean image that way.`,
      { context: { serviceArn, deploymentController: controller } },
    );
  }

  const described = await awsCall({ action: 'ecs:DescribeTaskDefinition', resource: oldTaskDefinitionArn }, requestIds, () =>
    clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: oldTaskDefinitionArn, include: ['TAGS'] })),
  );
  const td = described.taskDefinition;
  if (!td) {
    throw new AppError('aws_not_found', `Task definition ${oldTaskDefinitionArn} was not found.`, {
      context: { action: 'ecs:DescribeTaskDefinition', resource: oldTaskDefinitionArn, requestIds },
    });
  }
  const { containerDefinitions, swaps } = swapCompromisedImages(td.containerDefinitions ?? [], compromised, input.cleanImage);
  if (swaps.length === 0) {
    return { serviceArn, oldTaskDefinitionArn, swaps, changed: false, requestIds };
  }

  const registered = await awsCall({ action: 'ecs:RegisterTaskDefinition', resource: td.family ?? oldTaskDefinitionArn }, requestIds, () =>
    clients.ecs.send(new RegisterTaskDefinitionCommand(registrableCopy(td, described.tags, { containerDefinitions }))),
  );
  const newTaskDefinitionArn = registered.taskDefinition?.taskDefinitionArn;
  if (!newTaskDefinitionArn) {
    throw new AppError('aws_error', `RegisterTaskDefinition for ${td.family ?? ''} returned no task definition ARN.`, {
      context: { requestIds },
    });
  }
  await awsCall({ action: 'ecs:UpdateService', resource: serviceArn }, requestIds, () =>
    clients.ecs.send(new UpdateServiceCommand({ cluster: input.cluster, service: input.service, taskDefinition: newTaskDefinitionArn })),
  );
  return { serviceArn, oldTaskDefinitionArn, newTaskDefinitionArn, swaps, changed: true, requestIds };
}
