import { hasSsmAgent, runDockerCommand, validateContainerRef } from '../../aws/ssm/index.js';
import type { ActionDefinition } from '../types.js';
import { instanceIdOf } from './target.js';

export const SSM_POLL_INTERVAL_MS = 2_000;
export const SSM_MAX_POLLS = 45;

/**
 * Standalone container (Docker on an EC2 host): `docker pause` through SSM Run Command, falling
 * back to `docker stop` when pause fails. The command is built only from the validated container
 * id. A host without a reachable SSM agent cannot be reached: the plan says so and points to the
 * instance actions (isolating the host affects every container on it).
 */
export const pauseContainerAction: ActionDefinition = {
  id: 'pause_container',
  label: 'Pause container',
  verb: 'Pause',
  changes: true,
  destructive: true,
  repeatable: false,
  style: 'danger',
  appliesTo: (f) => f.kind === 'Container' && !!f.container?.id && !!f.instance?.instanceId,
  async plan(ctx) {
    const instanceId = instanceIdOf(ctx.finding);
    const containerId = validateContainerRef(ctx.finding.container?.id ?? '');
    const agent = await hasSsmAgent(ctx.aws, instanceId);
    const base = {
      summary: `docker pause ${containerId} on host ${instanceId} (docker stop if pause fails), through SSM Run Command.`,
      resources: [instanceId, `container ${containerId}${ctx.finding.container?.name ? ` (${ctx.finding.container.name})` : ''}`],
      apiCalls: [
        'ssm:DescribeInstanceInformation',
        `ssm:SendCommand AWS-RunShellScript "docker pause ${containerId}" (then "docker stop ${containerId}" if needed)`,
        'ssm:GetCommandInvocation',
      ],
      warnings: ['A paused container keeps its memory (good for forensics) but holds its resources; a stopped one loses its memory.'],
    };
    if (!agent.online) {
      return {
        ...base,
        blocked: `the host ${instanceId} has ${agent.managed ? `an SSM agent that is ${agent.pingStatus ?? 'not online'}` : 'no SSM agent registered'}, so the responder cannot reach the container. Use the instance actions instead (Isolate instance cuts off every container on the host).`,
      };
    }
    return { ...base, data: { instanceId, containerId } };
  },
  async execute(ctx) {
    const { instanceId, containerId } = ctx.plan.data as { instanceId: string; containerId: string };
    const opts = { sleep: ctx.clock.sleep, intervalMs: SSM_POLL_INTERVAL_MS, maxPolls: SSM_MAX_POLLS };
    const paused = await runDockerCommand(ctx.aws, { instanceId, containerId, verb: 'pause', findingId: ctx.finding.id }, opts);
    const out = (r: typeof paused) =>
      `docker ${r.verb} → ${r.status}${r.responseCode !== undefined ? ` (exit ${r.responseCode})` : ''}${r.stdout ? `; stdout: ${r.stdout.slice(0, 300)}` : ''}${r.stderr ? `; stderr: ${r.stderr.slice(0, 300)}` : ''}`;
    if (paused.succeeded) {
      return {
        status: 'succeeded',
        headline: `container ${containerId} paused`,
        done: [out(paused)],
        notDone: [],
        next: ['Isolate the host and preserve evidence before unpausing or removing the container.'],
        requestIds: paused.requestIds,
        cardStatus: ':double_vertical_bar: Container paused',
      };
    }
    ctx.progress(`pause failed (${paused.status}); trying docker stop`);
    const stopped = await runDockerCommand(ctx.aws, { instanceId, containerId, verb: 'stop', findingId: ctx.finding.id }, opts);
    return {
      status: stopped.succeeded ? 'partial' : 'failed',
      headline: stopped.succeeded ? `pause failed, container ${containerId} stopped instead` : `neither pause nor stop worked on ${containerId}`,
      done: stopped.succeeded ? [out(stopped)] : [],
      notDone: [out(paused), ...(stopped.succeeded ? [] : [out(stopped)])],
      next: stopped.succeeded
        ? ['The container is stopped (its memory is lost). Isolate the host and preserve evidence.']
        : ['Use the instance actions: isolating the host cuts off every container on it.'],
      requestIds: [...paused.requestIds, ...stopped.requestIds],
      cardStatus: stopped.succeeded ? ':octagonal_sign: Container stopped' : ':x: Container could not be paused or stopped',
    };
  },
};
