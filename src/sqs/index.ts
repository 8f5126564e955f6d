/**
 * SQS intake (private mode): findings from queues instead of POST /sns.
 *   queue-url.ts  region/account/ARN from a queue URL
 *   message.ts    SNS envelope / raw EventBridge event / not a finding, and the dedupe key
 *   poller.ts     long poll, store in the inbox, delete after stored, extend visibility
 *   clients.ts    one SDK client per region, endpoint variables honoured
 */
import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { createSqsClients } from './clients.js';
import { createSqsIntake, type AdmitFinding, type SqsIntake } from './poller.js';
import { parseQueueUrl } from './queue-url.js';

export { parseQueueUrl } from './queue-url.js';
export { classifySqsBody } from './message.js';
export { createSqsIntake, type SqsIntake, type AdmitFinding } from './poller.js';

/** Region used for a queue URL that is not on an AWS host (LocalStack, a test double). */
export const NON_AWS_DEFAULT_REGION = 'us-east-1';

/** Builds and starts the intake for the configured queues; undefined when there are none. */
export function startSqsIntake(opts: {
  queueUrls: readonly string[];
  endpointFromEnv: boolean;
  region?: string;
  store: Store;
  clock: Clock;
  logger: Logger;
  onAccepted: () => void;
  admit?: AdmitFinding;
  clientConfig?: Partial<SQSClientConfig>;
}): (SqsIntake & { destroy(): void }) | undefined {
  if (!opts.queueUrls.length) return undefined;
  const clients = createSqsClients({ endpointFromEnv: opts.endpointFromEnv, logger: opts.logger, ...(opts.clientConfig ? { extra: opts.clientConfig } : {}) });
  const intake = createSqsIntake({
    queues: opts.queueUrls.map((u) => parseQueueUrl(u, opts.region ?? NON_AWS_DEFAULT_REGION)),
    clientFor: (q) => clients.clientFor(q),
    store: opts.store,
    clock: opts.clock,
    logger: opts.logger,
    onAccepted: opts.onAccepted,
    ...(opts.admit ? { admit: opts.admit } : {}),
  });
  intake.start();
  return {
    ...intake,
    async stop() {
      await intake.stop();
    },
    destroy: () => clients.destroy(),
  };
}
