/**
 * The ECS model: clusters, container instances, task definitions, services and tasks, held as the
 * SDK's own shapes (so DescribeTasks answers with the stored objects) plus the indexes the wire
 * operations need to stay O(page) rather than O(all tasks) per call.
 */
import type { Cluster, ContainerInstance, Service, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { buildTask } from './task-shape.js';
import type { AddServiceInput, AddTaskInput, ClusterRecord, EcsEnv, RegisterInput, TaskStoppedListener } from './model.js';

export type { AddServiceInput, AddTaskInput, ClusterRecord, ContainerInput, EcsEnv, RegisterInput, TaskEniInput, TaskStoppedListener } from './model.js';

const lastSegment = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

export class EcsState {
  readonly clusters = new Map<string, ClusterRecord>();
  private readonly clustersByName = new Map<string, ClusterRecord>();
  private readonly tasksById = new Map<string, { task: Task; cluster: ClusterRecord }>();
  private readonly taskDefsByArn = new Map<string, TaskDefinition>();
  private readonly families = new Map<string, TaskDefinition[]>();
  private readonly stoppedListeners: TaskStoppedListener[] = [];

  constructor(private readonly env: EcsEnv) {}

  now(): Date {
    return new Date(this.env.now());
  }

  arn(resource: string): string {
    return `arn:aws:ecs:${this.env.region}:${this.env.accountId}:${resource}`;
  }

  // ---- clusters -------------------------------------------------------------------------------

  addCluster(name: string): Cluster {
    const existing = this.clustersByName.get(name);
    if (existing) return existing.cluster;
    const cluster: Cluster = {
      clusterArn: this.arn(`cluster/${name}`),
      clusterName: name,
      status: 'ACTIVE',
      registeredContainerInstancesCount: 0,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 0,
      statistics: [],
      tags: [],
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
    };
    const rec: ClusterRecord = { cluster, tasks: [], services: new Map(), containerInstances: new Map() };
    this.clusters.set(cluster.clusterArn!, rec);
    this.clustersByName.set(name, rec);
    return cluster;
  }

  /** By name or ARN, like every ECS `cluster` parameter. */
  cluster(ref: string): ClusterRecord | undefined {
    return ref.startsWith('arn:') ? this.clusters.get(ref) : this.clustersByName.get(ref);
  }

  private requireCluster(ref: string): ClusterRecord {
    const rec = this.cluster(ref);
    if (!rec) throw new Error(`ECS double: no cluster ${ref} (add it first)`);
    return rec;
  }

  /** Counts derived from the tasks, services and instances, as DescribeClusters reports them. */
  clusterView(rec: ClusterRecord): Cluster {
    let running = 0;
    let pending = 0;
    for (const t of rec.tasks) {
      if (t.lastStatus === 'RUNNING') running += 1;
      else if (t.lastStatus === 'PENDING') pending += 1;
    }
    let activeServices = 0;
    for (const s of rec.services.values()) if (s.status === 'ACTIVE') activeServices += 1;
    return {
      ...rec.cluster,
      runningTasksCount: running,
      pendingTasksCount: pending,
      activeServicesCount: activeServices,
      registeredContainerInstancesCount: rec.containerInstances.size,
    };
  }

  // ---- container instances ----------------------------------------------------------------------

  addContainerInstance(input: { cluster: string; ec2InstanceId: string; id?: string }): ContainerInstance {
    const rec = this.requireCluster(input.cluster);
    const id = input.id ?? this.env.ids.hex(32);
    const ci: ContainerInstance = {
      containerInstanceArn: this.arn(`container-instance/${rec.cluster.clusterName}/${id}`),
      ec2InstanceId: input.ec2InstanceId,
      status: 'ACTIVE',
      agentConnected: true,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      version: 1,
      registeredAt: new Date(this.env.now()),
      attributes: [],
      registeredResources: [],
      remainingResources: [],
    };
    rec.containerInstances.set(ci.containerInstanceArn!, ci);
    return ci;
  }

  containerInstance(rec: ClusterRecord, ref: string): ContainerInstance | undefined {
    if (ref.startsWith('arn:')) return rec.containerInstances.get(ref);
    return rec.containerInstances.get(this.arn(`container-instance/${rec.cluster.clusterName}/${ref}`));
  }

  // ---- task definitions -------------------------------------------------------------------------

  registerTaskDefinition(input: RegisterInput): TaskDefinition {
    const revisions = this.families.get(input.family) ?? [];
    const revision = revisions.length + 1;
    const { tags: _tags, ...rest } = input as RegisterInput & { tags?: unknown };
    const requires = input.requiresCompatibilities ?? [];
    const td: TaskDefinition = {
      ...(rest as TaskDefinition),
      taskDefinitionArn: this.arn(`task-definition/${input.family}:${revision}`),
      family: input.family,
      revision,
      networkMode: input.networkMode ?? 'bridge',
      containerDefinitions: input.containerDefinitions,
      requiresCompatibilities: requires as TaskDefinition['requiresCompatibilities'],
      compatibilities: (requires.includes('FARGATE') ? ['EC2', 'FARGATE'] : ['EC2']) as TaskDefinition['compatibilities'],
      status: 'ACTIVE',
      registeredAt: new Date(this.env.now()),
      volumes: (rest.volumes as TaskDefinition['volumes']) ?? [],
      placementConstraints: (rest.placementConstraints as TaskDefinition['placementConstraints']) ?? [],
    };
    revisions.push(td);
    this.families.set(input.family, revisions);
    this.taskDefsByArn.set(td.taskDefinitionArn!, td);
    return td;
  }

  /** ARN, `family:revision`, or `family` (latest ACTIVE revision). */
  taskDefinition(ref: string): TaskDefinition | undefined {
    if (ref.startsWith('arn:')) return this.taskDefsByArn.get(ref);
    const colon = ref.lastIndexOf(':');
    if (colon !== -1) return this.families.get(ref.slice(0, colon))?.[Number(ref.slice(colon + 1)) - 1];
    const revisions = this.families.get(ref) ?? [];
    for (let i = revisions.length - 1; i >= 0; i--) if (revisions[i]!.status === 'ACTIVE') return revisions[i];
    return undefined;
  }

  // ---- services ---------------------------------------------------------------------------------

  addService(input: AddServiceInput): Service {
    const rec = this.requireCluster(input.cluster);
    const existing = rec.services.get(input.name);
    if (existing) return existing;
    const td = this.taskDefinition(input.taskDefinition);
    if (!td) throw new Error(`ECS double: no task definition ${input.taskDefinition}`);
    const now = new Date(this.env.now());
    const launchType = input.launchType ?? (td.requiresCompatibilities?.includes('FARGATE') ? 'FARGATE' : 'EC2');
    const service: Service = {
      serviceArn: this.arn(`service/${rec.cluster.clusterName}/${input.name}`),
      serviceName: input.name,
      clusterArn: rec.cluster.clusterArn,
      taskDefinition: td.taskDefinitionArn,
      desiredCount: input.desiredCount ?? 0,
      runningCount: 0,
      pendingCount: 0,
      launchType,
      status: 'ACTIVE',
      schedulingStrategy: 'REPLICA',
      createdAt: now,
      deployments: [],
      events: [],
      loadBalancers: [],
      serviceRegistries: [],
      ...(td.networkMode === 'awsvpc'
        ? {
            networkConfiguration: {
              awsvpcConfiguration: { subnets: input.subnets ?? [], securityGroups: input.securityGroups ?? [], assignPublicIp: 'DISABLED' },
            },
          }
        : {}),
    };
    service.deployments = [this.deployment(service, now)];
    rec.services.set(input.name, service);
    return service;
  }

  deployment(service: Service, at: Date): NonNullable<Service['deployments']>[number] {
    return {
      id: `ecs-svc/${this.env.ids.hex(19).replace(/[a-f]/g, '7')}`,
      status: 'PRIMARY',
      taskDefinition: service.taskDefinition,
      desiredCount: service.desiredCount,
      pendingCount: 0,
      runningCount: service.runningCount,
      createdAt: at,
      updatedAt: at,
      launchType: service.launchType,
      rolloutState: 'COMPLETED',
      networkConfiguration: service.networkConfiguration,
    };
  }

  /** Running/pending counts derived from the cluster's tasks, as DescribeServices reports them. */
  serviceView(rec: ClusterRecord, service: Service): Service {
    const group = `service:${service.serviceName}`;
    let running = 0;
    let pending = 0;
    for (const t of rec.tasks) {
      if (t.group !== group || t.desiredStatus !== 'RUNNING') continue;
      if (t.lastStatus === 'RUNNING') running += 1;
      else if (t.lastStatus === 'PENDING') pending += 1;
    }
    return { ...service, runningCount: running, pendingCount: pending };
  }

  // ---- tasks ------------------------------------------------------------------------------------

  addTask(input: AddTaskInput): Task {
    const rec = this.requireCluster(input.cluster);
    const clusterName = rec.cluster.clusterName!;
    const containers = input.containers ?? [];
    let td = input.taskDefinition ? this.taskDefinition(input.taskDefinition) : undefined;
    if (input.taskDefinition && !td) throw new Error(`ECS double: no task definition ${input.taskDefinition}`);
    if (!td) {
      const family = input.service ?? `task-${clusterName}`;
      td =
        this.taskDefinition(family) ??
        this.registerTaskDefinition({
          family,
          networkMode: input.eni ? 'awsvpc' : 'bridge',
          requiresCompatibilities: [input.launchType ?? (input.eni ? 'FARGATE' : 'EC2')],
          cpu: '256',
          memory: '512',
          containerDefinitions: containers.map((c) => ({ name: c.name, image: c.image, essential: true })),
        });
    }
    if (input.service) {
      // Tasks seeded into a service keep the service consistent: it exists and wants them all.
      const svc =
        rec.services.get(input.service) ??
        this.addService({ cluster: input.cluster, name: input.service, taskDefinition: td.taskDefinitionArn!, launchType: input.launchType });
      if ((input.lastStatus ?? 'RUNNING') !== 'STOPPED') svc.desiredCount = (svc.desiredCount ?? 0) + 1;
      if (svc.deployments?.[0]) svc.deployments[0].desiredCount = svc.desiredCount;
    }
    const { task, taskId } = buildTask(this.env, (r) => this.arn(r), rec, td, input);
    rec.tasks.push(task);
    this.tasksById.set(taskId, { task, cluster: rec });
    return task;
  }

  /** A task by ARN or id; with `cluster`, only if it belongs to that cluster. */
  task(ref: string, cluster?: ClusterRecord): Task | undefined {
    const hit = this.tasksById.get(lastSegment(ref));
    if (!hit || (cluster && hit.cluster !== cluster)) return undefined;
    if (ref.startsWith('arn:') && hit.task.taskArn !== ref) return undefined;
    return hit.task;
  }

  clusterOfTask(task: Task): ClusterRecord | undefined {
    return this.tasksById.get(lastSegment(task.taskArn!))?.cluster;
  }

  *allTasks(): IterableIterator<Task> {
    for (const rec of this.clusters.values()) yield* rec.tasks;
  }

  stopTask(task: Task, reason: string | undefined): Task {
    if (task.desiredStatus === 'STOPPED' && task.lastStatus === 'STOPPED') return task;
    const now = new Date(this.env.now());
    task.desiredStatus = 'STOPPED';
    task.lastStatus = 'STOPPED';
    task.stopCode = 'UserInitiated';
    task.stoppedReason = reason ?? 'Task stopped by user';
    task.stoppingAt = now;
    task.stoppedAt = now;
    task.executionStoppedAt = now;
    task.version = (task.version ?? 1) + 1;
    for (const c of task.containers ?? []) c.lastStatus = 'STOPPED';
    for (const a of task.attachments ?? []) a.status = 'DELETED';
    const rec = this.clusterOfTask(task);
    if (rec) for (const l of this.stoppedListeners) l(task, rec);
    return task;
  }

  /** Called after StopTask (wire or API); the service scheduler uses it to start replacements. */
  onTaskStopped(listener: TaskStoppedListener): void {
    this.stoppedListeners.push(listener);
  }
}
