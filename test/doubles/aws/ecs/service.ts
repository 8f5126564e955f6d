/**
 * ECS on the wire (awsJson1_1, `AmazonEC2ContainerServiceV20141113.<Op>`), with ECS's own limits
 * and error codes: ListTasks/ListClusters pages of at most 100 (100 when maxResults is omitted;
 * ListServices defaults to 10), DescribeTasks at most 100 tasks per call, StopTask reason at most
 * 255 characters, ListTasks defaulting to desiredStatus RUNNING.
 */
import type { Task } from '@aws-sdk/client-ecs';
import { AwsServiceError, decodeToken, encodeToken, json, type JsonServiceDefinition } from '../service.js';
import type { ClusterRecord, EcsState, RegisterInput } from './state.js';

export const ECS_LIMITS = {
  listTasksMaxResults: 100,
  listClustersMaxResults: 100,
  listServicesMaxResults: 100,
  listServicesDefault: 10,
  describeTasksMax: 100,
  describeServicesMax: 10,
  describeContainerInstancesMax: 100,
  stopReasonMaxLength: 255,
} as const;

const invalid = (message: string) => new AwsServiceError('InvalidParameterException', message);
const clusterNotFound = () => new AwsServiceError('ClusterNotFoundException', 'Cluster not found.');

function pageSize(input: Record<string, unknown>, max: number, dflt: number): number {
  const n = json.num(input, 'maxResults');
  if (n === undefined) return dflt;
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalid(`maxResults must be between 1 and ${max}.`);
  return n;
}

/** Walks `items` from the token's position, returning one page and a token only if more match. */
function page<T, R>(
  items: readonly T[],
  input: Record<string, unknown>,
  scope: string,
  size: number,
  keep: (t: T) => boolean,
  map: (t: T) => R,
): { results: R[]; nextToken?: string } {
  const start = decodeToken(json.str(input, 'nextToken'), scope, () => invalid('Invalid nextToken.'));
  const results: R[] = [];
  for (let i = start; i < items.length; i++) {
    const item = items[i]!;
    if (!keep(item)) continue;
    if (results.length === size) return { results, nextToken: encodeToken(i, scope) };
    results.push(map(item));
  }
  return { results };
}

export function ecsService(state: EcsState): JsonServiceDefinition {
  const cluster = (input: Record<string, unknown>): ClusterRecord => {
    const rec = state.cluster(json.str(input, 'cluster') ?? 'default');
    if (!rec) throw clusterNotFound();
    return rec;
  };
  const taskArnFor = (rec: ClusterRecord, ref: string) => (ref.startsWith('arn:') ? ref : state.arn(`task/${rec.cluster.clusterName}/${ref}`));

  return {
    name: 'ecs',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    resourceOf(_op, params) {
      const p = (params ?? {}) as Record<string, unknown>;
      const c = typeof p.cluster === 'string' ? state.cluster(p.cluster) : state.cluster('default');
      if (typeof p.task === 'string' && c) return taskArnFor(c, p.task);
      if (typeof p.service === 'string' && c) return state.arn(`service/${c.cluster.clusterName}/${p.service}`);
      if (c) return c.cluster.clusterArn!;
      return '*';
    },
    operations: {
      ListClusters(input) {
        const size = pageSize(input, ECS_LIMITS.listClustersMaxResults, ECS_LIMITS.listClustersMaxResults);
        const all = [...state.clusters.values()];
        const { results, nextToken } = page(
          all,
          input,
          'clusters',
          size,
          () => true,
          (r) => r.cluster.clusterArn!,
        );
        return { clusterArns: results, nextToken };
      },

      DescribeClusters(input) {
        const refs = json.strList(input, 'clusters') ?? ['default'];
        if (refs.length > 100) throw invalid('Clusters cannot have more than 100 elements');
        const clusters = [];
        const failures = [];
        for (const ref of refs) {
          const rec = state.cluster(ref);
          if (rec) clusters.push(state.clusterView(rec));
          else failures.push({ arn: ref.startsWith('arn:') ? ref : state.arn(`cluster/${ref}`), reason: 'MISSING' });
        }
        return { clusters, failures };
      },

      ListTasks(input) {
        const rec = cluster(input);
        const size = pageSize(input, ECS_LIMITS.listTasksMaxResults, ECS_LIMITS.listTasksMaxResults);
        const desiredStatus = json.str(input, 'desiredStatus') ?? 'RUNNING';
        if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desiredStatus)) throw invalid('desiredStatus must be RUNNING, PENDING or STOPPED.');
        const serviceName = json.str(input, 'serviceName');
        const family = json.str(input, 'family');
        const startedBy = json.str(input, 'startedBy');
        const launchType = json.str(input, 'launchType');
        const ciRef = json.str(input, 'containerInstance');
        if (serviceName !== undefined && !rec.services.has(serviceName.slice(serviceName.lastIndexOf('/') + 1))) {
          throw new AwsServiceError('ServiceNotFoundException', 'Service not found.');
        }
        const group = serviceName ? `service:${serviceName.slice(serviceName.lastIndexOf('/') + 1)}` : undefined;
        const ciArn = ciRef ? (state.containerInstance(rec, ciRef)?.containerInstanceArn ?? ciRef) : undefined;
        const familyPrefix = family ? state.arn(`task-definition/${family}:`) : undefined;
        const keep = (t: Task) =>
          t.desiredStatus === desiredStatus &&
          (group === undefined || t.group === group) &&
          (familyPrefix === undefined || t.taskDefinitionArn!.startsWith(familyPrefix)) &&
          (startedBy === undefined || t.startedBy === startedBy) &&
          (launchType === undefined || t.launchType === launchType) &&
          (ciArn === undefined || t.containerInstanceArn === ciArn);
        const scope = JSON.stringify([rec.cluster.clusterArn, desiredStatus, group, family, startedBy, launchType, ciArn]);
        const { results, nextToken } = page(rec.tasks, input, scope, size, keep, (t) => t.taskArn!);
        return { taskArns: results, nextToken };
      },

      DescribeTasks(input) {
        const rec = cluster(input);
        const refs = json.strList(input, 'tasks');
        if (!refs || refs.length === 0) throw invalid('Tasks cannot be empty.');
        if (refs.length > ECS_LIMITS.describeTasksMax) throw invalid(`Tasks cannot have more than ${ECS_LIMITS.describeTasksMax} elements`);
        const tasks: Task[] = [];
        const failures = [];
        for (const ref of refs) {
          const t = state.task(ref, rec);
          if (t) tasks.push(t);
          else failures.push({ arn: taskArnFor(rec, ref), reason: 'MISSING' });
        }
        return { tasks, failures };
      },

      StopTask(input) {
        const rec = cluster(input);
        const ref = json.str(input, 'task');
        if (!ref) throw invalid('Task must be specified.');
        const reason = json.str(input, 'reason');
        if (reason !== undefined && reason.length > ECS_LIMITS.stopReasonMaxLength) {
          throw invalid(`Reason cannot be longer than ${ECS_LIMITS.stopReasonMaxLength} characters.`);
        }
        const t = state.task(ref, rec);
        if (!t) throw invalid('The referenced task was not found.');
        return { task: state.stopTask(t, reason) };
      },

      DescribeTaskDefinition(input) {
        const ref = json.str(input, 'taskDefinition');
        const td = ref ? state.taskDefinition(ref) : undefined;
        if (!td) throw new AwsServiceError('ClientException', 'Unable to describe task definition.');
        return { taskDefinition: td, tags: [] };
      },

      RegisterTaskDefinition(input) {
        const family = json.str(input, 'family');
        const defs = json.list<Record<string, unknown>>(input, 'containerDefinitions');
        if (!family) throw new AwsServiceError('ClientException', 'Family must be specified.');
        if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) throw new AwsServiceError('ClientException', 'Family contains invalid characters.');
        if (!defs || defs.length === 0) throw new AwsServiceError('ClientException', 'Container definitions cannot be empty.');
        const td = state.registerTaskDefinition(input as RegisterInput);
        return { taskDefinition: td, tags: json.list(input, 'tags') ?? [] };
      },

      ListServices(input) {
        const rec = cluster(input);
        const size = pageSize(input, ECS_LIMITS.listServicesMaxResults, ECS_LIMITS.listServicesDefault);
        const launchType = json.str(input, 'launchType');
        const all = [...rec.services.values()];
        const scope = JSON.stringify([rec.cluster.clusterArn, launchType]);
        const { results, nextToken } = page(
          all,
          input,
          scope,
          size,
          (s) => s.status === 'ACTIVE' && (launchType === undefined || s.launchType === launchType),
          (s) => s.serviceArn!,
        );
        return { serviceArns: results, nextToken };
      },

      DescribeServices(input) {
        const rec = cluster(input);
        const refs = json.strList(input, 'services');
        if (!refs || refs.length === 0) throw invalid('Services cannot be empty.');
        if (refs.length > ECS_LIMITS.describeServicesMax) throw invalid(`Services cannot have more than ${ECS_LIMITS.describeServicesMax} elements`);
        const services = [];
        const failures = [];
        for (const ref of refs) {
          const s = rec.services.get(ref.slice(ref.lastIndexOf('/') + 1));
          if (s) services.push(state.serviceView(rec, s));
          else failures.push({ arn: ref.startsWith('arn:') ? ref : state.arn(`service/${rec.cluster.clusterName}/${ref}`), reason: 'MISSING' });
        }
        return { services, failures };
      },

      UpdateService(input) {
        const rec = cluster(input);
        const ref = json.str(input, 'service') ?? '';
        const s = rec.services.get(ref.slice(ref.lastIndexOf('/') + 1));
        if (!s) throw new AwsServiceError('ServiceNotFoundException', 'Service not found.');
        if (s.status !== 'ACTIVE') throw new AwsServiceError('ServiceNotActiveException', 'Service was not ACTIVE.');
        const tdRef = json.str(input, 'taskDefinition');
        const desired = json.num(input, 'desiredCount');
        const force = input.forceNewDeployment === true;
        if (desired !== undefined && (!Number.isInteger(desired) || desired < 0)) throw invalid('desiredCount must be a non-negative integer.');
        if (tdRef !== undefined) {
          const td = state.taskDefinition(tdRef);
          if (!td) throw invalid('TaskDefinition not found.');
          if (td.status !== 'ACTIVE') throw invalid(`TaskDefinition is inactive`);
          s.taskDefinition = td.taskDefinitionArn;
        }
        if (desired !== undefined) s.desiredCount = desired;
        const now = state.now();
        if (tdRef !== undefined || force) {
          const previous = (s.deployments ?? []).map((d) => ({ ...d, status: 'ACTIVE' }));
          s.deployments = [{ ...state.deployment(s, now), rolloutState: 'IN_PROGRESS' }, ...previous];
        } else if (s.deployments?.[0]) {
          s.deployments[0].desiredCount = s.desiredCount;
          s.deployments[0].updatedAt = now;
        }
        return { service: state.serviceView(rec, s) };
      },

      DescribeContainerInstances(input) {
        const rec = cluster(input);
        const refs = json.strList(input, 'containerInstances');
        if (!refs || refs.length === 0) throw invalid('ContainerInstances cannot be empty.');
        if (refs.length > ECS_LIMITS.describeContainerInstancesMax)
          throw invalid(`ContainerInstances cannot have more than ${ECS_LIMITS.describeContainerInstancesMax} elements`);
        const containerInstances = [];
        const failures = [];
        for (const ref of refs) {
          const ci = state.containerInstance(rec, ref);
          if (ci) {
            let running = 0;
            for (const t of rec.tasks) if (t.containerInstanceArn === ci.containerInstanceArn && t.lastStatus === 'RUNNING') running += 1;
            containerInstances.push({ ...ci, runningTasksCount: running });
          } else {
            failures.push({ arn: ref.startsWith('arn:') ? ref : state.arn(`container-instance/${rec.cluster.clusterName}/${ref}`), reason: 'MISSING' });
          }
        }
        return { containerInstances, failures };
      },
    },
  };
}
