/**
 * Real sample findings for trying the app: GuardDuty's CreateSampleFindings publishes findings
 * marked `service.additionalInfo.sample: true` (fake resource ids) through the same EventBridge
 * path as real ones, so they reach SNS/SQS and become cards within a minute or so.
 *
 * Limited to Runtime Monitoring types: this app's remediation is about runtime findings, and a
 * `/guardduty sample` verb must not let a Slack user flood the channel with every finding type.
 */
import { CreateSampleFindingsCommand } from '@aws-sdk/client-guardduty';
import { AppError } from '../../errors.js';
import { awsCall } from '../errors.js';
import type { AwsClientFactory } from '../clients.js';
import { findDetectorId, type GuardDutyClients } from './malware-scan.js';

/** Runtime Monitoring finding types GuardDuty can generate samples of (one per resource behaviour). */
export const RUNTIME_SAMPLE_TYPES = [
  'Execution:Runtime/ReverseShell',
  'Execution:Runtime/NewBinaryExecuted',
  'CryptoCurrency:Runtime/BitcoinTool.B',
  'Backdoor:Runtime/C&CActivity.B',
  'PrivilegeEscalation:Runtime/DockerSocketAccessed',
  'DefenseEvasion:Runtime/FilelessExecution',
] as const;

/** A Runtime Monitoring type: `<ThreatPurpose>:Runtime/<name>`. */
const RUNTIME_TYPE = /^[A-Za-z]+:Runtime\/[A-Za-z0-9.&!_-]+$/;
export const MAX_SAMPLE_TYPES = 10;

export interface SampleFindingsResult {
  detectorId: string;
  findingTypes: string[];
  requestIds: string[];
}

export async function createRuntimeSampleFindings(
  clients: GuardDutyClients,
  findingTypes: readonly string[] = RUNTIME_SAMPLE_TYPES,
): Promise<SampleFindingsResult> {
  const types = [...new Set(findingTypes)];
  const wrong = types.filter((t) => !RUNTIME_TYPE.test(t));
  if (types.length === 0 || types.length > MAX_SAMPLE_TYPES || wrong.length) {
    throw new AppError(
      'action_invalid',
      wrong.length ? `only Runtime Monitoring finding types can be sampled (not ${wrong.join(', ')})` : `ask for 1 to ${MAX_SAMPLE_TYPES} finding types`,
      {
        context: { findingTypes: types },
      },
    );
  }
  const requestIds: string[] = [];
  const detectorId = await findDetectorId(clients, requestIds);
  await awsCall({ action: 'guardduty:CreateSampleFindings', resource: detectorId }, requestIds, () =>
    clients.guardduty.send(new CreateSampleFindingsCommand({ DetectorId: detectorId, FindingTypes: types })),
  );
  return { detectorId, findingTypes: types, requestIds };
}

/**
 * `/guardduty sample`: the runtime sample types in the app's own account (the GuardDuty
 * administrator in a delegated set-up, where the findings arrive), in `region` or the default
 * Region. AWS_REGIONS applies; AWS_ACCOUNT_IDS does not (see AwsClientFactory.forAdministrator).
 */
export function ownAccountSampler(aws: AwsClientFactory, defaultRegion: string | undefined) {
  return async (region?: string): Promise<SampleFindingsResult & { accountId: string; region: string }> => {
    // Unset: the client factory's default Region (the SDK's AWS_REGION resolution).
    const clients = await aws.forAdministrator(region ?? defaultRegion);
    const result = await createRuntimeSampleFindings(clients);
    return { ...result, accountId: await aws.scope.resolveOwn(), region: await clients.guardduty.config.region() };
  };
}
