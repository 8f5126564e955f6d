/**
 * Pause or stop a standalone Docker container through SSM Run Command on its host.
 *
 * Safety: the shell command is built ONLY from a validated container reference — a Docker id
 * (12 to 64 lowercase hex) or a Docker name (`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$`, no quotes,
 * spaces, `$`, `;` or leading `-`) — and a verb from a closed list. Finding text is attacker
 * influenced: nothing else from a finding ever reaches the command line. AWS-RunShellScript runs
 * the commands as root, so this matters.
 *
 * Facts (SDK model and the issue threads found with the search tool):
 * - Right after SendCommand, GetCommandInvocation often answers InvocationDoesNotExist (eventual
 *   consistency; aws/aws-sdk#86, boto3#2701): keep polling, it is not a failure.
 * - Final statuses: Success, Failed, TimedOut, Cancelled (plus Undeliverable/Terminated at the
 *   command level). Pending, InProgress, Delayed, Cancelling mean wait.
 * - StandardOutputContent holds the first 24,000 characters of stdout, StandardErrorContent the
 *   first 8,000 of stderr; the rest only goes to S3/CloudWatch when configured.
 * - SendCommand fails with InvalidInstanceId when the instance is not a managed node or its
 *   agent is not online: check `hasSsmAgent` first and say so.
 *
 * Pause vs stop: `docker pause` freezes the processes (cgroup freezer) and keeps memory for
 * forensics; `docker stop` sends SIGTERM then SIGKILL. Falling back from one to the other is the
 * caller's decision; this module only reports.
 */
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  type GetCommandInvocationCommandOutput,
} from '@aws-sdk/client-ssm';
import { AppError, isAppError } from '../../errors.js';
import type { AwsClients } from '../clients.js';
import { awsCall } from '../errors.js';
import { systemClock } from '../rate-limit.js';

export type SsmClients = Pick<AwsClients, 'ssm'>;

export const RUN_SHELL_SCRIPT = 'AWS-RunShellScript';
export const CONTAINER_ID_RE = /^[0-9a-f]{12,64}$/;
export const CONTAINER_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
export const DOCKER_VERBS = ['pause', 'stop'] as const;
export type DockerVerb = (typeof DOCKER_VERBS)[number];
/** What SSM keeps inline: the first 24,000 characters of stdout and 8,000 of stderr. */
export const SSM_STDOUT_MAX = 24_000;
export const SSM_STDERR_MAX = 8_000;
/** What we keep for the thread (a Slack section holds 3,000 characters). */
export const OUTPUT_KEEP_CHARS = 2_000;
/** SendCommand TimeoutSeconds: time for the agent to pick the command up (minimum 30). */
export const DELIVERY_TIMEOUT_SECONDS = 60;
/** AWS-RunShellScript executionTimeout: `docker stop` waits 10 s before SIGKILL; allow margin. */
export const EXECUTION_TIMEOUT_SECONDS = 60;
export const DEFAULT_COMMAND_POLL_INTERVAL_MS = 2_000;
export const DEFAULT_COMMAND_MAX_POLLS = 45;
/** SendCommand Comment is at most 100 characters. */
export const COMMENT_MAX = 100;

const FINAL: ReadonlySet<string> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled', 'Undeliverable', 'Terminated']);

export interface SsmAgentStatus {
  instanceId: string;
  /** Registered with Systems Manager at all. */
  managed: boolean;
  /** PingStatus Online: Run Command can reach it now. */
  online: boolean;
  /** Online | ConnectionLost | Inactive */
  pingStatus?: string;
  lastPingAt?: string;
  agentVersion?: string;
  platformType?: string;
  platformName?: string;
  requestIds: string[];
}

export interface DockerCommandResult {
  instanceId: string;
  containerId: string;
  verb: DockerVerb;
  commandId: string;
  /** SSM's invocation status; `Pending`/`InProgress` when polling gave up. */
  status: string;
  finished: boolean;
  succeeded: boolean;
  responseCode?: number;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  statusDetails?: string;
  polls: number;
  requestIds: string[];
}

export async function hasSsmAgent(clients: SsmClients, instanceId: string): Promise<SsmAgentStatus> {
  const requestIds: string[] = [];
  const out = await awsCall({ action: 'ssm:DescribeInstanceInformation', resource: instanceId }, requestIds, () =>
    clients.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] })),
  );
  const info = (out.InstanceInformationList ?? []).find((i) => i.InstanceId === instanceId);
  if (!info) return { instanceId, managed: false, online: false, requestIds };
  return {
    instanceId,
    managed: true,
    online: info.PingStatus === 'Online',
    ...(info.PingStatus !== undefined ? { pingStatus: info.PingStatus } : {}),
    ...(info.LastPingDateTime !== undefined ? { lastPingAt: info.LastPingDateTime.toISOString() } : {}),
    ...(info.AgentVersion !== undefined ? { agentVersion: info.AgentVersion } : {}),
    ...(info.PlatformType !== undefined ? { platformType: info.PlatformType } : {}),
    ...(info.PlatformName !== undefined ? { platformName: info.PlatformName } : {}),
    requestIds,
  };
}

/** The container reference if it is a plain Docker id or name; otherwise `action_invalid`. */
export function validateContainerRef(ref: string): string {
  if (typeof ref === 'string' && (CONTAINER_ID_RE.test(ref) || CONTAINER_NAME_RE.test(ref))) return ref;
  throw new AppError(
    'action_invalid',
    'The container reference is not a Docker container id (12 to 64 hex characters) or name (letters, digits, "_", "." and "-"), so no command was sent.',
    { context: { containerRefLength: typeof ref === 'string' ? ref.length : 0 } },
  );
}

/** The one command sent: only the verb (closed list) and the validated reference. */
export function dockerCommandLine(verb: DockerVerb, containerRef: string): string {
  if (!DOCKER_VERBS.includes(verb)) throw new AppError('action_invalid', `Unsupported docker verb "${String(verb)}".`);
  return `docker ${verb} ${validateContainerRef(containerRef)}`;
}

function keep(text: string | undefined, ssmMax: number): { text: string; truncated: boolean } {
  const t = text ?? '';
  if (t.length > OUTPUT_KEEP_CHARS) return { text: `${t.slice(0, OUTPUT_KEEP_CHARS)}…`, truncated: true };
  return { text: t, truncated: t.length >= ssmMax };
}

export async function runDockerCommand(
  clients: SsmClients,
  input: { instanceId: string; containerId: string; verb: DockerVerb; findingId?: string },
  options: { sleep?: (ms: number) => Promise<void>; maxPolls?: number; intervalMs?: number } = {},
): Promise<DockerCommandResult> {
  const command = dockerCommandLine(input.verb, input.containerId);
  const sleep = options.sleep ?? systemClock.sleep;
  const maxPolls = Math.max(1, options.maxPolls ?? DEFAULT_COMMAND_MAX_POLLS);
  const intervalMs = options.intervalMs ?? DEFAULT_COMMAND_POLL_INTERVAL_MS;
  const requestIds: string[] = [];
  const comment = `GuardDuty responder: docker ${input.verb}${input.findingId ? ` (finding ${input.findingId})` : ''}`
    .replace(/[^\x20-\x7e]/g, '_')
    .slice(0, COMMENT_MAX);

  let commandId: string;
  try {
    const sent = await awsCall({ action: 'ssm:SendCommand', resource: input.instanceId }, requestIds, () =>
      clients.ssm.send(
        new SendCommandCommand({
          DocumentName: RUN_SHELL_SCRIPT,
          InstanceIds: [input.instanceId],
          Parameters: { commands: [command], executionTimeout: [String(EXECUTION_TIMEOUT_SECONDS)] },
          TimeoutSeconds: DELIVERY_TIMEOUT_SECONDS,
          Comment: comment,
        }),
      ),
    );
    commandId = sent.Command?.CommandId ?? '';
  } catch (err) {
    if (isAppError(err) && err.context.awsErrorName === 'InvalidInstanceId') {
      throw new AppError(
        'aws_ssm_unavailable',
        `Systems Manager cannot run commands on ${input.instanceId}: it is not a managed node with an online SSM agent (or not running). Isolate the host instead: that cuts every container on it.`,
        { cause: err, context: err.context },
      );
    }
    throw err;
  }

  let polls = 0;
  let last: GetCommandInvocationCommandOutput | undefined;
  for (;;) {
    // Wait first: the invocation is never finished (and often not yet visible) right after SendCommand.
    await sleep(intervalMs);
    polls++;
    try {
      last = await awsCall({ action: 'ssm:GetCommandInvocation', resource: input.instanceId }, requestIds, () =>
        clients.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: input.instanceId })),
      );
      if (last.Status !== undefined && FINAL.has(last.Status)) break;
    } catch (err) {
      if (!(isAppError(err) && err.context.awsErrorName === 'InvocationDoesNotExist')) throw err;
    }
    if (polls >= maxPolls) break;
  }
  const status = last?.Status ?? 'Pending';
  const stdout = keep(last?.StandardOutputContent, SSM_STDOUT_MAX);
  const stderr = keep(last?.StandardErrorContent, SSM_STDERR_MAX);
  return {
    instanceId: input.instanceId,
    containerId: input.containerId,
    verb: input.verb,
    commandId,
    status,
    finished: FINAL.has(status),
    succeeded: status === 'Success',
    ...(last?.ResponseCode !== undefined ? { responseCode: last.ResponseCode } : {}),
    stdout: stdout.text,
    stderr: stderr.text,
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    ...(last?.StatusDetails !== undefined ? { statusDetails: last.StatusDetails } : {}),
    polls,
    requestIds,
  };
}
