/**
 * Systems Manager on the wire (awsJson1_1, `AmazonSSM.<Op>`; members are PascalCase, timestamps
 * epoch seconds): DescribeInstanceInformation, SendCommand (AWS-RunShellScript only),
 * GetCommandInvocation.
 *
 * Modelled quirks: right after SendCommand, GetCommandInvocation answers InvocationDoesNotExist
 * (eventual consistency, `invisiblePolls`); stdout is cut to its first 24,000 characters and
 * stderr to 8,000; SendCommand to an instance that is not a managed node with an online agent is
 * InvalidInstanceId. The output of a successful `docker pause|stop X` is `X`, as docker prints it.
 */
import { AwsServiceError, decodeToken, encodeToken, json, type JsonServiceDefinition } from '../service.js';
import type { CommandOutcome, Invocation, ManagedInstance, SsmState } from './state.js';

export const SSM_LIMITS = { stdoutMax: 24_000, stderrMax: 8_000, describeMaxResults: 50, describeMinResults: 5, commentMax: 100 } as const;
export const SUPPORTED_DOCUMENT = 'AWS-RunShellScript';

const validation = (message: string) => new AwsServiceError('ValidationException', message);

function infoJson(m: ManagedInstance) {
  return {
    InstanceId: m.instanceId,
    PingStatus: m.pingStatus,
    LastPingDateTime: m.lastPing,
    AgentVersion: m.agentVersion,
    IsLatestVersion: true,
    PlatformType: m.platformType,
    PlatformName: m.platformName,
    PlatformVersion: '2023',
    ResourceType: 'EC2Instance',
    ComputerName: `ip-${m.instanceId.slice(2, 10)}.ec2.internal`,
    AssociationStatus: 'Success',
  };
}

function outcomeFor(m: ManagedInstance, commands: string[]): CommandOutcome {
  const verb = /^docker\s+(\S+)/.exec(commands[0] ?? '')?.[1] ?? '*';
  const set = m.outcomes.get(verb) ?? m.outcomes.get('*');
  if (set) return set;
  const ref = /^docker\s+\S+\s+(\S+)/.exec(commands[0] ?? '')?.[1];
  return { status: 'Success', stdout: ref ? `${ref}\n` : '', stderr: '', responseCode: 0 };
}

export function ssmService(state: SsmState): JsonServiceDefinition {
  const invocationKey = (commandId: string, instanceId: string) => `${commandId}/${instanceId}`;

  return {
    name: 'ssm',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonSSM',
    resourceOf(_op, params) {
      const p = (params ?? {}) as Record<string, unknown>;
      const id = typeof p.InstanceId === 'string' ? p.InstanceId : Array.isArray(p.InstanceIds) ? p.InstanceIds[0] : undefined;
      return typeof id === 'string' ? `arn:aws:ec2:*:*:instance/${id}` : '*';
    },
    operations: {
      DescribeInstanceInformation(input) {
        const filters = [
          ...(json.list<{ Key?: string; Values?: string[] }>(input, 'Filters') ?? []).map((f) => ({ key: f.Key ?? '', values: f.Values ?? [] })),
          ...(json.list<{ key?: string; valueSet?: string[] }>(input, 'InstanceInformationFilterList') ?? []).map((f) => ({
            key: f.key ?? '',
            values: f.valueSet ?? [],
          })),
        ];
        const max = json.num(input, 'MaxResults') ?? SSM_LIMITS.describeMaxResults;
        if (max < SSM_LIMITS.describeMinResults || max > SSM_LIMITS.describeMaxResults) {
          throw validation(
            `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between ${SSM_LIMITS.describeMinResults} and ${SSM_LIMITS.describeMaxResults}`,
          );
        }
        let all = [...state.managed.values()];
        for (const f of filters) {
          if (f.key === 'InstanceIds') all = all.filter((m) => f.values.includes(m.instanceId));
          else if (f.key === 'PingStatus') all = all.filter((m) => f.values.includes(m.pingStatus));
          else if (f.key === 'PlatformTypes') all = all.filter((m) => f.values.includes(m.platformType));
          else throw new AwsServiceError('InvalidInstanceInformationFilterValue', `The filter key ${f.key} is not valid.`);
        }
        const scope = JSON.stringify(filters);
        const start = decodeToken(json.str(input, 'NextToken'), scope, () => new AwsServiceError('InvalidNextToken', 'The specified token is not valid.'));
        const page = all.slice(start, start + max);
        return { InstanceInformationList: page.map(infoJson), ...(start + max < all.length ? { NextToken: encodeToken(start + max, scope) } : {}) };
      },

      SendCommand(input, ctx) {
        const documentName = json.str(input, 'DocumentName');
        if (!documentName) throw validation("1 validation error detected: Value null at 'documentName' failed to satisfy constraint: Member must not be null");
        if (documentName !== SUPPORTED_DOCUMENT) throw new AwsServiceError('InvalidDocument', `Document with name ${documentName} does not exist.`);
        const ids = json.strList(input, 'InstanceIds') ?? [];
        if (ids.length === 0) throw validation('InstanceIds or Targets must be specified.');
        const parameters = (input.Parameters ?? {}) as Record<string, unknown>;
        const commands = parameters.commands;
        if (!Array.isArray(commands) || commands.length === 0 || commands.some((c) => typeof c !== 'string')) {
          throw new AwsServiceError('InvalidParameters', 'Parameter "commands" is required.');
        }
        const timeout = json.num(input, 'TimeoutSeconds');
        if (timeout !== undefined && (timeout < 30 || timeout > 2_592_000)) throw validation(`TimeoutSeconds must be between 30 and 2592000 (got ${timeout}).`);
        const comment = json.str(input, 'Comment');
        if (comment !== undefined && comment.length > SSM_LIMITS.commentMax) throw validation(`Comment must be at most ${SSM_LIMITS.commentMax} characters.`);
        const targets = ids.map((id) => state.managed.get(id));
        if (targets.some((m) => m?.pingStatus !== 'Online')) {
          throw new AwsServiceError('InvalidInstanceId', `Instances [[${ids.join(', ')}]] not in a valid state for account ${ctx.accountId}`);
        }
        const commandId = state.uuid();
        const requestedAt = state.now();
        for (const m of targets as ManagedInstance[]) {
          const inv: Invocation = {
            commandId,
            instanceId: m.instanceId,
            documentName,
            commands: commands as string[],
            ...(comment !== undefined ? { comment } : {}),
            requestedAt,
            outcome: outcomeFor(m, commands as string[]),
            polls: 0,
          };
          state.invocations.set(invocationKey(commandId, m.instanceId), inv);
        }
        return {
          Command: {
            CommandId: commandId,
            DocumentName: documentName,
            DocumentVersion: '$DEFAULT',
            Comment: comment ?? '',
            ExpiresAfter: new Date(requestedAt.getTime() + (timeout ?? 3600) * 1000),
            Parameters: parameters,
            InstanceIds: ids,
            Targets: [],
            RequestedDateTime: requestedAt,
            Status: 'Pending',
            StatusDetails: 'Pending',
            TargetCount: ids.length,
            CompletedCount: 0,
            ErrorCount: 0,
            DeliveryTimedOutCount: 0,
            MaxConcurrency: '50',
            MaxErrors: '0',
            TimeoutSeconds: timeout ?? 3600,
          },
        };
      },

      GetCommandInvocation(input) {
        const commandId = json.str(input, 'CommandId') ?? '';
        const instanceId = json.str(input, 'InstanceId') ?? '';
        const inv = state.invocations.get(invocationKey(commandId, instanceId));
        if (!inv) throw new AwsServiceError('InvocationDoesNotExist', '');
        inv.polls += 1;
        if (inv.polls <= state.invisiblePolls) throw new AwsServiceError('InvocationDoesNotExist', '');
        const visiblePolls = inv.polls - state.invisiblePolls;
        const done = visiblePolls >= (inv.outcome.finishesAfterPolls ?? 2);
        const base = {
          CommandId: inv.commandId,
          InstanceId: inv.instanceId,
          Comment: inv.comment ?? '',
          DocumentName: inv.documentName,
          DocumentVersion: '$DEFAULT',
          PluginName: 'aws:runShellScript',
          ExecutionStartDateTime: inv.requestedAt.toISOString(),
          StandardOutputUrl: '',
          StandardErrorUrl: '',
          CloudWatchOutputConfig: { CloudWatchOutputEnabled: false },
        };
        if (!done)
          return {
            ...base,
            ResponseCode: -1,
            ExecutionElapsedTime: 'PT1S',
            ExecutionEndDateTime: '',
            Status: 'InProgress',
            StatusDetails: 'InProgress',
            StandardOutputContent: '',
            StandardErrorContent: '',
          };
        const o = inv.outcome;
        return {
          ...base,
          ResponseCode: o.responseCode ?? (o.status === 'Success' ? 0 : 1),
          ExecutionElapsedTime: 'PT2.1S',
          ExecutionEndDateTime: state.now().toISOString(),
          Status: o.status,
          StatusDetails: o.status === 'TimedOut' ? 'ExecutionTimedOut' : o.status,
          StandardOutputContent: (o.stdout ?? '').slice(0, SSM_LIMITS.stdoutMax),
          StandardErrorContent: (o.stderr ?? '').slice(0, SSM_LIMITS.stderrMax),
        };
      },
    },
  };
}
